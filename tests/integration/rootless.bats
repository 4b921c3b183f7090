#!/usr/bin/env bats
# Rootless containers: the runtime run by unprivileged users.
#
# setup_file makes two users: hakort, with subordinate id ranges
# 200000-265535 (for newuidmap/newgidmap), and hakort2 without any.  Each test
# gets a bundle owned by the user under a 0755 dir in /tmp (the bats tmp dir
# may be root-only), with the config the runtime's `spec --rootless` writes
# when run as that user.  The runtime runs as the user through runuser, with
# XDG_RUNTIME_DIR pointing at a per-user dir of this run.
#
# HAKO=/usr/sbin/runc passes the tests runc 1.1 shares; hako's own messages
# and defaults are checked only for hako.

load helpers
bats_require_minimum_version 1.5.0

RT_USER=hakort
RT_USER2=hakort2
SUB_START=200000
SUB_COUNT=65536

# --- users, once per file ----------------------------------------------------

# add_user NAME: create NAME (no subordinate ids) unless it exists; remember it.
add_user() {
	local name="$1"
	if ! id -u "$name" >/dev/null 2>&1; then
		# Debian's useradd hands out subordinate ranges on its own: not here.
		useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$name"
		echo "$name" >>"$RT_DIR/.created-users"
	fi
}

setup_file() {
	local range="$SUB_START-$((SUB_START + SUB_COUNT - 1))" u
	RT_DIR="$(mktemp -d /tmp/hako-rootless.XXXXXX)"
	chmod 0755 "$RT_DIR"
	export RT_DIR
	: >"$RT_DIR/.created-users"
	add_user "$RT_USER"
	add_user "$RT_USER2"
	# Subordinate ranges for hakort (only what is not there yet, and remember
	# exactly what was added).
	if ! grep -qx "$RT_USER:$SUB_START:$SUB_COUNT" /etc/subuid; then
		usermod --add-subuids "$range" "$RT_USER"
		echo "$range" >"$RT_DIR/.added-subuids"
	fi
	if ! grep -qx "$RT_USER:$SUB_START:$SUB_COUNT" /etc/subgid; then
		usermod --add-subgids "$range" "$RT_USER"
		echo "$range" >"$RT_DIR/.added-subgids"
	fi
	# Per-user runtime dirs (what pam_systemd would make: 0700, the user's).
	for u in "$RT_USER" "$RT_USER2"; do
		mkdir -p "$RT_DIR/run-$u"
		chown "$u:" "$RT_DIR/run-$u"
		chmod 0700 "$RT_DIR/run-$u"
	done
	# Was /tmp/hako-<uid> there before (test of the default root)?
	if [ -e "/tmp/hako-$(id -u "$RT_USER")" ]; then
		echo yes >"$RT_DIR/.had-tmp-root"
	fi
	make_rootfs_template "$RT_DIR/rootfs-template"
}

