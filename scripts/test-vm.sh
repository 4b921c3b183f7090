#!/usr/bin/env bash
# test-vm.sh: run the integration tests under a pure cgroup v2 kernel, in a throw-away
# QEMU guest (../shared/vm/run-in-vm). Builds build/hako, then runs scripts/vm-suite.sh
# in the guest (the bats files of scripts/vm-suite.list, or VM_BATS_FILES).
# The last line is "N passed, N failed, N skipped". Skipped (exit 0) when run-in-vm is absent.
#   sudo scripts/test-vm.sh [--no-deps]
# Environment: BUILD_DIR (default build), RUN_IN_VM (default ../shared/vm/run-in-vm), VM_TIMEOUT (seconds, default 1800),
# VM_BATS_FILES, VM_NO_SCRIPTS=1 (only the bats files), HAKO (default build/hako; must be visible in the guest: the repository
# and the host's root filesystem are).
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
VM=${RUN_IN_VM:-../shared/vm/run-in-vm}

if [ ! -x "$VM" ]; then
	echo "test-vm.sh: $VM is missing: the cgroup v2 VM suite is skipped"
	echo "0 passed, 0 failed, 0 skipped"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "test-vm.sh: needs root"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
[ "${1:-}" = --no-deps ] || scripts/deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

BUILD=${BUILD_DIR:-build}
if ! { [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"; } || ! ninja -C "$BUILD"; then
	echo "test-vm.sh: build failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
export HAKO=${HAKO:-$PWD/$BUILD/hako}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
envs=(-e HAKO)
[ -n "${VM_BATS_FILES:-}" ] && envs+=(-e VM_BATS_FILES)
[ -n "${VM_NO_SCRIPTS:-}" ] && envs+=(-e VM_NO_SCRIPTS)
[ -n "${BATS_TEST_TIMEOUT:-}" ] && envs+=(-e BATS_TEST_TIMEOUT)
"$VM" -q --timeout "${VM_TIMEOUT:-1800}" "${envs[@]}" -- "$PWD" bash scripts/vm-suite.sh 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
if [ -z "$line" ]; then
	case $rc in
	124) echo "test-vm.sh: the VM timed out" ;;
	125) echo "test-vm.sh: the VM failed before the suite reported" ;;
	*) echo "test-vm.sh: the suite printed no summary (exit $rc)" ;;
	esac
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
exit "$rc"
