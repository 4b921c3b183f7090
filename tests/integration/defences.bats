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