# kill_user_procs NAME: end every process of user NAME, by pid.
kill_user_procs() {
	local pid
	id -u "$1" >/dev/null 2>&1 || return 0
	for pid in $(ps -o pid= -u "$1" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || true
	done
}

teardown_file() {
	local u uid range
	[ -n "${RT_DIR:-}" ] && [ -d "$RT_DIR" ] || return 0
	uid="$(id -u "$RT_USER" 2>/dev/null || true)"
	for u in "$RT_USER" "$RT_USER2"; do
		kill_user_procs "$u"
	done
	if [ -s "$RT_DIR/.added-subuids" ]; then
		range="$(cat "$RT_DIR/.added-subuids")"
		usermod --del-subuids "$range" "$RT_USER" || true
	fi
	if [ -s "$RT_DIR/.added-subgids" ]; then
		range="$(cat "$RT_DIR/.added-subgids")"
		usermod --del-subgids "$range" "$RT_USER" || true
	fi
	if [ -n "$uid" ] && [ ! -s "$RT_DIR/.had-tmp-root" ]; then
		rm -rf "/tmp/hako-$uid"
	fi
	while read -r u; do
		[ -n "$u" ] || continue
		kill_user_procs "$u"
		userdel -r "$u" 2>/dev/null || userdel "$u" || true
	done <"$RT_DIR/.created-users"
	rm -rf "$RT_DIR"
}

# --- per test ------------------------------------------------------------------

setup() {
	TDIR="$RT_DIR/t$BATS_TEST_NUMBER"
	BUNDLE="$TDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	STATE_ROOT="$RT_DIR/run-$RT_USER/$(rt_name)"
	CID="hakort-$$-${BATS_TEST_NUMBER}-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	export TDIR BUNDLE ROOTFS STATE_ROOT CID
	RT_UID="$(id -u "$RT_USER")"
	RT_GID="$(id -g "$RT_USER")"
	RT2_UID="$(id -u "$RT_USER2")"
	RT2_GID="$(id -g "$RT_USER2")"
	rm -rf "$TDIR"
	mkdir -p "$TDIR"
	make_user_bundle "$RT_USER"
}

teardown() {
	local u id
	for u in "$RT_USER" "$RT_USER2"; do
		for id in $(as_user "$u" list -q 2>/dev/null); do
			as_user "$u" delete --force "$id" >/dev/null 2>&1 || true
		done
		for id in "$RT_DIR/run-$u/$(rt_name)"/*; do
			[ -d "$id" ] || continue
			as_user "$u" delete --force "${id##*/}" >/dev/null 2>&1 || true
		done
		kill_user_procs "$u"
	done
	rm -rf "$TDIR"
}

# rt_name: the runtime's name, as in its default root ($XDG_RUNTIME_DIR/NAME).
rt_name() {
	if is_runc; then echo runc; else echo hako; fi
}

# in_dir DIR CMD...: run CMD with DIR as cwd (the caller's may be root-only).
in_dir() {
	local dir="$1"
	shift
	(cd "$dir" && "$@")
}

# as_user USER ARGS...: the runtime as USER, with that user's XDG_RUNTIME_DIR.
as_user() {
	local u="$1"
	shift
	in_dir "$TDIR" runuser -u "$u" -- env XDG_RUNTIME_DIR="$RT_DIR/run-$u" "$HAKO" "$@"
}

# as_user_noxdg USER ARGS...: the same without XDG_RUNTIME_DIR.
as_user_noxdg() {
	local u="$1"
	shift
	in_dir "$TDIR" runuser -u "$u" -- env -u XDG_RUNTIME_DIR "$HAKO" "$@"
}

# rt ARGS...: the runtime as hakort.
rt() {
	as_user "$RT_USER" "$@"
}

# make_user_bundle USER: $BUNDLE with the template rootfs, the config of
# `spec --rootless` run as USER, root writable; all owned by USER.
make_user_bundle() {
	local u="$1"
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$RT_DIR/rootfs-template" "$ROOTFS"
	chown -R "$u:" "$BUNDLE"
	in_dir "$BUNDLE" runuser -u "$u" -- "$HAKO" spec --rootless
	[ -s "$BUNDLE/config.json" ] || fail "spec --rootless as $u wrote no config.json"
	update_config '.root.readonly = false | .process.terminal = false'
	chown "$u:" "$BUNDLE/config.json"
}

# ucreate_as USER ID [FLAGS...]: create ID from $BUNDLE as USER; stdio of the
# container and the runtime's stderr go to $TDIR/ID.{stdout,stderr} (a
# long-lived container must not hold the pipe of bats' `run`).
ucreate_as() {
	local u="$1" id="$2"
	shift 2
	as_user "$u" create --bundle "$BUNDLE" "$@" "$id" </dev/null \
		>"$TDIR/$id.stdout" 2>"$TDIR/$id.stderr"
}

