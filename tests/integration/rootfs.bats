#!/usr/bin/env bats
# Root filesystem and mounts.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_common
	HOSTDIR="$BATS_TEST_TMPDIR/hostdir"
	mkdir -p "$HOSTDIR"
	echo host-content >"$HOSTDIR/file"
}

teardown() {
	teardown_common
}

# add_mount JSON: append one mount to .mounts
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

@test "bind mount of a directory, read-write" {
	add_mount "{\"destination\": \"/mnt/rw\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rw\"]}"
	set_sh 'cat /mnt/rw/file && echo from-container > /mnt/rw/new'
	run run_container
	assert_success
	assert_output host-content
	assert_equal "$(cat "$HOSTDIR/new")" from-container
	assert_no_leaks
}

@test "bind mount of a directory, read-only" {
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"ro\"]}"
	set_sh 'cat /mnt/ro/file; echo x > /mnt/ro/new'
	run run_container
	assert_failure
	assert_line host-content
	assert_output --partial "Read-only file system"
	[ ! -e "$HOSTDIR/new" ]
	assert_no_leaks
}

@test "bind mount of a file, read-only and read-write" {
	echo rw-file >"$HOSTDIR/rwfile"
	add_mount "{\"destination\": \"/etc/hostfile\", \"type\": \"bind\", \"source\": \"$HOSTDIR/file\", \"options\": [\"bind\", \"ro\"]}"
	add_mount "{\"destination\": \"/etc/rwfile\", \"type\": \"bind\", \"source\": \"$HOSTDIR/rwfile\", \"options\": [\"bind\"]}"
	set_sh 'cat /etc/hostfile; echo changed > /etc/rwfile; echo x > /etc/hostfile || echo ro-refused; test -f /etc/hostfile && echo is-file'
	run run_container
	assert_success
	assert_line host-content
	assert_line ro-refused
	assert_line is-file
	assert_equal "$(cat "$HOSTDIR/file")" host-content
	assert_equal "$(cat "$HOSTDIR/rwfile")" changed
	# The mount point file was made in the rootfs.
	[ -f "$ROOTFS/etc/hostfile" ]
}

@test "bind mount destination directories are created" {
	add_mount "{\"destination\": \"/a/b/c\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\"]}"
	set_sh 'cat /a/b/c/file'
	run run_container
	assert_success
	assert_output host-content
	[ -d "$ROOTFS/a/b/c" ]
}

@test "tmpfs with size and mode options" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "size=1m", "mode=1770"]}'
	set_sh 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo; echo x > /scratch/f && echo written'
	run run_container
	assert_success
	assert_line --index 0 1770
	assert_line --regexp ' /scratch [^ ]*nosuid[^ ]*nodev[^ ]* (.* )?- tmpfs tmpfs .*size=1024k'
	assert_line --regexp ' /scratch [^ ]+ (.* )?- tmpfs tmpfs .*mode=1770'
	assert_line written
	# Nothing reaches the rootfs.
	[ ! -e "$ROOTFS/scratch/f" ]
}

@test "proc, sysfs, devpts, mqueue, shm and cgroup are mounted" {
	set_sh 'cat /proc/self/mountinfo'
	run run_container
	assert_success
	# mountinfo: id parent maj:min root MOUNTPOINT OPTIONS [optional...] - TYPE ...
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /proc [^ ]+ (.* )?- proc '
	assert_line --regexp ' /sys ro[^ ]* (.* )?- sysfs '
	assert_line --regexp ' /dev [^ ]+ (.* )?- tmpfs '
	assert_line --regexp ' /dev/pts [^ ]+ (.* )?- devpts .*ptmxmode=0?666'
	assert_line --regexp ' /dev/shm [^ ]+ (.* )?- tmpfs '
	assert_line --regexp ' /dev/mqueue [^ ]+ (.* )?- mqueue '
	assert_line --regexp ' /sys/fs/cgroup(/[^ ]*)? [^ ]+ (.* )?- (cgroup|cgroup2|tmpfs) '
}

@test "root.readonly: writing to / fails with EROFS" {
	update_config '.root.readonly = true'
	set_sh 'touch /newfile; echo rc=$?; echo x > /tmp/ok-because-tmpfs 2>&1 || echo tmp-ro'
	run run_container
	assert_output --partial "Read-only file system"
	assert_line rc=1
	[ ! -e "$ROOTFS/newfile" ]
	# / is mounted ro.
	set_sh 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ro[, ]" /proc/self/mountinfo >/dev/null && echo root-ro'
	run run_container
	assert_output root-ro
}

