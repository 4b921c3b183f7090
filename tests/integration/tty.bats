#!/usr/bin/env bats
# terminal: true with --console-socket.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	requires_python3
	SOCK="$BATS_TEST_TMPDIR/console.sock"
	TTYOUT="$BATS_TEST_TMPDIR/tty.out"
	update_config '.process.terminal = true'
}

teardown() {
	teardown_common
}

# create and start $CID with the console socket; wait until it has stopped
# and the pty output has been read.
run_with_console() {
	start_recvtty "$SOCK" "$TTYOUT"
	create_container "$CID" --console-socket "$SOCK" || fail "create failed: $(stderr_of)"
	hako start "$CID"
	wait_for_status "$CID" stopped
	wait_recvtty
}

@test "terminal: the process has a tty on stdin, stdout and stderr" {
	requires_checker
	set_cmd checker tty
	run_with_console
	run cat "$TTYOUT"
	assert_line "isatty.0=1"
	assert_line "isatty.1=1"
	assert_line "isatty.2=1"
}

@test "terminal: tty names a /dev/pts device and test -t succeeds" {
	set_sh 'tty; [ -t 0 ] && echo stdin-is-tty; [ -t 1 ] && echo stdout-is-tty'
	run_with_console
	run cat "$TTYOUT"
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line stdin-is-tty
	assert_line stdout-is-tty
	# Nothing went to the runtime's stdout.
	assert_equal "$(stdout_of)" ""
}

@test "terminal: consoleSize is applied" {
	update_config '.process.consoleSize = {"height": 37, "width": 111}'
	set_sh 'stty size'
	run_with_console
	run cat "$TTYOUT"
	assert_output "37 111"
}

@test "terminal: the pty is the controlling terminal of a new session" {
	set_sh 'echo sid=$(cut -d" " -f6 /proc/self/stat) pid=$$; cat /proc/self/stat | cut -d" " -f7'
	run_with_console
	run cat "$TTYOUT"
	# pid 1 is the session leader, with a tty_nr that is not 0.
	assert_line "sid=1 pid=1"
	refute_line 0
}

@test "terminal: run --detach with --console-socket" {
	set_sh 'echo detached-tty-output'
	start_recvtty "$SOCK" "$TTYOUT"
	run_detached "$CID" --console-socket "$SOCK"
	wait_for_status "$CID" stopped
	wait_recvtty
	run cat "$TTYOUT"
	assert_output detached-tty-output
}

@test "terminal: create without --console-socket fails" {
	set_cmd true
	run create_container
	assert_failure
	run stderr_of
	# runc: cannot allocate tty if runc will detach without setting console socket
	assert_output --regexp 'console.socket'
	assert_no_leaks
}

@test "--console-socket without terminal fails" {
	update_config '.process.terminal = false'
	set_cmd true
	start_recvtty "$SOCK" "$TTYOUT"
	run create_container "$CID" --console-socket "$SOCK"
	assert_failure
	run stderr_of
	# runc: cannot use console socket if runc will not detach or allocate tty
	assert_output --regexp 'console.socket'
	assert_no_leaks
}