# ucreate [ID [FLAGS...]]: ucreate_as hakort.
ucreate() {
	local id="${1:-$CID}"
	[ $# -gt 0 ] && shift
	ucreate_as "$RT_USER" "$id" "$@"
}

# ustate_field ID FIELD [USER]: a field of `state ID` as USER (default hakort).
ustate_field() {
	as_user "${3:-$RT_USER}" state "$1" 2>/dev/null | jq -r ".$2" 2>/dev/null
}

# uwait_status ID STATUS: poll `state` as hakort until ID has STATUS.
uwait_status() {
	local id="$1" want="$2" got="" deadline=$((SECONDS + WAIT_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ]; do
		got="$(ustate_field "$id" status)"
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status '$got', expected '$want'" >&2
	return 1
}

# status_ids PID KEY: the four ids of a "Uid:"/"Gid:" line of /proc/PID/status.
status_ids() {
	awk -v k="$2:" '$1 == k { print $2, $3, $4, $5 }' "/proc/$1/status"
}

# live_user_procs USER: the live processes of USER (zombies are the host
# init's to reap: runc 1.1 leaves a defunct runc:[1:CHILD] on a failed create).
live_user_procs() {
	local p
	for p in $(ps -o pid= -u "$1" 2>/dev/null); do
		pid_alive "$p" && echo "$p"
	done
	return 0
}

# Processes of USER whose root or cwd is in the bundle (the container's).
user_procs_in_bundle() {
	local p u
	u="$(id -u "$1")"
	for p in $(procs_in_bundle); do
		[ "$(stat -c %u "/proc/$p")" = "$u" ] && echo "$p"
	done
	return 0
}

# --- tests --------------------------------------------------------------------

@test "rootless run: root inside is the user outside" {
	update_config '.hostname = "rootless-host"'
	set_sh 'echo uid=$(id -u); echo gid=$(id -g); echo map=$(cat /proc/self/uid_map); echo gmap=$(cat /proc/self/gid_map); echo host=$(hostname); echo pid=$$'
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$(kv uid)" 0
	assert_equal "$(kv gid)" 0
	# /proc/self/uid_map: "0 <uid> 1" (columns padded)
	assert_equal "$(kv map | xargs)" "0 $RT_UID 1"
	assert_equal "$(kv gmap | xargs)" "0 $RT_GID 1"
	assert_equal "$(kv host)" rootless-host
	assert_equal "$(kv pid)" 1

	# On the host the container's process runs as the user.
	set_cmd sleep 1000
	ucreate
	pid="$(ustate_field "$CID" pid)"
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "no pid in state: $pid ($(cat "$TDIR/$CID.stderr"))"
	assert_equal "$(status_ids "$pid" Uid)" "$RT_UID $RT_UID $RT_UID $RT_UID"
	assert_equal "$(status_ids "$pid" Gid)" "$RT_GID $RT_GID $RT_GID $RT_GID"
	assert_equal "$(stat -c %u "/proc/$pid")" "$RT_UID"
	run rt delete --force "$CID"
	assert_success
	wait_pid_gone "$pid"
}

@test "rootless lifecycle: create, start, state, list, exec, kill, delete" {
	set_cmd sleep 1000
	ucreate "$CID" --pid-file "$BUNDLE/pid"
	assert_equal "$(cat "$TDIR/$CID.stderr")" ""
	run rt state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	pid="$(jq -r .pid <<<"$output")"
	assert_equal "$pid" "$(cat "$BUNDLE/pid")"

	# The default root is $XDG_RUNTIME_DIR/<runtime>, private to the user.
	[ -d "$STATE_ROOT/$CID" ] || fail "no state dir $STATE_ROOT/$CID: $(ls -la "$RT_DIR/run-$RT_USER")"
	assert_equal "$(stat -c %u "$STATE_ROOT")" "$RT_UID"
	mode="$(stat -c %a "$STATE_ROOT")"
	# (runc 1.1 makes it 1700: only "no access for group and others" is shared)
	(((8#$mode & 8#077) == 0)) || fail "$STATE_ROOT is mode $mode"
	if ! is_runc; then
		assert_equal "$mode" 700
	fi
	assert_equal "$(stat -c %u "$STATE_ROOT/$CID")" "$RT_UID"

	run rt start "$CID"
	assert_success
	uwait_status "$CID" running
	assert_equal "$(ustate_field "$CID" pid)" "$pid"

	run rt list
	assert_success
	assert_line --regexp "^$CID +$pid +running +"
	run rt list -q
	assert_success
	assert_output "$CID"

	run rt exec "$CID" sh -c 'echo exec-uid=$(id -u); echo exec-pid=$$'
	assert_success
	assert_equal "$(kv exec-uid)" 0
	[ "$(kv exec-pid)" != 1 ]

	run rt kill "$CID" KILL
	assert_success
	uwait_status "$CID" stopped
	wait_pid_gone "$pid"

	run rt delete "$CID"
	assert_success
	run rt state "$CID"
	assert_failure
	assert_output --partial "container does not exist"
	[ ! -e "$STATE_ROOT/$CID" ]
	[ -z "$(user_procs_in_bundle "$RT_USER")" ]
}

@test "rootless: multi-range mapping through newuidmap/newgidmap" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]
	             | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]
	             | .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])' \
		--argjson u "$RT_UID" --argjson g "$RT_GID" \
		--argjson s "$SUB_START" --argjson n "$SUB_COUNT"
	set_sh 'echo uidlines=$(wc -l < /proc/self/uid_map); echo gidlines=$(wc -l < /proc/self/gid_map);
		touch /tmp/x && chown 1000 /tmp/x && echo chown=ok; echo owner=$(stat -c %u /tmp/x)'
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$(kv uidlines)" 2
	assert_equal "$(kv gidlines)" 2
	assert_equal "$(kv chown)" ok
	assert_equal "$(kv owner)" 1000
	# Container uid 1000 is host uid 200000 + 999.
	assert_equal "$(stat -c %u "$ROOTFS/tmp/x")" "$((SUB_START + 999))"
}

