#!/usr/bin/env bash
# Shared helpers for the integration tests.
#
# The runtime under test is $HAKO (default: build/hako of this checkout).  The
# tests are written against runc's contract, so `HAKO=/usr/sbin/runc bats
# tests/integration` must pass too; hako-only features call `requires_hako`.
#
# Every test gets its own state root ($STATE_ROOT), bundle ($BUNDLE, with
# $ROOTFS), and a container id ($CID) that is unique on the host (cgroup paths
# are derived from it, so it must not clash with a parallel run).
#
# A test file normally does:
#   load helpers
#   setup()    { setup_common; }
#   teardown() { teardown_common; }

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
HAKO="${HAKO:-$REPO_ROOT/build/hako}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
# The checker binary (tests/checker), copied into every rootfs when it exists.
if [ -z "${CHECKER:-}" ]; then
	for c in "$REPO_ROOT/build/tests/checker/checker" "$REPO_ROOT/build/checker/checker"; do
		if [ -x "$c" ]; then
			CHECKER="$c"
			break
		fi
	done
fi
CHECKER="${CHECKER:-}"
PYTHON3="${PYTHON3:-$(command -v /usr/bin/python3 python3 2>/dev/null | head -n1)}"

# How long the wait_* helpers poll before giving up, in seconds.
WAIT_TIMEOUT="${WAIT_TIMEOUT:-20}"

# --- runtime selection ----------------------------------------------------

# True when the runtime under test is runc (the reference), not hako.
is_runc() {
	case "$(basename "$HAKO")" in
	runc*) return 0 ;;
	esac
	"$HAKO" --version 2>/dev/null | grep -q '^runc version'
}

# Skip a test of a feature only hako has (or that runc 1.1 cannot do).
requires_hako() {
	if is_runc; then
		skip "${1:-hako-only feature}: not supported by runc"
	fi
}

requires_checker() {
	if [ -z "$CHECKER" ] || [ ! -x "$CHECKER" ]; then
		skip "checker not built (ninja -C build, or set CHECKER=/path/to/static/checker)"
	fi
}

requires_python3() {
	if [ -z "$PYTHON3" ]; then
		skip "python3 not available"
	fi
}

# Skip unless the kernel offers this namespace (name as in /proc/self/ns).
requires_ns() {
	if [ ! -e "/proc/self/ns/$1" ]; then
		skip "kernel without $1 namespace"
	fi
}

# --- runtime invocation ----------------------------------------------------

# Run the runtime under test with the per-test state root.
hako() {
	"$HAKO" --root "$STATE_ROOT" "$@"
}

# hako with the bundle preselected: hako_b create ID == hako create -b $BUNDLE ID
hako_b() {
	local cmd="$1"
	shift
	hako "$cmd" --bundle "$BUNDLE" "$@"
}

# --- bundles ----------------------------------------------------------------

# make_rootfs_template DIR: the busybox (+ checker) rootfs all bundles copy.
make_rootfs_template() {
	local rootfs="$1" applet
	mkdir -p "$rootfs"/{bin,sbin,proc,sys,dev,tmp,etc,root,run,var,home,mnt}
	chmod 1777 "$rootfs/tmp"
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		# Never replace busybox itself with a link to itself.
		[ "$applet" = busybox ] && continue
		[ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
	done
	if [ -n "$CHECKER" ] && [ -x "$CHECKER" ]; then
		cp "$CHECKER" "$rootfs/bin/checker"
	fi
	cat >"$rootfs/etc/passwd" <<-'PASSWD'
		root:x:0:0:root:/root:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	PASSWD
	cat >"$rootfs/etc/group" <<-'GROUP'
		root:x:0:
		tty:x:5:
		nogroup:x:65534:
	GROUP
}

# setup_bundle DIR: a bundle with a busybox rootfs (/bin/busybox and a link
# per applet, /bin/checker when built) and a default config.json (the one
# `runc spec` writes, but with terminal=false and a writable root).
setup_bundle() {
	local dir="$1" tmpl="$BATS_RUN_TMPDIR/rootfs-template" tmp
	if [ ! -d "$tmpl" ]; then
		# Made once per bats run; parallel tests race to rename it in.
		tmp="$(mktemp -d "$BATS_RUN_TMPDIR/rootfs-template.XXXXXX")"
		make_rootfs_template "$tmp/rootfs"
		mv -T "$tmp/rootfs" "$tmpl" 2>/dev/null || true
		rm -rf "$tmp"
	fi
	mkdir -p "$dir"
	cp -a "$tmpl" "$dir/rootfs"
	write_default_config "$dir/config.json"
}

# The default config: runc 1.1's `runc spec`, terminal false, root writable.
write_default_config() {
	cat >"$1" <<-'JSON'
		{
		  "ociVersion": "1.0.2-dev",
		  "process": {
		    "terminal": false,
		    "user": { "uid": 0, "gid": 0 },
		    "args": [ "sh" ],
		    "env": [
		      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		      "TERM=xterm"
		    ],
		    "cwd": "/",
		    "capabilities": {
		      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
		      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
		      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
		      "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
		    },
		    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
		    "noNewPrivileges": true
		  },
		  "root": { "path": "rootfs", "readonly": false },
		  "hostname": "hako",
		  "mounts": [
		    { "destination": "/proc", "type": "proc", "source": "proc" },
		    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
		    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		      "options": [ "nosuid", "noexec", "nodev" ] },
		    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
		      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		      "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
		  ],
		  "linux": {
		    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		    "namespaces": [
		      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
		      { "type": "uts" }, { "type": "mount" }
		    ],
		    "maskedPaths": [
		      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"
		    ],
		    "readonlyPaths": [
		      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
		    ]
		  }
		}
	JSON
}

