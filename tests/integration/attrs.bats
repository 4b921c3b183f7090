#!/usr/bin/env bats
# Process and linux attributes read back from inside the container or from the
# host: personality, ioPriority, scheduler, execCPUAffinity, memoryPolicy, the
# session keyring, intelRdt, and LISTEN_FDS passthrough.  Bad values fail
# `create`, name the JSON path, and leave nothing behind.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# stop_sleeper: kill and delete $CID, then check that nothing is left.
stop_sleeper() {
	hako kill "$CID" KILL 2>/dev/null || true
	wait_for_status "$CID" stopped
	hako delete "$CID" || fail "delete failed"
	assert_no_leaks "$CID" "$INIT_PID"
}

# create_fails_naming TEXT...: `create` of $BUNDLE fails, its error names
# each TEXT, and nothing of the container is left.
create_fails_naming() {
	local t
	run create_container
	assert_failure
	run stderr_of
	for t in "$@"; do
		assert_output --partial "$t"
	done
	run hako state "$CID"
	assert_failure
	assert_no_leaks
}

# The nice value (field 19) of /proc/PID/stat.
nice_of() {
	sed -e 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f17
}

# The host's cpu cgroup (v1) gives a new group no realtime budget when the
# kernel has RT_GROUP_SCHED: SCHED_FIFO/RR need linux.resources.cpu.realtime*.
give_rt_budget() {
	if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || [ -e /sys/fs/cgroup/cpu.rt_runtime_us ]; then
		update_config '.linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 100000}'
	fi
}

requires_numa_maps() {
	if [ ! -e /proc/self/numa_maps ]; then
		skip "kernel without NUMA (/proc/self/numa_maps absent)"
	fi
	if [ ! -d /sys/devices/system/node/node0 ]; then
		skip "no NUMA node 0"
	fi
}

# --- linux.personality --------------------------------------------------------

@test "personality LINUX32: uname -m says i686" {
	# runc 1.1 ignores linux.personality (support came in runc 1.2).
	requires_hako "linux.personality"
	[ "$(uname -m)" = x86_64 ] || skip "host is $(uname -m), not x86_64"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_cmd uname -m
	run run_container
	assert_success
	assert_output i686
	assert_no_leaks
}

@test "personality LINUX: uname -m is the host's" {
	update_config '.linux.personality = {"domain": "LINUX"}'
	set_cmd uname -m
	run run_container
	assert_success
	assert_output "$(uname -m)"
	assert_no_leaks
}

@test "personality: an unknown domain fails create naming linux.personality.domain" {
	# runc 1.1 ignores linux.personality.
	requires_hako "linux.personality"
	update_config '.linux.personality = {"domain": "LINUX128"}'
	create_fails_naming linux.personality.domain LINUX128
}

@test "personality: flags fail create naming linux.personality.flags" {
	# runc 1.1 ignores linux.personality; no flag is defined by the spec.
	requires_hako "linux.personality"
	update_config '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
	create_fails_naming linux.personality.flags
}

# --- process.ioPriority ---------------------------------------------------------

@test "ioPriority IOPRIO_CLASS_IDLE: ionice on the host says idle" {
	# runc 1.1 ignores process.ioPriority (support came in runc 1.2).
	requires_hako "process.ioPriority"
	command -v ionice >/dev/null || skip "no ionice on the host"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	start_sleeper
	run ionice -p "$INIT_PID"
	assert_success
	assert_output idle
	stop_sleeper
}

@test "ioPriority IOPRIO_CLASS_BE 5: ionice says best-effort prio 5, inside too" {
	# runc 1.1 ignores process.ioPriority.
	requires_hako "process.ioPriority"
	command -v ionice >/dev/null || skip "no ionice on the host"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}'
	start_sleeper
	run ionice -p "$INIT_PID"
	assert_success
	assert_output "best-effort: prio 5"
	stop_sleeper
	# Inside (busybox ionice reads its own process, which inherited it).
	set_cmd ionice
	run run_container
	assert_success
	assert_output "best-effort: prio 5"
	assert_no_leaks
}

@test "ioPriority: priority 8 fails create naming process.ioPriority.priority" {
	# runc 1.1 ignores process.ioPriority.
	requires_hako "process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
	create_fails_naming process.ioPriority.priority
}

