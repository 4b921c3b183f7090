#!/usr/bin/env bats
# NOTIFY_SOCKET: the container's READY=1 reaches the caller's socket, and
# `start` returns only after it (runc's behaviour, which systemd units rely on).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	requires_checker
	command -v python3 >/dev/null || skip "python3 is needed for the receiving socket"
	HOST_SOCK="$BATS_TEST_TMPDIR/notify.sock"
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	teardown_common
}

# listen on $HOST_SOCK (datagrams) and write the first message to $1
start_receiver() {
	python3 - "$HOST_SOCK" "$1" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
msg = s.recv(4096).decode()
open(sys.argv[2], "w").write(msg.replace("\n", " "))
PY
	RECV_PID=$!
	local i
	for i in $(seq 200); do
		[ -S "$HOST_SOCK" ] && return 0
		sleep 0.05
	done
	fail "the receiving socket did not appear"
}

@test "NOTIFY_SOCKET: start waits for READY=1 and forwards it with MAINPID" {
	start_receiver "$BATS_TEST_TMPDIR/got"
	# the container says READY only after it created a marker file
	set_sh 'sleep 1; touch /tmp/before-ready; checker notify; sleep 30'
	update_config '.root.readonly = false'
	NOTIFY_SOCKET="$HOST_SOCK" hako_b create "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	run env NOTIFY_SOCKET="$HOST_SOCK" "$HAKO" --root "$STATE_ROOT" start "$CID"
	[ "$status" -eq 0 ] || cat "$BATS_TEST_TMPDIR/out"
	assert_success
	# start returned after READY: the marker exists already
	[ -e "$BUNDLE/rootfs/tmp/before-ready" ]
	wait_for_file "$BATS_TEST_TMPDIR/got"
	pid="$(container_pid "$CID")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" "READY=1 MAINPID=$pid "
	# the container's socket is hako's, not the host's path
	run grep -z '^NOTIFY_SOCKET=' "/proc/$pid/environ"
	assert_output --partial /run/notify/notify.sock
	hako delete -f "$CID"
	assert_no_leaks
}

@test "NOTIFY_SOCKET: a container that exits before READY=1 makes start fail" {
	start_receiver "$BATS_TEST_TMPDIR/got"
	set_sh 'exit 0'
	NOTIFY_SOCKET="$HOST_SOCK" hako_b create "$CID" >/dev/null 2>&1 </dev/null
	run env NOTIFY_SOCKET="$HOST_SOCK" "$HAKO" --root "$STATE_ROOT" start "$CID"
	assert_failure
	assert_output --partial 'READY=1'
	hako delete -f "$CID"
	assert_no_leaks
}
