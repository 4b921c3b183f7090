#!/usr/bin/env bash
# Rootless containers under pure cgroup v2 with a delegated cgroup, in the run-in-vm guest.
#
#   tests/integration/vm/rootless_v2.sh          (on the host; build first: ninja -C build)
#   VM_TIMEOUT=SECONDS (default 420: the guest needs about 2 minutes of its own time, more
#   on a loaded host under TCG)
#
# Inside the guest (whose / is a throw-away overlay, so useradd is harmless) it makes a
# user hakovm with subordinate ids 200000-265535 and a user hakovm2 without any, and a
# delegated cgroup /sys/fs/cgroup/hako-deleg: owned by hakovm with its cgroup.procs,
# cgroup.subtree_control and cgroup.threads, the way systemd's Delegate=yes leaves
# user@.service.  Every hakovm command runs from a leaf below it (hako-deleg/shell), so
# the container's cgroup goes to hako-deleg/<id> (runc's rule: relative to the parent of
# the caller's cgroup).  Then the lifecycle, limits read back from the host's cgroup
# files and from inside, pause/resume, update, ps, kill --all, and the failure modes.
# Prints "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"
[ "${1:-}" = --inside ] || vm_boot rootless_v2.sh --cgroup v2 --timeout "${VM_TIMEOUT:-420}"

# ---- inside the guest ----
has() { # has NAME NEEDLE TEXT
	if grep -qF -- "$2" <<<"$3"; then ok "$1"; else bad "$1: no '$2' in: $3"; fi
}

U=hakovm
U2=hakovm2
W=/tmp/rl
CG=/sys/fs/cgroup
DELEG=$CG/hako-deleg
mkdir -p "$W"
chmod 0755 "$W"
for u in "$U" "$U2"; do
	useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
	mkdir -m 0700 "$W/run-$u"
	chown "$u:" "$W/run-$u"
done
usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$U"
UID1=$(id -u "$U")
GID1=$(id -g "$U")
UID2=$(id -u "$U2")
GID2=$(id -g "$U2")
install -m 0755 "$HAKO" "$W/hako"

# the delegated cgroup, as systemd's Delegate=yes would leave it
mkdir "$DELEG" "$DELEG/shell"
chown "$U:" "$DELEG" "$DELEG"/cgroup.{procs,subtree_control,threads} "$DELEG/shell" "$DELEG/shell/cgroup.procs"
# a second one whose parent hands down only pids (no memory)
mkdir "$CG/hako-p"
echo +pids >"$CG/hako-p/cgroup.subtree_control"
mkdir "$CG/hako-p/deleg" "$CG/hako-p/deleg/shell"
chown "$U:" "$CG/hako-p/deleg" "$CG/hako-p/deleg"/cgroup.{procs,subtree_control,threads}

# user [CGROUP] USER ARGS...: hako ARGS as USER, from a shell moved into CGROUP
# (a directory under /sys/fs/cgroup) first; "-" keeps the caller's (the root cgroup).
user() {
	local cg="$1" u="$2"
	shift 2
	(
		[ "$cg" = - ] || echo $BASHPID >"$cg/cgroup.procs"
		# (no `timeout` here: the TCG guest's clock can leap ahead on a loaded host;
		# the harness's --timeout, on the host's clock, catches a hang)
		cd "$W" && exec setpriv --reuid="$u" --regid="$u" --init-groups \
			env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="/home/$u" \
			XDG_RUNTIME_DIR="$W/run-$u" "$W/hako" "$@"
	)
}
d() { user "$DELEG/shell" "$U" "$@"; }        # hakovm in its delegated cgroup
nd() { user - "$U" "$@"; }                    # hakovm in the (root-owned) root cgroup
u2() { user "$DELEG/shell" "$U2" "$@"; }      # hakovm2 (in a cgroup it does not own)
# bg CMD...: a command that leaves a container running: its stdio must not be our pipe
bg() { "$@" </dev/null >"$W/bg.out" 2>&1; }
field() { d state "$1" 2>/dev/null | jq -r ".$2"; }

