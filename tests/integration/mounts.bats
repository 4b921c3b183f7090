#!/usr/bin/env bats
# Mounts in depth: recursive attributes, propagation, tmpfs data, destinations
# (symlinks that point out of the rootfs), idmapped mounts, linux.devices,
# maskedPaths/readonlyPaths, linux.sysctl and rootfsPropagation.  Each test
# looks at what the container sees (its own /proc/self/mountinfo, or the
# operation itself) and then checks that nothing is left on the host.
# (rootfs.bats has the basic bind/tmpfs/mask cases; they are not repeated.)

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	# Host mounts this test made itself (unmounted in teardown, deepest first).
	HOST_MOUNTS=()
	SRC="$BATS_TEST_TMPDIR/src"
	mkdir -p "$SRC"
}

teardown() {
	local i
	teardown_common
	for ((i = ${#HOST_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${HOST_MOUNTS[$i]}" 2>/dev/null || true
	done
}

# --- helpers of this file ---------------------------------------------------

# add_mount JSON: append one mount to .mounts
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# bind_mount DEST SOURCE OPTION...: append a bind mount with these options.
bind_mount() {
	local dest="$1" src="$2" opts
	shift 2
	opts="$(jq -cn '$ARGS.positional' --args -- "$@")"
	update_config '.mounts += [{"destination": $d, "type": "bind", "source": $s, "options": $o}]' \
		--arg d "$dest" --arg s "$src" --argjson o "$opts"
}

# host_mount ARGS... MOUNTPOINT: mount(8) on the host, remembered for teardown.
host_mount() {
	mount "$@"
	HOST_MOUNTS+=("${!#}")
}

# host_tmpfs DIR: a fresh tmpfs on DIR (created) on the host.
host_tmpfs() {
	mkdir -p "$1"
	host_mount -t tmpfs -o size=4m tmpfs "$1"
}

# host_umount DIR: undo one host_mount before the end of the test.
host_umount() {
	umount "$1"
}

# The shell snippet that prints, for mount point $1 in the container's
# mountinfo: "<per-mount options> [optional fields]".  Used inside set_sh.
MI='mi() { awk -v m="$1" '"'"'$5 == m { o = $6; for (i = 7; $i != "-"; i++) o = o " " $i; print o }'"'"' /proc/self/mountinfo; }'

# The host's mountinfo as "mountpoint" lines, for before/after comparisons.
host_mountpoints() {
	awk '{ print $5 }' /proc/self/mountinfo | sort
}

# user_ns_config: a user namespace mapping 0 -> 100000 (65536 ids), no cgroup
# mount, and the bats tmpdirs opened so the mapped root can reach the bundle.
user_ns_config() {
	local d="$BUNDLE"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	while [ "$d" != "$BATS_RUN_TMPDIR" ] && [ "$d" != / ]; do
		d="$(dirname "$d")"
		chmod a+x "$d"
	done
}

# --- 1. recursive mount attributes (mount_setattr) ---------------------------

@test "rro: a bind mount and its submount are both read-only" {
	host_tmpfs "$SRC/sub"
	bind_mount /mnt/r "$SRC" rbind rro
	set_sh "$MI"'
		touch /mnt/r/a && echo top-rw || echo top-ro
		touch /mnt/r/sub/a && echo sub-rw || echo sub-ro
		echo "top: $(mi /mnt/r)"; echo "sub: $(mi /mnt/r/sub)"'
	run run_container
	assert_success
	assert_line top-ro
	assert_line sub-ro
	assert_line --regexp '^top: ro,'
	assert_line --regexp '^sub: ro,'
	[ ! -e "$SRC/a" ] && [ ! -e "$SRC/sub/a" ]
	assert_no_leaks
}

@test "ro alone is not recursive: the submount stays read-write" {
	host_tmpfs "$SRC/sub"
	bind_mount /mnt/r "$SRC" rbind ro
	set_sh "$MI"'
		touch /mnt/r/a && echo top-rw || echo top-ro
		touch /mnt/r/sub/a && echo sub-rw || echo sub-ro
		echo "sub: $(mi /mnt/r/sub)"'
	run run_container
	assert_success
	assert_line top-ro
	assert_line sub-rw
	assert_line --regexp '^sub: rw,'
	[ -e "$SRC/sub/a" ]
	assert_no_leaks
}

@test "rnosuid, rnodev, rnoexec reach the submount" {
	host_tmpfs "$SRC/sub"
	cp "$BUSYBOX" "$SRC/bb"
	cp "$BUSYBOX" "$SRC/sub/bb"
	mknod "$SRC/sub/null" c 1 3
	chmod 666 "$SRC/sub/null"
	bind_mount /mnt/r "$SRC" rbind rnosuid rnodev rnoexec
	set_sh "$MI"'
		/mnt/r/bb true && echo top-exec-ok
		/mnt/r/sub/bb true && echo sub-exec-ok
		echo x > /mnt/r/sub/null && echo dev-ok
		echo "top: $(mi /mnt/r)"; echo "sub: $(mi /mnt/r/sub)"'
	run run_container
	refute_line top-exec-ok
	refute_line sub-exec-ok
	refute_line dev-ok
	assert_output --partial "Permission denied"
	assert_line --regexp '^top: [^ ]*nosuid,nodev,noexec'
	assert_line --regexp '^sub: [^ ]*nosuid,nodev,noexec'
	assert_no_leaks
}

@test "rnosymfollow: a symlink in the submount cannot be followed" {
	host_tmpfs "$SRC/sub"
	echo target-content >"$SRC/sub/target"
	ln -s target "$SRC/sub/link"
	bind_mount /mnt/r "$SRC" rbind rnosymfollow
	set_sh "$MI"'
		echo "readlink: $(readlink /mnt/r/sub/link)"
		cat /mnt/r/sub/target
		cat /mnt/r/sub/link && echo followed
		echo "sub: $(mi /mnt/r/sub)"'
	run run_container
	assert_line "readlink: target"
	assert_line target-content
	refute_line followed
	assert_line --regexp '^sub: [^ ]*nosymfollow'
	assert_no_leaks
}

@test "rnoatime and rstrictatime show in the submount's options" {
	host_tmpfs "$SRC/sub"
	mkdir -p "$BATS_TEST_TMPDIR/src2"
	host_tmpfs "$BATS_TEST_TMPDIR/src2/sub"
	bind_mount /mnt/noatime "$SRC" rbind rnoatime
	bind_mount /mnt/strict "$BATS_TEST_TMPDIR/src2" rbind rstrictatime
	set_sh "$MI"'
		echo "noatime: $(mi /mnt/noatime) |"; echo "noatime-sub: $(mi /mnt/noatime/sub) |"
		echo "strict: $(mi /mnt/strict) |"; echo "strict-sub: $(mi /mnt/strict/sub) |"'
	run run_container
	assert_success
	assert_line --regexp '^noatime: [^ ]*noatime'
	assert_line --regexp '^noatime-sub: [^ ]*noatime'
	# strictatime is the absence of relatime and noatime.
	assert_line --regexp '^strict: rw[^ ]* '
	assert_line --regexp '^strict-sub: rw[^ ]* '
	refute_line --regexp '^strict(-sub)?: [^ ]*(relatime|noatime)'
	assert_no_leaks
}

# --- 2. propagation per mount ------------------------------------------------

@test "per-mount propagation: rshared makes the mount a shared peer" {
	mkdir -p "$SRC/a"
	add_mount '{"destination": "/mnt/tshared", "type": "tmpfs", "source": "tmpfs", "options": ["rshared"]}'
	bind_mount /mnt/shared "$SRC/a" rbind rshared
	set_sh "$MI"'
		for m in shared tshared; do echo "$m: $(mi /mnt/$m) |"; done'
	run run_container
	assert_success
	assert_line --regexp '^shared: [^ ]+ shared:[0-9]+ \|$'
	assert_line --regexp '^tshared: [^ ]+ shared:[0-9]+ \|$'
	assert_no_leaks
}

@test "per-mount propagation: rslave, rprivate, unbindable" {
	mkdir -p "$SRC/c"
	# A host mount of our own, made shared: with the container's / rslave,
	# a bind of it is a slave (master:N) unless the mount says otherwise.
	SHARED="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$SHARED"
	host_mount --bind "$SHARED" "$SHARED"
	mount --make-shared "$SHARED"
	update_config '.linux.rootfsPropagation = "rslave"'
	bind_mount /mnt/slave "$SHARED" rbind rslave
	bind_mount /mnt/private "$SHARED" rbind rprivate
	bind_mount /mnt/unbind "$SRC/c" bind unbindable
	set_sh "$MI"'
		for m in slave private unbind; do echo "$m: $(mi /mnt/$m) |"; done'
	run run_container
	assert_success
	assert_line --regexp '^slave: [^ ]+ master:[0-9]+ \|$'
	assert_line --regexp '^private: [^ ]+ \|$'
	assert_line --regexp '^unbind: [^ ]+ unbindable \|$'
	assert_no_leaks
}

# --- 3. single-file binds ------------------------------------------------------

@test "file bind into missing directories: parents are dirs, the mount point a file" {
	echo file-content >"$SRC/conf"
	bind_mount /opt/app/etc/app.conf "$SRC/conf" bind ro
	set_sh "$MI"'
		cat /opt/app/etc/app.conf
		echo changed > /opt/app/etc/app.conf || echo write-refused
		echo "mi: $(mi /opt/app/etc/app.conf)"'
	run run_container
	assert_success
	assert_line file-content
	assert_line write-refused
	assert_line --regexp '^mi: ro,'
	assert_output --partial "Read-only file system"
	assert_equal "$(cat "$SRC/conf")" file-content
	[ -d "$ROOTFS/opt/app/etc" ]
	[ -f "$ROOTFS/opt/app/etc/app.conf" ]
	assert_no_leaks
}

# --- 4. tmpfs data options and unknown options ---------------------------------

@test "tmpfs size=1m limits writes; mode, uid and gid apply to the root" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	add_mount '{"destination": "/owned", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0700", "uid=1000", "gid=1000"]}'
	set_sh 'stat -c "%a %u:%g" /owned; echo "blocks=$(df -k /scratch | awk "NR == 2 { print \$2 }")"
		dd if=/dev/zero of=/scratch/big bs=1024 count=2048 2>&1 && echo wrote-2m'
	run run_container
	assert_line --index 0 "700 1000:1000"
	assert_line blocks=1024
	refute_line wrote-2m
	assert_output --partial "No space left on device"
	assert_no_leaks
}

@test "unknown tmpfs option: create fails naming it, nothing left" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "bogusopt=1"]}'
	run -1 create_container
	run stderr_of
	assert_output --partial bogusopt
	[ ! -e "$STATE_ROOT/$CID" ]
	assert_no_leaks
}

