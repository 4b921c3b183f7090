#!/usr/bin/env bats
# Regression tests for runtime CVE classes (DESIGN.md §4).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "defence: a cwd through a leaked fd (/proc/self/fd/N) is refused (CVE-2024-21626)" {
	# fd 3 of hako's init is the state dir, outside the container's root
	for n in 3 4 5 6 7; do
		update_config ".process.cwd = \"/proc/self/fd/$n\""
		set_cmd sh -c 'ls /'
		run run_container
		# whatever the fd is, the process never starts with a cwd outside the root
		assert_failure
		refute_output --partial 'config.json'
		assert_no_leaks
	done
}

@test "defence: only fds 0-2 reach the container process (run and exec)" {
	set_sh 'ls /proc/self/fd'
	# extra fds of the caller must not leak into the container
	run bash -c "exec 7</etc/hostname 8</etc/hostname; \"$HAKO\" --root \"$STATE_ROOT\" run -b \"$BUNDLE\" \"$CID\" </dev/null"
	assert_success
	# ls itself holds one fd for the directory it lists
	assert_equal "$(sort -n <<<"$output" | tr '\n' ' ')" "0 1 2 3 "
	assert_no_leaks
}

@test "defence: --preserve-fds passes exactly the extra fds" {
	set_sh 'ls /proc/self/fd'
	run bash -c "exec 3</etc/hostname 4</etc/hostname 5</etc/hostname; \"$HAKO\" --root \"$STATE_ROOT\" run --preserve-fds 2 -b \"$BUNDLE\" \"$CID\" </dev/null"
	assert_success
	assert_equal "$(sort -n <<<"$output" | tr '\n' ' ')" "0 1 2 3 4 5 "
	assert_no_leaks
}

@test "defence: a fake /dev/null is refused for masking (CVE-2025-31133)" {
	requires_hako
	# /dev is a bind of a directory whose "null" is a regular file
	mkdir -p "$BATS_TEST_TMPDIR/fakedev"
	echo fake >"$BATS_TEST_TMPDIR/fakedev/null"
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))
		| .mounts += [{"destination": "/dev", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/fakedev"'", "options": ["rbind"]}]
		| .linux.maskedPaths = ["/proc/kcore"]'
	set_cmd true
	run run_container
	assert_failure
	assert_output --partial '/dev/null in the container is not the 1:3 character device'
	assert_no_leaks
	# the host file is untouched
	assert_equal "$(cat "$BATS_TEST_TMPDIR/fakedev/null")" fake
}

@test "oomScoreAdj is set inside the container (run and exec)" {
	requires_checker
	update_config '.process.oomScoreAdj = 321'
	set_cmd checker oom
	run run_container
	assert_success
	assert_output 'oom_score_adj=321'
	# exec takes the container's process, so its oomScoreAdj too
	set_cmd sleep 100000
	run_detached || fail "run failed: $(stderr_of)"
	wait_for_status "$CID" running
	run hako exec "$CID" checker oom
	assert_success
	assert_output 'oom_score_adj=321'
}

@test "oomScoreAdj and sysctl in a user namespace (run and exec)" {
	requires_checker
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .process.oomScoreAdj = 321 | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	d="$BUNDLE"
	while [ "$d" != "$BATS_RUN_TMPDIR" ] && [ "$d" != / ]; do
		d="$(dirname "$d")"
		chmod a+x "$d"
	done
	set_sh 'checker oom; cat /proc/sys/net/ipv4/ip_forward'
	run run_container
	assert_success
	assert_line 'oom_score_adj=321'
	assert_line 1
	set_cmd sleep 100000
	run_detached || fail "run failed: $(stderr_of)"
	wait_for_status "$CID" running
	run hako exec "$CID" checker oom
	assert_success
	assert_output 'oom_score_adj=321'
}

@test "defence: a mount over a /proc/sys file cannot redirect a sysctl write (CVE-2025-52881)" {
	requires_hako "runc 1.1 writes through the container's /proc"
	# the image asks for a bind of a host file over the sysctl's proc file:
	# writing "through /proc" would land in the host file
	victim="$BATS_TEST_TMPDIR/victim"
	echo untouched >"$victim"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .mounts += [{"destination": "/proc/sys/net/ipv4/ip_forward", "type": "bind",
			"source": "'"$victim"'", "options": ["bind"]}]'
	set_sh 'cat /proc/sys/net/ipv4/conf/all/forwarding'
	run run_container
	assert_success
	# the container's own net namespace got it (all/forwarding mirrors ip_forward) ...
	assert_output 1
	# ... and the host file did not
	assert_equal "$(cat "$victim")" untouched
	assert_no_leaks
}

@test "defence: a mount over /proc/<pid>/oom_score_adj cannot redirect oomScoreAdj" {
	requires_hako "runc 1.1 writes oom_score_adj from outside"
	victim="$BATS_TEST_TMPDIR/victim"
	echo untouched >"$victim"
	update_config '.process.oomScoreAdj = 123
		| .mounts += [{"destination": "/proc/1/oom_score_adj", "type": "bind",
			"source": "'"$victim"'", "options": ["bind"]}]'
	start_sleeper
	assert_equal "$(cat "/proc/$INIT_PID/oom_score_adj")" 123
	assert_equal "$(cat "$victim")" untouched
}

