#!/usr/bin/env bats
# events: OOM events as they happen, --all, and the blkio and hugetlb stats read
# back against the cgroup files (on this host: v1 controllers, hugetlb only in the
# cgroup2 hierarchy; in the VM: pure v2).

load helpers
load cgroup-helpers
bats_require_minimum_version 1.5.0

# wait_for_fd PID PATTERN: poll until PID has an fd whose link matches PATTERN.
wait_for_fd() {
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ]; do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.05
	done
	fail "process $1 has no fd matching $2"
}

# wait_for_line FILE REGEX
wait_for_line() {
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no line matching $2 in $1: $(cat "$1")"
}

@test "events prints an oom event when a process of the container hits the memory limit" {
	requires_checker
	# no swap either, so that the allocation cannot escape to it
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	start_sleeper
	"$HAKO" --root "$STATE_ROOT" events --interval 1h "$CID" >"$BATS_TEST_TMPDIR/events" 2>"$BATS_TEST_TMPDIR/events.err" &
	evpid=$!
	HELPER_PIDS+=("$evpid")
	# the watcher is registered once events holds its eventfd (v1) or inotify fd (v2)
	if is_runc || v2_host; then
		wait_for_fd "$evpid" 'anon_inode:\(\[eventfd\]\|inotify\)'
	else
		wait_for_fd "$evpid" 'anon_inode:\[eventfd\]'
	fi
	run hako exec "$CID" checker alloc
	assert_failure 137
	wait_for_line "$BATS_TEST_TMPDIR/events" '"type": ?"oom"'
	line="$(grep oom "$BATS_TEST_TMPDIR/events" | head -n1)"
	assert_equal "$(jq -c . <<<"$line")" "{\"type\":\"oom\",\"id\":\"$CID\"}"
	# the kernel counted it too
	if v2_host; then
		oom_kill="$(awk '$1 == "oom_kill" { print $2 }' "$(cg_dir "$INIT_PID" memory)/memory.events")"
	else
		oom_kill="$(awk '$1 == "oom_kill" { print $2 }' "$(cg_dir "$INIT_PID" memory)/memory.oom_control")"
	fi
	[ "${oom_kill:-0}" -ge 1 ] || fail "oom_kill: $oom_kill"
	# the container lives on; events ends (status 0) once it is gone
	assert_equal "$(container_status "$CID")" running
	requires_hako "events ending with the container"
	hako delete -f "$CID"
	wait "$evpid"
	HELPER_PIDS=()
	[ "$(grep -c oom "$BATS_TEST_TMPDIR/events")" -eq 1 ] || fail "$(cat "$BATS_TEST_TMPDIR/events")"
}

@test "events reports the OOM that kills init, and ends" {
	requires_checker
	requires_hako "events ending with the container"
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# init waits for /start, then allocates until the OOM killer ends it
	set_sh 'while [ ! -e /start ]; do sleep 0.05; done; exec checker alloc'
	run_detached
	wait_for_status "$CID" running
	"$HAKO" --root "$STATE_ROOT" events --interval 1h "$CID" >"$BATS_TEST_TMPDIR/events" 2>"$BATS_TEST_TMPDIR/events.err" &
	evpid=$!
	HELPER_PIDS+=("$evpid")
	wait_for_fd "$evpid" 'anon_inode:\(\[eventfd\]\|inotify\)'
	touch "$ROOTFS/start"
	wait_for_status "$CID" stopped
	wait_for_line "$BATS_TEST_TMPDIR/events" '"type":"oom"'
	if v2_host; then
		# populated 0 ends events on v2
		wait "$evpid"
	else
		# v1 learns it from the cgroup's removal
		hako delete "$CID"
		wait "$evpid"
	fi
	HELPER_PIDS=()
	assert_equal "$(grep -c . "$BATS_TEST_TMPDIR/events")" 1
}

# mem_usage_file PID: the memory usage file of PID's cgroup
mem_usage_file() {
	if v2_host; then echo "$(cg_dir "$1" memory)/memory.current"; else echo "$(cg_dir "$1" memory)/memory.usage_in_bytes"; fi
}
mem_limit_file() {
	if v2_host; then echo "$(cg_dir "$1" memory)/memory.max"; else echo "$(cg_dir "$1" memory)/memory.limit_in_bytes"; fi
}