@test "unknown option on a bind mount is refused" {
	# runc 1.1.5 passes unknown options to mount(2) as data, which a bind
	# mount ignores: the container runs.
	requires_hako "refusing unknown mount options"
	bind_mount /mnt/x "$SRC" rbind foo
	run -1 create_container
	run stderr_of
	assert_output --partial 'unknown mount option "foo"'
	[ ! -e "$STATE_ROOT/$CID" ]
	assert_no_leaks
}

# --- 5. nosymfollow and strictatime ---------------------------------------------

@test "nosymfollow: symlinks on the mount are not followed" {
	echo target-content >"$SRC/target"
	ln -s target "$SRC/link"
	bind_mount /mnt/n "$SRC" bind nosymfollow
	set_sh "$MI"'
		cat /mnt/n/target; cat /mnt/n/link && echo followed
		echo "readlink: $(readlink /mnt/n/link)"; echo "mi: $(mi /mnt/n)"'
	run run_container
	assert_line target-content
	refute_line followed
	assert_line "readlink: target"
	assert_line --regexp '^mi: [^ ]*nosymfollow'
	assert_no_leaks
}

@test "strictatime and noatime on a tmpfs" {
	add_mount '{"destination": "/strict", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]}'
	add_mount '{"destination": "/noatime", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
	set_sh "$MI"'
		echo "strict: $(mi /strict) |"; echo "noatime: $(mi /noatime) |"'
	run run_container
	assert_success
	assert_line --regexp '^strict: rw[^ ]* '
	refute_line --regexp '^strict: [^ ]*(relatime|noatime)'
	assert_line --regexp '^noatime: [^ ]*noatime'
	assert_no_leaks
}