# update_config JQ_EXPR [jq args...]: edit $BUNDLE/config.json in place.
#   update_config '.process.args = ["sh", "-c", "echo hi"]'
#   update_config '.hostname = $h' --arg h foo
update_config() {
	local expr="$1" cfg="${CONFIG:-$BUNDLE/config.json}"
	shift
	jq "$@" "$expr" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}

# set_cmd ARG...: the container process' args.
set_cmd() {
	local args
	# ("--": jq would take "-c" for one of its own options)
	args="$(jq -cn '$ARGS.positional' --args -- "$@")"
	update_config '.process.args = $a' --argjson a "$args"
}

# set_sh SCRIPT: run `sh -c SCRIPT` in the container.
set_sh() {
	set_cmd sh -c "$1"
}

# --- per-test setup / teardown --------------------------------------------

setup_common() {
	STATE_ROOT="$BATS_TEST_TMPDIR/state"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	# Unique on the host: cgroups default to a path made from the id.
	CID="hako-$$-${BATS_TEST_NUMBER}-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	export STATE_ROOT BUNDLE ROOTFS CID
	mkdir -p "$STATE_ROOT"
	setup_bundle "$BUNDLE"
	# Pids of host helper processes a test starts (ended in teardown).
	HELPER_PIDS=()
}

# Container ids in the state root (as the runtime lists them).
list_ids() {
	hako list -q 2>/dev/null || true
}

