#!/usr/bin/env bash
# pause, resume, update, ps and events under pure cgroup v2, in the run-in-vm guest.
#
#   tests/integration/vm/cgroup_cmds_v2.sh          (on the host; build first: ninja -C build)
#   HAKO=/usr/sbin/runc tests/integration/vm/cgroup_cmds_v2.sh   (the same checks against runc)
#
# Builds nothing: runs $HAKO (default build/hako of this checkout) inside the guest on a
# busybox bundle made there, and prints "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"
[ "${1:-}" = --inside ] || vm_boot cgroup_cmds_v2.sh --cgroup v2 --timeout 240

# ---- inside the guest ----

ROOT=/tmp/state
B=/tmp/bundle
SHARED=/tmp/shared
ID=v2c
h() { "$HAKO" --root "$ROOT" "$@"; }

mkdir -p "$B/rootfs/bin" "$B/rootfs"/{proc,sys,dev,tmp,shared} "$SHARED"
cp /bin/busybox "$B/rootfs/bin/busybox"
for a in sh sleep echo cat true; do ln -s busybox "$B/rootfs/bin/$a"; done
cat >"$B/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
    "args": ["sh", "-c", "i=0; while true; do i=\$((i+1)); echo \$i > /shared/count; sleep 0.05; done"],
    "env": ["PATH=/bin"]
  },
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
    {"destination": "/shared", "type": "bind", "source": "$SHARED", "options": ["rbind", "rw"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
}
JSON

if ! h run -d -b "$B" "$ID" </dev/null >/tmp/run.out 2>&1; then
	bad "run -d: $(cat /tmp/run.out)"
	echo "$pass passed, $failed failed"
	exit 1
fi
for _ in $(seq 100); do [ -s "$SHARED/count" ] && break; sleep 0.1; done
pid="$(h state "$ID" | jq -r .pid)"
cg="/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
echo "container $ID: pid $pid, cgroup $cg"

# pause / resume
h pause "$ID" && ok "pause" || bad "pause"
check "state paused" paused "$(h state "$ID" | jq -r .status)"
check "cgroup.events frozen" "frozen 1" "$(grep frozen "$cg/cgroup.events")"
a="$(cat "$SHARED/count")"
sleep 1
check "counter stopped while paused" "$a" "$(cat "$SHARED/count")"
out="$(h pause "$ID" 2>&1)" && bad "pause twice succeeded" || check "pause twice: runc's words" 1 "$(grep -c 'container not running' <<<"$out")"
out="$(h exec "$ID" true 2>&1)" && bad "exec into paused succeeded" ||
	check "exec into paused refused" 1 "$(grep -c 'cannot exec in a paused container' <<<"$out")"
check "ps json while paused has init" true "$(h ps --format json "$ID" | jq --argjson p "$pid" 'index($p) != null')"
h resume "$ID" && ok "resume" || bad "resume"
check "state running" running "$(h state "$ID" | jq -r .status)"
check "cgroup.events thawed" "frozen 0" "$(grep frozen "$cg/cgroup.events")"
sleep 1
b="$(cat "$SHARED/count")"
[ "$b" -gt "$a" ] && ok "counter advances after resume ($a -> $b)" || bad "counter stuck after resume ($a -> $b)"
out="$(h resume "$ID" 2>&1)" && bad "resume of running succeeded" || check "resume of running: runc's words" 1 "$(grep -c 'container not paused' <<<"$out")"

# update
h update --memory 64m --memory-swap 128m --pids-limit 42 --cpu-share 512 --cpu-quota 50000 \
	--cpu-period 100000 "$ID" && ok "update flags" || bad "update flags"
check "memory.max" 67108864 "$(cat "$cg/memory.max")"
check "memory.swap.max (swap - limit)" 67108864 "$(cat "$cg/memory.swap.max")"
check "pids.max" 42 "$(cat "$cg/pids.max")"
check "cpu.weight (shares 512)" 20 "$(cat "$cg/cpu.weight")"
check "cpu.max" "50000 100000" "$(cat "$cg/cpu.max")"
echo '{"memory": {"limit": 100000000, "swap": 200000000}, "pids": {"limit": 24}, "cpu": {"shares": 1024}}' |
	h update --resources - --pids-limit 99 "$ID" && ok "update --resources -" || bad "update --resources -"
check "memory.max from JSON" 99999744 "$(cat "$cg/memory.max")"
check "pids.max from JSON (flags ignored)" 24 "$(cat "$cg/pids.max")"
check "cpu.weight from JSON" 39 "$(cat "$cg/cpu.weight")"
h update --pids-limit -1 "$ID" && check "pids.max unlimited" max "$(cat "$cg/pids.max")"
h update --pids-limit 30 "$ID"

# ps, events
check "ps json has init" true "$(h ps --format json "$ID" | jq --argjson p "$pid" 'index($p) != null')"
out="$(h ps "$ID")"
grep -Eq "^root +$pid " <<<"$out" && ok "ps table has init" || bad "ps table: $out"
ev="$(h events --stats "$ID")"
check "events type" stats "$(jq -r .type <<<"$ev")"
check "events memory usage > 0" true "$(jq '.data.memory.usage.usage > 0' <<<"$ev")"
check "events memory limit" 99999744 "$(jq '.data.memory.usage.limit' <<<"$ev")"
check "events pids.current >= 1" true "$(jq '.data.pids.current >= 1' <<<"$ev")"
check "events pids.limit" 30 "$(jq '.data.pids.limit' <<<"$ev")"
check "events cpu usage > 0" true "$(jq '.data.cpu.usage.total > 0' <<<"$ev")"

# exec lands in the container's cgroup (clone3 CLONE_INTO_CGROUP), or with
# --cgroup in an existing sub-cgroup of it
ecg() { # ecg PIDFILE: the cgroup2 path of the exec'd process
	sed -n 's/^0:://p' "/proc/$(cat "$1")/cgroup"
}
cgpath="${cg#/sys/fs/cgroup}"
if h exec -d --pid-file /tmp/e0.pid "$ID" sleep 1001 </dev/null >/tmp/e0.out 2>&1; then
	check "exec: in the container's cgroup" "$cgpath" "$(ecg /tmp/e0.pid)"
	kill -9 "$(cat /tmp/e0.pid)"
else
	bad "exec -d: $(cat /tmp/e0.out)"
fi
mkdir "$cg/sub"
if h exec -d --pid-file /tmp/e1.pid --cgroup sub "$ID" sleep 1002 </dev/null >/tmp/e1.out 2>&1; then
	check "exec --cgroup sub: in the sub-cgroup" "$cgpath/sub" "$(ecg /tmp/e1.pid)"
	check "exec --cgroup sub: listed in sub/cgroup.procs" 1 "$(grep -cx "$(cat /tmp/e1.pid)" "$cg/sub/cgroup.procs")"
	check "ps lists the sub-cgroup's process" true \
		"$(h ps --format json "$ID" | jq --argjson p "$(cat /tmp/e1.pid)" 'index($p) != null')"
	kill -9 "$(cat /tmp/e1.pid)"
else
	bad "exec --cgroup sub: $(cat /tmp/e1.out)"
fi
out="$(h exec --cgroup nosuch "$ID" true 2>&1)" && bad "exec --cgroup nosuch succeeded" ||
	check "exec --cgroup of a missing sub-cgroup refused" 1 "$(grep -c 'does not exist' <<<"$out")"
out="$(h exec --cgroup memory:sub "$ID" true 2>&1)" && bad "exec --cgroup memory:sub succeeded on v2" ||
	ok "exec --cgroup CONTROLLER:PATH refused on v2 ($out)"
for _ in $(seq 50); do [ -z "$(cat "$cg/sub/cgroup.procs")" ] && break; sleep 0.1; done
rmdir "$cg/sub" && ok "sub-cgroup empty again" || bad "sub-cgroup busy: $(cat "$cg/sub/cgroup.procs")"

# a paused container can be force-deleted (v2: SIGKILL reaches frozen tasks)
h pause "$ID"
if timeout 20 "$HAKO" --root "$ROOT" delete -f "$ID" >/tmp/del.out 2>&1; then
	ok "delete -f of a paused container"
else
	bad "delete -f of a paused container: $(cat /tmp/del.out)"
	h resume "$ID" >/dev/null 2>&1
	h delete -f "$ID" >/dev/null 2>&1
fi
[ ! -d "$cg" ] && ok "cgroup removed" || bad "cgroup left: $cg"

# stopped container
sed -i 's/"args": \[.*\]/"args": ["true"]/' "$B/config.json"
h run -b "$B" "$ID" </dev/null >/dev/null 2>&1
h create -b "$B" "$ID" </dev/null >/dev/null 2>&1 && h start "$ID"
for _ in $(seq 50); do [ "$(h state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
out="$(h pause "$ID" 2>&1)" && bad "pause of stopped succeeded" || check "pause of stopped: runc's words" 1 "$(grep -c 'container not running' <<<"$out")"
out="$(h update --pids-limit 5 "$ID" 2>&1)" && bad "update of stopped succeeded" || check "update of stopped refused" 1 "$(grep -c 'container not running' <<<"$out")"
h delete -f "$ID" >/dev/null 2>&1

finish
