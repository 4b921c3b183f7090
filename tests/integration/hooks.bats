#!/usr/bin/env bats
# OCI hooks: the six kinds, their order, the state on stdin, args, env,
# timeout, and what a failing hook does.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	HOOKDIR="$BATS_TEST_TMPDIR/hooks"
	HOOKLOG="$HOOKDIR/log"
	mkdir -p "$HOOKDIR"
	: >"$HOOKLOG"
	# The runtime-namespace hook: lives outside the rootfs, appends
	# "kind status pid id" (from the state on stdin) and $HOOK_VAR to the log.
	HOOK="$BATS_TEST_TMPDIR/hook.sh"
	cat >"$HOOK" <<-EOF
		#!/bin/bash
		state="\$(cat)"
		printf '%s %s %s %s %s\n' "\$1" \\
			"\$(/usr/bin/jq -r .status <<<"\$state")" \\
			"\$(/usr/bin/jq -r .pid <<<"\$state")" \\
			"\$(/usr/bin/jq -r .id <<<"\$state")" \\
			"\${HOOK_VAR:-unset}" >>"$HOOKLOG"
	EOF
	chmod 0755 "$HOOK"
	# The startContainer hook resolves in the container: a busybox sh
	# script in the rootfs, writing to the same log (bind-mounted at
	# /hooklog in the container).
	cat >"$ROOTFS/bin/start-hook" <<-'EOF'
		#!/bin/sh
		state="$(cat)"
		status="$(echo "$state" | sed -n 's/.*"status" *: *"\([^"]*\)".*/\1/p')"
		pid="$(echo "$state" | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p')"
		id="$(echo "$state" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')"
		echo "$1 $status $pid $id ${HOOK_VAR:-unset}" >>/hooklog/log
	EOF
	chmod 0755 "$ROOTFS/bin/start-hook"
	update_config '.mounts += [{"destination": "/hooklog", "type": "bind", "source": $d, "options": ["rbind", "rw"]}]' \
		--arg d "$HOOKDIR"
}

teardown() {
	teardown_common
}

# hook_json KIND [EXTRA_ENV]: a hook entry running $HOOK with KIND as $1.
hook_json() {
	jq -cn --arg p "$HOOK" --arg k "$1" --arg v "${2:-$1-env}" \
		'{path: $p, args: ["hook.sh", $k], env: ["PATH=/usr/bin:/bin", ("HOOK_VAR=" + $v)]}'
}

# set_all_hooks: one hook of every kind.
set_all_hooks() {
	local k
	for k in prestart createRuntime createContainer poststart poststop; do
		update_config ".hooks.$k = [\$h]" --argjson h "$(hook_json "$k")"
	done
	update_config '.hooks.startContainer = [{"path": "/bin/start-hook",
		"args": ["start-hook", "startContainer"], "env": ["PATH=/bin", "HOOK_VAR=startContainer-env"]}]'
}

# A container that runs until $ROOTFS/tmp/go exists.
wait_go_script='echo ready > /tmp/ready; while [ ! -e /tmp/go ]; do sleep 0.05; done'

# log_line KIND: the log line of KIND ("kind status pid id var"), one expected.
log_line() {
	grep "^$1 " "$HOOKLOG"
}

@test "hooks: the create-phase hooks run in order with the state on stdin" {
	set_all_hooks
	set_sh "$wait_go_script"
	create_container || fail "create failed: $(stderr_of)"
	pid="$(container_pid "$CID")"
	# prestart, createRuntime, createContainer, in that order, all before
	# the container's process ran.
	run grep -oE '^(prestart|createRuntime|createContainer|startContainer|poststop)' "$HOOKLOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer)"
	[ ! -e "$ROOTFS/tmp/ready" ]
	assert_equal "$(log_line prestart)" "prestart creating $pid $CID prestart-env"
	assert_equal "$(log_line createRuntime)" "createRuntime creating $pid $CID createRuntime-env"
	# createContainer runs in the container's namespaces: runc 1.1 gives
	# the pid as seen there (1), hako the host's.
	run log_line createContainer
	assert_output --regexp "^createContainer creating ($pid|1) $CID createContainer-env\$"

	run hako start "$CID"
	assert_success
	wait_for_file "$ROOTFS/tmp/ready"
	run grep -oE '^(prestart|createRuntime|createContainer|startContainer|poststop)' "$HOOKLOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer startContainer)"
	run log_line startContainer
	assert_output --regexp "^startContainer created ($pid|1) $CID startContainer-env\$"
	# poststart ran once, before start returned.
	run grep -c '^poststart ' "$HOOKLOG"
	assert_output 1

	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	! grep -q '^poststop ' "$HOOKLOG" || fail "poststop ran before delete"
	run hako delete "$CID"
	assert_success
	# poststop last, with the stopped state (no live pid).
	run tail -n1 "$HOOKLOG"
	assert_output --regexp "^poststop stopped (null|0) $CID poststop-env\$"
	assert_no_leaks "$CID" "$pid"
}