@test "rootless: a user without subordinate ids cannot map a range" {
	if grep -q "^$RT_USER2:" /etc/subuid /etc/subgid 2>/dev/null; then
		skip "$RT_USER2 has subordinate ids on this host"
	fi
	make_user_bundle "$RT_USER2"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]
	             | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]' \
		--argjson u "$RT2_UID" --argjson g "$RT2_GID" \
		--argjson s "$SUB_START" --argjson n "$SUB_COUNT"
	set_cmd sleep 1000
	run ucreate_as "$RT_USER2" "$CID"
	assert_failure
	run cat "$TDIR/$CID.stderr"
	if ! is_runc; then
		# what to add, where, and the command that adds it
		assert_output --partial "add the line \"$RT_USER2:$SUB_START:$SUB_COUNT\" to it"
		assert_output --partial "/etc/subuid"
		assert_output --partial "usermod --add-subuids $SUB_START-$((SUB_START + SUB_COUNT - 1)) $RT_USER2"
	fi
	root2="$RT_DIR/run-$RT_USER2/$(rt_name)"
	[ ! -e "$root2/$CID" ] || fail "state dir left: $(ls -la "$root2/$CID")"
	run as_user "$RT_USER2" state "$CID"
	assert_failure
	[ -z "$(user_procs_in_bundle "$RT_USER2")" ] || fail "processes left: $(user_procs_in_bundle "$RT_USER2")"
	[ -z "$(live_user_procs "$RT_USER2")" ] || fail "processes of $RT_USER2 left: $(ps -o pid,stat,args -u "$RT_USER2")"
}

