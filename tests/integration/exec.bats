#!/usr/bin/env bats
# exec: a new process in a running container, and runc's exec flags.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# The default config's caps: CAP_KILL(5), CAP_NET_BIND_SERVICE(10), CAP_AUDIT_WRITE(29).
DEFAULT_CAPS=(5 10 29)

@test "exec: output and exit status are the process's" {
	start_sleeper
	run hako exec "$CID" echo hello-from-exec
	assert_success
	assert_output hello-from-exec
	run hako exec "$CID" sh -c 'echo before; exit 5'
	assert_equal "$status" 5
	assert_output before
	run hako exec "$CID" sh -c 'exit 0'
	assert_success
	# The container keeps running.
	assert_equal "$(container_status "$CID")" running
}

@test "exec: --env and -e add variables to the config's" {
	requires_checker
	start_sleeper
	# (runc 1.1 refuses --env and -e mixed in one command line.)
	run hako exec --env FOO=bar --env 'SPACED=a b' "$CID" checker env
	assert_success
	assert_line "env=FOO=bar"
	assert_line "env=SPACED=a b"
	# The config's environment is there too.
	assert_line "env=TERM=xterm"
	assert_line --regexp '^env=PATH=.*/bin'
	run hako exec -e SHORT=form "$CID" checker env
	assert_success
	assert_line "env=SHORT=form"
	# (runc 1.1 appends -e to the config's env as is: -e TERM=dumb gives
	# the process both TERM=xterm and TERM=dumb, so no override is tested.)
}

@test "exec: --cwd" {
	requires_checker
	start_sleeper
	mkdir -p "$ROOTFS/work/here"
	run hako exec --cwd /work/here "$CID" checker cwd
	assert_success
	assert_output "cwd=/work/here"
	# Without it, the config's cwd.
	run hako exec "$CID" checker cwd
	assert_success
	assert_output "cwd=/"
}

@test "exec: --user UID:GID and --additional-gids" {
	requires_checker
	start_sleeper
	run hako exec --user 1000:1001 "$CID" checker ids
	assert_success
	assert_line "uid=1000"
	assert_line "euid=1000"
	assert_line "gid=1001"
	assert_line "egid=1001"
	assert_line "groups="
	run hako exec -u 1000:1001 --additional-gids 2000 --additional-gids 3000 "$CID" checker ids
	assert_success
	assert_line "uid=1000"
	assert_line "gid=1001"
	assert_line "groups=2000,3000"
}

@test "exec: --cap adds to effective, permitted and bounding, never inheritable" {
	requires_checker
	start_sleeper
	# CAP_SYS_ADMIN is 21.
	run hako exec --cap CAP_SYS_ADMIN "$CID" checker caps
	assert_success
	want="$(hex_caps "${DEFAULT_CAPS[@]}" 21)"
	assert_line "CapEff=$want"
	assert_line "CapPrm=$want"
	assert_line "CapBnd=$want"
	assert_line "CapInh=0000000000000000"
	# Without --cap, the config's sets.
	run hako exec "$CID" checker caps
	assert_success
	base="$(hex_caps "${DEFAULT_CAPS[@]}")"
	assert_line "CapEff=$base"
	assert_line "CapBnd=$base"
	assert_line "CapInh=0000000000000000"
}

@test "exec: --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_sleeper
	run hako exec "$CID" grep NoNewPrivs /proc/self/status
	assert_success
	assert_output --regexp '^NoNewPrivs:[[:space:]]+0$'
	run hako exec --no-new-privs "$CID" grep NoNewPrivs /proc/self/status
	assert_success
	assert_output --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "exec: --detach --pid-file names a live process in the container" {
	start_sleeper
	# (stdio not to bats' pipe: the detached process would hold it open.)
	hako exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 100001 \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	pid="$(cat "$BATS_TEST_TMPDIR/exec.pid")"
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
	pid_alive "$pid" || fail "exec'd process $pid is not alive"
	run tr '\0' ' ' <"/proc/$pid/cmdline"
	assert_output "sleep 100001 "
	assert_equal "$(ns_inode "$pid" pid)" "$(ns_inode "$INIT_PID" pid)"
	assert_equal "$(ns_inode "$pid" mnt)" "$(ns_inode "$INIT_PID" mnt)"
	# Inside, it is one of the container's processes.
	run hako exec "$CID" sh -c 'for p in /proc/[0-9]*; do cat $p/cmdline; echo; done | tr "\0" " "'
	assert_output --partial "sleep 100001"
	kill -9 "$pid"
	wait_pid_gone "$pid"
}