# --- 6. mount destinations ---------------------------------------------------------

@test "a destination symlink pointing out of the rootfs stays inside it" {
	OUTSIDE="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$OUTSIDE"
	ln -s "$OUTSIDE" "$ROOTFS/escape"
	ln -s ../../../../../../../../.. "$ROOTFS/up"
	before="$(host_mountpoints)"
	add_mount '{"destination": "/escape", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/up/relx", "type": "tmpfs", "source": "tmpfs"}'
	set_sh "$MI"'
		echo in > /escape/f && echo wrote
		echo "escape: $(mi '"$OUTSIDE"' | cut -d" " -f1)"
		echo "relx: $(mi /relx | cut -d" " -f1)"'
	run run_container
	assert_success
	assert_line wrote
	assert_line --regexp '^escape: rw'
	assert_line --regexp '^relx: rw'
	# The host path is untouched: still empty, no mount on it.
	run ls -A "$OUTSIDE"
	assert_output ""
	[ ! -e "$BATS_TEST_TMPDIR/relx" ] && [ ! -e /relx ]
	assert_equal "$(host_mountpoints)" "$before"
	# The mount points were made at the resolved in-root paths.
	[ -d "$ROOTFS$OUTSIDE" ]
	[ -d "$ROOTFS/relx" ]
	assert_no_leaks
}

