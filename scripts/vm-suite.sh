#!/usr/bin/env bash
# vm-suite.sh: run inside the cgroup v2 VM by scripts/test-vm.sh (not meant for the host).
# Runs the bats files named in VM_BATS_FILES (blank-separated) or, by default, listed in
# scripts/vm-suite.list, with HAKO (default build/hako) as the runtime, and prints
#   N passed, N failed, N skipped
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
export HAKO=${HAKO:-$PWD/build/hako}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
export TERM=dumb NO_COLOR=1

if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
	echo "vm-suite.sh: /sys/fs/cgroup is not cgroup v2" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "vm-suite.sh: kernel $(uname -r), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

files=()
if [ -n "${VM_BATS_FILES:-}" ]; then
	read -r -a files <<<"$VM_BATS_FILES"
else
	while read -r f _; do
		case $f in '' | '#'*) continue ;; esac
		files+=("$f")
	done <scripts/vm-suite.list
fi
present=()
for f in "${files[@]}"; do
	if [ -f "$f" ]; then present+=("$f"); else echo "vm-suite.sh: $f not found, skipped" >&2; fi
done
if [ ${#present[@]} -eq 0 ]; then
	echo "0 passed, 0 failed, 0 skipped"
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bats --tap "${present[@]}" </dev/null 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
ok=$(grep -Ec '^ok [0-9]+' "$log")
skip=$(grep -Ec '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]' "$log")
notok=$(grep -Ec '^not ok [0-9]+' "$log")
[ "$rc" -ne 0 ] && [ "$notok" -eq 0 ] && notok=1
echo "$((ok - skip)) passed, $notok failed, $skip skipped"
[ "$notok" -eq 0 ]