@test "rootless: resource limits need a delegated cgroup" {
	update_config '.linux.resources.memory.limit = 67108864'
	set_cmd sleep 1000
	run ucreate
	assert_failure
	run cat "$TDIR/$CID.stderr"
	if ! is_runc; then
		assert_output --partial "linux.resources: an unprivileged user can set cgroup limits only in a delegated cgroup"
		# why there is none here, and the way out
		if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
			assert_output --partial "only a pure cgroup v2 host"
		else
			assert_output --partial "Delegate=yes"
		fi
		assert_output --partial "remove linux.resources or run as root"
	fi
	[ ! -e "$STATE_ROOT/$CID" ] || fail "state dir left: $(ls -la "$STATE_ROOT/$CID")"
	run rt state "$CID"
	assert_failure
	[ -z "$(user_procs_in_bundle "$RT_USER")" ] || fail "processes left: $(user_procs_in_bundle "$RT_USER")"
	[ -z "$(live_user_procs "$RT_USER")" ] || fail "processes of $RT_USER left: $(ps -o pid,stat,args -u "$RT_USER")"
}

@test "rootless: another user cannot see or touch the containers" {
	set_cmd sleep 1000
	ucreate
	run rt start "$CID"
	assert_success
	uwait_status "$CID" running
	pid="$(ustate_field "$CID" pid)"
	# A second container in a root of hakort's choosing under a dir everyone
	# can enter: the runtime makes the root private itself.
	oroot="$TDIR/open/root-$RT_USER"
	mkdir -p "$TDIR/open"
	chmod 0755 "$TDIR/open"
	chown "$RT_USER:" "$TDIR/open"
	as_user "$RT_USER" --root "$oroot" run --detach --bundle "$BUNDLE" "$CID-o" </dev/null \
		>"$TDIR/$CID-o.stdout" 2>"$TDIR/$CID-o.stderr" ||
		fail "run --detach failed: $(cat "$TDIR/$CID-o.stderr")"
	opid="$(as_user "$RT_USER" --root "$oroot" state "$CID-o" | jq -r .pid)"
	mode="$(stat -c %a "$oroot")"
	(((8#$mode & 8#077) == 0)) || fail "$oroot is mode $mode"

	for r in "$STATE_ROOT:$CID" "$oroot:$CID-o"; do
		root="${r%%:*}" id="${r#*:}"
		# hakort2 pointed at hakort's root.
		run as_user "$RT_USER2" --root "$root" list -q
		if [ "$status" -eq 0 ]; then
			refute_output --partial "$id"
		else
			assert_output --regexp '[Pp]ermission denied'
		fi
		run as_user "$RT_USER2" --root "$root" state "$id"
		assert_failure
		assert_output --regexp '[Pp]ermission denied'
		run as_user "$RT_USER2" --root "$root" kill "$id" KILL
		assert_failure
		assert_output --regexp '[Pp]ermission denied'
		run as_user "$RT_USER2" --root "$root" delete --force "$id"
		assert_failure
		assert_output --regexp '[Pp]ermission denied'
	done
	# ... and with its own root it does not see them either.
	run as_user "$RT_USER2" list -q
	refute_output --partial "$CID"

	assert_equal "$(ustate_field "$CID" status)" running
	pid_alive "$pid"
	[ -d "$STATE_ROOT/$CID" ]
	assert_equal "$(as_user "$RT_USER" --root "$oroot" state "$CID-o" | jq -r .status)" running
	pid_alive "$opid"
	run as_user "$RT_USER" --root "$oroot" delete --force "$CID-o"
	assert_success
	wait_pid_gone "$opid"
}

@test "rootless: default root without XDG_RUNTIME_DIR is /tmp/hako-<uid>" {
	requires_hako "default root /tmp/hako-<uid>"
	troot="/tmp/hako-$RT_UID"
	set_cmd sleep 1000
	# (the container's stdio must not hold bats' pipe: files)
	as_user_noxdg "$RT_USER" create --bundle "$BUNDLE" "$CID" </dev/null \
		>"$TDIR/$CID.stdout" 2>"$TDIR/$CID.stderr" ||
		fail "create failed: $(cat "$TDIR/$CID.stderr")"
	[ -d "$troot/$CID" ] || fail "no state dir in $troot: $(ls -la "$troot" 2>&1)"
	assert_equal "$(stat -c %u "$troot")" "$RT_UID"
	[ ! -e "$STATE_ROOT/$CID" ]
	run as_user_noxdg "$RT_USER" state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	run as_user_noxdg "$RT_USER" list -q
	assert_success
	assert_output "$CID"
	run as_user_noxdg "$RT_USER" delete --force "$CID"
	assert_success
	[ ! -e "$troot/$CID" ]
	if [ ! -s "$RT_DIR/.had-tmp-root" ]; then
		rm -rf "$troot"
	fi
}

@test "rootless: /sys/fs/cgroup is read-only inside" {
	# runc 1.1.5 leaves the tmpfs at /sys/fs/cgroup writable on a cgroup v1
	# host in a user namespace (the hierarchies below it are ro).
	requires_hako "read-only /sys/fs/cgroup tmpfs in a user namespace"
	if [ "$(jq '[.mounts[] | select(.destination == "/sys/fs/cgroup")] | length' "$BUNDLE/config.json")" = 0 ]; then
		skip "the rootless config has no /sys/fs/cgroup mount"
	fi
	set_sh 'if touch /sys/fs/cgroup/hako-probe 2>/dev/null; then echo touch=ok; else echo touch=fail; fi
		for d in /sys/fs/cgroup/*/; do
			if mkdir "${d}hako-probe" 2>/dev/null; then echo "mkdir_ok=$d"; rmdir "${d}hako-probe"; fi
		done
		grep " /sys/fs/cgroup " /proc/self/mountinfo | tail -n1 | sed "s/^/mnt=/"'
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$(kv touch)" fail
	# No hierarchy below it is writable either.
	assert_equal "$(kv mkdir_ok)" ""
	[[ " $(kv mnt | awk '{ print $6 }' | tr ',' ' ') " == *" ro "* ]] || fail "not ro: $(kv mnt)"
}

@test "rootless: device nodes work inside" {
	set_sh 'echo x > /dev/null && echo null=ok; echo null_rdev=$(stat -c %t:%T /dev/null);
		echo zero_rdev=$(stat -c %t:%T /dev/zero); echo zero=$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")'
	run rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$(kv null)" ok
	assert_equal "$(kv null_rdev)" 1:3
	assert_equal "$(kv zero_rdev)" 1:5
	assert_equal "$(kv zero)" 00000000
}

@test "rootless: a multi-range map without newuidmap says what to install" {
	requires_hako "hako's message for a missing newuidmap"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]
	             | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
	                                     {"containerID": 1, "hostID": $s, "size": $n}]' \
		--argjson u "$RT_UID" --argjson g "$RT_GID" \
		--argjson s "$SUB_START" --argjson n "$SUB_COUNT"
	set_cmd sleep 1000
	# (no PATH entry holds newuidmap)
	run in_dir "$TDIR" runuser -u "$RT_USER" -- env PATH=/nonexistent \
		XDG_RUNTIME_DIR="$RT_DIR/run-$RT_USER" "$HAKO" create --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_output --partial "needs newuidmap, which is not in PATH: install it (apt-get install uidmap)"
	[ ! -e "$STATE_ROOT/$CID" ] || fail "state dir left"
	[ -z "$(user_procs_in_bundle "$RT_USER")" ] || fail "processes left: $(user_procs_in_bundle "$RT_USER")"
}

@test "rootless: --rootless takes auto, true or false" {
	requires_hako "hako's --rootless check"
	run rt --rootless maybe list
	assert_failure
	assert_output --partial '--rootless: invalid value "maybe" (auto, true or false)'
	for v in auto true false; do
		run rt --rootless "$v" list -q
		assert_success
	done
}
