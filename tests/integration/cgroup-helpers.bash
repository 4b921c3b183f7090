# Shared by the cgroup suites that read resources and stats back (events.bats,
# resources.bats): setup/teardown with an optional loop device, and where a
# process's cgroup lives on the host.

setup() {
	setup_common
	LOOP=
}

teardown() {
	teardown_common
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null || true
}

v2_host() { [ -e /sys/fs/cgroup/cgroup.controllers ]; }

# cg_dir PID CONTROLLER: the host directory of PID's cgroup holding CONTROLLER
# (the v1 hierarchy, or the cgroup2 one: pure v2, or "unified" for a hybrid host's).
cg_dir() {
	local pid="$1" ctrl="$2" path mnt
	if v2_host; then
		echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
		return
	fi
	if [ "$ctrl" = unified ]; then
		echo "/sys/fs/cgroup/unified$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
		return
	fi
	path="$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")"
	mnt="$(awk -v c="$ctrl" '$0 ~ / - cgroup / { n = split($NF, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $5; exit } }' /proc/self/mountinfo)"
	echo "$mnt$path"
}
