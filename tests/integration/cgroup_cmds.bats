#!/usr/bin/env bats
# pause, resume, ps, update, events: the commands on a running container's cgroup.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	SHARED="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$SHARED"
	update_config '.mounts += [{"destination": "/shared", "type": "bind", "source": $s,
		"options": ["rbind", "rw"]}]' --arg s "$SHARED"
}

teardown() {
	local id
	# A frozen container cannot die: thaw whatever a failed test left paused.
	for id in $(list_ids); do
		[ "$(container_status "$id")" = paused ] && "$HAKO" --root "$STATE_ROOT" resume "$id" >/dev/null 2>&1
	done
	teardown_common
}

# A container that counts in /shared/count, forever.
counter_script='i=0; while true; do i=$((i+1)); echo $i > /shared/count; sleep 0.02; done'

# cgroup_file PID CONTROLLER FILE: the host path of FILE in the cgroup of PID for
# CONTROLLER (v1 hierarchy holding it, or the cgroup2 one when the host is pure v2).
cgroup_file() {
	local pid="$1" ctrl="$2" file="$3" path mnt
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		path="$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
		echo "/sys/fs/cgroup$path/$file"
		return
	fi
	path="$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")"
	# the mount point whose super options name the controller
	mnt="$(awk -v c="$ctrl" '$0 ~ / - cgroup / { n = split($NF, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $5; exit } }' /proc/self/mountinfo)"
	echo "$mnt$path/$file"
}

# run_counter: start the counting container and wait for its first count.
run_counter() {
	set_sh "$counter_script"
	run_detached
	wait_for_file "$SHARED/count"
}

@test "pause freezes the container, resume thaws it" {
	run_counter
	run hako pause "$CID"
	assert_success
	assert_equal "$(container_status "$CID")" paused
	run hako list --format json
	assert_equal "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" paused
	sleep 0.2
	a="$(cat "$SHARED/count")"
	sleep 0.5
	b="$(cat "$SHARED/count")"
	assert_equal "$b" "$a"

	run hako resume "$CID"
	assert_success
	assert_equal "$(container_status "$CID")" running
	sleep 0.5
	c="$(cat "$SHARED/count")"
	[ "$c" -gt "$b" ] || fail "counter did not advance after resume: $b -> $c"
}

@test "pause and resume errors are runc's" {
	run_counter
	run hako resume "$CID"
	assert_failure 1
	assert_output --partial "container not paused"
	hako pause "$CID"
	run hako pause "$CID"
	assert_failure 1
	assert_output --partial "container not running"
	hako resume "$CID"

	hako kill "$CID" KILL
	wait_for_status "$CID" stopped
	run hako pause "$CID"
	assert_failure 1
	assert_output --partial "container not running"
	run hako resume "$CID"
	assert_failure 1
	assert_output --partial "container not paused"

	run hako pause nonexistent-"$CID"
	assert_failure 1
	assert_output --partial "does not exist"
}

@test "exec into a paused container fails without --ignore-paused" {
	run_counter
	hako pause "$CID"
	run hako exec "$CID" true
	assert_failure
	assert_output --partial "cannot exec in a paused container (use --ignore-paused to override)"
	hako resume "$CID"
	run hako exec "$CID" true
	assert_success
}

@test "ps --format json lists init and an exec'd process" {
	run_counter
	pid="$(container_pid "$CID")"
	hako exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 1000 </dev/null >/dev/null 2>&1
	wait_for_file "$BATS_TEST_TMPDIR/exec.pid"
	xpid="$(cat "$BATS_TEST_TMPDIR/exec.pid")"
	run hako ps --format json "$CID"
	assert_success
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output" >/dev/null || fail "init $pid not in $output"
	jq -e --argjson p "$xpid" 'index($p) != null' <<<"$output" >/dev/null || fail "exec $xpid not in $output"
	# short -f, and the pids of a paused container too
	hako pause "$CID"
	run hako ps -f json "$CID"
	assert_success
	jq -e --argjson p "$xpid" 'index($p) != null' <<<"$output" >/dev/null || fail "exec $xpid not in $output"
	hako resume "$CID"
}

@test "ps table: the header and only the container's lines" {
	# a stable set of processes (the counter's short sleeps would race the listing)
	set_sh 'sleep 1000 & echo up > /shared/count; wait'
	run_detached
	wait_for_file "$SHARED/count"
	pid="$(container_pid "$CID")"
	run hako ps "$CID"
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_line --regexp "^root +$pid +"
	# every line but the header has a pid of the container
	pids="$(hako ps --format json "$CID")"
	assert_equal "$(jq -c sort <<<"$pids")" \
		"$(printf '%s\n' "$output" | tail -n +2 | awk '{ print $2 }' | jq -cs sort)"
	assert_equal "$(count_lines "$output")" 3
	# a host process (this shell) is not listed
	refute_line --regexp "^[^ ]+ +$$ +"

	run hako ps "$CID" -o pid,comm
	assert_success
	assert_line --index 0 --regexp '^ *PID +COMMAND'
	assert_line --regexp "^ *$pid +sh"

	run hako ps --format yaml "$CID"
	assert_failure 1
	assert_output --partial "invalid format option"
}