teardown_common() {
	local id pid mnt
	# Delete every container in this test's root, whatever its status.
	for id in $(list_ids); do
		"$HAKO" --root "$STATE_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	# State dirs the runtime could not list (half-made containers).
	if [ -d "$STATE_ROOT" ]; then
		for id in "$STATE_ROOT"/*; do
			[ -d "$id" ] || continue
			"$HAKO" --root "$STATE_ROOT" delete --force "${id##*/}" >/dev/null 2>&1 || true
		done
	fi
	# Processes a broken runtime left in the bundle (the container's own;
	# ended by pid), and the cgroups named after this test's ids.
	if [ -n "${BUNDLE:-}" ]; then
		for pid in $(procs_in_bundle); do
			kill -9 "$pid" 2>/dev/null || true
		done
	fi
	if [ -n "${CID:-}" ]; then
		for mnt in $(find /sys/fs/cgroup -maxdepth 6 -depth -type d -name "$CID*" 2>/dev/null); do
			rmdir "$mnt" 2>/dev/null || true
		done
	fi
	# Host helper processes this test started.
	for pid in "${HELPER_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in "${HELPER_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# Mounts this test made under its tmpdir (e.g. namespace bind mounts),
	# deepest first.
	for mnt in $(awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$mnt" 2>/dev/null || true
	done
	rm -rf "$BATS_TEST_TMPDIR/state" "$BATS_TEST_TMPDIR/bundle" 2>/dev/null || true
}

# --- waiting ----------------------------------------------------------------

# container_status ID: the status field of `hako state ID` (empty on error).
container_status() {
	hako state "$1" 2>/dev/null | jq -r '.status' 2>/dev/null
}

container_pid() {
	hako state "$1" 2>/dev/null | jq -r '.pid' 2>/dev/null
}

# start_sleeper: run $CID detached with a long-lived init; INIT_PID is its
# (host) pid.
start_sleeper() {
	set_cmd sleep 100000
	run_detached || fail "run --detach failed: $(stderr_of)"
	wait_for_status "$CID" running
	INIT_PID="$(container_pid "$CID")"
	if [ -z "$INIT_PID" ] || [ "$INIT_PID" = 0 ] || [ "$INIT_PID" = null ]; then
		fail "no init pid in the state: $(hako state "$CID" 2>&1)"
	fi
}

# wait_for_status ID STATUS [TIMEOUT_S]: poll until the container has STATUS.
wait_for_status() {
	local id="$1" want="$2" timeout="${3:-$WAIT_TIMEOUT}" got=""
	local deadline=$((SECONDS + timeout))
	while [ "$SECONDS" -le "$deadline" ]; do
		got="$(container_status "$id")"
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status '$got', expected '$want' after ${timeout}s" >&2
	return 1
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_pid_gone PID [TIMEOUT_S]: poll until PID is dead (zombie counts as dead:
# reaping orphans is up to the host's pid 1).
wait_pid_gone() {
	local pid="$1" timeout="${2:-$WAIT_TIMEOUT}"
	local deadline=$((SECONDS + timeout))
	while [ "$SECONDS" -le "$deadline" ]; do
		pid_alive "$pid" || return 0
		sleep 0.05
	done
	echo "process $pid still alive after ${timeout}s" >&2
	return 1
}

# wait_for_file PATH [TIMEOUT_S]: poll until PATH exists and is not empty.
wait_for_file() {
	local f="$1" timeout="${2:-$WAIT_TIMEOUT}"
	local deadline=$((SECONDS + timeout))
	while [ "$SECONDS" -le "$deadline" ]; do
		[ -s "$f" ] && return 0
		sleep 0.05
	done
	echo "file $f did not appear after ${timeout}s" >&2
	return 1
}

# --- reading results back -------------------------------------------------

# kv KEY: the value of KEY in checker-style "key=value" lines in $output.
kv() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p" | head -n1
}

# ns_inode PID NAME: inode of /proc/PID/ns/NAME.
ns_inode() {
	stat -L -c %i "/proc/$1/ns/$2"
}

# --- leak checks ------------------------------------------------------------

# Mount points (field 5 of mountinfo) of the host under PATH.
mounts_under() {
	awk -v d="$1" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

# Pids of processes whose root or cwd is the rootfs or the bundle.  (readlink
# of /proc/PID/root says "/" for another mount namespace, so compare the
# dev:inode that stat finds through the link.)
procs_in_bundle() {
	local r b
	r="$(stat -c %d:%i "$ROOTFS" 2>/dev/null)" || return 0
	b="$(stat -c %d:%i "$BUNDLE" 2>/dev/null)"
	stat -L -c '%n %d:%i' /proc/[0-9]*/root /proc/[0-9]*/cwd 2>/dev/null |
		awk -v r="$r" -v b="$b" '$2 == r || ($2 == b && $1 ~ /cwd$/) { split($1, f, "/"); print f[3] }' |
		sort -un | while read -r p; do
			pid_alive "$p" && echo "$p"
		done
	return 0
}

# pids_in_pidns PID: the processes in the pid namespace of PID.
pids_in_pidns() {
	local want
	want="$(stat -L -c %i "/proc/$1/ns/pid" 2>/dev/null)" || return 0
	stat -L -c '%n %i' /proc/[0-9]*/ns/pid 2>/dev/null |
		awk -v w="$want" '$2 == w { split($1, f, "/"); print f[3] }'
	return 0
}

# hex_caps CAPNUM...: the 16-digit hex mask /proc/self/status shows for caps.
hex_caps() {
	local mask=0 c
	for c in "$@"; do
		mask=$((mask | (1 << c)))
	done
	printf '%016x' "$mask"
}

# Cgroup directories named after the container id.
cgroups_of() {
	# other tests' cgroups vanish during the walk: find then fails, the result stands
	find /sys/fs/cgroup -maxdepth 6 -type d -name "$1" 2>/dev/null || true
}

# assert_no_leaks [ID] [PID]: nothing of container ID is left on the host: no
# mount under the bundle, no state dir, no process (PID, or any with its root
# or cwd in the bundle), no cgroup named after the id.
assert_no_leaks() {
	local id="${1:-$CID}" pid="${2:-}" m p cg
	m="$(mounts_under "$BUNDLE")"
	[ -z "$m" ] || fail "mounts left under the bundle: $m"
	[ ! -e "$STATE_ROOT/$id" ] || fail "state dir left: $STATE_ROOT/$id ($(ls -A "$STATE_ROOT/$id"))"
	if [ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != null ]; then
		wait_pid_gone "$pid" || fail "container process $pid left"
	fi
	p="$(procs_in_bundle)"
	for pid in $p; do
		wait_pid_gone "$pid" 5 || fail "process $pid left in the bundle: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	done
	cg="$(cgroups_of "$id")"
	[ -z "$cg" ] || fail "cgroups left: $cg"
}

# count_lines TEXT: number of non-empty lines.
count_lines() {
	printf '%s\n' "$1" | grep -c .
}

# --- creating containers in the background ----------------------------------

# create_container [ID [FLAGS...]]: `hako create` ID from $BUNDLE.  The
# container's stdio go to $BATS_TEST_TMPDIR/ID.{stdout,stderr} (a long-lived
# container must not hold the pipe of bats' `run`), and so does the runtime's
# own stderr.
create_container() {
	local id="${1:-$CID}"
	[ $# -gt 0 ] && shift
	hako create --bundle "$BUNDLE" "$@" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/$id.stdout" 2>"$BATS_TEST_TMPDIR/$id.stderr"
}

# run_detached [ID [FLAGS...]]: `hako run --detach`, stdio as for create_container.
run_detached() {
	local id="${1:-$CID}"
	[ $# -gt 0 ] && shift
	hako run --detach --bundle "$BUNDLE" "$@" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/$id.stdout" 2>"$BATS_TEST_TMPDIR/$id.stderr"
}

# stderr_of ID / stdout_of ID: what create_container/run_detached captured.
stderr_of() {
	cat "$BATS_TEST_TMPDIR/${1:-$CID}.stderr" 2>/dev/null
}

stdout_of() {
	cat "$BATS_TEST_TMPDIR/${1:-$CID}.stdout" 2>/dev/null
}

# run_container [FLAGS...]: `hako run` $CID in the foreground, stdin from
# /dev/null; use with bats' run:  run run_container
run_container() {
	hako run --bundle "$BUNDLE" "$@" "$CID" </dev/null
}

# --- console socket ----------------------------------------------------------

# start_recvtty SOCKET OUTFILE: listen on the AF_UNIX SOCKET for a runtime's
# --console-socket connection, take the pty master it sends (SCM_RIGHTS) and
# copy everything read from it to OUTFILE (\r removed) until the container
# side closes.  Runs in the background; $RECVTTY_PID is its pid.
start_recvtty() {
	local sock="$1" out="$2"
	requires_python3
	cat >"$BATS_TEST_TMPDIR/recvtty.py" <<-'PY'
		import os, socket, sys
		path, out = sys.argv[1], sys.argv[2]
		srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		srv.bind(path)
		srv.listen(1)
		conn, _ = srv.accept()
		msg, fds, flags, addr = socket.recv_fds(conn, 4096, 4)
		if not fds:
		    sys.exit("recvtty: no fd received")
		master = fds[0]
		with open(out + ".name", "w") as f:
		    f.write(msg.decode(errors="replace"))
		with open(out, "wb") as f:
		    while True:
		        try:
		            data = os.read(master, 4096)
		        except OSError:  # EIO: every slave fd is closed
		            break
		        if not data:
		            break
		        f.write(data.replace(b"\r", b""))
		        f.flush()
	PY
	"$PYTHON3" "$BATS_TEST_TMPDIR/recvtty.py" "$sock" "$out" </dev/null 2>"$out.err" &
	RECVTTY_PID=$!
	HELPER_PIDS+=("$RECVTTY_PID")
	local deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ ! -S "$sock" ]; do
		[ "$SECONDS" -le "$deadline" ] || fail "recvtty did not listen on $sock"
		sleep 0.02
	done
}

# wait_recvtty: wait for the receiver to see the end of the pty output.
wait_recvtty() {
	wait_pid_gone "$RECVTTY_PID"
	wait "$RECVTTY_PID" 2>/dev/null || true
}