# --- process.scheduler ------------------------------------------------------------

@test "scheduler SCHED_BATCH nice 5: chrt and the nice value on the host" {
	# runc 1.1 ignores process.scheduler (support came in runc 1.2).
	requires_hako "process.scheduler"
	command -v chrt >/dev/null || skip "no chrt on the host"
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	start_sleeper
	run chrt -p "$INIT_PID"
	assert_success
	assert_line --partial "scheduling policy: SCHED_BATCH"
	assert_equal "$(nice_of "$INIT_PID")" 5
	stop_sleeper
}

@test "scheduler SCHED_FIFO priority 10: chrt on the host" {
	# runc 1.1 ignores process.scheduler.
	requires_hako "process.scheduler"
	command -v chrt >/dev/null || skip "no chrt on the host"
	give_rt_budget
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
	start_sleeper
	run chrt -p "$INIT_PID"
	assert_success
	assert_line --partial "scheduling policy: SCHED_FIFO"
	assert_line --partial "scheduling priority: 10"
	stop_sleeper
}

@test "scheduler SCHED_IDLE: chrt on the host" {
	# runc 1.1 ignores process.scheduler.
	requires_hako "process.scheduler"
	command -v chrt >/dev/null || skip "no chrt on the host"
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	start_sleeper
	run chrt -p "$INIT_PID"
	assert_success
	assert_line --partial "scheduling policy: SCHED_IDLE"
	stop_sleeper
}

@test "scheduler: an unknown policy fails create naming process.scheduler.policy" {
	# runc 1.1 ignores process.scheduler.
	requires_hako "process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_FAST"}'
	create_fails_naming process.scheduler.policy SCHED_FAST
}

# --- process.execCPUAffinity ------------------------------------------------------

@test "execCPUAffinity final 0: exec runs on CPU 0, init keeps the host's CPUs" {
	# runc 1.1 ignores process.execCPUAffinity (support came in runc 1.2).
	requires_hako "process.execCPUAffinity"
	local host_cpus
	host_cpus="$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
	[ "$host_cpus" != 0 ] || skip "the host runs on CPU 0 only"
	update_config '.process.execCPUAffinity = {"final": "0"}'
	start_sleeper
	# Not applied to init.
	run sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$INIT_PID/status"
	assert_output "$host_cpus"
	run hako exec "$CID" sh -c 'grep Cpus_allowed_list /proc/self/status'
	assert_success
	assert_output --regexp '^Cpus_allowed_list:[[:space:]]+0$'
	stop_sleeper
}

@test "execCPUAffinity initial only: exec still works" {
	update_config '.process.execCPUAffinity = {"initial": "0"}'
	start_sleeper
	run hako exec "$CID" sh -c 'grep Cpus_allowed_list /proc/self/status'
	assert_success
	assert_output --regexp '^Cpus_allowed_list:[[:space:]]+[0-9]'
	stop_sleeper
}

@test "execCPUAffinity: a malformed list fails create naming execCPUAffinity" {
	# runc 1.1 ignores process.execCPUAffinity.
	requires_hako "process.execCPUAffinity"
	update_config '.process.execCPUAffinity = {"final": "x-"}'
	create_fails_naming process.execCPUAffinity
}

# --- linux.memoryPolicy -----------------------------------------------------------

@test "memoryPolicy MPOL_BIND nodes 0: numa_maps shows bind:0" {
	# runc 1.1 ignores linux.memoryPolicy (support came in runc 1.3).
	requires_hako "linux.memoryPolicy"
	requires_numa_maps
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	set_sh 'grep -m1 . /proc/self/numa_maps'
	run run_container
	assert_success
	assert_output --regexp '^[0-9a-f]+ bind:0 '
	assert_no_leaks
}

@test "memoryPolicy MPOL_INTERLEAVE nodes 0: numa_maps shows interleave:0" {
	# runc 1.1 ignores linux.memoryPolicy.
	requires_hako "linux.memoryPolicy"
	requires_numa_maps
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	set_sh 'grep -m1 . /proc/self/numa_maps'
	run run_container
	assert_success
	assert_output --regexp '^[0-9a-f]+ interleave:0 '
	assert_no_leaks
}

