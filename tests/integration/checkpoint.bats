#!/usr/bin/env bats
# checkpoint and restore on this host: the command line, and the failure path.
# criu cannot work on this host's kernel (`criu check` fails), so checkpoint and
# restore must fail clearly, naming criu and what it said, and leave everything
# as it was.  The working path is tested in the VM: tests/integration/vm/criu.sh.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	IMG="$BATS_TEST_TMPDIR/img"
}

teardown() {
	teardown_common
}

criu_works() {
	command -v criu >/dev/null 2>&1 || [ -x /usr/sbin/criu ] || return 1
	PATH="$PATH:/usr/sbin:/sbin" criu check >/dev/null 2>&1
}

requires_broken_criu() {
	if criu_works; then
		skip "criu works on this kernel: the VM suite covers checkpoint and restore"
	fi
}

# The container is running, with the same init, not frozen.
assert_untouched() {
	[ "$(container_status "$CID")" = running ] || fail "status is now $(container_status "$CID")"
	[ "$(container_pid "$CID")" = "$INIT_PID" ] || fail "init changed: $(container_pid "$CID") (was $INIT_PID)"
	pid_alive "$INIT_PID" || fail "init $INIT_PID is gone"
	local st
	st="$(awk '/^State:/ {print $2}' "/proc/$INIT_PID/status")"
	[ "$st" = S ] || [ "$st" = R ] || fail "init is in state $st"
}

@test "checkpoint: where criu check fails, a clear error and the container untouched" {
	requires_broken_criu
	start_sleeper
	run -1 hako checkpoint --image-path "$IMG" "$CID"
	[[ "${output,,}" == *criu* ]] || fail "no mention of criu: $output"
	if ! is_runc; then
		[[ "$output" == *"criu check"* ]] || fail "criu check's failure not named: $output"
		# criu's own words are quoted
		[[ "$output" == *"Error ("* ]] || fail "criu's error not quoted: $output"
		[ "$(count_lines "$output")" -eq 1 ] || fail "more than one line: $output"
	fi
	assert_untouched
	# still usable
	run -0 hako exec "$CID" true
}

@test "checkpoint --leave-running / --pre-dump: same failure, container untouched" {
	requires_broken_criu
	start_sleeper
	run -1 hako checkpoint --leave-running --image-path "$IMG" "$CID"
	[[ "${output,,}" == *criu* ]] || fail "no mention of criu: $output"
	run -1 hako checkpoint --pre-dump --image-path "$IMG/pre" "$CID"
	[[ "${output,,}" == *criu* ]] || fail "no mention of criu: $output"
	assert_untouched
}

@test "restore: where criu check fails, nothing is left behind" {
	requires_broken_criu
	mkdir -p "$IMG"
	echo '["/dev/null","/dev/null","/dev/null"]' >"$IMG/descriptors.json"
	run -1 hako restore --detach --image-path "$IMG" --bundle "$BUNDLE" "$CID"
	[[ "${output,,}" == *criu* ]] || fail "no mention of criu: $output"
	assert_no_leaks "$CID"
	[ -z "$(list_ids)" ] || fail "containers left: $(list_ids)"
}

@test "checkpoint --help exits 0 only when criu works (podman's probe)" {
	requires_hako "runc's --help exits 0 whatever criu says"
	run hako checkpoint --help
	[[ "$output" == *"--image-path"* ]] || fail "no help text: $output"
	[[ "$output" == *"--pre-dump"* ]] || fail "no --pre-dump in the help: $output"
	if criu_works; then
		[ "$status" -eq 0 ] || fail "criu works but --help exits $status"
	else
		[ "$status" -eq 1 ] || fail "criu is broken but --help exits $status"
		[[ "$output" == *"criu check"* ]] || fail "why not is not said: $output"
	fi
	run -1 hako --criu /nonexistent/criu checkpoint --help
	[[ "$output" == *"/nonexistent/criu"* ]] || fail "missing criu not named: $output"
	run hako restore --help
	[[ "$output" == *"--console-socket"* ]] || fail "no restore help: $output"
	[[ "$output" == *"--lsm-mount-context"* ]] || fail "no --lsm-mount-context in the help: $output"
}

@test "features: checkpoint.enabled says whether criu works" {
	run -0 hako features
	local want=false
	criu_works && want=true
	[ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = "$want" ] ||
		{ is_runc || fail "checkpoint.enabled is not $want: $(jq .annotations <<<"$output")"; }
}