@test "hooks: poststart runs after the process started, with status running" {
	# runc 1.1 runs poststart hooks at create (status "created", before
	# startContainer), a known runc bug fixed in runc 1.2; the spec says
	# after the user process is executed, before start returns.
	requires_hako "poststart at start"
	set_all_hooks
	set_sh "$wait_go_script"
	create_container || fail "create failed: $(stderr_of)"
	pid="$(container_pid "$CID")"
	! grep -q '^poststart ' "$HOOKLOG" || fail "poststart ran at create"
	run hako start "$CID"
	assert_success
	run grep -oE '^[a-zA-Z]+' "$HOOKLOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart)"
	assert_equal "$(log_line poststart)" "poststart running $pid $CID poststart-env"
}

@test "hooks: args and env are passed, and only the hook's env" {
	cat >"$BATS_TEST_TMPDIR/args-hook.sh" <<-EOF
		#!/bin/sh
		cat >/dev/null
		for a in "\$0" "\$@"; do echo "arg=[\$a]"; done >"$HOOKDIR/args"
		env >"$HOOKDIR/env"
	EOF
	chmod 0755 "$BATS_TEST_TMPDIR/args-hook.sh"
	update_config '.hooks.createRuntime = [{"path": $p, "args": ["my-argv0", "one", "two words", ""],
		"env": ["HOOK_A=1", "HOOK_B=x y"]}]' --arg p "$BATS_TEST_TMPDIR/args-hook.sh"
	set_sh 'exit 0'
	export HAKO_HOOK_LEAK=leak
	run run_container
	assert_success
	run cat "$HOOKDIR/args"
	# (argv[0] of a /bin/sh script is the script's path.)
	assert_output "$(printf '%s\n' "arg=[$BATS_TEST_TMPDIR/args-hook.sh]" 'arg=[one]' 'arg=[two words]' 'arg=[]')"
	run cat "$HOOKDIR/env"
	assert_line HOOK_A=1
	assert_line "HOOK_B=x y"
	refute_output --partial HAKO_HOOK_LEAK
}

@test "hooks: a hook past its timeout is killed and create fails, leaving nothing" {
	cat >"$BATS_TEST_TMPDIR/slow-hook.sh" <<-EOF
		#!/bin/sh
		echo \$\$ >"$HOOKDIR/slow.pid"
		exec sleep 100000
	EOF
	chmod 0755 "$BATS_TEST_TMPDIR/slow-hook.sh"
	update_config '.hooks.createRuntime = [{"path": $p, "timeout": 1}]' --arg p "$BATS_TEST_TMPDIR/slow-hook.sh"
	set_sh 'echo ran > /tmp/ran'
	run create_container
	assert_failure
	run stderr_of
	# runc: "error running hook #0: ... timeout"; the hook is named.
	assert_output --regexp 'hook'
	assert_output --regexp 'time'
	[ ! -e "$ROOTFS/tmp/ran" ]
	slow="$(cat "$HOOKDIR/slow.pid")"
	wait_pid_gone "$slow" || fail "the timed-out hook $slow is still alive"
	assert_no_leaks "$CID"
}

