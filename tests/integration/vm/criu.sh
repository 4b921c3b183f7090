#!/usr/bin/env bash
# checkpoint and restore with criu, in the run-in-vm guest (Debian's 6.1 kernel, where
# `criu check` passes; it fails on this host's kernel).
#
#   tests/integration/vm/criu.sh          (on the host; build first: ninja -C build)
#
# One VM boot (85 checks, 4m47s measured under TCG on the shared 2-core host; the
# timeout allows a more loaded one); every check reads the effect back (counter values written by the
# container, files inside it, its hostname, cgroup files, /proc/<pid>/status).
# Prints "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"
[ "${1:-}" = --inside ] || vm_boot criu.sh --cgroup v2 --mem 1G --timeout 900

# ---- inside the guest ----

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
echo bound >"$SHARED/marker"
# one exec (each costs seconds under TCG): hostname, tmpfs, bind mount, masked path
mapfile -t seen < <(h exec c1 sh -c 'hostname; cat /scratch/marker; grep " /scratch " /proc/mounts | cut -d" " -f3; cat /shared/marker; cat /proc/kcore | wc -c' 2>&1)
check "hostname" criu-box "${seen[0]:-}"
check "tmpfs content restored" hello "${seen[1]:-}"
check "/scratch is a tmpfs" tmpfs "${seen[2]:-}"
check "bind mount present" bound "${seen[3]:-}"
check "masked /proc/kcore is /dev/null" 0 "$(echo "${seen[4]:-}" | tr -d ' ')"
cg=$(cgroup_of "$pid")
check "restored into cgroup of c1" "$old_cg" "$cg"
check "memory.max" 67108864 "$(cat "$cg/memory.max" 2>&1)"
check "pids.max" 50 "$(cat "$cg/pids.max" 2>&1)"
[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] && ok "own uts namespace" || bad "uts namespace is the host's"
[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && ok "own mount namespace" || bad "mount namespace is the host's"
check "ps lists init" true "$(h ps --format json c1 | jq --argjson p "$pid" 'index($p) != null')"

# ---- 2. --leave-running, then the image restored under a new id ----
pid=$(pid_of c1)
if h checkpoint --leave-running --image-path "$IMG/2" --work-path /tmp/work2 c1 >/tmp/cp.out 2>&1; then ok "checkpoint --leave-running"; else bad "checkpoint --leave-running: $(cat /tmp/cp.out)"; fi
[ -f /tmp/work2/dump.log ] && [ ! -e "$IMG/2/dump.log" ] && ok "criu's log in --work-path" || bad "dump.log not in the work path: $(ls /tmp/work2 "$IMG/2" 2>&1 | tr '\n' ' ')"
check "state after --leave-running" running "$(state_of c1)"
check "same init after --leave-running" "$pid" "$(pid_of c1)"
a=$(count)
wait_count_above "$a" && ok "still counting after --leave-running" || bad "counter stopped after --leave-running"
h delete -f c1
: >"$SHARED/log"
# onto a copy of the rootfs without the mountpoints init had made (a migration)
B2=/tmp/bundle2
mkdir -p "$B2"
cp -a "$B/rootfs" "$B2/rootfs"
rmdir "$B2/rootfs/scratch" "$B2/rootfs/shared"
cp "$B/config.json" "$B2/config.json"
if h restore -d --image-path "$IMG/2" -b "$B2" c2 >/tmp/rs.out 2>&1; then ok "restore as a new id (c2) onto a copy of the rootfs"; else bad "restore c2: $(cat /tmp/rs.out)"; fi
[ -d "$B2/rootfs/scratch" ] && [ -d "$B2/rootfs/shared" ] && ok "mountpoints made in the copy" || bad "mountpoints missing in the copy"
check "c2's root is the copy" "$B2/rootfs" "$(h state c2 | jq -r .rootfs)"
check "c2 running" running "$(state_of c2)"
check "no c1 after restoring c2" "" "$(state_of c1)"
wait_count_above 0 && sleep 0.3
check "c2 counts on from the checkpoint (no restart, no gap)" 0 "$(log_consecutive)"
first=$(head -n1 "$SHARED/log")
[ "${first:-0}" -gt 5 ] && ok "c2's first value continues the image's ($first)" || bad "c2 restarted: first value '$first'"
check "c2 hostname" criu-box "$(h exec c2 hostname 2>&1)"
check "c2 in its own cgroup" "/sys/fs/cgroup/c2" "$(cgroup_of "$(pid_of c2)")"
check "c2 pids.max" 50 "$(cat /sys/fs/cgroup/c2/pids.max 2>&1)"

# ---- 3. pre-dump, then the final dump on top of it (--parent-path) ----
pid=$(pid_of c2)
h pause c2 || bad "pause c2"
if h checkpoint --pre-dump --image-path "$IMG/3/pre" c2 >/tmp/cp.out 2>&1; then ok "checkpoint --pre-dump (paused)"; else bad "pre-dump: $(cat /tmp/cp.out)"; fi
check "a paused container stays paused after pre-dump" paused "$(state_of c2)"
check "its cgroup stays frozen" "frozen 1" "$(grep frozen /sys/fs/cgroup/c2/cgroup.events)"
h resume c2 || bad "resume c2"
check "running after resume" running "$(state_of c2)"
check "same init after pre-dump" "$pid" "$(pid_of c2)"
ls "$IMG/3/pre"/pages-*.img >/dev/null 2>&1 && ok "pre-dump wrote pages" || bad "no pages in the pre-dump: $(ls "$IMG/3/pre" | tr '\n' ' ')"
if h checkpoint --image-path "$IMG/3/final" --parent-path ../pre c2 >/tmp/cp.out 2>&1; then ok "final dump with --parent-path"; else bad "final dump: $(cat /tmp/cp.out)"; fi
check "final images link to the pre-dump" ../pre "$(readlink "$IMG/3/final/parent")"
check "c2 gone after the final dump" "" "$(state_of c2)"

# ---- 4. restore in the foreground waits for the container, like run ----
: >"$SHARED/log"
h restore --image-path "$IMG/3/final" -b "$B" c3 >/tmp/fg.out 2>&1 &
fg=$!
for _ in $(seq 200); do [ "$(state_of c3)" = running ] && break; sleep 0.1; done
check "foreground restore: c3 running" running "$(state_of c3)"
wait_count_above 0 && sleep 0.3
check "c3 counts on from the iterative images" 0 "$(log_consecutive)"
first=$(head -n1 "$SHARED/log")
[ "${first:-0}" -gt 5 ] && ok "c3 continues ($first)" || bad "c3 restarted: first value '$first'"
h kill c3 KILL
wait "$fg"
check "foreground restore exits with the container's status" 137 "$?"
check "c3 deleted after it exited" "" "$(state_of c3)"

# ---- 5. failures leave everything as it was ----
h run -d -b "$B" c4 </dev/null >/tmp/run.out 2>&1 || bad "run c4: $(cat /tmp/run.out)"
wait_count_above 0
pid=$(pid_of c4)
out=$(h checkpoint --image-path "$IMG/5" --page-server 127.0.0.1:1 c4 2>&1) && bad "checkpoint to a missing page server succeeded" ||
	check "criu failure is reported as criu's" 1 "$(grep -c 'criu dump failed' <<<"$out")"
check "c4 still running after the failed checkpoint" running "$(state_of c4)"
check "c4 same init after the failed checkpoint" "$pid" "$(pid_of c4)"
a=$(count)
wait_count_above "$a" && ok "c4 still counting after the failed checkpoint" || bad "c4 frozen after the failed checkpoint"
out=$(h checkpoint --image-path "$IMG/5" --parent-path nowhere c4 2>&1) && bad "checkpoint with a missing parent succeeded" ||
	check "missing --parent-path named" 1 "$(grep -c 'parent-path nowhere' <<<"$out")"
check "c4 running after the refused parent" running "$(state_of c4)"
out=$(h restore -d --image-path "$IMG/2" -b "$B" c4 2>&1) && bad "restore onto an existing id succeeded" ||
	check "restore onto an existing id refused" 1 "$(grep -c 'already exists' <<<"$out")"
check "c4 untouched by that restore" "$pid" "$(pid_of c4)"
out=$(h restore -d --image-path /tmp/no-such-images -b "$B" c5 2>&1) && bad "restore from a missing image dir succeeded" ||
	check "missing image dir named" 1 "$(grep -c '/tmp/no-such-images' <<<"$out")"
out=$(h restore -d --image-path "$IMG/3/pre" -b "$B" c5 2>&1) && bad "restore from a pre-dump succeeded" ||
	check "restore from a pre-dump fails in criu" 1 "$(grep -c 'criu restore failed' <<<"$out")"
check "no state dir left by the failed restores" "" "$(ls "$ROOT" | grep -x c5)"
[ -d /sys/fs/cgroup/c5 ] && bad "cgroup c5 left behind" || ok "no cgroup left by the failed restores"
check "no criu-root mount left" 0 "$(grep -c criu-root /proc/self/mountinfo)"
h delete -f c4
h create -b "$B" c6 </dev/null >/dev/null 2>&1 || bad "create c6"
out=$(h checkpoint --image-path "$IMG/6" c6 2>&1) && bad "checkpoint of a created container succeeded" ||
	check "checkpoint of a container that is not running refused" 1 "$(grep -c 'not running' <<<"$out")"
check "c6 still created" created "$(state_of c6)"
h delete -f c6

# ---- 6. a network namespace joined by path comes back as the same namespace ----
ip netns add criu-net && ip netns exec criu-net ip link set lo up
NB=/tmp/netbundle
mkdir -p "$NB"
jq '.root.path = "'"$B/rootfs"'" |
	.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/run/netns/criu-net" else . end]' \
	"$B/config.json" >"$NB/config.json"
h run -d -b "$NB" n1 </dev/null >/tmp/run.out 2>&1 || bad "run n1: $(cat /tmp/run.out)"
net_ino=$(stat -L -c %i /run/netns/criu-net)
check "n1 joined the netns" "net:[$net_ino]" "$(readlink "/proc/$(pid_of n1)/ns/net")"
if h checkpoint --image-path "$IMG/net" n1 >/tmp/cp.out 2>&1; then ok "checkpoint of a container in a joined netns"; else bad "checkpoint n1: $(cat /tmp/cp.out)"; fi
if h restore -d --image-path "$IMG/net" -b "$NB" n1 >/tmp/rs.out 2>&1; then ok "restore into the joined netns"; else bad "restore n1: $(cat /tmp/rs.out)"; fi
check "restored n1 is in the same netns" "net:[$net_ino]" "$(readlink "/proc/$(pid_of n1)/ns/net" 2>&1)"
h delete -f n1
ip netns del criu-net

# ---- 7. no cgroup namespace: /sys/fs/cgroup is a bind of the cgroup's directory,
# which restore maps to the new container's cgroup ----
GB=/tmp/cgbundle
mkdir -p "$GB"
jq '.root.path = "'"$B/rootfs"'" | .linux.namespaces = [.linux.namespaces[] | select(.type != "cgroup")]' \
	"$B/config.json" >"$GB/config.json"
h run -d -b "$GB" g1 </dev/null >/tmp/run.out 2>&1 || bad "run g1: $(cat /tmp/run.out)"
if h checkpoint --image-path "$IMG/cg" g1 >/tmp/cp.out 2>&1; then ok "checkpoint without a cgroup namespace"; else bad "checkpoint g1: $(cat /tmp/cp.out)"; fi
if h restore -d --image-path "$IMG/cg" -b "$GB" g2 >/tmp/rs.out 2>&1; then ok "restore it as g2"; else bad "restore g2: $(cat /tmp/rs.out)"; fi
mapfile -t seen < <(h exec g2 sh -c 'cat /sys/fs/cgroup/pids.max; grep -cx 1 /sys/fs/cgroup/cgroup.procs' 2>&1)
check "g2's /sys/fs/cgroup shows its limits" 50 "${seen[0]:-}"
check "g2's /sys/fs/cgroup is its own cgroup (init listed)" 1 "${seen[1]:-}"
check "g2's init is in /sys/fs/cgroup/g2" /sys/fs/cgroup/g2 "$(cgroup_of "$(pid_of g2)")"
h delete -f g2

# ---- 8. a terminal: the restored container gets a new pty via --console-socket ----
TB=/tmp/ttybundle
mkdir -p "$TB"
ln -s "$B/rootfs" "$TB/rootfs"
jq '.process.terminal = true |
	.process.args = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"] |
	.root.path = "'"$B/rootfs"'"' "$B/config.json" >"$TB/config.json"
cat >/tmp/recvtty.py <<'PY'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
conn, _ = srv.accept()
msg, fds, flags, addr = socket.recv_fds(conn, 4096, 4)
with open(out + ".name", "w") as f:
    f.write(msg.decode(errors="replace"))
with open(out, "wb") as f:
    while True:
        try:
            data = os.read(fds[0], 4096)
        except OSError:
            break
        if not data:
            break
        f.write(data.replace(b"\r", b""))
        f.flush()
PY
recvtty() { # SOCK OUT
	python3 /tmp/recvtty.py "$1" "$2" </dev/null 2>"$2.err" &
	for _ in $(seq 100); do [ -S "$1" ] && break; sleep 0.05; done
}
last_tick() { grep -o 'tick [0-9]*' "$1" 2>/dev/null | tail -n1 | awk '{print $2}'; }
wait_tick() { # OUT: until a tick shows up
	for _ in $(seq 200); do [ -n "$(last_tick "$1")" ] && return 0; sleep 0.1; done
	return 1
}
recvtty /tmp/tty1.sock /tmp/tty1.out
r1=$!
h run -d --console-socket /tmp/tty1.sock -b "$TB" t1 </dev/null >/tmp/run.out 2>&1 || bad "run t1: $(cat /tmp/run.out)"
wait_tick /tmp/tty1.out && sleep 0.5
if h checkpoint --image-path "$IMG/tty" t1 >/tmp/cp.out 2>&1; then ok "checkpoint of a terminal container"; else bad "checkpoint t1: $(cat /tmp/cp.out)"; fi
kill "$r1" 2>/dev/null
wait "$r1" 2>/dev/null
last1=$(last_tick /tmp/tty1.out)
recvtty /tmp/tty2.sock /tmp/tty2.out
r2=$!
if h restore -d --console-socket /tmp/tty2.sock --image-path "$IMG/tty" -b "$TB" t1 </dev/null >/tmp/rs.out 2>&1; then ok "restore with --console-socket"; else bad "restore t1: $(cat /tmp/rs.out)"; fi
wait_tick /tmp/tty2.out || bad "no output on the new pty"
first2=$(grep -o 'tick [0-9]*' /tmp/tty2.out | head -n1 | awk '{print $2}')
[ "${first2:-0}" -gt "${last1:-0}" ] && ok "ticks go on on the new pty ($last1 -> $first2)" || bad "ticks restarted: before $last1, after '$first2'"
pid=$(pid_of t1)
ptyname=$(cat /tmp/tty2.out.name 2>/dev/null)
check "init's stdin is the pty sent to the console socket" "$ptyname" "$(readlink "/proc/$pid/fd/0")"
# tty_nr (field 7 of stat, after the "(comm)"): major 136, minor N of /dev/pts/N
check "that pty is init's controlling terminal" "$((136 * 256 + ${ptyname##*/}))" \
	"$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $5}')"
h delete -f t1
kill "$r2" 2>/dev/null

finish
