#!/usr/bin/env bats
# The container process: args, env, cwd, user, umask, rlimits, no_new_privs,
# oom_score_adj, hostname, domainname, stdio, exec errors.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "args are passed as given" {
	set_cmd sh -c 'for a in "$@"; do echo "[$a]"; done' argv0 'two words' '' '$HOME' '"q"'
	run run_container
	assert_success
	assert_output "$(printf '%s\n' '[two words]' '[]' '[$HOME]' '["q"]')"
}

@test "env is exactly the configured environment" {
	requires_checker
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "MULTI=a=b"]'
	set_cmd checker env
	run run_container
	assert_success
	assert_line "env=FOO=bar baz"
	assert_line "env=EMPTY="
	assert_line "env=MULTI=a=b"
	assert_line "env=PATH=/bin"
	# HOME is added (from /etc/passwd, else /) when the config has none.
	assert_line --regexp '^env=HOME=/'
	# No variable of the caller leaks in.
	export HAKO_TEST_LEAK=leak
	run run_container
	refute_output --partial HAKO_TEST_LEAK
}

@test "cwd is the configured directory" {
	requires_checker
	mkdir -p "$ROOTFS/work/dir"
	update_config '.process.cwd = "/work/dir"'
	set_cmd checker cwd
	run run_container
	assert_success
	assert_output "cwd=/work/dir"
}

@test "user: uid, gid and additionalGids" {
	requires_checker
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 3000]}'
	set_cmd checker ids
	run run_container
	assert_success
	assert_line "uid=1000"
	assert_line "euid=1000"
	assert_line "gid=1001"
	assert_line "egid=1001"
	assert_line "groups=2000,3000"
}

@test "user: no additionalGids means no supplementary groups" {
	requires_checker
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	set_cmd checker ids
	run run_container
	assert_success
	assert_line "uid=65534"
	assert_line "gid=65534"
	assert_line "groups="
}

@test "user: umask" {
	requires_checker
	update_config '.process.user.umask = 63'
	set_cmd checker umask
	run run_container
	assert_success
	assert_output "umask=0077"
	# A file made inside gets the mode it implies.
	set_sh 'touch /tmp/f && stat -c %a /tmp/f'
	run run_container
	assert_output 600
}

@test "user: default umask is 0022" {
	requires_checker
	set_cmd checker umask
	run run_container
	assert_success
	assert_output "umask=0022"
}

@test "rlimits are applied" {
	requires_checker
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
		{"type": "RLIMIT_NPROC", "soft": 100, "hard": 200},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
		{"type": "RLIMIT_STACK", "soft": 4194304, "hard": 8388608},
		{"type": "RLIMIT_MSGQUEUE", "soft": 1000, "hard": 2000}]'
	set_cmd checker rlimits
	run run_container
	assert_success
	assert_line "rlimit.NOFILE=512:1024"
	assert_line "rlimit.NPROC=100:200"
	assert_line "rlimit.CORE=0:4096"
	assert_line "rlimit.STACK=4194304:8388608"
	assert_line "rlimit.MSGQUEUE=1000:2000"
}

@test "rlimits not in the config are inherited" {
	requires_checker
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 256}]'
	set_cmd checker rlimits
	run run_container
	assert_success
	assert_line "rlimit.NOFILE=256:256"
	# The host value of another limit is kept.
	host_locks="$(sed -n 's/^Max file locks *\([^ ]*\) *\([^ ]*\).*/\1:\2/p' /proc/self/limits)"
	assert_line "rlimit.LOCKS=$host_locks"
}

@test "noNewPrivileges true and false" {
	requires_checker
	update_config '.process.noNewPrivileges = true'
	set_cmd checker nnp
	run run_container
	assert_success
	assert_output "no_new_privs=1"
	update_config '.process.noNewPrivileges = false'
	run run_container
	assert_success
	assert_output "no_new_privs=0"
}

@test "NoNewPrivs shows in /proc/self/status" {
	update_config '.process.noNewPrivileges = true'
	set_sh 'grep NoNewPrivs /proc/self/status'
	run run_container
	assert_success
	assert_output --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "oomScoreAdj is applied" {
	requires_checker
	update_config '.process.oomScoreAdj = 500'
	set_cmd checker oom
	run run_container
	assert_success
	assert_output "oom_score_adj=500"
}

@test "hostname" {
	requires_checker
	update_config '.hostname = "box-one"'
	set_cmd checker uts
	run run_container
	assert_success
	assert_line "hostname=box-one"
	# The host's is untouched.
	[ "$(hostname)" != box-one ]
}

@test "domainname" {
	# runc 1.1 ignores .domainname (support came in runc 1.2).
	requires_hako "domainname"
	requires_checker
	update_config '.hostname = "box-one" | .domainname = "example.test"'
	set_cmd checker uts
	run run_container
	assert_success
	assert_line "hostname=box-one"
	assert_line "domainname=example.test"
	[ "$(cat /proc/sys/kernel/domainname)" != example.test ]
}

@test "stdin piped to run reaches the container" {
	set_cmd cat
	run bash -c 'printf "hello\nworld\n" | "$1" --root "$2" run --bundle "$3" "$4"' _ \
		"$HAKO" "$STATE_ROOT" "$BUNDLE" "$CID"
	assert_success
	assert_output "$(printf 'hello\nworld')"
}

@test "stdout of the container is a pipe to the caller, not a copy to a tty" {
	set_sh 'echo line1; echo line2 >&2; [ -t 0 ] && echo stdin-is-tty; exit 0'
	run --separate-stderr run_container
	assert_success
	assert_output line1
	assert_equal "$stderr" line2
}

@test "missing executable fails with 'executable file not found in \$PATH'" {
	set_cmd no-such-program
	run run_container
	assert_failure
	# (runc's text log format escapes the quotes: exec: \"no-such-program\": ...)
	assert_output --regexp 'exec: \\?"no-such-program\\?": executable file not found in \$PATH'
	assert_no_leaks
	# create reports it too, and leaves nothing behind.
	run create_container
	assert_failure
	run stderr_of
	assert_output --partial 'executable file not found in $PATH'
	assert_no_leaks
}

@test "missing absolute path fails with 'no such file or directory'" {
	set_cmd /no/such/file
	run run_container
	assert_failure
	assert_output --regexp 'exec: \\?"/no/such/file\\?"'
	assert_output --partial 'no such file or directory'
	assert_no_leaks
}

@test "non-executable file fails with 'permission denied'" {
	printf '#!/bin/sh\necho should-not-run\n' >"$ROOTFS/bin/noexec"
	chmod 0644 "$ROOTFS/bin/noexec"
	set_cmd /bin/noexec
	run run_container
	assert_failure
	assert_output --partial 'permission denied'
	refute_output --partial 'should-not-run'
	assert_no_leaks
}

@test "the process is found through PATH from the config env" {
	mkdir -p "$ROOTFS/opt/tools"
	printf '#!/bin/sh\necho found-in-opt\n' >"$ROOTFS/opt/tools/mytool"
	chmod 0755 "$ROOTFS/opt/tools/mytool"
	update_config '.process.env = ["PATH=/opt/tools:/bin"]'
	set_cmd mytool
	run run_container
	assert_success
	assert_output found-in-opt
}