@test "an absolute symlink in the destination resolves in the rootfs" {
	echo host-content >"$SRC/file"
	ln -s /etc "$ROOTFS/link"
	bind_mount /link/x "$SRC" rbind
	set_sh "$MI"'
		cat /etc/x/file; echo "mi: $(mi /etc/x | cut -d" " -f1)"'
	run run_container
	assert_success
	assert_line host-content
	assert_line --regexp '^mi: rw'
	[ -d "$ROOTFS/etc/x" ]
	[ ! -e /etc/x ]
	assert_no_leaks
}

# --- 7. idmapped mounts ----------------------------------------------------------

@test "idmap: a bind mount shows files with the mount's mapping" {
	# runc 1.1.5 has no idmapped mounts (added in runc 1.2).
	requires_hako "idmapped mounts"
	echo x >"$SRC/f"
	chown 0:0 "$SRC/f"
	update_config '.mounts += [
		{"destination": "/mnt/id", "type": "bind", "source": $s, "options": ["bind", "idmap"],
		 "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		 "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]},
		{"destination": "/mnt/plain", "type": "bind", "source": $s, "options": ["bind"]}]' --arg s "$SRC"
	set_sh 'echo "id: $(stat -c %u:%g /mnt/id/f)"; echo "plain: $(stat -c %u:%g /mnt/plain/f)"'
	run run_container
	assert_success
	assert_line "id: 1000:1000"
	assert_line "plain: 0:0"
	assert_equal "$(stat -c %u:%g "$SRC/f")" 0:0
	assert_no_leaks
}

