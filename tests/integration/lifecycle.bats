#!/usr/bin/env bats
# Container lifecycle: create, start, state, kill, delete, run.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# A container that runs until $ROOTFS/tmp/go exists.
wait_go_script='echo ready > /tmp/ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo done > /tmp/done'

@test "create, start, state, stop and delete" {
	set_sh "$wait_go_script"
	create_container "$CID" --pid-file "$BATS_TEST_TMPDIR/pid"
	[ "$(stderr_of)" = "" ] || echo "create stderr: $(stderr_of)"

	run hako state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	pid="$(jq -r .pid <<<"$output")"
	assert_equal "$pid" "$(cat "$BATS_TEST_TMPDIR/pid")"
	[ -d "/proc/$pid" ]
	# The process exists in its own pid namespace, and has not run the
	# user's program yet.
	[ "$(ns_inode "$pid" pid)" != "$(ns_inode $$ pid)" ]
	[ ! -e "$ROOTFS/tmp/ready" ]

	run hako start "$CID"
	assert_success
	wait_for_file "$ROOTFS/tmp/ready"
	run hako state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	# The init process now runs the configured program.
	run cat "/proc/$pid/cmdline"
	assert_output --partial "while [ ! -e /tmp/go ]"

	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	[ "$(cat "$ROOTFS/tmp/done")" = done ]
	wait_pid_gone "$pid"

	run hako delete "$CID"
	assert_success
	run hako state "$CID"
	assert_failure
	assert_output --partial "container does not exist"
	assert_no_leaks "$CID" "$pid"
}

@test "run: exit status is the container's" {
	set_sh 'exit 42'
	run run_container
	assert_equal "$status" 42
	# run deletes the container afterwards.
	run hako state "$CID"
	assert_failure
	assert_no_leaks "$CID"
}

@test "run: process killed by a signal gives 128+signal" {
	# Not pid 1 of a pid namespace: that one cannot be signalled from inside.
	update_config '.linux.namespaces -= [{"type": "pid"}]'
	set_sh 'kill -9 $$'
	run run_container
	assert_equal "$status" 137
	assert_no_leaks "$CID"
}

@test "run: stdout and stderr of the container reach the caller" {
	set_sh 'echo out-line; echo err-line >&2'
	run --separate-stderr run_container
	assert_success
	assert_output "out-line"
	assert_equal "$stderr" "err-line"
}

@test "run --detach: container keeps running after run returns" {
	set_sh "$wait_go_script"
	run_detached "$CID" --pid-file "$BATS_TEST_TMPDIR/pid"
	wait_for_file "$ROOTFS/tmp/ready"
	assert_equal "$(container_status "$CID")" running
	pid="$(cat "$BATS_TEST_TMPDIR/pid")"
	assert_equal "$(container_pid "$CID")" "$pid"
	pid_alive "$pid"
	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	run hako delete "$CID"
	assert_success
	assert_no_leaks "$CID" "$pid"
}

@test "run --keep: the stopped container is kept" {
	set_sh 'echo kept > /tmp/kept'
	run run_container --keep
	assert_success
	assert_equal "$(cat "$ROOTFS/tmp/kept")" kept
	assert_equal "$(container_status "$CID")" stopped
	run hako delete "$CID"
	assert_success
	assert_no_leaks "$CID"
}

@test "create --pid-file writes the init pid" {
	set_cmd sleep 1000
	create_container "$CID" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid="$(cat "$BATS_TEST_TMPDIR/pid")"
	[[ "$pid" =~ ^[0-9]+$ ]]
	assert_equal "$(container_pid "$CID")" "$pid"
	pid_alive "$pid"
	# A relative --pid-file is relative to the caller's cwd.
	cd "$BATS_TEST_TMPDIR"
	create_container "$CID-b" --pid-file relpid
	assert_equal "$(container_pid "$CID-b")" "$(cat "$BATS_TEST_TMPDIR/relpid")"
}

@test "create: duplicate id fails and leaves the first container intact" {
	set_cmd sleep 1000
	create_container "$CID"
	pid="$(container_pid "$CID")"
	run create_container "$CID"
	assert_equal "$status" 1
	run stderr_of
	assert_output --partial "container with given ID already exists"
	assert_equal "$(container_status "$CID")" created
	assert_equal "$(container_pid "$CID")" "$pid"
	pid_alive "$pid"
	run hako start "$CID"
	assert_success
	assert_equal "$(container_status "$CID")" running
}