@test "exec: --process FILE runs a process.json" {
	requires_checker
	start_sleeper
	mkdir -p "$ROOTFS/opt"
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
		{
		  "terminal": false,
		  "user": { "uid": 1234, "gid": 4321 },
		  "args": [ "checker", "ids", "cwd", "env" ],
		  "env": [ "PATH=/bin", "FROM_PROCESS_JSON=yes" ],
		  "cwd": "/opt",
		  "noNewPrivileges": true
		}
	JSON
	run hako exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	assert_success
	assert_line "uid=1234"
	assert_line "gid=4321"
	assert_line "cwd=/opt"
	assert_line "env=FROM_PROCESS_JSON=yes"
	# The process.json replaces the config's process: no TERM from it.
	refute_line "env=TERM=xterm"
}

@test "exec: --tty with --console-socket gives the process a pty" {
	start_sleeper
	sock="$BATS_TEST_TMPDIR/console.sock"
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty.out"
	# (runc uses the console socket only with --detach.)
	# The process stays until its output was read: pty output still in
	# flight when the slave side closes can be lost.
	hako exec --detach --tty --console-socket "$sock" "$CID" \
		sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; while [ ! -e /tmp/tty-seen ]; do sleep 0.05; done' \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- || fail "exec -d -t: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	deadline=$((SECONDS + WAIT_TIMEOUT))
	until grep -q stdin-is-a-tty "$BATS_TEST_TMPDIR/tty.out" 2>/dev/null; do
		[ "$SECONDS" -le "$deadline" ] || fail "no tty output: $(cat "$BATS_TEST_TMPDIR/tty.out")"
		sleep 0.05
	done
	touch "$ROOTFS/tmp/tty-seen"
	wait_recvtty
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line stdin-is-a-tty
}

@test "exec: the process is in the container's namespaces" {
	requires_checker
	start_sleeper
	run hako exec "$CID" checker ns
	assert_success
	n=0
	while IFS='=' read -r key ino; do
		name="${key#ns.}"
		assert_equal "$ino" "$(ns_inode "$INIT_PID" "$name")"
		n=$((n + 1))
	done <<<"$output"
	[ "$n" -ge 5 ] || fail "checker ns printed only $n namespaces"
	# And not the host's.
	[ "$(ns_inode "$INIT_PID" pid)" != "$(ns_inode $$ pid)" ]
	[ "$(ns_inode "$INIT_PID" net)" != "$(ns_inode $$ net)" ]
	# Its hostname is the container's.
	run hako exec "$CID" hostname
	assert_output hako
}

@test "exec: the process is in the container's cgroup" {
	start_sleeper
	hako exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 100002 \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	pid="$(cat "$BATS_TEST_TMPDIR/exec.pid")"
	pid_alive "$pid"
	assert_equal "$(cat "/proc/$pid/cgroup")" "$(cat "/proc/$INIT_PID/cgroup")"
	# Not the caller's.
	[ "$(cat "/proc/$pid/cgroup")" != "$(cat /proc/self/cgroup)" ]
	kill -9 "$pid"
	wait_pid_gone "$pid"
}

@test "exec: into a stopped container fails" {
	set_sh 'echo ran > /tmp/ran'
	run_detached
	wait_for_status "$CID" stopped
	[ -e "$ROOTFS/tmp/ran" ]
	run hako exec "$CID" sh -c 'echo should-not-run; touch /tmp/exec-ran'
	assert_failure
	# runc: "cannot exec in a stopped container"
	assert_output --partial "stopped"
	refute_output --partial should-not-run
	[ ! -e "$ROOTFS/tmp/exec-ran" ]
	# Into a container that does not exist either.
	run hako exec "$CID-nope" true
	assert_failure
	assert_output --partial "does not exist"
}

@test "exec: missing executable exits 255 with 'executable file not found in \$PATH'" {
	start_sleeper
	run hako exec "$CID" no-such-program
	assert_equal "$status" 255
	assert_output --partial 'executable file not found in $PATH'
	# The container is unharmed, and nothing stays behind in it.
	assert_equal "$(container_status "$CID")" running
	run pids_in_pidns "$INIT_PID"
	assert_output "$INIT_PID"
}