@test "ridmap: the mapping reaches the submount of an rbind" {
	requires_hako "idmapped mounts"
	host_tmpfs "$SRC/sub"
	echo x >"$SRC/f"
	echo x >"$SRC/sub/f"
	update_config '.mounts += [
		{"destination": "/mnt/id", "type": "bind", "source": $s, "options": ["rbind", "ridmap"],
		 "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		 "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' --arg s "$SRC"
	set_sh 'echo "top: $(stat -c %u /mnt/id/f)"; echo "sub: $(stat -c %u /mnt/id/sub/f)"'
	run run_container
	assert_success
	assert_line "top: 1000"
	assert_line "sub: 1000"
	assert_no_leaks
}

@test "idmap without mappings and without a user namespace is an error naming the mount" {
	requires_hako "idmapped mounts"
	bind_mount /mnt/idnomap "$SRC" bind idmap
	run -1 create_container
	run stderr_of
	assert_output --partial idmap
	assert_output --regexp 'mounts\[[0-9]+\]|/mnt/idnomap'
	[ ! -e "$STATE_ROOT/$CID" ]
	assert_no_leaks
}

# --- 8. linux.devices --------------------------------------------------------------

@test "linux.devices: char device with mode and owner, and a fifo" {
	update_config '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 400, "uid": 1000, "gid": 1000},
		{"path": "/dev/myfifo", "type": "p", "fileMode": 384, "uid": 0, "gid": 0}]'
	set_sh 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; stat -c "%F %a" /dev/myfifo'
	run run_container
	assert_success
	assert_line "character special file 1:3 620 1000:1000"
	assert_line "fifo 600"
	assert_no_leaks
}