@test "events --all --stats: one stats event per running container, numbers from the cgroup files" {
	requires_hako "events --all"
	set_cmd sleep 100000
	ids=()
	for i in 1 2 3; do
		update_config '.linux.resources.pids = {"limit": ($n * 10)} | .linux.resources.memory = {"limit": ($n * 16777216)}' --argjson n "$i"
		run_detached "$CID-$i" || fail "run $CID-$i: $(stderr_of "$CID-$i")"
		ids+=("$CID-$i")
	done
	# a stopped container has no stats and is left out
	set_cmd true
	run_detached "$CID-stopped"
	wait_for_status "$CID-stopped" stopped

	declare -A before
	for id in "${ids[@]}"; do
		before[$id]="$(cat "$(mem_usage_file "$(container_pid "$id")")")"
	done
	run --separate-stderr hako events --all --stats
	assert_success
	out="$output"
	assert_equal "$(count_lines "$out")" 3
	assert_equal "$(jq -r -s 'map(.id) | sort | join(" ")' <<<"$out")" "${ids[*]}"
	jq -e -s 'all(.type == "stats")' <<<"$out" >/dev/null || fail "$out"
	for id in "${ids[@]}"; do
		pid="$(container_pid "$id")"
		ev="$(jq -c --arg id "$id" 'select(.id == $id)' <<<"$out")"
		assert_equal "$(jq .data.pids.limit <<<"$ev")" "$(cat "$(cg_dir "$pid" pids)/pids.max")"
		assert_equal "$(jq .data.pids.current <<<"$ev")" "$(cat "$(cg_dir "$pid" pids)/pids.current")"
		assert_equal "$(jq .data.memory.usage.limit <<<"$ev")" "$(cat "$(mem_limit_file "$pid")")"
		after="$(cat "$(mem_usage_file "$pid")")"
		usage="$(jq .data.memory.usage.usage <<<"$ev")"
		lo=${before[$id]} hi=$after
		[ "$lo" -le "$hi" ] || { lo=$after; hi=${before[$id]}; }
		[ "$usage" -ge "$lo" ] && [ "$usage" -le "$hi" ] ||
			fail "$id: memory usage $usage outside the file's $lo..$hi"
	done
}

@test "events --all streams every --interval; --all takes no id" {
	requires_hako "events --all"
	set_cmd sleep 100000
	run_detached "$CID-1"
	run_detached "$CID-2"
	"$HAKO" --root "$STATE_ROOT" events --all --interval 100ms >"$BATS_TEST_TMPDIR/events" 2>"$BATS_TEST_TMPDIR/events.err" &
	evpid=$!
	HELPER_PIDS+=("$evpid")
	deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ "$(grep -c . "$BATS_TEST_TMPDIR/events")" -lt 6 ] && [ "$SECONDS" -le "$deadline" ]; do sleep 0.05; done
	kill "$evpid"
	wait "$evpid" || true
	HELPER_PIDS=()
	out="$(head -n 6 "$BATS_TEST_TMPDIR/events")"
	assert_equal "$(count_lines "$out")" 6
	# each tick has both, in list order
	assert_equal "$(jq -r -s 'map(.id) | join(" ")' <<<"$out")" "$CID-1 $CID-2 $CID-1 $CID-2 $CID-1 $CID-2"
	jq -e -s 'all(.type == "stats" and .data.pids.current >= 1)' <<<"$out" >/dev/null || fail "$out"

	run hako events --all "$CID-1"
	assert_failure
	run hako events --stats --all "$CID-1"
	assert_failure
}

# blkio_lines FILE: "major minor op value" per entry of a v1 blkio file (no "Total").
blkio_lines() {
	awk '$1 ~ /^[0-9]+:[0-9]+$/ { split($1, d, ":"); if (NF == 3) print d[1], d[2], $2, $3; else print d[1], d[2], "", $2 }' "$1" | sort
}

# io_stat_lines FILE KIND: io.stat as runc converts it (KIND bytes or ios)
io_stat_lines() {
	awk -v k="$2" '{ split($1, d, ":"); for (i = 2; i <= NF; i++) { split($i, kv, "=");
		op = ""; if (kv[1] == "r" k) op = "Read"; else if (kv[1] == "w" k) op = "Write"; else if (kv[1] == "d" k) op = "Discard";
		if (op != "") print d[1], d[2], op, kv[2] } }' "$1" | sort
}

# json_blkio_lines EVENT KEY: the entries of .data.blkio.KEY, the same way
json_blkio_lines() {
	jq -r --arg k "$2" '.data.blkio[$k] // [] | .[] | "\(.major // 0) \(.minor // 0) \(.op // "") \(.value // 0)"' <<<"$1" | sort
}