@test "update --memory, --pids-limit, --cpu-share reach the cgroup" {
	run_counter
	pid="$(container_pid "$CID")"
	run hako update --memory 64m --pids-limit 42 --cpu-share 512 "$CID"
	assert_success
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$(cat "$(cgroup_file "$pid" memory memory.max)")" 67108864
		assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" 42
	else
		assert_equal "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" 67108864
		assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" 42
		assert_equal "$(cat "$(cgroup_file "$pid" cpu cpu.shares)")" 512
	fi
	# suffixes as docker's RAMInBytes (binary), and -1 = unlimited
	hako update --memory 1.5g "$CID"
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$(cat "$(cgroup_file "$pid" memory memory.max)")" 1610612736
	else
		assert_equal "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" 1610612736
	fi
	hako update --pids-limit -1 "$CID"
	assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" max
	# 0 leaves a value alone
	hako update --pids-limit 17 "$CID"
	hako update --pids-limit 0 --cpu-quota 50000 --cpu-period 100000 "$CID"
	assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" 17
	if [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)")" 50000
	fi
}

@test "update --resources - reads LinuxResources JSON, other flags ignored" {
	run_counter
	pid="$(container_pid "$CID")"
	run hako update --resources - --pids-limit 99 "$CID" <<<'{"memory": {"limit": 33554432}, "pids": {"limit": 23}, "cpu": {"shares": 256}}'
	assert_success
	assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" 23
	if [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" 33554432
		assert_equal "$(cat "$(cgroup_file "$pid" cpu cpu.shares)")" 256
	fi
	echo '{"pids": {"limit": 31}}' >"$BATS_TEST_TMPDIR/res.json"
	run hako update -r "$BATS_TEST_TMPDIR/res.json" "$CID"
	assert_success
	assert_equal "$(cat "$(cgroup_file "$pid" pids pids.max)")" 31

	run hako update --resources - "$CID" <<<'{"memory": {"limit": "lots"}}'
	assert_failure 1
	run hako update --resources - "$CID" <<<'garbage'
	assert_failure 1
}

@test "update keeps the resources for the next update (hako's stored config)" {
	# runc keeps them in its state.json; hako in the state dir's config.json
	requires_hako "stored config.json"
	run_counter
	hako update --pids-limit 29 --memory 50m "$CID"
	hako update --cpu-share 300 "$CID"
	run jq -c '.linux.resources | [.pids.limit, .memory.limit, .cpu.shares, (.devices | length)]' \
		"$STATE_ROOT/$CID/config.json"
	assert_output '[29,52428800,300,1]'
}

@test "update errors are runc's" {
	run_counter
	run hako update --memory 12x "$CID"
	assert_failure 1
	assert_output --partial "invalid value for memory: invalid size: '12x'"
	run hako update --cpu-share abc "$CID"
	assert_failure 1
	# (runc's log line escapes the quotes)
	assert_output --regexp 'invalid value for cpu-share: strconv.ParseUint: parsing \\?"abc\\?": invalid syntax'
	run hako update --pids-limit abc "$CID"
	assert_failure 1
	assert_output --partial 'invalid value "abc" for flag -pids-limit: parse error'
	run hako update --l3-cache-schema 'L3:0=f' "$CID"
	assert_failure 1
	assert_output --partial "Intel RDT/CAT: l3 cache schema is not enabled"
	run hako update --kernel-memory 10m "$CID"
	assert_success
	assert_output --partial "Kernel memory settings are ignored and will be removed"

	hako kill "$CID" KILL
	wait_for_status "$CID" stopped
	run hako update --pids-limit 10 "$CID"
	assert_failure 1
	assert_output --partial "container not running"
}

@test "events --stats prints one stats event" {
	run_counter
	run --separate-stderr hako events --stats "$CID"
	assert_success
	assert_equal "$(count_lines "$output")" 1
	assert_equal "$(jq -r .type <<<"$output")" stats
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	jq -e '.data.memory.usage.usage > 0' <<<"$output" >/dev/null || fail "memory usage: $output"
	jq -e '.data.pids.current >= 1' <<<"$output" >/dev/null || fail "pids.current: $output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output" >/dev/null || fail "cpu usage: $output"
	# the limit set by update shows
	hako update --pids-limit 55 "$CID"
	run --separate-stderr hako events --stats "$CID"
	assert_equal "$(jq -r .data.pids.limit <<<"$output")" 55
}

@test "events prints stats every --interval" {
	run_counter
	run -124 --separate-stderr timeout 1.5 "$HAKO" --root "$STATE_ROOT" events --interval 200ms "$CID"
	n="$(count_lines "$output")"
	[ "$n" -ge 3 ] || fail "only $n events in 1.5 s: $output"
	printf '%s\n' "$output" | jq -e -s --arg id "$CID" 'all(.type == "stats" and .id == $id)' >/dev/null

	run hako events --interval 0s "$CID"
	assert_failure 1
	assert_output --partial "duration interval must be greater than 0"
	run hako events --interval soon "$CID"
	assert_failure 1
	assert_output --partial 'invalid value "soon" for flag -interval: parse error'
}

@test "events ends when the container stops (hako)" {
	# runc 1.1 keeps printing stats of the empty cgroup until killed
	requires_hako "events ending with the container"
	set_sh 'sleep 1'
	run_detached
	run --separate-stderr timeout 10 "$HAKO" --root "$STATE_ROOT" events --interval 200ms "$CID"
	assert_success
}

@test "events on a stopped container fails" {
	set_sh 'true'
	run_detached
	wait_for_status "$CID" stopped
	run hako events --stats "$CID"
	assert_failure 1
	assert_output --partial "container with id $CID is not running"
}
