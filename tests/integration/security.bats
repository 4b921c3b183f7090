#!/usr/bin/env bats
# Security settings of the container process: capabilities, no_new_privs,
# seccomp (errno, args, notify), non-dumpable init, LSM profiles.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# set_seccomp_rules RULES_JSON: a seccomp profile allowing everything but RULES.
set_seccomp_rules() {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
		"syscalls": $r}' --argjson r "$1"
}

# Capability numbers used below.
CAP_CHOWN=0 CAP_KILL=5 CAP_SETUID=7 CAP_NET_BIND_SERVICE=10 CAP_NET_RAW=13
CAP_SYS_ADMIN=21 CAP_AUDIT_WRITE=29

@test "capabilities: a root process gets the configured sets" {
	requires_checker
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_RAW"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_RAW"]}'
	set_cmd checker caps
	run run_container
	assert_success
	want="$(hex_caps $CAP_CHOWN $CAP_KILL $CAP_SETUID $CAP_NET_RAW)"
	assert_line "CapBnd=$want"
	assert_line "CapPrm=$want"
	assert_line "CapEff=$want"
	assert_line "CapInh=0000000000000000"
	assert_line "CapAmb=0000000000000000"
	# The host's are untouched.
	grep -q "^CapBnd:[[:space:]]*$(awk '/^CapBnd/ { print $2 }' /proc/$$/status)" /proc/self/status
}

@test "capabilities: a non-root process keeps inheritable and ambient" {
	requires_checker
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
		"effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	set_cmd checker caps
	run run_container
	assert_success
	assert_line "CapBnd=$(hex_caps $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE $CAP_AUDIT_WRITE)"
	assert_line "CapInh=$(hex_caps $CAP_KILL $CAP_NET_BIND_SERVICE)"
	# execve as non-root: permitted and effective become the ambient set.
	assert_line "CapAmb=$(hex_caps $CAP_NET_BIND_SERVICE)"
	assert_line "CapPrm=$(hex_caps $CAP_NET_BIND_SERVICE)"
	assert_line "CapEff=$(hex_caps $CAP_NET_BIND_SERVICE)"
}

@test "capabilities: the default config's sets" {
	requires_checker
	set_cmd checker caps
	run run_container
	assert_success
	want="$(hex_caps $CAP_KILL $CAP_NET_BIND_SERVICE $CAP_AUDIT_WRITE)"
	assert_line "CapBnd=$want"
	assert_line "CapPrm=$want"
	assert_line "CapEff=$want"
	assert_line "CapInh=0000000000000000"
}

@test "capabilities: no capabilities section means every set is empty" {
	requires_checker
	update_config 'del(.process.capabilities)'
	set_cmd checker caps
	run run_container
	assert_success
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_line "$s=0000000000000000"
	done
	# And so a root process cannot chown.
	set_sh 'touch /tmp/f && chown 1000 /tmp/f && echo chowned'
	run run_container
	refute_output --partial chowned
}

@test "capabilities: an unknown name gives a warning and the container runs" {
	requires_checker
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_NO_SUCH_THING"],
		"effective": ["CAP_KILL", "CAP_NO_SUCH_THING"],
		"permitted": ["CAP_KILL", "CAP_NO_SUCH_THING"]}'
	set_cmd checker caps
	run run_container
	assert_success
	assert_line "CapEff=$(hex_caps $CAP_KILL)"
	assert_line "CapBnd=$(hex_caps $CAP_KILL)"
	assert_output --partial CAP_NO_SUCH_THING
}