@test "hooks: a failing createRuntime hook fails create and leaves nothing" {
	cat >"$BATS_TEST_TMPDIR/fail-hook.sh" <<-'EOF'
		#!/bin/sh
		echo hook-says-no >&2
		exit 3
	EOF
	chmod 0755 "$BATS_TEST_TMPDIR/fail-hook.sh"
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$BATS_TEST_TMPDIR/fail-hook.sh"
	update_config '.hooks.poststart = [$h]' --argjson h "$(hook_json poststart)"
	set_sh 'echo ran > /tmp/ran'
	run create_container
	assert_failure
	run stderr_of
	assert_output --partial 'hook'
	[ ! -e "$ROOTFS/tmp/ran" ]
	! grep -q '^poststart ' "$HOOKLOG" || fail "poststart ran after a failed createRuntime"
	assert_no_leaks "$CID"
}

@test "hooks: a create killed before it recorded init is 'creating' and delete removes it all" {
	requires_hako "state of a create that died"
	# the hook kills the launcher (its parent) while it holds the container half made:
	# state dir, config, cgroup, no state.json yet
	cat >"$BATS_TEST_TMPDIR/kill-hook.sh" <<-'EOF'
		#!/bin/sh
		kill -9 "$PPID"
		sleep 5
	EOF
	chmod 0755 "$BATS_TEST_TMPDIR/kill-hook.sh"
	update_config '.hooks.createRuntime = [{"path": $p}]' --arg p "$BATS_TEST_TMPDIR/kill-hook.sh"
	run create_container
	assert_failure
	[ -e "$STATE_ROOT/$CID/config.json" ] || fail "no half-made container: $(ls -A "$STATE_ROOT/$CID" 2>&1)"
	[ ! -e "$STATE_ROOT/$CID/state.json" ] || fail "state.json written before init was recorded"
	[ -n "$(cgroups_of "$CID")" ] || fail "the half-made container has no cgroup to clean up"
	run hako state "$CID"
	assert_success
	[ "$(jq -r .status <<<"$output")" = creating ] || fail "state: $output"
	run hako list -q
	assert_output --partial "$CID"
	run hako delete "$CID"
	assert_success
	assert_no_leaks "$CID"
}

@test "hooks: a failing poststart hook" {
	cat >"$BATS_TEST_TMPDIR/fail-hook.sh" <<-'EOF'
		#!/bin/sh
		exit 4
	EOF
	chmod 0755 "$BATS_TEST_TMPDIR/fail-hook.sh"
	update_config '.hooks.poststart = [{"path": $p}]' --arg p "$BATS_TEST_TMPDIR/fail-hook.sh"
	update_config '.hooks.poststop = [$h]' --argjson h "$(hook_json poststop)"
	set_sh "$wait_go_script"
	# runc 1.1 runs poststart at create, then kills the container and
	# create fails.  At start (hako, runc 1.2) the same holds: start fails
	# and the container's process is killed.  Either way the command
	# that ran the hook fails and no process of the container is left.
	if create_container; then
		pid="$(container_pid "$CID")"
		run hako start "$CID"
		assert_failure
		assert_output --partial hook
		wait_pid_gone "$pid" || fail "init $pid still alive after a failed poststart"
	else
		run stderr_of
		assert_output --partial hook
	fi
	hako delete --force "$CID" >/dev/null 2>&1 || true
	assert_no_leaks "$CID"
}

@test "hooks: poststop runs at delete, and at the end of run" {
	update_config '.hooks.poststop = [$h]' --argjson h "$(hook_json poststop)"
	set_sh "$wait_go_script"
	run_detached || fail "run failed: $(stderr_of)"
	wait_for_file "$ROOTFS/tmp/ready"
	[ ! -s "$HOOKLOG" ] || fail "poststop ran early: $(cat "$HOOKLOG")"
	run hako delete --force "$CID"
	assert_success
	run cat "$HOOKLOG"
	assert_output --regexp "^poststop stopped (null|0) $CID poststop-env\$"
	assert_no_leaks "$CID"

	: >"$HOOKLOG"
	set_sh 'exit 0'
	run run_container
	assert_success
	run cat "$HOOKLOG"
	assert_output --regexp "^poststop stopped (null|0) $CID poststop-env\$"
}