@test "exec: while another exec runs" {
	start_sleeper
	# The first waits for a file only the second creates.
	hako exec "$CID" sh -c 'echo up > /tmp/first-up; while [ ! -e /tmp/second-done ]; do sleep 0.05; done; echo first-done' \
		>"$BATS_TEST_TMPDIR/first.out" 2>&1 </dev/null 3>&- &
	first=$!
	HELPER_PIDS+=("$first")
	wait_for_file "$ROOTFS/tmp/first-up"
	run hako exec "$CID" sh -c 'touch /tmp/second-done; echo second-done'
	assert_success
	assert_output second-done
	wait "$first"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/first.out")" first-done
}

@test "exec: 100 concurrent execs all succeed and leave nothing" {
	start_sleeper
	N=100
	cg_procs() { # every cgroup.procs of the container, sorted
		cgroups_of "$CID" | while read -r d; do cat "$d/cgroup.procs"; done | sort -un
	}
	before_init_fds="$(ls "/proc/$INIT_PID/fd" | wc -l)"
	before_my_fds="$(ls "/proc/$BASHPID/fd" | sort | tr '\n' ' ')"
	before_state="$(cd "$STATE_ROOT/$CID" && find . | sort)"
	before_procs="$(cg_procs)"
	pids=()
	for i in $(seq 1 "$N"); do
		hako exec "$CID" sh -c "echo out-$i; echo \$\$ > /tmp/pid-$i" \
			>"$BATS_TEST_TMPDIR/exec-$i.out" 2>&1 </dev/null 3>&- &
		pids+=($!)
	done
	HELPER_PIDS+=("${pids[@]}")
	for i in $(seq 1 "$N"); do
		wait "${pids[$((i - 1))]}" || fail "exec $i failed: $(cat "$BATS_TEST_TMPDIR/exec-$i.out")"
		# each one got its own output, and ran inside as its own process
		assert_equal "$(cat "$BATS_TEST_TMPDIR/exec-$i.out")" "out-$i"
		[ -s "$ROOTFS/tmp/pid-$i" ] || fail "exec $i did not run inside"
	done
	assert_equal "$(cat "$ROOTFS"/tmp/pid-* | sort -u | wc -l)" "$N"
	# Only init is left: in the container's pid namespace and in its cgroups.
	run pids_in_pidns "$INIT_PID"
	assert_output "$INIT_PID"
	assert_equal "$(cg_procs)" "$before_procs"
	# No runtime process is left on the host.
	for p in /proc/[0-9]*; do
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$STATE_ROOT"; then
			pid_alive "${p#/proc/}" && fail "runtime process left: $(tr '\0' ' ' <"$p/cmdline")"
		fi
	done
	# No fd leaked into init or into this long-lived caller (the shell that
	# started them all), and no exec state (temp files, fifos) in the state dir.
	assert_equal "$(ls "/proc/$INIT_PID/fd" | wc -l)" "$before_init_fds"
	assert_equal "$(ls "/proc/$BASHPID/fd" | sort | tr '\n' ' ')" "$before_my_fds"
	assert_equal "$(cd "$STATE_ROOT/$CID" && find . | sort)" "$before_state"
	assert_equal "$(container_status "$CID")" running
}

@test "exec: the config's rlimits and capabilities apply" {
	requires_checker
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
		{"type": "RLIMIT_NPROC", "soft": 111, "hard": 222}]'
	# (For a root process execve makes permitted and effective equal to
	# bounding, so the sets are the same here.)
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
		"inheritable": [],
		"ambient": []}'
	start_sleeper
	run hako exec "$CID" checker rlimits caps
	assert_success
	assert_line "rlimit.NOFILE=321:654"
	assert_line "rlimit.NPROC=111:222"
	# CAP_CHOWN 0, CAP_KILL 5, CAP_SETUID 7
	assert_line "CapEff=$(hex_caps 0 5 7)"
	assert_line "CapPrm=$(hex_caps 0 5 7)"
	assert_line "CapBnd=$(hex_caps 0 5 7)"
	assert_line "CapInh=0000000000000000"
	assert_line "CapAmb=0000000000000000"
}

# exec_fd3 FILE ARGS...: hako exec ARGS with FILE open on fd 3.
exec_fd3() {
	local f="$1"
	shift
	hako exec "$@" 3<"$f"
}

@test "exec: --preserve-fds 1 passes fd 3 through" {
	start_sleeper
	echo "through fd three" >"$BATS_TEST_TMPDIR/fd3.txt"
	run exec_fd3 "$BATS_TEST_TMPDIR/fd3.txt" --preserve-fds 1 "$CID" cat /proc/self/fd/3
	assert_success
	assert_output "through fd three"
	run exec_fd3 "$BATS_TEST_TMPDIR/fd3.txt" --preserve-fds 1 "$CID" sh -c 'ls /proc/$$/fd; true'
	assert_success
	assert_output "$(printf '%s\n' 0 1 2 3)"
}

