#!/usr/bin/env bats
# Namespaces: new ones, joined ones, user namespace mappings, time offsets.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	requires_checker
}

teardown() {
	teardown_common
}

# open_tmpdirs: let ids mapped by a user namespace reach the bundle (bats
# makes its temporary directories 0700).
open_tmpdirs() {
	local d="$BUNDLE"
	while [ "$d" != "$BATS_RUN_TMPDIR" ] && [ "$d" != / ]; do
		d="$(dirname "$d")"
		chmod a+x "$d"
	done
}

# host_ns NAME: inode of this shell's namespace NAME.
host_ns() {
	stat -L -c %i "/proc/self/ns/$1"
}

# start_ns_holder UNSHARE_FLAGS...: a host process sitting in new namespaces;
# sets HOLDER_PID.
start_ns_holder() {
	unshare "$@" sleep 1000 </dev/null >/dev/null 2>&1 &
	HOLDER_PID=$!
	HELPER_PIDS+=("$HOLDER_PID")
	# Poll until unshare has exec'd sleep (then its namespaces are final).
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	until [ "$(cat "/proc/$HOLDER_PID/comm" 2>/dev/null)" = sleep ]; do
		[ "$SECONDS" -le "$deadline" ] || fail "namespace holder did not start"
		sleep 0.02
	done
}

@test "pid, net, mnt, ipc, uts and cgroup namespaces are new" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_cmd checker ns
	run run_container
	assert_success
	for ns in pid net mnt ipc uts cgroup; do
		inside="$(kv "ns.$ns")"
		[ -n "$inside" ] || fail "no ns.$ns in: $output"
		[ "$inside" != "$(host_ns "$ns")" ] || fail "$ns namespace is the host's"
	done
	# Not asked for: user namespace stays the host's.
	assert_equal "$(kv ns.user)" "$(host_ns user)"
}

@test "namespaces not in the config are the host's" {
	# (no hostname without a UTS namespace)
	update_config '.linux.namespaces = [{"type": "mount"}, {"type": "pid"}] | del(.hostname)'
	set_cmd checker ns
	run run_container
	assert_success
	for ns in net ipc uts cgroup user; do
		assert_equal "$(kv "ns.$ns")" "$(host_ns "$ns")"
	done
	[ "$(kv ns.mnt)" != "$(host_ns mnt)" ]
}

@test "the container process is pid 1 of its pid namespace" {
	set_cmd checker pid
	run run_container
	assert_success
	assert_line pid=1
	assert_line ppid=0
}

@test "pid namespace: only the container's processes are visible" {
	set_sh 'ls -d /proc/[0-9]* | wc -l'
	run run_container
	assert_success
	# sh, and the ls and wc of the pipe.
	[ "$output" -le 3 ]
}

@test "net namespace: only a loopback interface" {
	set_sh 'ls /sys/class/net'
	run run_container
	assert_success
	assert_output lo
}

@test "join a network namespace by /proc/PID/ns path" {
	start_ns_holder --net
	want="$(stat -L -c %i "/proc/$HOLDER_PID/ns/net")"
	[ "$want" != "$(host_ns net)" ]
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": $p}' \
		--arg p "/proc/$HOLDER_PID/ns/net"
	set_cmd checker ns
	run run_container
	assert_success
	assert_equal "$(kv ns.net)" "$want"
	# The other namespaces are still new.
	[ "$(kv ns.uts)" != "$(host_ns uts)" ]
}

@test "join a bind-mounted namespace file" {
	nsfile="$BATS_TEST_TMPDIR/netns"
	touch "$nsfile"
	unshare --net="$nsfile" true
	want="$(stat -L -c %i "$nsfile")"
	[ "$want" != "$(host_ns net)" ]
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": $p}' \
		--arg p "$nsfile"
	set_cmd checker ns
	run run_container
	assert_success
	assert_equal "$(kv ns.net)" "$want"
}

