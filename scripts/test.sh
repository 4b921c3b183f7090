#!/usr/bin/env bash
# test.sh: build hako and run every test suite; the last line is the summary
#   N passed, N failed, N skipped
#
#   sudo scripts/test.sh                 deps, build in build/, unit + integration + extra suites
#   sudo scripts/test.sh --asan          the same in build-asan/ (-Db_sanitize=address,undefined),
#                                        unit + integration only
#   sudo scripts/test.sh FILE.bats ...   only these bats files (unit tests still run)
# Options: --no-deps (skip scripts/deps.sh), --no-unit, --no-integration, --no-extra.
# After the suites, scripts/cgroup-leaks.sh counts every cgroup named like a test
# container that appeared during the run and is still there as one failure.
# Environment: CI=true (non-interactive, no colors), BUILD_DIR (default build or build-asan), HAKO (runtime binary under test;
# default: the one just built), BATS_TEST_TIMEOUT (seconds per bats test, default 120),
# EXTRA_SUITES (default: tests/cgroup/run.sh tests/security/run.sh; each is run when it
# exists and is executable, and must print its own "N passed, N failed" line).
# Exit status: 0 when nothing failed, 1 otherwise.
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
ROOT=$PWD

ASAN=0 DEPS=1 UNIT=1 INTEG=1 EXTRA=1 FILES=()
for a in "$@"; do
	case $a in
	--asan) ASAN=1 ;;
	--no-deps) DEPS=0 ;;
	--no-unit) UNIT=0 ;;
	--no-integration) INTEG=0 ;;
	--no-extra) EXTRA=0 ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "test.sh: unknown option $a" >&2; exit 2 ;;
	*) FILES+=("$a") ;;
	esac
done

if [ "${CI:-}" = true ]; then
	export TERM=dumb NO_COLOR=1 DEBIAN_FRONTEND=noninteractive
	exec </dev/null
fi
[ "$(id -u)" -eq 0 ] || echo "test.sh: warning: not root; most integration tests need root" >&2

PASS=0 FAIL=0 SKIP=0
LINES=()
LOG=$(mktemp -d /tmp/hako-test-log.XXXXXX)
trap 'rm -rf "$LOG"' EXIT

section() { printf '\n==== %s\n' "$*"; }
# record NAME PASSED FAILED SKIPPED
record() {
	PASS=$((PASS + $2)) FAIL=$((FAIL + $3)) SKIP=$((SKIP + $4))
	LINES+=("$(printf '%-28s %s passed, %s failed, %s skipped' "$1:" "$2" "$3" "$4")")
}
summary() {
	section summary
	local l
	for l in "${LINES[@]}"; do echo "$l"; done
	echo "$PASS passed, $FAIL failed, $SKIP skipped"
	[ "$FAIL" -eq 0 ]
	exit $?
}
T0=$SECONDS

# ---------------------------------------------------------------- deps + build
if [ $DEPS = 1 ]; then
	section deps
	scripts/deps.sh --no-vm || { record deps 0 1 0; summary; }
fi

if [ $ASAN = 1 ]; then
	BUILD=${BUILD_DIR:-build-asan}
	# shellcheck disable=SC2054 # the comma is meson's
	SETUP=(-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false)
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
	BUILD=${BUILD_DIR:-build}
	SETUP=()
fi

section "build ($BUILD)"
if ! { [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "${SETUP[@]}"; } || ! ninja -C "$BUILD"; then
	record build 0 1 0
	summary
fi
export HAKO=${HAKO:-$ROOT/$BUILD/hako}
if ! "$HAKO" --version >/dev/null 2>&1; then
	echo "test.sh: warning: $HAKO --version fails" >&2
fi

# ---------------------------------------------------------------- leak check (before)
# the cgroups named like the suites' containers that exist now; after the suites, any
# new one is a leak (scripts/cgroup-leaks.sh)
LEAKS=0
if [ $INTEG = 1 ] || [ $EXTRA = 1 ]; then
	scripts/cgroup-leaks.sh snapshot "$LOG/cgroups-before" && LEAKS=1
fi

# ---------------------------------------------------------------- unit tests
if [ $UNIT = 1 ]; then
	section "unit tests (meson test -C $BUILD)"
	meson test -C "$BUILD" --print-errorlogs 2>&1 | tee "$LOG/unit"
	rc=${PIPESTATUS[0]}
	count() { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p" "$LOG/unit" | tail -n1; }
	ok=$(count Ok) xfail=$(count 'Expected Fail') fail=$(count Fail) xpass=$(count 'Unexpected Pass')
	skip=$(count Skipped) tmo=$(count Timeout)
	ok=$((${ok:-0} + ${xfail:-0})) fail=$((${fail:-0} + ${xpass:-0} + ${tmo:-0}))
	[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
	record "unit" "$ok" "$fail" "${skip:-0}"
fi

# ---------------------------------------------------------------- integration (bats)
# bats_count NAME LOGFILE RC: count TAP lines; a failing bats without "not ok" lines
# (a syntax error, a crashed setup_file) counts as one failure.
bats_count() {
	local ok skip notok
	ok=$(grep -Ec '^ok [0-9]+' "$2")
	skip=$(grep -Ec '^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]' "$2")
	notok=$(grep -Ec '^not ok [0-9]+' "$2")
	[ "$3" -ne 0 ] && [ "$notok" -eq 0 ] && notok=1
	record "$1" "$((ok - skip))" "$notok" "$skip"
}

if [ $INTEG = 1 ]; then
	section "integration tests (bats, HAKO=$HAKO)"
	if [ ${#FILES[@]} -eq 0 ]; then
		shopt -s nullglob
		FILES=(tests/integration/*.bats tests/clients/*.bats)
		shopt -u nullglob
	fi
	if [ ${#FILES[@]} -eq 0 ]; then
		echo "no bats files under tests/integration"
	else
		export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}
		timeout -k 10 "${BATS_SUITE_TIMEOUT:-2700}" bats --tap "${FILES[@]}" 2>&1 | tee "$LOG/bats"
		rc=${PIPESTATUS[0]}
		[ "$rc" -eq 124 ] && echo "test.sh: bats timed out" >&2
		bats_count integration "$LOG/bats" "$rc"
	fi
fi

# ---------------------------------------------------------------- extra suites
if [ $EXTRA = 1 ] && [ $ASAN = 0 ]; then
	for s in ${EXTRA_SUITES:-tests/cgroup/run.sh tests/security/run.sh}; do
		[ -x "$s" ] || continue
		section "$s"
		n=$(basename "$(dirname "$s")")
		timeout -k 10 600 "$s" 2>&1 | tee "$LOG/$n"
		rc=${PIPESTATUS[0]}
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG/$n" | tail -n1)
		if [ -z "$line" ]; then
			echo "test.sh: $s printed no 'N passed, N failed' line" >&2
			record "$n" 0 1 0
			continue
		fi
		p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
		k=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		record "$n" "$p" "$f" "${k:-0}"
	done
fi

# ---------------------------------------------------------------- leak check (after)
if [ $LEAKS = 1 ]; then
	section "cgroup leak check (scripts/cgroup-leaks.sh)"
	scripts/cgroup-leaks.sh check "$LOG/cgroups-before" 2>&1 | tee "$LOG/leaks"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG/leaks" | tail -n1)
	p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
	record cgroup-leaks "${p:-0}" "${f:-1}" 0
fi

echo "test.sh: $((SECONDS - T0)) s"
summary
