#!/usr/bin/env bash
# test-noopenat2.sh: build hako with openat2 forced off (-Dopenat2=disabled, in
# build-noopenat2/) and run the path-resolution suites against it, so the
# userspace RESOLVE_IN_ROOT resolver (src/lib/rootfs/paths.c) and the procfs
# walk (src/lib/security/procfs.c) that kernels < 5.6 get are tested too.
# Last line: "N passed, N failed, N skipped".
#   sudo scripts/test-noopenat2.sh [FILE.bats ...]
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
BUILD=${BUILD_DIR:-build-noopenat2}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/integration/rootfs.bats tests/integration/mounts.bats
	tests/integration/defences.bats)
if ! { [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dopenat2=disabled >/dev/null; } ||
	! ninja -C "$BUILD" >/dev/null; then
	echo "test-noopenat2.sh: build failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# the resolver itself, on a scratch tree (cmocka)
unit_fail=0
if ! meson test -C "$BUILD" paths >/dev/null 2>&1; then
	echo "not ok unit test paths (meson test -C $BUILD paths)"
	unit_fail=1
fi
# the checker of the normal build is the same program; build ours only if missing
export HAKO="$PWD/$BUILD/hako" CHECKER="${CHECKER:-$PWD/$BUILD/tests/checker/checker}"
out=$(mktemp /tmp/hako-noopenat2.XXXXXX)
trap 'rm -f "$out"' EXIT
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}
bats "${files[@]}" | tee "$out"
p=$(grep -c '^ok ' "$out" | tr -d ' ')
s=$(grep -c '^ok .* # skip' "$out" | tr -d ' ')
f=$(grep -c '^not ok ' "$out" | tr -d ' ')
echo "$((p - s + 1 - unit_fail)) passed, $((f + unit_fail)) failed, $s skipped"
[ "$f" -eq 0 ] && [ "$unit_fail" -eq 0 ] && [ "$p" -gt 0 ]