# bundle DIR USER: a busybox bundle with `hako spec --rootless` as USER
bundle() {
	local b="$1" u="$2" a
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp,etc}
	cp /bin/busybox "$b/rootfs/bin/busybox"
	# (only the applets used: every ln is a process, and processes are slow under TCG)
	for a in sh sleep id cat echo wc touch seq true; do ln -s busybox "$b/rootfs/bin/$a"; done
	chown -R "$u:" "$b"
	(cd "$b" && setpriv --reuid="$u" --regid="$u" --init-groups "$W/hako" spec --rootless)
	jq '.process.terminal = false | .root.readonly = false' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	chown "$u:" "$b/config.json"
}
# conf DIR JQ-FILTER [JQ ARGS]: edit DIR/config.json
conf() {
	local b="$1" f="$2"
	shift 2
	jq "$@" "$f" "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json" && chmod 0644 "$b/config.json"
}
B=$W/b1
bundle "$B" "$U"
multi='.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 200000, "size": 65536}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": 200000, "size": 65536}]'
limits='.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
sh_args() { conf "$B" '.process.args = ["sh", "-c", $s]' --arg s "$1"; }

echo "---- ${SECONDS}s"
# ---- 1. run in the foreground: multi-range map, limits seen from inside ----
conf "$B" "$multi | $limits" --argjson u "$UID1" --argjson g "$GID1"
sh_args 'echo uid=$(id -u); echo maplines=$(wc -l < /proc/self/uid_map); echo mem=$(cat /sys/fs/cgroup/memory.max); echo pids=$(cat /sys/fs/cgroup/pids.max); echo cg=$(cat /proc/self/cgroup); echo ro=$(touch /sys/fs/cgroup/x 2>/dev/null && echo no || echo yes)'
out=$(d run -b "$B" r1 </dev/null 2>&1)
echo "$out" | sed 's/^/    | /'
kv() { sed -n "s/^$1=//p" <<<"$out"; }
check "run: uid 0 inside" 0 "$(kv uid)"
check "run: two-range uid_map (newuidmap)" 2 "$(kv maplines)"
check "run: memory.max inside" 67108864 "$(kv mem)"
check "run: pids.max inside" 32 "$(kv pids)"
check "run: own cgroup namespace" "0::/" "$(kv cg)"
check "run: /sys/fs/cgroup read-only" yes "$(kv ro)"
[ ! -e "$DELEG/r1" ] && ok "run: cgroup removed after exit" || bad "run: $DELEG/r1 left"

echo "---- ${SECONDS}s"
# ---- 2. create/start/state/exec with limits in the delegated cgroup ----
conf "$B" '.process.args = ["sleep", "1000"]'
bg d create -b "$B" c1 && ok "create" || bad "create: $(cat "$W/bg.out")"
check "state created" created "$(field c1 status)"
pid=$(field c1 pid)
check "cgroup made at hako-deleg/c1 (parent of the caller's cgroup)" yes "$([ -d "$DELEG/c1" ] && echo yes)"
check "cgroup owned by the user" "$UID1" "$(stat -c %u "$DELEG/c1")"
check "init in the cgroup" "$pid" "$(cat "$DELEG/c1/cgroup.procs")"
check "memory.max on the host" 67108864 "$(cat "$DELEG/c1/memory.max")"
check "pids.max on the host" 32 "$(cat "$DELEG/c1/pids.max")"
d start c1 && check "state running" running "$(field c1 status)" || bad "start"
out=$(d exec c1 sh -c 'echo $(id -u) $(cat /sys/fs/cgroup/pids.max) $(cat /proc/self/cgroup)' 2>&1)
check "exec: uid, pids.max, cgroup from inside" "0 32 0::/" "$out"

echo "---- ${SECONDS}s"
# ---- 3. pause / resume ----
d pause c1 && ok pause || bad pause
check "state paused" paused "$(field c1 status)"
check "cgroup.events frozen" "frozen 1" "$(grep frozen "$DELEG/c1/cgroup.events")"
d resume c1 && ok resume || bad resume
check "state running after resume" running "$(field c1 status)"
check "cgroup.events thawed" "frozen 0" "$(grep frozen "$DELEG/c1/cgroup.events")"