@test "capabilities: one not in the host's bounding set is dropped with a warning" {
	# runc 1.1 fails the container: "unable to start container process:
	# unable to apply caps: operation not permitted".
	requires_hako "dropping caps the host cannot give"
	requires_checker
	# CAP_SYS_RESOURCE (24) is not in this host's bounding set; pick it
	# only then.
	host_bnd=$((16#$(awk '/^CapBnd/ { print $2 }' /proc/self/status)))
	if ((host_bnd & (1 << 24))); then
		skip "CAP_SYS_RESOURCE is in the host's bounding set"
	fi
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_SYS_RESOURCE"],
		"effective": ["CAP_KILL", "CAP_SYS_RESOURCE"],
		"permitted": ["CAP_KILL", "CAP_SYS_RESOURCE"]}'
	set_cmd checker caps
	run run_container
	assert_success
	assert_output --partial CAP_SYS_RESOURCE
	assert_line "CapEff=$(hex_caps $CAP_KILL)"
	assert_line "CapBnd=$(hex_caps $CAP_KILL)"
}

@test "noNewPrivileges" {
	requires_checker
	update_config '.process.noNewPrivileges = true'
	set_sh 'checker nnp; grep NoNewPrivs /proc/self/status'
	run run_container
	assert_success
	assert_line "no_new_privs=1"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	update_config '.process.noNewPrivileges = false'
	run run_container
	assert_success
	assert_line "no_new_privs=0"
}

@test "seccomp: errnoRet 1 gives 'Operation not permitted'" {
	requires_checker
	set_seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	set_sh 'checker seccomp; mkdir /tmp/x; echo "rc=$?"; [ -d /tmp/x ] && echo exists; touch /tmp/file && echo touched'
	run run_container
	assert_line "seccomp=2"
	assert_output --partial "Operation not permitted"
	assert_line "rc=1"
	refute_line exists
	# Other syscalls are allowed.
	assert_line touched
	[ ! -e "$ROOTFS/tmp/x" ]
}

@test "seccomp: errnoRet 38 gives 'Function not implemented'" {
	set_seccomp_rules '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]'
	set_sh 'mkdir /tmp/x; echo "rc=$?"'
	run run_container
	assert_output --partial "Function not implemented"
	assert_line "rc=1"
	[ ! -e "$ROOTFS/tmp/x" ]
}

@test "seccomp: denying unshare" {
	set_seccomp_rules '[{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	# The config's caps would allow it otherwise (CAP_SYS_ADMIN).
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
		.process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	set_sh 'unshare -u hostname changed-by-unshare; echo "rc=$?"; hostname'
	run run_container
	assert_output --partial "Operation not permitted"
	refute_line "rc=0"
	assert_line hako
	# Without the rule, the same works.
	update_config 'del(.linux.seccomp)'
	run run_container
	assert_line "rc=0"
}

@test "seccomp: SCMP_CMP_MASKED_EQ on an argument" {
	# kill(pid, sig) with (sig & 0xff) == 10 (SIGUSR1) is denied.
	set_seccomp_rules '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		"args": [{"index": 1, "value": 255, "valueTwo": 10, "op": "SCMP_CMP_MASKED_EQ"}]}]'
	set_sh 'trap "echo got-usr1" USR1; trap "echo got-usr2" USR2
		kill -USR2 $$; echo "usr2-rc=$?"
		kill -USR1 $$; echo "usr1-rc=$?"'
	run run_container
	assert_line got-usr2
	assert_line "usr2-rc=0"
	refute_line got-usr1
	refute_line "usr1-rc=0"
}

@test "seccomp: an unknown syscall name is ignored" {
	set_seccomp_rules '[{"names": ["no_such_syscall_hako", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	set_sh 'mkdir /tmp/x; echo "rc=$?"; echo still-ran'
	run run_container
	assert_line still-ran
	assert_line "rc=1"
	[ ! -e "$ROOTFS/tmp/x" ]
}

@test "seccomp: an unknown action is rejected at create and leaves nothing" {
	set_seccomp_rules '[{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]'
	set_sh 'echo ran > /tmp/ran'
	run create_container
	assert_failure
	run stderr_of
	if is_runc; then
		# runc 1.1 names the bad action, without a JSON path.
		assert_output --partial SCMP_ACT_BOGUS
	else
		assert_output --partial 'linux.seccomp.syscalls[0].action'
	fi
	[ ! -e "$ROOTFS/tmp/ran" ]
	assert_no_leaks
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener to the agent at listenerPath" {
	command -v gcc >/dev/null || skip "gcc not installed"
	agent="$BATS_RUN_TMPDIR/seccomp_agent"
	if [ ! -x "$agent" ]; then
		gcc -std=gnu17 -D_GNU_SOURCE -O1 -o "$agent.$$" "$REPO_ROOT/tests/security/seccomp_agent.c" \
			-lseccomp -ljansson || skip "cannot build the seccomp agent"
		mv -f "$agent.$$" "$agent"
	fi
	sock="$BATS_TEST_TMPDIR/agent.sock"
	log="$BATS_TEST_TMPDIR/agent.log"
	"$agent" "$sock" "$log" >"$BATS_TEST_TMPDIR/agent.out" 2>&1 </dev/null 3>&- &
	HELPER_PIDS+=($!)
	wait_for_file "$BATS_TEST_TMPDIR/agent.out"
	[ -S "$sock" ] || fail "agent not listening: $(cat "$BATS_TEST_TMPDIR/agent.out")"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s,
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' --arg s "$sock"
	set_sh 'mkdir /tmp/agent-dir; echo "mkdir-rc=$?"; test -d /tmp/agent-dir; echo "test-rc=$?"'
	create_container || fail "create failed: $(stderr_of)"
	pid="$(container_pid "$CID")"
	hako start "$CID"
	wait_for_status "$CID" stopped
	run stdout_of
	# The agent said yes, and created nothing.
	assert_line "mkdir-rc=0"
	assert_line "test-rc=1"
	[ ! -e "$ROOTFS/tmp/agent-dir" ]
	wait_for_file "$log"
	run cat "$log"
	assert_output --partial "$CID"
	assert_output --partial "\"pid\":$pid"
}

@test "init is the container's program, not the runtime, after start" {
	set_cmd sleep 100000
	run_detached || fail "run failed: $(stderr_of)"
	wait_for_status "$CID" running
	pid="$(container_pid "$CID")"
	run hako exec "$CID" readlink /proc/1/exe
	assert_success
	assert_output /bin/busybox
	# From the host too.
	[ "$(stat -L -c %d:%i "/proc/$pid/exe")" = "$(stat -c %d:%i "$ROOTFS/bin/busybox")" ]
}

@test "init cannot be reached through /proc before start (non-dumpable)" {
	set_cmd sleep 100000
	create_container || fail "create failed: $(stderr_of)"
	# While created, init is still the runtime's code: a process of the
	# container (no CAP_SYS_PTRACE) must not open its exe, nor its memory.
	run hako exec "$CID" sh -c 'ls -l /proc/1/exe; cat /proc/1/exe | wc -c; head -c1 /proc/1/mem | wc -c; : >>/proc/1/exe && echo opened-for-write'
	refute_line opened-for-write
	refute_output --partial "$(basename "$HAKO")"
	if is_runc; then
		# runc 1.1's init runs from a sealed memfd copy of runc: the link
		# shows "/", the copy can be read (not written: "Text file busy").
		assert_output --partial "Text file busy"
	else
		# hako's init is non-dumpable: nothing of it can be opened.
		assert_output --partial "can't open '/proc/1/exe': Permission denied"
		assert_output --partial "/proc/1/mem: Permission denied"
	fi
}

@test "process.apparmorProfile without AppArmor fails like runc 1.1" {
	[ -e /sys/module/apparmor ] && skip "AppArmor is enabled on this host"
	# runc 1.1 writes "exec <profile>" to /proc/self/attr/exec anyway and
	# fails: "unable to apply apparmor profile: apparmor failed to apply
	# profile: write /proc/self/attr/exec: invalid argument"
	update_config '.process.apparmorProfile = "hako-test-profile"'
	set_sh 'echo ran'
	run run_container
	assert_failure
	refute_output --partial ran
	assert_output --regexp 'attr/exec: [Ii]nvalid argument'
	if ! is_runc; then
		assert_output --partial 'apply apparmor profile "hako-test-profile" (AppArmor is not enabled on this host)'
	fi
	assert_no_leaks
}

@test "exec --apparmor and --process-label without the LSM fail like runc 1.1" {
	[ -e /sys/module/apparmor ] && skip "AppArmor is enabled on this host"
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled on this host"
	start_sleeper
	run hako exec --apparmor hako-test-profile "$CID" echo ran
	assert_failure 255
	refute_output --partial ran
	assert_output --regexp 'attr/exec: [Ii]nvalid argument'
	run hako exec --process-label system_u:system_r:container_t:s0 "$CID" echo ran
	assert_failure 255
	refute_output --partial ran
	assert_output --partial 'selinux label is specified in config, but selinux is disabled or not supported'
	# an empty profile is no profile
	run hako exec --apparmor "" "$CID" echo ran
	assert_success
	assert_output ran
}

@test "process.selinuxLabel and linux.mountLabel fail without SELinux, as with runc" {
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled on this host"
	# runc 1.1: "selinux label is specified in config, but selinux is disabled
	# or not supported"; for mountLabel it fails mounting with context=
	for field in .process.selinuxLabel .linux.mountLabel; do
		update_config 'del(.process.selinuxLabel) | del(.linux.mountLabel)'
		update_config "$field = \"system_u:system_r:container_t:s0\""
		set_sh 'echo ran'
		run run_container
		assert_failure
		refute_output --partial ran
		if ! is_runc; then
			assert_output --partial "${field#.}: selinux label is specified in config, but selinux is disabled"
		fi
		assert_no_leaks
	done
}