@test "defence: a mount over /proc/<pid>/attr/exec cannot swallow the AppArmor profile (CVE-2019-16884)" {
	requires_hako "runc 1.1 writes through the container's /proc"
	[ -e /sys/module/apparmor ] && skip "AppArmor is enabled on this host"
	# the image covers init's attr/exec with a plain file: a write "through
	# /proc" would succeed there and the process would run unconfined
	victim="$BATS_TEST_TMPDIR/victim"
	echo untouched >"$victim"
	update_config '.process.apparmorProfile = "hako-test-profile"
		| .mounts += [{"destination": "/proc/1/attr/exec", "type": "bind",
			"source": "'"$victim"'", "options": ["bind"]}]'
	set_sh 'echo ran'
	run run_container
	# the real attr/exec got the write: refused, as without the mount
	assert_failure
	refute_output --partial ran
	assert_output --partial 'attr/exec: Invalid argument'
	assert_equal "$(cat "$victim")" untouched
	assert_no_leaks
}

@test "defence: a fake /proc in the rootfs does not receive sysctl writes" {
	requires_hako "runc 1.1 needs a /proc mount for sysctl"
	# no proc mount: the rootfs's /proc is a plain directory with a fake tree
	mkdir -p "$ROOTFS/proc/sys/net/ipv4"
	echo fake >"$ROOTFS/proc/sys/net/ipv4/ip_forward"
	update_config '.mounts |= map(select(.destination != "/proc"))
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_sh 'cat /proc/sys/net/ipv4/ip_forward'
	run run_container
	assert_success
	assert_output fake
	assert_equal "$(cat "$ROOTFS/proc/sys/net/ipv4/ip_forward")" fake
	assert_no_leaks
}

@test "defence: a rootfs whose /dev is a symlink to a host path does not touch the host (CVE-2026-41579)" {
	# runc 1.1.5 creates its /dev links in the host directory: this very bug
	requires_hako "runc 1.1.5 follows the /dev symlink out of the rootfs"
	OUTSIDE="$BATS_TEST_TMPDIR/hostdev"
	mkdir -p "$OUTSIDE"
	rm -rf "$ROOTFS/dev"
	ln -s "$OUTSIDE" "$ROOTFS/dev"
	# no /dev mount of the config: hako creates the nodes in the rootfs's /dev
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.devices = [{"path": "/dev/hakotest", "type": "c", "major": 1, "minor": 3}]'
	set_sh 'ls /dev/hakotest'
	run run_container
	# whatever the runtime decides, the host directory stays empty
	run ls -A "$OUTSIDE"
	assert_output ""
	assert_no_leaks
}

# --- CVE-2019-5736: the runtime binary through /proc/<pid>/exe --------------------
# The attacker is the container's init (checker exe-attack) with CAP_SYS_PTRACE, so
# that non-dumpable alone does not stop it; the runtime under attack is a copy of
# $HAKO (it may get overwritten when the defence is missing).

# victim_setup: VICTIM (a copy of the runtime), its checksum, the attacker config.
victim_setup() {
	requires_checker
	VICTIM="$BATS_TEST_TMPDIR/hako-victim"
	cp "$HAKO" "$VICTIM"
	SUM="$(sha256sum <"$VICTIM")"
	update_config '.process.capabilities |= with_entries(if .key == "inheritable" or .key == "ambient" then . else .value += ["CAP_SYS_PTRACE"] end)'
	set_cmd checker exe-attack hako-victim /
}

victim() {
	"$VICTIM" --root "$STATE_ROOT" "$@"
}

# attack_finish: let the attacker reopen the exe, then check the binary.
attack_finish() {
	touch "$ROOTFS/trigger"
	wait_for_file "$ROOTFS/result" || fail "the attacker reported nothing"
	cat "$ROOTFS/result"
	run cat "$ROOTFS/result"
	refute_line "write-open: ok"
	refute_line "reopen: ok"
	refute_line wrote
	assert_equal "$(sha256sum <"$VICTIM")" "$SUM"
}

@test "defence: a joining exec process's /proc/<pid>/exe cannot be written (CVE-2019-5736)" {
	requires_hako "runc 1.1's exec runs from a memfd copy"
	victim_setup
	victim run -d -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run failed"
	wait_for_status "$CID" running
	# exec's process reads /etc/passwd for HOME before its execve: as a FIFO it
	# holds the runtime there until the test writes to it
	rm "$ROOTFS/etc/passwd"
	mkfifo "$ROOTFS/etc/passwd"
	victim exec -d "$CID" true </dev/null >/dev/null 2>&1 &
	HELPER_PIDS+=($!)
	wait_for_file "$ROOTFS/holding" || fail "the attacker never saw the exec process"
	grep -q '^o_path: ok' "$ROOTFS/holding" || fail "attacker: $(cat "$ROOTFS/holding")"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
	wait "${HELPER_PIDS[-1]}" || true
	attack_finish
}

@test "defence: a created container's init /proc/<pid>/exe cannot be written (CVE-2019-5736)" {
	requires_hako "runc 1.1 names its init runc:[2:INIT], not after its binary"
	victim_setup
	victim run -d -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run failed"
	wait_for_status "$CID" running
	# a second container in the attacker's pid namespace: its init is the
	# runtime until start
	setup_bundle "$BATS_TEST_TMPDIR/b2"
	pidns="/proc/$(container_pid "$CID")/ns/pid"
	jq --arg p "$pidns" '.process.args = ["true"] | .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
		"$BATS_TEST_TMPDIR/b2/config.json" >"$BATS_TEST_TMPDIR/c2" && mv "$BATS_TEST_TMPDIR/c2" "$BATS_TEST_TMPDIR/b2/config.json"
	victim create -b "$BATS_TEST_TMPDIR/b2" "$CID-b" </dev/null >/dev/null 2>&1 || fail "create failed"
	wait_for_file "$ROOTFS/holding" || fail "the attacker never saw the created init"
	grep -q '^o_path: ok' "$ROOTFS/holding" || fail "attacker: $(cat "$ROOTFS/holding")"
	victim start "$CID-b" || fail "start failed"
	attack_finish
}
