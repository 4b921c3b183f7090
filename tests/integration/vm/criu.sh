#!/usr/bin/env bash
# checkpoint and restore with criu, in the run-in-vm guest (Debian's 6.1 kernel, where
# `criu check` passes; it fails on this host's kernel).
#
#   tests/integration/vm/criu.sh          (on the host; build first: ninja -C build)
#   HAKO=/usr/sbin/runc tests/integration/vm/criu.sh   (the same checks against runc)
#
# One VM boot; every check reads the effect back (counter values written by the
# container, files inside it, its hostname, cgroup files, /proc/<pid>/status).
# Prints "N passed, N failed".
set -u

REPO_ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
HAKO="${HAKO:-$REPO_ROOT/build/hako}"
RUN_IN_VM="${RUN_IN_VM:-$REPO_ROOT/../shared/vm/run-in-vm}"
[ -x "$RUN_IN_VM" ] || RUN_IN_VM=/work/shared/vm/run-in-vm

if [ "${1:-}" != --inside ]; then
	[ -x "$HAKO" ] || { echo "no $HAKO: build first (ninja -C build)" >&2; exit 2; }
	"$RUN_IN_VM" -q --cgroup v2 --mem 1G --timeout 290 -e HAKO="$HAKO" -- "$REPO_ROOT" \
		bash "$REPO_ROOT/tests/integration/vm/criu.sh" --inside
	exit $?
fi

# ---- inside the guest ----
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

ROOT=/tmp/state
B=/tmp/bundle
SHARED=/tmp/shared
IMG=/tmp/img
h() { "$HAKO" --root "$ROOT" "$@"; }
state_of() { h state "$1" 2>/dev/null | jq -r .status; }
pid_of() { h state "$1" 2>/dev/null | jq -r .pid; }
count() { cat "$SHARED/count" 2>/dev/null || echo 0; }
# wait (up to ~20 s) until the counter is above $1
wait_count_above() {
	local i
	for i in $(seq 200); do
		[ "$(count)" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
cgroup_of() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"; }
# the log the counter appends to has no gap and no restart: each line is the previous + 1
log_consecutive() { awk 'NR > 1 && $1 != prev + 1 { bad = NR } { prev = $1 } END { print bad + 0 }' "$SHARED/log"; }
cleanup() {
	for id in $(h list -q 2>/dev/null); do h delete -f "$id" >/dev/null 2>&1; done
}
trap cleanup EXIT

mkdir -p "$B/rootfs/bin" "$B/rootfs"/{proc,sys,dev,tmp,shared,scratch,etc} "$SHARED"
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in sh sleep echo cat true hostname grep ls; do ln -s busybox "$B/rootfs/bin/$a"; done
h spec -b "$B.spec" 2>/dev/null || { mkdir -p "$B.spec" && h spec -b "$B.spec"; }
jq --arg shared "$SHARED" '
	.process.terminal = false |
	.process.args = ["sh", "-c", "echo hello > /scratch/marker; i=0; while true; do i=$((i+1)); echo $i > /shared/count; echo $i >> /shared/log; sleep 0.1; done"] |
	.root = {"path": "rootfs", "readonly": false} |
	.hostname = "criu-box" |
	.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]},
	            {"destination": "/shared", "type": "bind", "source": $shared, "options": ["rbind", "rw"]}] |
	.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}
' "$B.spec/config.json" >"$B/config.json"

echo "criu: $(criu --version | head -1); kernel $(uname -r)"
criu check >/dev/null 2>&1 && ok "criu check passes in the guest" || bad "criu check fails in the guest: $(criu check 2>&1 | tail -1)"

# ---- 1. checkpoint, then restore: the counter goes on from where it stopped ----
if ! h run -d -b "$B" c1 </dev/null >/tmp/run.out 2>&1; then
	bad "run -d c1: $(cat /tmp/run.out)"
	finish
fi
wait_count_above 5 || bad "the counter of c1 does not advance"
old_pid=$(pid_of c1)
old_cg=$(cgroup_of "$old_pid")
if h checkpoint --image-path "$IMG/1" c1 >/tmp/cp.out 2>&1; then ok "checkpoint c1"; else bad "checkpoint c1: $(cat /tmp/cp.out)"; fi
a=$(count)
check "c1 is gone after checkpoint (state fails)" "" "$(state_of c1)"
[ -d "/proc/$old_pid" ] && bad "old init $old_pid still exists" || ok "old init $old_pid is gone"
[ -d "$old_cg" ] && bad "cgroup $old_cg left behind" || ok "cgroup of c1 removed after checkpoint"
ls "$IMG/1"/pstree.img >/dev/null 2>&1 && ok "images written (pstree.img)" || bad "no pstree.img in $IMG/1: $(ls "$IMG/1" | head)"
sleep 0.5
check "counter stopped after checkpoint" "$a" "$(count)"

if h restore -d --image-path "$IMG/1" -b "$B" --pid-file /tmp/c1.pid c1 >/tmp/rs.out 2>&1; then ok "restore -d c1"; else bad "restore c1: $(cat /tmp/rs.out)"; fi
pid=$(pid_of c1)
check "state after restore" running "$(state_of c1)"
check "pid file = state pid" "$pid" "$(cat /tmp/c1.pid 2>/dev/null)"
[ "$pid" != "$old_pid" ] && ok "restored init has a new pid ($old_pid -> $pid)" || bad "pid unchanged: $pid"
check "state.json pidStartTime is the new init's" "$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)" "$(jq -r .pidStartTime "$ROOT/c1/state.json")"
wait_count_above "$a" && ok "counter advances after restore ($a -> $(count))" || bad "counter stuck at $(count) after restore"
check "counter log has no gap and no restart" 0 "$(log_consecutive)"
check "init is pid 1 in its pid namespace" 1 "$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")"
check "init is still sh" sh "$(awk '/^Name:/ {print $2}' "/proc/$pid/status")"
check "hostname" criu-box "$(h exec c1 hostname 2>&1)"
check "tmpfs content restored" hello "$(h exec c1 cat /scratch/marker 2>&1)"
check "/scratch is a tmpfs" tmpfs "$(h exec c1 sh -c 'grep " /scratch " /proc/mounts' 2>&1 | awk '{print $3}')"
check "bind mount present" "$(count)" "$(h exec c1 cat /shared/count 2>&1)"
check "masked /proc/kcore is /dev/null" 0 "$(h exec c1 sh -c 'cat /proc/kcore | wc -c' 2>&1)"
cg=$(cgroup_of "$pid")
check "restored into cgroup of c1" "$old_cg" "$cg"
check "memory.max" 67108864 "$(cat "$cg/memory.max" 2>&1)"
check "pids.max" 50 "$(cat "$cg/pids.max" 2>&1)"
[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] && ok "own uts namespace" || bad "uts namespace is the host's"
[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && ok "own mount namespace" || bad "mount namespace is the host's"
check "ps lists init" true "$(h ps --format json c1 | jq --argjson p "$pid" 'index($p) != null')"

finish
