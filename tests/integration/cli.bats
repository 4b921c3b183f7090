#!/usr/bin/env bats
# Command line: version, help, usage errors, global options.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "--version and -v print the version" {
	run "$HAKO" --version
	assert_success
	assert_line --regexp '^[a-z]+ version [0-9]+\.[0-9]+\.[0-9]+'
	assert_line --regexp '^spec: 1\.[0-9]+\.[0-9]+'
	run "$HAKO" -v
	assert_success
	assert_line --regexp ' version [0-9]'
}

@test "--help, -h and help list the commands" {
	for h in --help -h help; do
		run "$HAKO" "$h"
		assert_success
		for cmd in create start run state kill delete list spec; do
			assert_output --regexp "(^|[[:space:]])$cmd[[:space:]]"
		done
	done
}

@test "<command> --help exits 0 and shows the command's usage" {
	for cmd in create start run state kill delete list spec; do
		run "$HAKO" "$cmd" --help
		assert_success
		assert_output --partial "$cmd"
		grep -qi usage <<<"$output" || fail "no usage text: $output"
	done
	run "$HAKO" create --help
	for opt in --bundle --console-socket --pid-file --no-pivot; do
		assert_output --partial -- "$opt"
	done
}

@test "unknown command fails with a message" {
	run hako no-such-command
	assert_failure
	assert_output --partial "no-such-command"
}

@test "unknown global flag fails with a message" {
	run "$HAKO" --no-such-flag list
	assert_failure
	# runc: flag provided but not defined: -no-such-flag
	assert_output --partial "no-such-flag"
}

@test "unknown command flag fails with a message" {
	run hako list --no-such-flag
	assert_failure
	assert_output --partial "no-such-flag"
	run hako create --bogus "$CID"
	assert_failure
	assert_output --partial "bogus"
	# Nothing was created.
	run hako state "$CID"
	assert_failure
}

@test "--root selects the state directory" {
	set_cmd sleep 1000
	other="$BATS_TEST_TMPDIR/other-root"
	"$HAKO" --root "$other" create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
	# Seen under that root only.
	run "$HAKO" --root "$other" state "$CID"
	assert_success
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	[ -d "$other/$CID" ]
	run hako state "$CID"
	assert_failure
	run "$HAKO" --root "$other" list -q
	assert_output "$CID"
	run "$HAKO" --root "$other" delete --force "$CID"
	assert_success
	[ ! -e "$other/$CID" ]
}

@test "--log FILE receives the error of a failing command" {
	log="$BATS_TEST_TMPDIR/hako.log"
	run hako --log "$log" state nosuchcontainer
	assert_equal "$status" 1
	run cat "$log"
	assert_output --partial "container does not exist"
}

@test "--log-format json writes JSON lines with level, msg and time" {
	log="$BATS_TEST_TMPDIR/hako.json"
	run hako --log "$log" --log-format json state nosuchcontainer
	assert_equal "$status" 1
	[ -s "$log" ]
	# Every line is a JSON object with string level/msg/time.
	while IFS= read -r line; do
		jq -e 'type == "object" and (.level | type) == "string" and
			(.msg | type) == "string" and (.time | type) == "string"' <<<"$line" >/dev/null ||
			fail "not a JSON log line: $line"
	done <"$log"
	run jq -r 'select(.level == "error") | .msg' "$log"
	assert_output --partial "container does not exist"
	# time is RFC 3339.
	run jq -r '.time' "$log"
	assert_line --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
}

@test "--log-format with an unknown format fails" {
	run hako --log-format xml list
	assert_failure
	# runc: invalid log-format: xml
	assert_output --partial "xml"
}

@test "--debug logs debug messages and still works" {
	set_sh 'echo debug-run-output'
	log="$BATS_TEST_TMPDIR/debug.json"
	run hako --debug --log "$log" --log-format json run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_output --partial "debug-run-output"
	run jq -r 'select(.level == "debug") | .msg' "$log"
	assert_success
	[ -n "$output" ] || fail "no debug line in $(cat "$log")"
	assert_no_leaks
}

@test "spec writes a valid default config.json" {
	dir="$BATS_TEST_TMPDIR/spec"
	mkdir -p "$dir"
	run hako spec --bundle "$dir"
	assert_success
	jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length) > 0' \
		"$dir/config.json" >/dev/null
	# It refuses to overwrite an existing one.
	run hako spec --bundle "$dir"
	assert_failure
	# runc: File config.json exists. Remove it first
	assert_output --partial "exists"
}
