#!/usr/bin/env bash
# cgroup-leaks.sh: the leak check of the test suites: no cgroup that hako (or a test
# through it) created may remain in any hierarchy once the suites are done.
#
#   scripts/cgroup-leaks.sh snapshot FILE   before the suites: record the cgroups there now
#   scripts/cgroup-leaks.sh check FILE      after: list the cgroups that are new since FILE;
#                                           the last line is "N passed, N failed" (1 failure
#                                           per leaked cgroup; exit 1 when there is one)
#
# A cgroup counts when its directory name matches one of LEAK_PATTERNS (shell globs,
# blank-separated; default: the names the suites give containers: bats' hako-PID-N-X,
# cgtest's hako-test-PID, the containerd suite's hakotest namespace, podman's libpod-ID,
# the soak and bench scripts' ids, the VM script's v2c). Every cgroup mount of
# /proc/self/mountinfo is searched (v1 hierarchies and cgroup2, whatever the layout).
# Only cgroups that were not there at the snapshot count, so that leftovers of an
# earlier run (or of another user of the host) are not blamed on this one.
set -uo pipefail

PATTERNS=${LEAK_PATTERNS:-'hako-* hakotest* *-hako-* libpod-[0-9a-f]* soak-* bench-* v2c'}

# every matching cgroup directory, one per line, sorted
list() {
	local m p args=()
	for p in $PATTERNS; do
		[ ${#args[@]} -gt 0 ] && args+=(-o)
		args+=(-name "$p")
	done
	awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo | sort -u | while read -r m; do
		find "$m" -mindepth 1 -type d \( "${args[@]}" \) 2>/dev/null
	done | sort -u
}

case ${1:-} in
snapshot)
	[ -n "${2:-}" ] || { echo "usage: $0 snapshot FILE" >&2; exit 2; }
	list >"$2"
	;;
check)
	[ -n "${2:-}" ] || { echo "usage: $0 check FILE" >&2; exit 2; }
	before=${2}
	[ -f "$before" ] || before=/dev/null
	# a container's cgroup may take a moment to go after its last process exits
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=$(list | comm -13 "$before" -)
		[ -z "$left" ] && break
		sleep 0.5
	done
	if [ -z "$left" ]; then
		echo "ok - no cgroup left behind (patterns: $PATTERNS)"
		echo "1 passed, 0 failed"
		exit 0
	fi
	n=$(printf '%s\n' "$left" | grep -c .)
	printf '%s\n' "$left" | sed 's/^/FAIL - cgroup left behind: /'
	echo "0 passed, $n failed"
	exit 1
	;;
*)
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
