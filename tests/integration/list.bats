#!/usr/bin/env bats
# list: table, JSON and quiet output.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "list of an empty root prints only the header" {
	run hako list
	assert_success
	assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	run hako list -q
	assert_success
	assert_output ""
	run hako list --format json
	assert_success
	# runc prints null for no containers; [] is also accepted.
	[[ "$output" == null || "$output" == "[]" ]]
}

@test "list of a root that does not exist yet" {
	run "$HAKO" --root "$BATS_TEST_TMPDIR/not-yet" list
	assert_success
	assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
}

@test "list shows created, running and stopped containers" {
	set_cmd sleep 1000
	create_container "$CID-a"
	create_container "$CID-b"
	hako start "$CID-b"
	set_cmd true
	create_container "$CID-c"
	hako start "$CID-c"
	wait_for_status "$CID-c" stopped
	pid_a="$(container_pid "$CID-a")"
	pid_b="$(container_pid "$CID-b")"

	run hako list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --regexp "^$CID-a +$pid_a +created +$BUNDLE +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root$"
	assert_line --regexp "^$CID-b +$pid_b +running +$BUNDLE +"
	assert_line --regexp "^$CID-c +0 +stopped +$BUNDLE +"
	assert_equal "${#lines[@]}" 4

	run hako list -q
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$CID-a" "$CID-b" "$CID-c")"

	run hako list --format json
	assert_success
	assert_equal "$(jq -r 'type' <<<"$output")" array
	assert_equal "$(jq -r 'length' <<<"$output")" 3
	json="$output"
	run jq -r --arg id "$CID-a" '.[] | select(.id == $id) | [.pid, .status, .bundle, .owner] | @tsv' <<<"$json"
	assert_output "$(printf '%s\t%s\t%s\t%s' "$pid_a" created "$BUNDLE" root)"
	run jq -r --arg id "$CID-b" '.[] | select(.id == $id) | .status' <<<"$json"
	assert_output running
	run jq -r --arg id "$CID-c" '.[] | select(.id == $id) | "\(.status) \(.pid)"' <<<"$json"
	assert_output "stopped 0"
	# Every entry has the same fields.
	run jq -e 'all(.[]; has("ociVersion") and has("id") and has("pid") and has("status") and
		has("bundle") and has("rootfs") and has("created") and has("owner"))' <<<"$json"
	assert_success
	run jq -r '.[0].created' <<<"$json"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'

	# -f is --format.
	run hako list -f json
	assert_success
	assert_equal "$(jq -r length <<<"$output")" 3
}

@test "list --format with an unknown format fails" {
	run hako list --format yaml
	assert_failure
	# runc: invalid format option
	assert_output --regexp "format"
}

@test "list shows annotations in JSON" {
	set_cmd sleep 1000
	update_config '.annotations = {"a.b": "c"}'
	create_container
	run hako list --format json
	assert_success
	assert_equal "$(jq -r '.[0].annotations["a.b"]' <<<"$output")" c
}

# hako's own state layout: list and state read state.json without the lock,
# and must skip what they cannot read (a create that has not written it yet,
# a corrupt file) and not follow a link in the state root.
@test "list skips unreadable state dirs and links; state reports them" {
	set_cmd sleep 1000
	create_container
	hako start "$CID"
	mkdir "$STATE_ROOT/$CID-ghost"
	mkdir "$STATE_ROOT/$CID-bad"
	printf '{"id":"%s",' "$CID-bad" >"$STATE_ROOT/$CID-bad/state.json"
	ln -s "$CID" "$STATE_ROOT/$CID-alias"

	run hako list -q
	assert_success
	assert_output "$CID"
	run hako list
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^$CID +$(container_pid "$CID") +running +$BUNDLE +"

	run hako state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	run hako state "$CID-ghost"
	assert_failure
	assert_output --partial "state.json"
	run hako state "$CID-bad"
	assert_failure
	assert_output --partial "state.json is corrupt"
	run hako state "$CID-alias"
	assert_failure
	rm "$STATE_ROOT/$CID-alias"
	rm -r "$STATE_ROOT/$CID-ghost" "$STATE_ROOT/$CID-bad"
}