@test "join the uts and ipc namespaces of another process" {
	start_ns_holder --uts --ipc
	update_config '(.linux.namespaces[] | select(.type == "uts")) |= {"type": "uts", "path": $u}
		| (.linux.namespaces[] | select(.type == "ipc")) |= {"type": "ipc", "path": $i}
		| del(.hostname)' \
		--arg u "/proc/$HOLDER_PID/ns/uts" --arg i "/proc/$HOLDER_PID/ns/ipc"
	set_cmd checker ns
	run run_container
	assert_success
	assert_equal "$(kv ns.uts)" "$(stat -L -c %i "/proc/$HOLDER_PID/ns/uts")"
	assert_equal "$(kv ns.ipc)" "$(stat -L -c %i "/proc/$HOLDER_PID/ns/ipc")"
}

@test "a namespace path of the wrong type is an error" {
	start_ns_holder --uts
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": $p}' \
		--arg p "/proc/$HOLDER_PID/ns/uts"
	set_cmd true
	run create_container
	assert_failure
	run stderr_of
	assert_output --partial "namespace"
	assert_no_leaks
}

@test "a namespace path that does not exist is an error" {
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": $p}' \
		--arg p "$BATS_TEST_TMPDIR/no-such-ns"
	set_cmd true
	run create_container
	assert_failure
	run stderr_of
	assert_output --partial "no-such-ns"
	assert_no_leaks
}

@test "user namespace with uidMappings and gidMappings" {
	requires_ns user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	open_tmpdirs
	set_sh 'cat /proc/self/uid_map /proc/self/gid_map; checker ids ns'
	run run_container
	assert_success
	assert_line --regexp '^ +0 +100000 +65536$'
	assert_line --regexp '^ +0 +200000 +65536$'
	assert_line uid=0
	assert_line gid=0
	[ "$(kv ns.user)" != "$(host_ns user)" ]
}

@test "user namespace: the process' uid maps to the host id" {
	requires_ns user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000}
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	open_tmpdirs
	set_sh 'checker ids > /tmp/ids; sleep 1000'
	run_detached
	wait_for_file "$ROOTFS/tmp/ids"
	run cat "$ROOTFS/tmp/ids"
	assert_line uid=1000
	assert_line gid=1000
	# Seen from the host: 100000 + 1000.
	pid="$(container_pid "$CID")"
	run grep -E '^(Uid|Gid):' "/proc/$pid/status"
	assert_line --regexp '^Uid:[[:space:]]+101000[[:space:]]'
	assert_line --regexp '^Gid:[[:space:]]+101000[[:space:]]'
	# Files it made are owned by the mapped id on the host.
	assert_equal "$(stat -c %u:%g "$ROOTFS/tmp/ids")" 101000:101000
}

@test "time namespace with timeOffsets shifts uptime" {
	# runc 1.1 has no time namespace support (added in runc 1.2).
	requires_hako "time namespace"
	requires_ns time
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0},
		                        "monotonic": {"secs": 432000, "nanosecs": 0}}'
	set_sh 'cut -d" " -f1 /proc/uptime; checker ns'
	host_before="$(cut -d. -f1 /proc/uptime)"
	run run_container
	assert_success
	inside="$(head -n1 <<<"$output" | cut -d. -f1)"
	# boottime (uptime) moved ten days forward, whatever the elapsed time.
	[ "$inside" -ge $((host_before + 864000)) ] || fail "uptime inside $inside, host $host_before"
	[ "$inside" -lt $((host_before + 864000 + 3600)) ] || fail "uptime inside $inside, host $host_before"
	[ "$(kv ns.time)" != "$(host_ns time)" ]
}

@test "time namespace without offsets is new" {
	requires_hako "time namespace"
	requires_ns time
	update_config '.linux.namespaces += [{"type": "time"}]'
	set_cmd checker ns
	run run_container
	assert_success
	[ "$(kv ns.time)" != "$(host_ns time)" ]
}

@test "cgroup namespace: the container sees its cgroup as /" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_sh 'cat /proc/self/cgroup'
	run run_container
	assert_success
	# Every hierarchy's path is the namespace root.
	refute_line --regexp ':/.+$'
	assert_output --regexp ':/$'
}