echo "---- ${SECONDS}s"
# ---- 4. update ----
d update --memory 128m --pids-limit 20 c1 && ok "update" || bad "update"
check "update: memory.max on the host" 134217728 "$(cat "$DELEG/c1/memory.max")"
check "update: pids.max on the host" 20 "$(cat "$DELEG/c1/pids.max")"
check "update: seen from inside" "134217728 20" "$(d exec c1 sh -c 'echo $(cat /sys/fs/cgroup/memory.max) $(cat /sys/fs/cgroup/pids.max)' 2>&1)"
# (the sleeps stay until kill --all below; their stdio must not hold our pipe)
out=$(d exec c1 sh -c 'for i in $(seq 25); do sleep 1000 </dev/null >/dev/null 2>&1 & done' 2>&1)
has "pids limit 20 enforced (fork fails inside)" "can't fork" "$out"

echo "---- ${SECONDS}s"
# ---- 5. ps, events ----
check "ps json has init" true "$(d ps --format json c1 | jq --argjson p "$pid" 'index($p) != null')"
out=$(d ps c1)
grep -Eq "^$U +$pid |^$UID1 +$pid " <<<"$out" && ok "ps table has init" || bad "ps table: $out"
check "events: memory limit" 134217728 "$(d events --stats c1 | jq .data.memory.usage.limit)"

echo "---- ${SECONDS}s"
# ---- 6. kill --all, delete ----
bg d exec -d c1 sleep 1000
n=$(wc -l <"$DELEG/c1/cgroup.procs")
[ "$n" -ge 2 ] && ok "two processes in the cgroup ($n)" || bad "processes in the cgroup: $n"
d kill --all c1 KILL && ok "kill --all" || bad "kill --all"
for _ in $(seq 100); do [ "$(field c1 status)" = stopped ] && [ ! -s "$DELEG/c1/cgroup.procs" ] && break; sleep 0.1; done
check "state stopped" stopped "$(field c1 status)"
check "cgroup empty after kill --all" "" "$(cat "$DELEG/c1/cgroup.procs")"
d delete c1 && ok delete || bad delete
[ ! -e "$DELEG/c1" ] && ok "delete removed the cgroup" || bad "$DELEG/c1 left"
[ ! -e "$W/run-$U/hako/c1" ] && ok "delete removed the state dir" || bad "state dir left"

echo "---- ${SECONDS}s"
# ---- 7. no limits, relative cgroupsPath: still a cgroup (pause works) ----
conf "$B" 'del(.linux.resources) | .linux.cgroupsPath = "sub/c2"'
bg d run -d -b "$B" c2 && ok "run -d without limits" || bad "run -d: $(cat "$W/bg.out")"
check "relative cgroupsPath under the parent of the caller's cgroup" yes "$([ -d "$DELEG/sub/c2" ] && echo yes)"
d pause c2 && check "pause without limits" paused "$(field c2 status)" || bad "pause c2"
d resume c2
d delete -f c2 && ok "delete -f" || bad "delete -f c2"
# (as runc: delete removes the container's cgroup, not the parents create made)
[ ! -e "$DELEG/sub/c2" ] && ok "delete removed sub/c2" || bad "$DELEG/sub/c2 left"
rmdir "$DELEG/sub"

echo "---- ${SECONDS}s"
# ---- 8. another user's container id ----
conf "$B" 'del(.linux.cgroupsPath)'
bg d run -d -b "$B" c3
for cmd in "state c3" "kill c3 KILL" "pause c3" "delete -f c3"; do
	# shellcheck disable=SC2086
	out=$(u2 --root "$W/run-$U/hako" $cmd 2>&1) && bad "$U2: $cmd succeeded" ||
		has "$U2: $cmd: permission denied" "ermission denied" "$out"
done
out=$(u2 state c3 2>&1)
has "$U2 with its own root: no such container" "does not exist" "$out"
check "c3 still running" running "$(field c3 status)"
d delete -f c3

