#!/usr/bin/env bats
# terminal: true with --console-socket, and in the foreground without one.

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

# in_tty CMD...: run CMD with a pty as its stdin/stdout (util-linux script), 33x111,
# typing "hello" a moment later; prints what the terminal showed and "rc=N".
in_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	(sleep 1; echo hello; sleep 1) | script -qfec "stty rows 33 cols 111; $cmd; echo rc=\$?" /dev/null
}

@test "terminal: run in the foreground without --console-socket is the caller's terminal (runc does the same)" {
	set_sh 'tty; stty size; read x; echo "got:$x"; exit 7'
	run in_tty "$HAKO" --root "$STATE_ROOT" run -b "$BUNDLE" "$CID"
	assert_output --regexp '/dev/pts/[0-9]+'
	assert_output --partial '33 111'
	assert_output --partial 'got:hello'
	assert_output --partial 'rc=7'
	assert_no_leaks
}

@test "terminal: exec -t in the foreground without --console-socket is the caller's terminal" {
	update_config '.process.terminal = false'
	set_cmd sleep 100000
	run_detached || fail "run --detach failed: $(stderr_of)"
	run in_tty "$HAKO" --root "$STATE_ROOT" exec -t "$CID" sh -c 'tty; stty size; read y; echo "got:$y"; exit 5'
	assert_output --regexp '/dev/pts/[0-9]+'
	assert_output --partial '33 111'
	assert_output --partial 'got:hello'
	assert_output --partial 'rc=5'
	# without a terminal on stdin it still runs, its output copied (runc refuses: no /dev/tty)
	if ! is_runc; then
		run hako exec -t "$CID" echo plain </dev/null
		assert_success
		assert_output --partial plain
	fi
	run hako exec -t -d "$CID" true
	assert_failure
	assert_output --regexp 'console.socket'
}

@test "terminal: run in the foreground whose stdout closes early still ends and deletes the container" {
	requires_hako "a foreground terminal behind a closed pipe"
	set_sh 'i=0; while [ $i -lt 5000 ]; do echo "line $i of the container output"; i=$((i+1)); done; exit 3'
	local cmd
	printf -v cmd '%q ' "$HAKO" --root "$STATE_ROOT" run -b "$BUNDLE" "$CID"
	run env SHELL=/bin/bash script -qfec "$cmd | head -c 100 >/dev/null; echo rc=\${PIPESTATUS[0]}" /dev/null </dev/null
	assert_output --partial 'rc=3'
	assert_no_leaks
}
