#!/usr/bin/env bats
# create failures: a non-zero exit, one error line, and nothing left behind
# (no state dir, no mount, no process, no cgroup).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	set_cmd true
	# (mounts of this test only: other tests on the host mount and unmount too)
	MOUNTS_BEFORE="$(grep -cF -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true)"
}

teardown() {
	teardown_common
}

# create_fails: `hako create` from inside the bundle (so that a leftover
# runtime process would have it as its cwd and be found), expecting failure;
# $output is then the runtime's stderr.
create_fails() {
	local rc=0
	(cd "$BUNDLE" && create_container "$CID" "$@") || rc=$?
	[ "$rc" -ne 0 ] || fail "create succeeded; expected a failure"
	output="$(stderr_of)"
	status="$rc"
	mapfile -t lines <<<"$output"
}

# The failure was reported as one error line.  runc prints extra lines (its
# nsexec stage logs, cgroup removal retries) for failures inside the
# container's setup, so only hako is held to exactly one.
assert_one_error_line() {
	local n
	n="$(count_lines "$output")"
	[ "$n" -ge 1 ] || fail "no error message"
	if ! is_runc; then
		[ "$n" -eq 1 ] || fail "expected one error line, got $n: $output"
	fi
}

# Nothing of the failed container is left.
assert_nothing_left() {
	assert_equal "$(grep -cF -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true)" "$MOUNTS_BEFORE"
	assert_no_leaks "$CID"
	run hako state "$CID"
	assert_failure
	assert_equal "$(ls -A "$STATE_ROOT" 2>/dev/null)" ""
}

@test "missing rootfs" {
	update_config '.root.path = "no-such-rootfs"'
	create_fails
	assert_one_error_line
	assert_output --partial "no-such-rootfs"
	assert_nothing_left
}

@test "missing bind mount source" {
	update_config '.mounts += [{"destination": "/x", "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/no-such-source"
	create_fails
	assert_one_error_line
	assert_output --partial "no-such-source"
	assert_output --regexp '[Nn]o such file or directory'
	assert_nothing_left
}

@test "bad mount type" {
	update_config '.mounts += [{"destination": "/x", "type": "nosuchfs", "source": "none"}]'
	create_fails
	assert_one_error_line
	assert_output --partial "/x"
	assert_nothing_left
}

@test "namespace path that does not exist" {
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": $p}' \
		--arg p "$BATS_TEST_TMPDIR/no-such-netns"
	create_fails
	assert_one_error_line
	assert_nothing_left
}

@test "namespace path of the wrong type" {
	update_config '(.linux.namespaces[] | select(.type == "network")) |= {"type": "network", "path": "/proc/self/ns/uts"}'
	create_fails
	assert_one_error_line
	assert_nothing_left
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	create_fails
	assert_one_error_line
	assert_output --partial "bogus"
	assert_nothing_left
}

@test "overlapping uid mappings" {
	requires_ns user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 100},
		                        {"containerID": 50, "hostID": 300000, "size": 100}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 100}]'
	create_fails
	assert_one_error_line
	assert_nothing_left
}

@test "relative cwd" {
	update_config '.process.cwd = "relative/dir"'
	create_fails
	assert_one_error_line
	# runc: Cwd must be an absolute path
	assert_output --regexp '[Aa]bsolute path'
	assert_nothing_left
}

@test "empty args" {
	update_config '.process.args = []'
	create_fails
	assert_one_error_line
	# runc: args must not be empty
	assert_output --regexp 'args.*must not be empty'
	assert_nothing_left
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails
	assert_one_error_line
	assert_output --partial "config.json"
	assert_nothing_left
}

@test "config.json that is not JSON" {
	echo '{"ociVersion": "1.0.2", bad' >"$BUNDLE/config.json"
	create_fails
	assert_one_error_line
	# runc: invalid character 'b' looking for beginning of object key string
	assert_output --regexp 'invalid (character|JSON)'
	assert_nothing_left
}

@test "config.json with a wrong type names the JSON path" {
	update_config '.process.user.uid = "root"'
	create_fails
	assert_one_error_line
	# runc: json: cannot unmarshal string into Go struct field User.process.user.uid of type uint32
	assert_output --partial "process.user.uid"
	assert_nothing_left
}

@test "config.json errors name the file (hako)" {
	requires_hako "file name in config errors"
	update_config '.process.user.uid = "root"'
	create_fails
	assert_one_error_line
	assert_output --partial "config.json"
	assert_output --partial "process.user.uid"
	assert_nothing_left
}

@test "missing executable leaves nothing" {
	set_cmd no-such-program
	create_fails
	assert_one_error_line
	assert_output --partial "executable file not found in \$PATH"
	assert_nothing_left
}

@test "bundle that does not exist" {
	run hako create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" "$CID" </dev/null
	assert_failure
	assert_equal "$(count_lines "$output")" 1
	assert_output --partial "no-such-bundle"
	assert_nothing_left
}

@test "a failed create does not disturb a running container" {
	set_cmd sleep 1000
	create_container "$CID-ok"
	pid="$(container_pid "$CID-ok")"
	update_config '.root.path = "no-such-rootfs"'
	create_fails
	# (the other container's process lives in the same bundle)
	[ ! -e "$STATE_ROOT/$CID" ]
	assert_equal "$(cgroups_of "$CID")" ""
	run hako state "$CID"
	assert_failure
	run hako list -q
	assert_output "$CID-ok"
	assert_equal "$(container_status "$CID-ok")" created
	pid_alive "$pid"
}