@test "memoryPolicy MPOL_DEFAULT without nodes: numa_maps shows default" {
	requires_numa_maps
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT"}'
	set_sh 'grep -m1 . /proc/self/numa_maps'
	run run_container
	assert_success
	assert_output --regexp '^[0-9a-f]+ default '
	assert_no_leaks
}

@test "memoryPolicy: an unknown mode fails create naming linux.memoryPolicy.mode" {
	# runc 1.1 ignores linux.memoryPolicy.
	requires_hako "linux.memoryPolicy"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_RANDOM"}'
	create_fails_naming linux.memoryPolicy.mode MPOL_RANDOM
}

# --- session keyring --------------------------------------------------------------

@test "session keyring: the container's is _ses.<id>, none with --no-new-keyring" {
	[ -r /proc/keys ] || skip "kernel without /proc/keys"
	start_sleeper
	run grep -F " _ses.$CID:" /proc/keys
	assert_success
	assert_output --partial keyring
	stop_sleeper
	# Gone with the container (the kernel collects an unused keyring a little
	# after its last user is gone, so poll).
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while grep -qF "_ses.$CID" /proc/keys; do
		[ "$SECONDS" -le "$deadline" ] || fail "keyring _ses.$CID left: $(grep -F "_ses.$CID" /proc/keys)"
		sleep 0.1
	done

	set_cmd sleep 100000
	run_detached "$CID" --no-new-keyring || fail "run --detach failed: $(stderr_of)"
	wait_for_status "$CID" running
	INIT_PID="$(container_pid "$CID")"
	run grep -F "_ses.$CID" /proc/keys
	assert_failure
	stop_sleeper
}

# --- linux.intelRdt ---------------------------------------------------------------

@test "intelRdt without a mounted resctrl fails create naming linux.intelRdt" {
	if grep -q ' resctrl ' /proc/mounts; then
		skip "resctrl is mounted on this host"
	fi
	# runc 1.1 only checks resctrl when a schema is set: with closID alone it
	# creates the container (the spec says it MUST fail).
	requires_hako "linux.intelRdt without resctrl"
	update_config '.linux.intelRdt = {"closID": "x"}'
	create_fails_naming linux.intelRdt resctrl
}

# --- LISTEN_FDS -------------------------------------------------------------------

@test "LISTEN_FDS: fds 3.. and LISTEN_FDS/LISTEN_PID reach the container" {
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	echo five >"$BATS_TEST_TMPDIR/f5"
	set_sh 'ls /proc/self/fd/ | tr "\n" " "; echo;
		echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID";
		cat <&3; cat <&4; [ -e /proc/$$/fd/5 ] && echo fd5-leaked; exit 0'
	# fd 5 is open too, but LISTEN_FDS=2 passes only 3 and 4.
	# (LISTEN_PID is the runtime's own pid, as systemd sets it: exec keeps it.)
	run bash -c 'export LISTEN_FDS=2 LISTEN_PID=$$; exec "$@"' _ \
		"$HAKO" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" \
		</dev/null 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
	assert_success
	assert_line --regexp '(^| )3 4( |$)'
	assert_line "LISTEN_FDS=2 LISTEN_PID=1"
	assert_line three
	assert_line four
	refute_line fd5-leaked
	assert_no_leaks
}

@test "LISTEN_FDS: ignored unless LISTEN_PID is the runtime's pid; no fds without it" {
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	set_sh '[ -e /proc/$$/fd/3 ] && echo fd3-passed; [ -e /proc/$$/fd/4 ] && echo fd4-passed;
		echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID"; exit 0'
	# LISTEN_PID names another process (sd_listen_fds(3), go-systemd's
	# activation.Files: the variables are not for this process).
	run bash -c 'export LISTEN_FDS=2 LISTEN_PID=1; exec "$@"' _ \
		"$HAKO" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" \
		</dev/null 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
	assert_success
	assert_output "LISTEN_FDS= LISTEN_PID="
	assert_no_leaks
	# No LISTEN_FDS at all: the caller's extra fds stay outside.
	run bash -c 'unset LISTEN_FDS LISTEN_PID; exec "$@"' _ \
		"$HAKO" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$CID" \
		</dev/null 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
	assert_success
	assert_output "LISTEN_FDS= LISTEN_PID="
	assert_no_leaks
}
