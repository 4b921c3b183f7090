#!/usr/bin/env bash
# vm-suite.sh: run inside the cgroup v2 VM by scripts/test-vm.sh (not meant for the host).
# Runs the bats files named in VM_BATS_FILES (blank-separated) or, by default, listed in
# scripts/vm-suite.list (then also tests/integration/vm/cgroup_cmds_v2.sh --inside), with
# HAKO (default build/hako) as the runtime, then the cgroup leak check
# (scripts/cgroup-leaks.sh), all in one boot, and prints
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

log=$(mktemp)
before=$(mktemp)
trap 'rm -f "$log" "$before"' EXIT
scripts/cgroup-leaks.sh snapshot "$before"
pass=0 notok=0 skip=0
if [ ${#present[@]} -gt 0 ]; then
	bats --tap "${present[@]}" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	ok=$(grep -Ec '^ok [0-9]+' "$log")
	skip=$(grep -Ec '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]' "$log")
	notok=$(grep -Ec '^not ok [0-9]+' "$log")
	[ "$rc" -ne 0 ] && [ "$notok" -eq 0 ] && notok=1
	pass=$((ok - skip))
fi

# add_summary LOG RC: add a "N passed, N failed" line of LOG (none: 1 failure)
add_summary() {
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1)
	p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
	[ -z "$line" ] && f=1
	[ "$2" -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
	pass=$((pass + ${p:-0}))
	notok=$((notok + ${f:-0}))
}

# pause/resume/update/ps/events checks of tests/integration/vm (same boot; VM_NO_SCRIPTS=1
# leaves them out)
if [ "${VM_NO_SCRIPTS:-0}" != 1 ] && [ -f tests/integration/vm/cgroup_cmds_v2.sh ]; then
	echo "vm-suite.sh: tests/integration/vm/cgroup_cmds_v2.sh"
	bash tests/integration/vm/cgroup_cmds_v2.sh --inside 2>&1 | tee "$log"
	add_summary "$log" "${PIPESTATUS[0]}"
fi

# nothing hako created may be left in the cgroup2 tree
scripts/cgroup-leaks.sh check "$before" 2>&1 | tee "$log"
add_summary "$log" "${PIPESTATUS[0]}"

echo "$pass passed, $notok failed, $skip skipped"
[ "$notok" -eq 0 ]