@test "events --stats: blkio from the cgroup's files, in runc's shape" {
	requires_hako "blkio stats read back"
	SHARED="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$SHARED"
	update_config '.mounts += [{"destination": "/shared", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' --arg s "$SHARED"
	# throttling on the disk holding /shared makes v1 count the IO in the throttle files
	fsdev="$(mountpoint -d "$(df --output=target "$SHARED" | tail -n1)")"
	if [ -e "/sys/dev/block/$fsdev" ]; then
		maj=${fsdev%:*} min=${fsdev#*:}
		update_config '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1000000000}],
			"throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 100000}]}' --argjson ma "$maj" --argjson mi "$min"
	fi
	# some IO to a disk: a synced write, then a direct read
	io='dd if=/dev/zero of=/shared/f bs=64k count=16 conv=fsync 2>/dev/null; dd if=/shared/f of=/dev/null bs=64k iflag=direct 2>/dev/null'
	if [ ! -e "/sys/dev/block/$fsdev" ]; then
		# no disk under /shared (the VM's tmpfs): direct writes to a loop device given to the container
		truncate -s 4M "$BATS_TEST_TMPDIR/disk"
	# (the VM has no udev: the loop module is not loaded until asked for)
	[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
		LOOP="$(losetup --find --show "$BATS_TEST_TMPDIR/disk")" || fail "no loop device"
		fsdev="$(cat "/sys/block/${LOOP##*/}/dev")"
		update_config '.linux.devices += [{"path": "/dev/hakoloop", "type": "b", "major": $ma, "minor": $mi}]
			| .linux.resources.devices += [{"allow": true, "type": "b", "major": $ma, "minor": $mi, "access": "rwm"}]' \
			--argjson ma "${fsdev%:*}" --argjson mi "${fsdev#*:}"
		io='dd if=/dev/zero of=/dev/hakoloop bs=64k count=16 oflag=direct 2>/dev/null'
	fi
	set_sh "$io; echo done > /shared/done; sleep 100000"
	run_detached
	wait_for_file "$SHARED/done"
	pid="$(container_pid "$CID")"
	run --separate-stderr hako events --stats "$CID"
	assert_success
	ev="$output"
	if v2_host; then
		dir="$(cg_dir "$pid" io)"
		echo "# io.stat: $(cat "$dir/io.stat" 2>&1); $(jq -c .data.blkio <<<"$ev")" >&3
		if [ -e "$dir/io.stat" ]; then
			assert_equal "$(json_blkio_lines "$ev" ioServiceBytesRecursive)" "$(io_stat_lines "$dir/io.stat" bytes)"
			assert_equal "$(json_blkio_lines "$ev" ioServicedRecursive)" "$(io_stat_lines "$dir/io.stat" ios)"
			# the container's writes show
			jq -e --argjson ma "${fsdev%:*}" '[.data.blkio.ioServiceBytesRecursive[]? | select(.op == "Write" and .major == $ma) | .value] | add > 0' \
				<<<"$ev" >/dev/null || fail "no write bytes for $fsdev: $ev"
		else
			assert_equal "$(jq -c .data.blkio <<<"$ev")" '{}'
		fi
	else
		dir="$(cg_dir "$pid" blkio)"
		if [ -n "${maj:-}" ]; then
			assert_equal "$(cat "$dir/blkio.throttle.read_bps_device")" "$fsdev 1000000000"
			assert_equal "$(cat "$dir/blkio.throttle.write_iops_device")" "$fsdev 100000"
		fi
		# runc's order: BFQ when it has entries, else CFQ, else the throttle files
		if [ -n "$(blkio_lines "$dir/blkio.bfq.io_serviced_recursive" 2>/dev/null)" ]; then
			pre=blkio.bfq.
		elif [ -n "$(blkio_lines "$dir/blkio.io_serviced_recursive" 2>/dev/null)" ]; then
			pre=blkio.
		else
			pre=blkio.throttle.
		fi
		echo "# from ${pre}*: $(jq -c .data.blkio <<<"$ev")" >&3
		assert_equal "$(json_blkio_lines "$ev" ioServiceBytesRecursive)" "$(blkio_lines "$dir/${pre}io_service_bytes_recursive")"
		assert_equal "$(json_blkio_lines "$ev" ioServicedRecursive)" "$(blkio_lines "$dir/${pre}io_serviced_recursive")"
		# the container's IO shows (the throttle files count every bio)
		[ "$pre" != blkio.throttle. ] || [ -z "${maj:-}" ] ||
			jq -e '[.data.blkio.ioServiceBytesRecursive[]? | select(.op == "Write") | .value] | add > 0' <<<"$ev" >/dev/null ||
			fail "no write bytes: $ev"
	fi
}

@test "hugepageLimits are applied (hybrid: in the cgroup2 hierarchy) and read back by events --stats" {
	requires_hako "hugetlb stats read back"
	if ! v2_host && [ ! -d /sys/fs/cgroup/hugetlb ] && ! grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
		skip "no hugetlb controller on this host"
	fi
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_sleeper
	if v2_host || [ ! -d /sys/fs/cgroup/hugetlb ]; then
		dir="$(cg_dir "$INIT_PID" unified)"
		assert_equal "$(cat "$dir/hugetlb.2MB.max")" 4194304
		usage="$(cat "$dir/hugetlb.2MB.current")"
		failcnt="$(awk '$1 == "max" { print $2 }' "$dir/hugetlb.2MB.events")"
		max=0
	else
		dir="$(cg_dir "$INIT_PID" hugetlb)"
		assert_equal "$(cat "$dir/hugetlb.2MB.limit_in_bytes")" 4194304
		usage="$(cat "$dir/hugetlb.2MB.usage_in_bytes")"
		max="$(cat "$dir/hugetlb.2MB.max_usage_in_bytes")"
		failcnt="$(cat "$dir/hugetlb.2MB.failcnt")"
	fi
	run --separate-stderr hako events --stats "$CID"
	assert_success
	# runc's {usage, max (omitted when 0), failcnt}
	assert_equal "$(jq -c '.data.hugetlb["2MB"] | [.usage // 0, .max // 0, .failcnt]' <<<"$output")" "[$usage,$max,$failcnt]"
	jq -e '.data.hugetlb["2MB"] | has("failcnt")' <<<"$output" >/dev/null || fail "$output"
}