@test "exec: fds of the caller other than 0-2 are not visible inside" {
	start_sleeper
	echo secret >"$BATS_TEST_TMPDIR/host.txt"
	run bash -c 'exec 5<"$1" 7<"$1" 3<"$1"; shift; "$@" sh -c "ls /proc/\$\$/fd; true"' _ \
		"$BATS_TEST_TMPDIR/host.txt" "$HAKO" --root "$STATE_ROOT" exec "$CID"
	assert_success
	assert_output "$(printf '%s\n' 0 1 2)"
	# Nor in a process that looks for the host file through /proc.
	run bash -c 'exec 5<"$1"; shift; "$@" sh -c "cat /proc/\$\$/fd/5"' _ \
		"$BATS_TEST_TMPDIR/host.txt" "$HAKO" --root "$STATE_ROOT" exec "$CID"
	assert_failure
	refute_output --partial secret
}

# exec_detached_pid NAME ARGS...: `hako exec --detach --pid-file` ARGS; echoes the pid.
exec_detached_pid() {
	local name="$1"
	shift
	hako exec --detach --pid-file "$BATS_TEST_TMPDIR/$name.pid" "$@" \
		</dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- || return 1
	cat "$BATS_TEST_TMPDIR/$name.pid"
}

# cgroup_line PID CONTROLLER: the path of PID in the hierarchy whose /proc/PID/cgroup
# controller field is CONTROLLER ("" for cgroup2).
cgroup_line() {
	awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup"
}

@test "exec: --cgroup PATH and --cgroup CONTROLLER:PATH use an existing sub-cgroup" {
	start_sleeper
	mapfile -t dirs < <(cgroups_of "$CID")
	[ "${#dirs[@]}" -ge 1 ] || fail "no cgroup of $CID found"
	for d in "${dirs[@]}"; do
		mkdir "$d/sub" "$d/other"
		# (a v1 cpuset cgroup takes no process before it has cpus and mems)
		if [ -e "$d/cpuset.cpus" ]; then
			for s in sub other; do
				cat "$d/cpuset.cpus" >"$d/$s/cpuset.cpus"
				cat "$d/cpuset.mems" >"$d/$s/cpuset.mems"
			done
		fi
	done
	# Plain PATH: every hierarchy of the container.
	pid="$(exec_detached_pid plain --cgroup sub "$CID" sleep 100003)" ||
		fail "exec --cgroup sub: $(cat "$BATS_TEST_TMPDIR/plain.out")"
	n=0
	while IFS=: read -r _ ctrl path; do
		case "$path" in
		*"/$CID") fail "$ctrl: still in the container's cgroup $path" ;;
		*"/$CID/sub") n=$((n + 1)) ;;
		esac
	done <"/proc/$pid/cgroup"
	[ "$n" -eq "${#dirs[@]}" ] || fail "in $n sub-cgroups, expected ${#dirs[@]}: $(cat "/proc/$pid/cgroup")"
	for d in "${dirs[@]}"; do
		grep -qx "$pid" "$d/sub/cgroup.procs" || fail "$pid not in $d/sub/cgroup.procs"
	done
	# It is still in the container's namespaces.
	assert_equal "$(ns_inode "$pid" pid)" "$(ns_inode "$INIT_PID" pid)"
	kill -9 "$pid"
	wait_pid_gone "$pid"
	# CONTROLLER:PATH, repeatable: only those hierarchies move.
	pid="$(exec_detached_pid ctrl --cgroup memory:sub --cgroup pids:other "$CID" sleep 100004)" ||
		fail "exec --cgroup memory:sub: $(cat "$BATS_TEST_TMPDIR/ctrl.out")"
	assert_equal "$(cgroup_line "$pid" memory)" "$(cgroup_line "$INIT_PID" memory)/sub"
	assert_equal "$(cgroup_line "$pid" pids)" "$(cgroup_line "$INIT_PID" pids)/other"
	assert_equal "$(cgroup_line "$pid" freezer)" "$(cgroup_line "$INIT_PID" freezer)"
	kill -9 "$pid"
	wait_pid_gone "$pid"
	for d in "${dirs[@]}"; do
		rmdir "$d/sub" "$d/other"
	done
}

