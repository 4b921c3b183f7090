#!/usr/bin/env bats
# linux.netDevices: host interfaces moved (and renamed) into the container's
# network namespace.  The "host" here is a network namespace the test makes,
# so the machine's own interfaces are never touched.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	requires_hako # runc 1.1 has no netDevices
	command -v ip >/dev/null || skip "iproute2 is not installed"
	NETNS="hako-nd-$$-$BATS_TEST_NUMBER"
	# `ip netns add` turns /run/netns into a mount point the first time; undo
	# that in teardown so the host keeps the mounts it had
	RUN_NETNS_WAS_MOUNT=0
	mountpoint -q /run/netns 2>/dev/null && RUN_NETNS_WAS_MOUNT=1
	ip netns add "$NETNS"
	ip netns exec "$NETNS" ip link add hkd0 type veth peer name hkd1
}

teardown() {
	teardown_common
	ip netns del "$NETNS" 2>/dev/null || true
	if [ "${RUN_NETNS_WAS_MOUNT:-1}" = 0 ] && mountpoint -q /run/netns 2>/dev/null; then
		umount /run/netns 2>/dev/null || true
	fi
}

# hako inside the test's network namespace only (nsenter keeps the host's
# mounts, which `ip netns exec` would replace)
hako_in_netns() {
	nsenter --net="/run/netns/$NETNS" "$HAKO" --root "$STATE_ROOT" "$@"
}

@test "netDevices: the interface appears renamed inside and leaves the host namespace" {
	update_config '.linux.netDevices = {"hkd0": {"name": "eth7"}}'
	set_cmd sh -c 'cat /sys/class/net/eth7/ifindex && ls /sys/class/net'
	run hako_in_netns run -b "$BUNDLE" "$CID"
	assert_success
	assert_line lo
	assert_line eth7
	refute_line hkd0
	# the veth went away with the container's namespace; its peer with it
	run ip netns exec "$NETNS" ls /sys/class/net
	refute_line hkd0
	refute_line hkd1
	assert_no_leaks
}

@test "netDevices: an interface that does not exist fails before anything is created" {
	update_config '.linux.netDevices = {"nosuchif0": {}}'
	set_cmd true
	run hako_in_netns create -b "$BUNDLE" "$CID"
	assert_failure
	assert_output --partial 'linux.netDevices["nosuchif0"]'
	assert_no_leaks
}

@test "netDevices: needs a new network namespace" {
	update_config '.linux.netDevices = {"hkd0": {}} | .linux.namespaces |= map(select(.type != "network"))'
	set_cmd true
	run hako_in_netns create -b "$BUNDLE" "$CID"
	assert_failure
	assert_output --partial 'needs a new network namespace'
	assert_no_leaks
	run ip netns exec "$NETNS" ls /sys/class/net
	assert_line hkd0
}