@test "root.readonly false: / is writable" {
	set_sh 'echo x > /newfile && echo ok'
	run run_container
	assert_success
	assert_output ok
	[ -f "$ROOTFS/newfile" ]
}

@test "root.path absolute and relative" {
	mv "$ROOTFS" "$BATS_TEST_TMPDIR/elsewhere"
	ROOTFS="$BATS_TEST_TMPDIR/elsewhere"
	update_config '.root.path = $p' --arg p "$ROOTFS"
	set_sh 'echo abs > /marker'
	run run_container
	assert_success
	assert_equal "$(cat "$ROOTFS/marker")" abs

	update_config '.root.path = "../elsewhere"'
	set_sh 'cat /marker'
	run run_container
	assert_success
	assert_output abs
	# Put it back so the common teardown finds it.
	mv "$ROOTFS" "$BUNDLE/rootfs"
	ROOTFS="$BUNDLE/rootfs"
}

@test "default devices exist with the right major:minor" {
	# busybox stat: %F type, %t/%T major/minor in hex
	set_sh 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T %a" /dev/$d)"; done'
	run run_container
	assert_success
	assert_line "null character special file 1:3 666"
	assert_line "zero character special file 1:5 666"
	assert_line "full character special file 1:7 666"
	assert_line "random character special file 1:8 666"
	assert_line "urandom character special file 1:9 666"
	assert_line "tty character special file 5:0 666"
}

@test "default /dev links: ptmx, fd, stdin, stdout, stderr" {
	set_sh 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done; echo hi > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1'
	run run_container
	assert_success
	assert_line "ptmx -> pts/ptmx"
	assert_line "fd -> /proc/self/fd"
	assert_line "stdin -> /proc/self/fd/0"
	assert_line "stdout -> /proc/self/fd/1"
	assert_line "stderr -> /proc/self/fd/2"
	assert_line null-ok
	assert_line --regexp '^ *00 00 00 00$'
}

@test "linux.devices adds a device node" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_sh 'stat -c "%F %t:%T %a" /dev/mynull; echo x > /dev/mynull && echo write-ok'
	run run_container
	assert_success
	assert_line "character special file 1:3 660"
	assert_line write-ok
}

@test "--no-pivot runs the container in its rootfs" {
	set_sh 'ls /bin/busybox && echo x > /pivot-marker && echo ok'
	run run_container --no-pivot
	assert_success
	assert_line ok
	[ -f "$ROOTFS/pivot-marker" ]
	assert_no_leaks
}

@test "rootfsPropagation private: / has no propagation peer" {
	update_config '.linux.rootfsPropagation = "private"'
	set_sh 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	run run_container
	assert_success
	refute_output --partial "shared:"
	refute_output --partial "master:"
}

@test "maskedPaths hide files and directories" {
	echo secret >"$ROOTFS/etc/secret"
	mkdir -p "$ROOTFS/secretdir"
	echo secret >"$ROOTFS/secretdir/f"
	update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir", "/does/not/exist"]'
	set_sh 'echo "[$(cat /etc/secret)]"; ls -A /secretdir | wc -l; echo "[$(head -c 10 /proc/keys)]"'
	run run_container
	assert_success
	assert_line --index 0 "[]"
	assert_line --index 1 0
	assert_line --index 2 "[]"
	# The files themselves are intact.
	assert_equal "$(cat "$ROOTFS/etc/secret")" secret
}

@test "readonlyPaths are read-only" {
	mkdir -p "$ROOTFS/data"
	update_config '.linux.readonlyPaths += ["/data"]'
	set_sh 'echo x > /data/f || echo data-ro; echo 1 > /proc/sys/kernel/ns_last_pid || echo procsys-ro'
	run run_container
	assert_line data-ro
	assert_line procsys-ro
	assert_output --partial "Read-only file system"
	[ ! -e "$ROOTFS/data/f" ]
}

@test "no container mount is visible on the host, during or after" {
	add_mount "{\"destination\": \"/mnt/rw\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\"]}"
	set_sh 'echo ready > /tmp/ready; while [ ! -e /tmp/go ]; do sleep 0.05; done'
	before="$(wc -l </proc/self/mountinfo)"
	run_detached
	wait_for_file "$ROOTFS/tmp/ready"
	pid="$(container_pid "$CID")"
	run mounts_under "$BUNDLE"
	assert_output ""
	touch "$ROOTFS/tmp/go"
	wait_for_status "$CID" stopped
	run hako delete "$CID"
	assert_success
	assert_equal "$(wc -l </proc/self/mountinfo)" "$before"
	assert_no_leaks "$CID" "$pid"
}