@test "exec: --cgroup errors: missing sub-cgroup, path above the container, bad forms" {
	start_sleeper
	run hako exec --cgroup no-such-sub "$CID" sh -c 'touch /tmp/ran'
	assert_failure
	is_runc || assert_output --partial "no-such-sub"
	is_runc || assert_output --partial "does not exist"
	run hako exec --cgroup ../.. "$CID" sh -c 'touch /tmp/ran'
	assert_failure
	is_runc || assert_output --partial "not a sub cgroup path"
	# A plain PATH must be the only --cgroup; a controller only once.
	run hako exec --cgroup a --cgroup b "$CID" sh -c 'touch /tmp/ran'
	assert_failure
	assert_output --partial "missing <controller>: prefix"
	# (runc 1.1.5 lets the last one win; later runc refuses it, as hako does.)
	if ! is_runc; then
		run hako exec --cgroup memory:a --cgroup memory:b "$CID" sh -c 'touch /tmp/ran'
		assert_failure
		assert_output --partial "controller memory specified multiple times"
	fi
	# A sub-cgroup the kernel refuses (a v1 cpuset one without cpus) fails the
	# exec, which must not hang nor leave its helper behind.
	cpuset="$(cgroups_of "$CID" | grep /cpuset/ || true)"
	if [ -n "$cpuset" ]; then
		mkdir "$cpuset/empty"
		run hako exec --cgroup cpuset:empty "$CID" sh -c 'touch /tmp/ran'
		rmdir "$cpuset/empty"
		assert_failure
		is_runc || assert_output --partial "$cpuset/empty"
	fi
	# Nothing ran, nothing is left in the container.
	[ ! -e "$ROOTFS/tmp/ran" ]
	run pids_in_pidns "$INIT_PID"
	assert_output "$INIT_PID"
}

@test "exec: exit status of a process killed by a signal is 128+N" {
	start_sleeper
	run hako exec "$CID" sh -c 'kill -9 $$'
	assert_equal "$status" 137
	run hako exec "$CID" sh -c 'kill -TERM $$'
	assert_equal "$status" 143
	run hako exec "$CID" sh -c 'exit 255'
	assert_equal "$status" 255
}

@test "exec: --user UID alone keeps the config's gid" {
	requires_checker
	update_config '.process.user.gid = 77'
	start_sleeper
	run hako exec --user 1000 "$CID" checker ids
	assert_success
	assert_line "uid=1000"
	assert_line "gid=77"
	run hako exec -u 0:0 "$CID" checker ids
	assert_line "uid=0"
	assert_line "gid=0"
}

@test "exec: the config's seccomp filter applies to the exec'd process" {
	requires_checker
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_sleeper
	run hako exec "$CID" sh -c 'checker seccomp nnp; mkdir /tmp/x; echo "rc=$?"; [ -d /tmp/x ] || echo no-dir'
	assert_line "seccomp=2"
	assert_line "no_new_privs=1"
	assert_line "rc=1"
	assert_line no-dir
}

@test "exec: -t and a --process with terminal true use the console socket" {
	requires_checker
	start_sleeper
	sock="$BATS_TEST_TMPDIR/console.sock"
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty.out"
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
		{
		  "terminal": true,
		  "user": { "uid": 0, "gid": 0 },
		  "args": [ "sh", "-c", "checker tty; tty; while [ ! -e /tmp/tty-seen ]; do sleep 0.05; done" ],
		  "env": [ "PATH=/bin" ],
		  "cwd": "/"
		}
	JSON
	hako exec -d --console-socket "$sock" --process "$BATS_TEST_TMPDIR/process.json" "$CID" \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- || fail "exec -d --process: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	deadline=$((SECONDS + WAIT_TIMEOUT))
	until grep -q "^/dev/pts" "$BATS_TEST_TMPDIR/tty.out" 2>/dev/null; do
		[ "$SECONDS" -le "$deadline" ] || fail "no tty output: $(cat "$BATS_TEST_TMPDIR/tty.out")"
		sleep 0.05
	done
	touch "$ROOTFS/tmp/tty-seen"
	wait_recvtty
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line isatty.0=1
	assert_line isatty.1=1
	# Without a terminal, the caller's stdio (pipes) are the process's.
	run hako exec "$CID" sh -c 'readlink /proc/self/fd/1; [ -t 1 ] || echo not-a-tty'
	assert_line --regexp '^pipe:'
	assert_line not-a-tty
	# Detached, a terminal needs a console socket (in the foreground the caller's is used:
	# tty.bats), and a socket a terminal.
	run hako exec -t -d "$CID" true
	assert_failure
	is_runc || assert_output --partial "console-socket"
	run hako exec --console-socket "$sock" "$CID" true
	assert_failure
}

