#!/usr/bin/env bats
# podman smoke tests: podman (with conmon) drives hako as its OCI runtime.
# HAKO=/usr/sbin/runc bats tests/integration/podman.bats checks the tests themselves.

bats_require_minimum_version 1.5.0
load podman-helpers

setup_file() {
	command -v podman >/dev/null || skip "podman is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	podman_setup_sandbox
}

teardown_file() {
	podman_teardown_sandbox
}

setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

@test "podman run --rm busybox echo hello" {
	run hpodman_run "$PODMAN_IMAGE" echo hello
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "podman run: the container's exit code is podman's" {
	run -3 hpodman_run "$PODMAN_IMAGE" sh -c 'exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "podman run: a missing command exits 127" {
	run -127 hpodman_run "$PODMAN_IMAGE" /no/such/command
	echo "$output"
	[ "$status" -eq 127 ]
}

@test "podman run: the container has its own hostname, pid 1 and uid 0" {
	run hpodman_run --hostname hako-pod "$PODMAN_IMAGE" sh -c 'hostname; echo $$; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hako-pod ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = 0 ]
}

@test "podman: no container is left behind" {
	run hpodman ps -aq
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