@test "linux.devices in a user namespace: a bind of the host node" {
	requires_ns user
	# In a user namespace the node is bound from the host's node at the
	# same path (runc does the same), so the path must exist on the host:
	# /dev/null (a default) and /dev/kmsg (not one).
	[ -c /dev/kmsg ] || skip "no /dev/kmsg on the host"
	kmsg="$(stat -c %t:%T /dev/kmsg)"
	user_ns_config
	# The explicit 1:3 rule: runc 1.1.5 no longer allows /dev/null once it is
	# listed in linux.devices ("error reopening /dev/null: operation not
	# permitted" otherwise).
	update_config '.linux.devices = [
		{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0},
		{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_sh 'for d in null kmsg; do
			echo "$d $(stat -c "%F %t:%T" /dev/$d)"
			grep -q " /dev/$d " /proc/self/mountinfo && echo "$d is-mount"
		done'
	run run_container
	assert_success
	assert_line "null character special file 1:3"
	assert_line "kmsg character special file $kmsg"
	assert_line "null is-mount"
	assert_line "kmsg is-mount"
	assert_no_leaks
}

# --- 9. maskedPaths and readonlyPaths ----------------------------------------------

@test "maskedPaths: a file is /dev/null, a directory an empty read-only tmpfs" {
	echo secret >"$ROOTFS/etc/secret"
	mkdir -p "$ROOTFS/secretdir"
	echo secret >"$ROOTFS/secretdir/f"
	update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir", "/no/such/path"]'
	set_sh 'stat -c "%F %t:%T" /etc/secret
		grep " /secretdir " /proc/self/mountinfo
		touch /secretdir/new && echo dir-writable'
	run run_container
	assert_line "character special file 1:3"
	assert_line --regexp ' /secretdir ro[, ].* - tmpfs '
	refute_line dir-writable
	[ ! -e "$ROOTFS/no" ]
	assert_equal "$(cat "$ROOTFS/secretdir/f")" secret
	assert_no_leaks
}

@test "readonlyPaths: mounts below a read-only path are read-only too" {
	# runc 1.1.5 remounts the path read-only non-recursively: a mount below
	# it stays writable.
	requires_hako "recursive readonlyPaths"
	mkdir -p "$ROOTFS/data/sub"
	add_mount '{"destination": "/data/sub", "type": "tmpfs", "source": "tmpfs"}'
	update_config '.linux.readonlyPaths += ["/data"]'
	set_sh 'touch /data/f && echo top-rw; touch /data/sub/f && echo sub-rw
		grep " /data/sub " /proc/self/mountinfo'
	run run_container
	refute_line top-rw
	refute_line sub-rw
	assert_line --regexp ' /data/sub ro[, ]'
	assert_no_leaks
}

# --- 10. linux.sysctl -----------------------------------------------------------------

@test "sysctl: namespaced keys are set inside, the host keeps its values" {
	host_fwd="$(cat /proc/sys/net/ipv4/ip_forward)"
	host_shmmax="$(cat /proc/sys/kernel/shmmax)"
	host_dom="$(cat /proc/sys/kernel/domainname)"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789", "kernel.domainname": "example.test"}'
	set_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/kernel/domainname'
	run run_container
	assert_success
	assert_line --index 0 1
	assert_line --index 1 123456789
	assert_line --index 2 example.test
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_equal "$(cat /proc/sys/kernel/shmmax)" "$host_shmmax"
	assert_equal "$(cat /proc/sys/kernel/domainname)" "$host_dom"
	assert_no_leaks
}

@test "sysctl: a key that is not namespaced is refused, nothing left" {
	host_swap="$(cat /proc/sys/vm/swappiness)"
	for key in vm.swappiness kernel.panic; do
		update_config '.linux.sysctl = {($k): "1"}' --arg k "$key"
		run -1 create_container
		run stderr_of
		assert_output --partial "$key"
		[ ! -e "$STATE_ROOT/$CID" ]
		assert_no_leaks
	done
	assert_equal "$(cat /proc/sys/vm/swappiness)" "$host_swap"
}

@test "sysctl: net.* without a private network namespace is refused" {
	host_fwd="$(cat /proc/sys/net/ipv4/ip_forward)"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .linux.namespaces |= map(select(.type != "network"))'
	run -1 create_container
	run stderr_of
	assert_output --partial net.ipv4.ip_forward
	assert_output --partial network
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_no_leaks
}

# --- 11. rootfsPropagation ---------------------------------------------------------------

@test "rootfsPropagation private: host mounts under the bundle stay out" {
	update_config '.linux.rootfsPropagation = "private"'
	mkdir -p "$ROOTFS/mnt/late"
	set_sh 'echo ready > /tmp/ready; exec sleep 1000'
	run_detached
	wait_for_file "$ROOTFS/tmp/ready"
	pid="$(container_pid "$CID")"
	host_tmpfs "$ROOTFS/mnt/late"
	run hako exec "$CID" grep -c " /mnt/late " /proc/self/mountinfo
	assert_output 0
	host_umount "$ROOTFS/mnt/late"
	run hako delete --force "$CID"
	assert_success
	assert_no_leaks "$CID" "$pid"
}

@test "rootfsPropagation rslave: host mounts reach an rslave bind, nothing goes back" {
	# A host dir of our own, made a shared mount so it has something to
	# propagate; bound into the container with rbind + rslave.
	SHARED="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$SHARED/late" "$SHARED/inner"
	host_mount --bind "$SHARED" "$SHARED"
	mount --make-shared "$SHARED"
	update_config '.linux.rootfsPropagation = "rslave"'
	bind_mount /mnt/h "$SHARED" rbind rslave
	# A mount the runtime makes under it inside the container.
	add_mount '{"destination": "/mnt/h/inner", "type": "tmpfs", "source": "tmpfs"}'
	set_sh 'echo ready > /tmp/ready; exec sleep 1000'
	run_detached
	wait_for_file "$ROOTFS/tmp/ready"
	pid="$(container_pid "$CID")"
	# Nothing of the container's came back to the host.
	run mounts_under "$SHARED/inner"
	assert_output ""
	host_tmpfs "$SHARED/late"
	run hako exec "$CID" grep " /mnt/h/late " /proc/self/mountinfo
	assert_success
	assert_output --regexp ' - tmpfs '
	run hako exec "$CID" grep " /mnt/h " /proc/self/mountinfo
	assert_output --regexp ' master:[0-9]+ '
	run mounts_under "$SHARED/inner"
	assert_output ""
	run hako delete --force "$CID"
	assert_success
	run mounts_under "$SHARED"
	assert_output "$SHARED
$SHARED/late"
	assert_no_leaks "$CID" "$pid"
}