@test "create: invalid container ids are rejected" {
	set_cmd true
	long="$(head -c 1000 /dev/zero | tr '\0' a)"
	for id in 'a/b' '..' '.' 'a b' "$(printf 'a\tb')" "$(printf 'a\nb')" 'a:b' "$long"; do
		run create_container "$id"
		assert_equal "$status" 1
		run hako state "$id"
		assert_failure
	done
	run stderr_of "a b"
	assert_output --partial "invalid container ID format"
	# Nothing was made in the state root.
	assert_equal "$(ls -A "$STATE_ROOT")" ""
	assert_no_leaks
}

@test "delete of a running container fails without --force" {
	set_cmd sleep 1000
	run_detached "$CID"
	wait_for_status "$CID" running
	pid="$(container_pid "$CID")"
	run hako delete "$CID"
	assert_equal "$status" 1
	assert_output --partial "cannot delete container $CID that is not stopped: running"
	assert_equal "$(container_status "$CID")" running
	pid_alive "$pid"
}

@test "delete --force kills a running container" {
	set_cmd sleep 1000
	run_detached "$CID"
	wait_for_status "$CID" running
	pid="$(container_pid "$CID")"
	run hako delete --force "$CID"
	assert_success
	wait_pid_gone "$pid"
	[ ! -e "$STATE_ROOT/$CID" ]
	run hako state "$CID"
	assert_failure
	assert_no_leaks "$CID" "$pid"
}

@test "delete --force of a created container" {
	set_cmd sleep 1000
	create_container
	pid="$(container_pid "$CID")"
	run hako delete -f "$CID"
	assert_success
	assert_no_leaks "$CID" "$pid"
}

@test "delete of a created container without --force" {
	set_cmd sleep 1000
	create_container
	pid="$(container_pid "$CID")"
	# runc deletes a created (never started) container without --force.
	run hako delete "$CID"
	assert_success
	assert_no_leaks "$CID" "$pid"
}

@test "unknown container id: state, start, delete, kill fail with exit 1" {
	# (pause, resume, ps and events: the cgroup tests' business)
	for cmd in state start delete kill; do
		run hako "$cmd" nosuchcontainer
		assert_equal "$status" 1
		assert_output --partial "container does not exist"
	done
	run hako kill nosuchcontainer KILL
	assert_equal "$status" 1
	assert_output --partial "container does not exist"
	# delete --force of an unknown id succeeds, as in runc.
	run hako delete --force nosuchcontainer
	assert_success
}

@test "commands without the container id argument fail" {
	for cmd in state start delete kill create run; do
		run hako "$cmd"
		assert_equal "$status" 1
		assert_output --partial "requires"
	done
}

@test "start of a running or stopped container fails" {
	set_sh "$wait_go_script"
	create_container
	run hako start "$CID"
	assert_success
	run hako start "$CID"
	assert_equal "$status" 1
	assert_output --partial "cannot start an already running container"
	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	run hako start "$CID"
	assert_equal "$status" 1
	assert_output --partial "cannot start a container that has stopped"
	run hako kill "$CID" KILL
	assert_equal "$status" 1
	assert_output --partial "container not running"
}

# A container whose init traps $1 and writes the signal name to /tmp/sig.
trap_script() {
	echo "trap 'echo $1 > /tmp/sig' $1; echo ready > /tmp/ready; while [ ! -e /tmp/sig ]; do sleep 0.05; done"
}

@test "kill: signal by name, SIG-prefixed name and number" {
	for sig in USR1 SIGUSR1 10; do
		rm -f "$ROOTFS/tmp/sig" "$ROOTFS/tmp/ready"
		set_sh "$(trap_script USR1)"
		run_detached "$CID"
		wait_for_file "$ROOTFS/tmp/ready"
		run hako kill "$CID" "$sig"
		assert_success
		wait_for_file "$ROOTFS/tmp/sig"
		assert_equal "$(cat "$ROOTFS/tmp/sig")" USR1
		wait_for_status "$CID" stopped
		run hako delete "$CID"
		assert_success
	done
}

