# Shared by the single-boot VM suites in this directory (sourced, not run).
#
# On the host, a suite calls `vm_boot SCRIPT [run-in-vm options]`: it boots one
# guest and runs SCRIPT --inside there.  The guest sees the host's / as it was at
# boot but has its own /tmp, so the checkout (and $HAKO in it) is the shared
# directory.  Inside the guest, ok/bad/check count results and the suite ends
# with `finish` ("N passed, N failed", exit 1 when anything failed).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HAKO="${HAKO:-$REPO_ROOT/build/hako}"
RUN_IN_VM="${RUN_IN_VM:-$REPO_ROOT/../shared/vm/run-in-vm}"
[ -x "$RUN_IN_VM" ] || RUN_IN_VM=/work/shared/vm/run-in-vm

# vm_boot SCRIPT [run-in-vm options]: never returns.
vm_boot() {
	local script="$1"
	shift
	[ -x "$HAKO" ] || { echo "no $HAKO: build first (ninja -C build)" >&2; exit 2; }
	"$RUN_IN_VM" -q "$@" -e HAKO="$HAKO" -- "$REPO_ROOT" \
		bash "$REPO_ROOT/tests/integration/vm/$script" --inside
	exit $?
}

pass=0
failed=0
ok() {
	pass=$((pass + 1))
	echo "ok   $*"
}
bad() {
	failed=$((failed + 1))
	echo "FAIL $*"
}
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}
finish() {
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