@test "exec: into a paused container fails unless --ignore-paused" {
	start_sleeper
	hako pause "$CID"
	assert_equal "$(container_status "$CID")" paused
	run hako exec "$CID" sh -c 'echo ran > /tmp/paused-ran'
	assert_failure
	assert_output --partial "paused"
	[ ! -e "$ROOTFS/tmp/paused-ran" ] || fail "the process ran in a paused container"
	# With --ignore-paused it is accepted; the process is frozen with the rest
	# of the container and runs once it is resumed.
	hako exec --ignore-paused "$CID" sh -c 'echo ran > /tmp/paused-ran; echo done' \
		>"$BATS_TEST_TMPDIR/ip.out" 2>&1 </dev/null 3>&- &
	ip=$!
	HELPER_PIDS+=("$ip")
	# (wait until the exec's process is in the frozen cgroup)
	deadline=$((SECONDS + WAIT_TIMEOUT))
	until [ "$(hako ps --format json "$CID" | jq length)" -ge 2 ]; do
		[ "$SECONDS" -le "$deadline" ] || fail "exec --ignore-paused never joined: $(cat "$BATS_TEST_TMPDIR/ip.out")"
		pid_alive "$ip" || fail "exec --ignore-paused exited: $(cat "$BATS_TEST_TMPDIR/ip.out")"
		sleep 0.05
	done
	[ ! -e "$ROOTFS/tmp/paused-ran" ] || fail "ran while paused"
	hako resume "$CID"
	wait "$ip" || fail "exec --ignore-paused failed: $(cat "$BATS_TEST_TMPDIR/ip.out")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/ip.out")" done
	assert_equal "$(cat "$ROOTFS/tmp/paused-ran")" ran
}

@test "exec: a process inside cannot ptrace or read mem/environ/fd of a joining exec" {
	requires_hako "hako's process name"
	requires_checker
	start_sleeper
	mkdir "$ROOTFS/snoop"
	# The spy: root in the container with the config's capabilities (no
	# CAP_SYS_PTRACE), the same uid as the joining process.
	hako exec -d "$CID" checker snoop /snoop </dev/null >"$BATS_TEST_TMPDIR/snoop.out" 2>&1 3>&- ||
		fail "start the spy: $(cat "$BATS_TEST_TMPDIR/snoop.out")"
	# A long PATH keeps each exec a while between joining and execve (the
	# executable lookup), which gives the spy its chance.
	path="$(seq -f '/no/such/dir/%g' 1 3000 | paste -sd:):/bin"
	jq -n --arg path "PATH=$path" '{terminal: false, user: {uid: 0, gid: 0}, cwd: "/",
		args: ["true"], env: [$path],
		capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}}' \
		>"$BATS_TEST_TMPDIR/process.json"
	seen() { grep -c '^seen ' "$ROOTFS/snoop/log" 2>/dev/null || true; }
	tries=0
	while [ "$(seen)" -lt 40 ]; do
		[ "$tries" -lt 1000 ] || fail "the spy saw only $(seen) joining processes in $tries execs"
		HAKO_SNOOP_SECRET=runtime-env hako exec --process "$BATS_TEST_TMPDIR/process.json" "$CID" ||
			fail "exec $tries failed"
		tries=$((tries + 1))
	done
	# The control: a dumpable process of the same uid, which the spy can reach.
	hako exec -d "$CID" sleep 100006 </dev/null >"$BATS_TEST_TMPDIR/sleep.out" 2>&1 3>&- ||
		fail "exec sleep: $(cat "$BATS_TEST_TMPDIR/sleep.out")"
	deadline=$((SECONDS + WAIT_TIMEOUT))
	until [ "$(grep -c '^control ' "$ROOTFS/snoop/log")" -ge 4 ]; do
		[ "$SECONDS" -le "$deadline" ] || fail "the spy never tried the control: $(cat "$ROOTFS/snoop/log")"
		sleep 0.05
	done
	touch "$ROOTFS/snoop/stop"
	echo "# $(seen) joining processes seen in $tries execs" >&3
	run cat "$ROOTFS/snoop/log"
	refute_line --partial leak
	assert_line "control environ ok"
	assert_line "control mem ok"
	assert_line "control fd ok"
	assert_line "control ptrace ok"
}
