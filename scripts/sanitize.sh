#!/usr/bin/env bash
# sanitize.sh: the memory checks CI runs besides the main suite.
#  1. an ASan+UBSan build (build-asan/): the unit tests, then the lifecycle, exec, errors and tty
#     bats files with that hako (any sanitizer report fails the run);
#  2. valgrind: the unit tests, and the commands that run without cloning a container
#     (state, list, spec, features, kill, delete) on a container created by the normal build.
# Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
pass=0 fail=0
result() { # NAME RC
	if [ "$2" -eq 0 ]; then echo "ok $1"; pass=$((pass + 1)); else echo "not ok $1"; fail=$((fail + 1)); fi
}

BUILD_ASAN=${BUILD_ASAN:-build-asan}
if { [ -f "$BUILD_ASAN/build.ninja" ] || meson setup "$BUILD_ASAN" -Db_sanitize=address,undefined \
	-Db_lundef=false -Dbuildtype=debug >/dev/null; } && ninja -C "$BUILD_ASAN" >/dev/null; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	meson test -C "$BUILD_ASAN" --print-errorlogs >/dev/null 2>&1
	result "asan: unit tests" $?
	HAKO=$PWD/$BUILD_ASAN/hako CHECKER=$PWD/build/tests/checker/checker BATS_TEST_TIMEOUT=120 \
		timeout 900 bats tests/integration/lifecycle.bats tests/integration/exec.bats \
		tests/integration/errors.bats tests/integration/tty.bats >/tmp/hako-asan-bats.log 2>&1
	rc=$?
	if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' /tmp/hako-asan-bats.log; then
		grep -E -A5 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' /tmp/hako-asan-bats.log | head -40
		rc=1
	fi
	[ $rc -eq 0 ] || grep -E '^not ok' /tmp/hako-asan-bats.log | head
	result "asan: lifecycle, exec, errors and tty suites" $rc
else
	result "asan: build" 1
fi

BUILD_VG=${BUILD_VG:-build-vg}
if command -v valgrind >/dev/null &&
	{ [ -f "$BUILD_VG/build.ninja" ] || meson setup "$BUILD_VG" -Dstatic=false -Dbuildtype=debug >/dev/null; } &&
	ninja -C "$BUILD_VG" >/dev/null; then
	VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99)
	meson test -C "$BUILD_VG" --wrap="${VG[*]}" >/dev/null 2>&1
	result "valgrind: unit tests" $?
	tmp=$(mktemp -d /tmp/hako-vg.XXXXXX)
	mkdir -p "$tmp/b/rootfs/bin"
	cp /bin/busybox "$tmp/b/rootfs/bin/" && ln -s busybox "$tmp/b/rootfs/bin/sleep"
	build/hako spec -b "$tmp/b" && jq '.process.args=["sleep","30"] | .process.terminal=false' \
		"$tmp/b/config.json" >"$tmp/c" && mv "$tmp/c" "$tmp/b/config.json"
	build/hako --root "$tmp/state" create -b "$tmp/b" vg1 </dev/null >/dev/null 2>&1
	rc=0
	for cmd in "state vg1" "list" "list --format json" "features" "spec -b $tmp" "kill vg1 KILL" \
		"delete -f vg1" "state nosuch"; do
		# shellcheck disable=SC2086
		"${VG[@]}" "$BUILD_VG/hako" --root "$tmp/state" $cmd >/dev/null 2>"$tmp/err"
		if [ $? -eq 99 ]; then
			echo "# valgrind: hako $cmd"; sed 's/^/# /' "$tmp/err" | head -20; rc=1
		fi
	done
	build/hako --root "$tmp/state" delete -f vg1 >/dev/null 2>&1
	rm -rf "$tmp"
	result "valgrind: launcher-side commands" $rc
else
	result "valgrind: build" 1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