echo "---- ${SECONDS}s"
# ---- 9. no delegation: limits refused, nothing written to cgroups ----
conf "$B" "del(.linux.cgroupsPath) | $limits"
bg nd create -b "$B" nd1 && bad "create with limits, no delegation, succeeded"
out=$(cat "$W/bg.out")
has "no delegation + limits: error names the field" "linux.resources: an unprivileged user can set cgroup limits only in a delegated cgroup" "$out"
has "no delegation: error names the cgroup not writable" "/sys/fs/cgroup is not writable by uid $UID1" "$out"
has "no delegation: error says how to delegate" "Delegate=yes" "$out"
echo "    | $out"
[ ! -e "$CG/nd1" ] && [ ! -e "$W/run-$U/hako/nd1" ] && ok "nothing left (cgroup, state dir)" || bad "left: $(ls -d "$CG/nd1" "$W/run-$U/hako/nd1" 2>&1)"
conf "$B" 'del(.linux.resources) | .process.args = ["sleep", "1000"]'
bg nd run -d -b "$B" nd2 && ok "no delegation, no limits: runs" || bad "run -d nd2: $(cat "$W/bg.out")"
p2=$(nd state nd2 | jq -r .pid)
check "no delegation: the container stays in the caller's cgroup" "0::/" "$(cat "/proc/$p2/cgroup" 2>&1)"
out=$(nd pause nd2 2>&1) && bad "pause without a cgroup succeeded" ||
	has "pause without a cgroup: says why" "delegated cgroup v2 subtree" "$out"
nd delete -f nd2 >/dev/null 2>&1

echo "---- ${SECONDS}s"
conf "$B" '.linux.cgroupsPath = "mine/nd3"'
bg nd create -b "$B" nd3 && bad "cgroupsPath without delegation succeeded"
out=$(cat "$W/bg.out")
has "no delegation + cgroupsPath: refused, as runc" 'linux.cgroupsPath: "mine/nd3": an unprivileged user can use only a delegated cgroup' "$out"
[ ! -e "$CG/mine" ] && [ ! -e "$W/run-$U/hako/nd3" ] && ok "nothing left (cgroupsPath)" || bad "left: $(ls -d "$CG/mine" "$W/run-$U/hako/nd3" 2>&1)"
conf "$B" 'del(.linux.cgroupsPath)'

# ---- 10. a controller the parent does not hand down ----
conf "$B" "$limits"
bg user "$CG/hako-p/deleg/shell" "$U" create -b "$B" nm1 && bad "memory limit without the memory controller succeeded"
out=$(cat "$W/bg.out")
has "undelegated controller: named, with the file to fix" "memory controller is not delegated: $CG/hako-p/deleg/cgroup.controllers lacks it" "$out"
[ ! -e "$CG/hako-p/deleg/nm1" ] && ok "nothing created" || bad "$CG/hako-p/deleg/nm1 left"

echo "---- ${SECONDS}s"
# ---- 11. ids: no subordinate range, no newuidmap ----
B2=$W/b2
bundle "$B2" "$U2"
conf "$B2" "$multi" --argjson u "$UID2" --argjson g "$GID2"
bg u2 create -b "$B2" m1 && bad "$U2 mapped a range without /etc/subuid"
out=$(cat "$W/bg.out")
has "no subuid: the line to add and the usermod command" "usermod --add-subuids 200000-265535 $U2" "$out"
has "no subuid: names /etc/subuid" "add the line \"$U2:200000:65536\"" "$out"
echo "    | $out"
[ ! -e "$W/run-$U2/hako/m1" ] && ok "no subuid: no state dir left" || bad "state dir left"
conf "$B" "$multi | del(.linux.resources)" --argjson u "$UID1" --argjson g "$GID1"
(cd "$W" && exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH=/nonexistent \
	XDG_RUNTIME_DIR="$W/run-$U" "$W/hako" create -b "$B" m2 </dev/null >"$W/bg.out" 2>&1) && bad "created without newuidmap"
out=$(cat "$W/bg.out")
has "no newuidmap: what to install" "needs newuidmap, which is not in PATH: install it (apt-get install uidmap)" "$out"
echo "    | $out"

# leftovers: no process of the users, no container cgroups
sleep 0.2
left=$(ps -o pid=,args= -u "$U","$U2" 2>/dev/null)
[ -z "$left" ] && ok "no process of $U/$U2 left" || bad "processes left: $left"
check "only the shell leaf left in the delegated cgroup" shell "$(cd "$DELEG" && ls -d */ | tr -d /)"

finish
