#!/usr/bin/env bash
# process.apparmorProfile and `exec --apparmor` where AppArmor runs: in the run-in-vm
# guest (Debian's kernel enables AppArmor; this host's does not).  Needs
# apparmor_parser on the host (apt-get install -y apparmor): the guest's / is the host's.
#
#   tests/integration/vm/apparmor.sh          (on the host; build first: ninja -C build)
#   HAKO=/usr/sbin/runc tests/integration/vm/apparmor.sh   (the same checks against runc)
#
# Loads a small profile in the guest, runs $HAKO on a busybox bundle made there and reads
# /proc/self/attr/current back from inside; prints "N passed, N failed[, N skipped]".
set -u

. "$(dirname "$0")/lib.sh"
if [ "${1:-}" != --inside ]; then
	if ! command -v apparmor_parser >/dev/null; then
		echo "apparmor_parser missing (apt-get install -y apparmor)"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	vm_boot apparmor.sh --timeout 240
fi

# ---- inside the guest ----

if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
	echo "AppArmor is not enabled in the guest kernel"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security

ROOT=/tmp/state
B=/tmp/bundle
h() { "$HAKO" --root "$ROOT" "$@"; }

# everything allowed: the test is about which profile the process runs under
cat >/tmp/hako-test.profile <<'PROFILE'
profile hako-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  ptrace,
  signal,
  unix,
}
PROFILE
if ! apparmor_parser -r /tmp/hako-test.profile; then
	bad "apparmor_parser could not load the test profile"
	echo "$pass passed, $failed failed"
	exit 1
fi

mkdir -p "$B/rootfs/bin" "$B/rootfs"/{proc,sys,dev,tmp}
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in sh sleep cat true; do ln -s busybox "$B/rootfs/bin/$a"; done
"$HAKO" spec -b "$B" 2>/dev/null || runc spec -b "$B"
jq '.process.terminal = false | .root.readonly = false | .process.args = ["cat", "/proc/self/attr/current"]' \
	"$B/config.json" >/tmp/c && mv /tmp/c "$B/config.json"
base="$(cat "$B/config.json")"

# 1. the config's profile
jq '.process.apparmorProfile = "hako-test"' <<<"$base" >"$B/config.json"
check "run: the process runs under process.apparmorProfile" "hako-test (enforce)" \
	"$(h run -b "$B" aa1 2>&1 </dev/null)"
h delete -f aa1 >/dev/null 2>&1

# 2. a profile that is not loaded: create fails, nothing runs
jq '.process.apparmorProfile = "hako-no-such-profile"' <<<"$base" >"$B/config.json"
out="$(h run -b "$B" aa2 2>&1 </dev/null)"
rc=$?
if [ $rc -ne 0 ] && [ -z "$(h list -q 2>/dev/null | grep -x aa2)" ]; then
	ok "run: an unknown profile fails ($out)"
else
	bad "run: an unknown profile: rc $rc, output '$out'"
fi
h delete -f aa2 >/dev/null 2>&1

# 3. no profile: unconfined; exec --apparmor switches the exec'd process only
jq '.process.args = ["sleep", "1000"]' <<<"$base" >"$B/config.json"
h run -d -b "$B" aa3 </dev/null >/dev/null 2>&1
check "exec without --apparmor: unconfined" "unconfined" "$(h exec aa3 cat /proc/self/attr/current 2>&1)"
check "exec --apparmor: the exec'd process runs under it" "hako-test (enforce)" \
	"$(h exec --apparmor hako-test aa3 cat /proc/self/attr/current 2>&1)"
check "exec --apparmor: init is untouched" "unconfined" "$(h exec aa3 cat /proc/1/attr/current 2>&1)"
h delete -f aa3 >/dev/null 2>&1

# 4. the config's profile applies to exec too
jq '.process.args = ["sleep", "1000"] | .process.apparmorProfile = "hako-test"' <<<"$base" >"$B/config.json"
h run -d -b "$B" aa4 </dev/null >/dev/null 2>&1
check "exec: the config's profile" "hako-test (enforce)" "$(h exec aa4 cat /proc/self/attr/current 2>&1)"
h delete -f aa4 >/dev/null 2>&1

finish