@test "kill: the default signal is TERM" {
	set_sh "$(trap_script TERM)"
	run_detached "$CID"
	wait_for_file "$ROOTFS/tmp/ready"
	run hako kill "$CID"
	assert_success
	wait_for_file "$ROOTFS/tmp/sig"
	assert_equal "$(cat "$ROOTFS/tmp/sig")" TERM
	wait_for_status "$CID" stopped
}

@test "kill: KILL, SIGKILL and 9 stop the container" {
	for sig in KILL SIGKILL 9; do
		set_cmd sleep 1000
		run_detached "$CID"
		wait_for_status "$CID" running
		pid="$(container_pid "$CID")"
		run hako kill "$CID" "$sig"
		assert_success
		wait_pid_gone "$pid"
		wait_for_status "$CID" stopped
		run hako delete "$CID"
		assert_success
		assert_no_leaks "$CID" "$pid"
	done
}

@test "kill: invalid signal fails" {
	set_cmd sleep 1000
	run_detached "$CID"
	wait_for_status "$CID" running
	run hako kill "$CID" NOSUCHSIG
	assert_failure
	assert_output --partial "unknown signal"
	assert_equal "$(container_status "$CID")" running
}

@test "kill --all reaches every process of the container" {
	set_sh 'sleep 1000 & sleep 1000 & echo ready > /tmp/ready; wait'
	run_detached "$CID"
	wait_for_file "$ROOTFS/tmp/ready"
	pids="$(pids_in_pidns "$(container_pid "$CID")")"
	[ "$(count_lines "$pids")" -ge 3 ]
	[ "$(count_lines "$(procs_in_bundle)")" -ge 3 ]
	run hako kill --all "$CID" KILL
	assert_success
	for p in $pids; do
		wait_pid_gone "$p"
	done
	wait_for_status "$CID" stopped
}

@test "status becomes stopped when init dies by itself" {
	set_cmd sleep 1000
	run_detached "$CID"
	wait_for_status "$CID" running
	pid="$(container_pid "$CID")"
	kill -9 "$pid"
	wait_pid_gone "$pid"
	wait_for_status "$CID" stopped
	run hako delete "$CID"
	assert_success
	assert_no_leaks "$CID" "$pid"
}

@test "state JSON has the fields of the OCI state schema" {
	set_cmd sleep 1000
	update_config '.annotations = {"org.hako.test": "yes", "other": "2"}'
	create_container
	run hako state "$CID"
	assert_success
	json="$output"
	jq -e . <<<"$json" >/dev/null
	assert_equal "$(jq -r .ociVersion <<<"$json")" "1.0.2-dev"
	assert_equal "$(jq -r .id <<<"$json")" "$CID"
	assert_equal "$(jq -r .status <<<"$json")" created
	assert_equal "$(jq -r '.pid | type' <<<"$json")" number
	[ "$(jq -r .pid <<<"$json")" -gt 0 ]
	assert_equal "$(jq -r .bundle <<<"$json")" "$BUNDLE"
	assert_equal "$(jq -r .rootfs <<<"$json")" "$ROOTFS"
	assert_equal "$(jq -c .annotations <<<"$json")" '{"org.hako.test":"yes","other":"2"}'
	# created is an RFC 3339 timestamp; owner is a string.
	[[ "$(jq -r .created <<<"$json")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$ ]]
	assert_equal "$(jq -r '.owner | type' <<<"$json")" string

	run hako start "$CID"
	run hako kill "$CID" KILL
	wait_for_status "$CID" stopped
	# A stopped container reports pid 0.
	run hako state "$CID"
	assert_equal "$(jq -r .pid <<<"$output")" 0
}

@test "state without annotations omits them; bundle is absolute when given relative" {
	set_cmd sleep 1000
	cd "$BATS_TEST_TMPDIR"
	# (not under bats' run: the container would hold its output pipe)
	hako create --bundle bundle "$CID" </dev/null >/dev/null 2>&1
	run hako state "$CID"
	assert_success
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	assert_equal "$(jq -r 'has("annotations")' <<<"$output")" false
}