@test "checkpoint with a missing criu binary names it; the container is untouched" {
	start_sleeper
	run -1 hako --criu "$BATS_TEST_TMPDIR/no-criu" checkpoint --image-path "$IMG" "$CID"
	[[ "$output" == *"no-criu"* ]] || fail "missing criu not named: $output"
	assert_untouched
}

@test "checkpoint of a container that is not running is refused; it stays created" {
	set_cmd sleep 100000
	create_container || fail "create failed: $(stderr_of)"
	run -1 hako checkpoint --image-path "$IMG" "$CID"
	is_runc || [[ "$output" == *"not running"* ]] || fail "unexpected error: $output"
	[ "$(container_status "$CID")" = created ] || fail "status is now $(container_status "$CID")"
}

@test "checkpoint of a container that does not exist" {
	run -1 hako checkpoint --image-path "$IMG" "$CID"
	[[ "$output" == *"does not exist"* ]] || fail "unexpected error: $output"
	[ ! -e "$IMG" ] || is_runc || fail "image dir created for nothing"
}

@test "checkpoint/restore flags: bad values are usage errors that name them" {
	requires_hako "runc's wording differs"
	run -1 hako checkpoint --manage-cgroups-mode bogus "$CID"
	[[ "$output" == *"--manage-cgroups-mode"*bogus* ]] || fail "$output"
	run -1 hako restore --manage-cgroups-mode bogus "$CID"
	[[ "$output" == *"--manage-cgroups-mode"*bogus* ]] || fail "$output"
	run -1 hako checkpoint --empty-ns pid "$CID"
	[[ "$output" == *"--empty-ns"*pid* ]] || fail "$output"
	run -1 hako checkpoint --status-fd x "$CID"
	[[ "$output" == *"--status-fd"* ]] || fail "$output"
	run -1 hako checkpoint --no-such-flag "$CID"
	[[ "$output" == *"--no-such-flag"* ]] || fail "$output"
	run -1 hako restore --parent-path x "$CID"
	[[ "$output" == *"--parent-path"* ]] || fail "restore took checkpoint's --parent-path: $output"
	run -1 hako checkpoint
	[[ "$output" == *"requires exactly 1 argument"* ]] || fail "$output"
	run -1 hako restore a b
	[[ "$output" == *"requires exactly 1 argument"* ]] || fail "$output"
}

@test "checkpoint/restore accept every runc flag" {
	requires_broken_criu
	start_sleeper
	# parsed, then refused by criu check: the error is criu's, not a usage error
	mkdir -p "$BATS_TEST_TMPDIR/p"
	run -1 hako checkpoint --image-path "$IMG" --work-path "$IMG/w" --parent-path ../p \
		--leave-running --tcp-established --ext-unix-sk --shell-job --file-locks --pre-dump \
		--manage-cgroups-mode soft --empty-ns network --auto-dedup --lazy-pages \
		--page-server 127.0.0.1:1 --status-fd 2 "$CID"
	[[ "${output,,}" == *criu* ]] || fail "$output"
	[[ "$output" != *"see hako checkpoint --help"* ]] || fail "a flag was refused: $output"
	run -1 hako restore --image-path "$IMG" --work-path "$IMG/w" --bundle "$BUNDLE" \
		--console-socket "$BATS_TEST_TMPDIR/none.sock" --detach --pid-file "$BATS_TEST_TMPDIR/pid" \
		--no-subreaper --no-pivot --tcp-established --ext-unix-sk --shell-job --file-locks \
		--manage-cgroups-mode full --empty-ns network --auto-dedup --lazy-pages \
		--lsm-profile apparmor:x --lsm-mount-context ctx -b "$BUNDLE" -d "$CID-r"
	[[ "${output,,}" == *criu* ]] || fail "$output"
	[[ "$output" != *"see hako restore --help"* ]] || fail "a flag was refused: $output"
	[ ! -e "$BATS_TEST_TMPDIR/pid" ] || fail "pid file written by a failed restore"
	[ ! -e "$STATE_ROOT/$CID-r" ] || fail "state dir left by the failed restore"
	[ -z "$(cgroups_of "$CID-r")" ] || fail "cgroups left: $(cgroups_of "$CID-r")"
	assert_untouched
}
