# containerd-helpers.bash: a private containerd (1.6, runc v2 shim) driving hako.
#
# Everything containerd writes goes under one temporary directory: its root, its state,
# its gRPC/ttrpc sockets, the runtime's --root (ctr run --runc-root) and /opt plugin dir.
# The runtime is a wrapper script that appends its command line to a log and execs
# $HAKO, so that the exact calls the shim makes can be recorded and checked.
#
# HAKO: the runtime binary under test (default: build-dev/hako of this checkout).
#       HAKO=/usr/sbin/runc checks the tests themselves.

CTD_NS=hakotest
CTD_IMAGE=docker.io/library/hako-busybox:latest

# ctd_build_image DIR: an OCI image layout (one uncompressed layer: busybox-static and
# its applets) written to DIR/image.tar
ctd_build_image() {
	local dir=$1 lay=$1/layout rootfs=$1/rootfs a
	mkdir -p "$lay/blobs/sha256" "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
	cp /bin/busybox "$rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"
	done
	echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	tar --sort=name --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$dir/layer.tar" .

	local layer_sum layer_size config_sum config_size manifest_sum manifest_size
	layer_sum=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	layer_size=$(stat -c %s "$dir/layer.tar")
	mv "$dir/layer.tar" "$lay/blobs/sha256/$layer_sum"

	printf '%s' '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer_sum"'"]}}' >"$dir/config.json"
	config_sum=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
	config_size=$(stat -c %s "$dir/config.json")
	mv "$dir/config.json" "$lay/blobs/sha256/$config_sum"

	printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"$config_sum"'","size":'"$config_size"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'"$layer_sum"'","size":'"$layer_size"'}]}' >"$dir/manifest.json"
	manifest_sum=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
	manifest_size=$(stat -c %s "$dir/manifest.json")
	mv "$dir/manifest.json" "$lay/blobs/sha256/$manifest_sum"

	printf '%s' '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'"$manifest_sum"'","size":'"$manifest_size"',"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"'"$CTD_IMAGE"'","org.opencontainers.image.ref.name":"latest"}}]}' >"$lay/index.json"
	printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
	tar -C "$lay" -cf "$dir/image.tar" oci-layout index.json blobs
}

ctd_setup() {
	HAKO=${HAKO:-$BATS_TEST_DIRNAME/../../build-dev/hako}
	HAKO=$(readlink -f "$HAKO")
	export HAKO
	CTD_TMP=$(mktemp -d "${BATS_RUN_TMPDIR:-/tmp}/containerd.XXXXXX")
	export CTD_TMP
	export CTD_SOCK=$CTD_TMP/containerd.sock
	export CTD_RUNC_ROOT=$CTD_TMP/runc-root
	export CTD_WRAPPER=$CTD_TMP/hako-wrapper
	export CTD_CALLS=$CTD_TMP/runtime-calls.log
	mkdir -p "$CTD_TMP"/{root,state,opt,image,fifo} "$CTD_RUNC_ROOT"
	# the shim puts its socket under /run/containerd/s and ctr its FIFOs (when not
	# given --fifo-dir) under /run/containerd/fifo: note whether those existed
	CTD_RUN_EXISTED=
	[ -e /run/containerd ] && CTD_RUN_EXISTED=1
	export CTD_RUN_EXISTED
	: >"$CTD_CALLS"

	# the runtime the shim runs: log the command line (one line a call), then exec HAKO
	cat >"$CTD_WRAPPER" <<-WRAP
		#!/bin/bash
		printf '%s\n' "\$*" >>'$CTD_CALLS'
		exec '$HAKO' "\$@"
	WRAP
	chmod 755 "$CTD_WRAPPER"

	cat >"$CTD_TMP/config.toml" <<-CONF
		version = 2
		root = "$CTD_TMP/root"
		state = "$CTD_TMP/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs"]

		[grpc]
		  address = "$CTD_SOCK"

		[ttrpc]
		  address = "$CTD_TMP/containerd.sock.ttrpc"

		[debug]
		  address = "$CTD_TMP/debug.sock"
		  level = "info"

		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTD_TMP/opt"
	CONF

	containerd --config "$CTD_TMP/config.toml" >"$CTD_TMP/containerd.log" 2>&1 &
	CTD_PID=$!
	echo "$CTD_PID" >"$CTD_TMP/containerd.pid"
	export CTD_PID
	local i
	for i in $(seq 1 100); do
		[ -S "$CTD_SOCK" ] && ctr -a "$CTD_SOCK" version >/dev/null 2>&1 && break
		kill -0 "$CTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! ctr -a "$CTD_SOCK" version >/dev/null 2>&1; then
		echo "containerd did not start:" >&2
		cat "$CTD_TMP/containerd.log" >&2
		return 1
	fi

	ctd_build_image "$CTD_TMP/image"
	hctr images import "$CTD_TMP/image/image.tar" >/dev/null || return 1
	hctr images ls -q | grep -qx "$CTD_IMAGE"
}

ctd_teardown() {
	[ -n "${CTD_TMP:-}" ] && [ -d "$CTD_TMP" ] || return 0
	local id
	if [ -S "${CTD_SOCK:-}" ]; then
		for id in $(hctr task ls -q 2>/dev/null); do
			hctr task kill -s SIGKILL "$id" >/dev/null 2>&1
		done
		sleep 0.3
		for id in $(hctr containers ls -q 2>/dev/null); do
			hctr task delete -f "$id" >/dev/null 2>&1
			hctr containers delete "$id" >/dev/null 2>&1
		done
	fi
	local pid
	pid=$(cat "$CTD_TMP/containerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	fi
	# shims left behind (their -address is our socket): end them one by one, by pid
	local p
	for p in $(pgrep -f -- "-address $CTD_SOCK"); do
		kill -KILL "$p" 2>/dev/null
	done
	# unmount everything under the sandbox, deepest first
	local m
	for m in $(awk -v d="$CTD_TMP" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	# cgroups the containers used (/hakotest/ID under each v1 hierarchy and cgroup2)
	local c
	for c in /sys/fs/cgroup/*/"$CTD_NS" /sys/fs/cgroup/unified/"$CTD_NS"; do
		[ -d "$c" ] || continue
		find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$CTD_TMP"
	if [ -z "${CTD_RUN_EXISTED:-}" ]; then
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	fi
	true
}

# hctr ARGS...: ctr on the private containerd, in the test namespace
hctr() {
	ctr -a "$CTD_SOCK" -n "$CTD_NS" "$@"
}

# hctr_run ARGS...: ctr run with the wrapper as the runtime and a private runtime root
hctr_run() {
	hctr run --fifo-dir "$CTD_TMP/fifo" --runc-binary "$CTD_WRAPPER" --runc-root "$CTD_RUNC_ROOT" "$@"
}

# hctr_exec ARGS...: ctr task exec, its FIFOs in the sandbox
hctr_exec() {
	hctr task exec --fifo-dir "$CTD_TMP/fifo" "$@"
}

# ctd_ctr_cmd: the hctr command line as one string (for `script -c`)
ctd_ctr_cmd() {
	echo "ctr -a $CTD_SOCK -n $CTD_NS"
}

# ctd_wait_status ID STATUS: wait up to 10 s for the task's status in `ctr task ls`
ctd_wait_status() {
	local i
	for i in $(seq 1 100); do
		[ "$(ctd_task_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "task $1: status $(ctd_task_status "$1"), wanted $2" >&2
	return 1
}

# ctd_task_status ID: the STATUS column of `ctr task ls` for ID
ctd_task_status() {
	hctr task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# ctd_task_pid ID: the PID column of `ctr task ls` for ID
ctd_task_pid() {
	hctr task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

# ctd_cgroup_dir PID CONTROLLER: the v1 cgroup directory of PID for CONTROLLER, read
# from /proc/PID/cgroup and the host's mount point of that hierarchy
ctd_cgroup_dir() {
	local pid=$1 ctl=$2 path mnt
	path=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	[ -n "$path" ] || return 1
	mnt=$(awk -v c="$ctl" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/self/mounts)
	[ -n "$mnt" ] || return 1
	echo "$mnt$path"
}

# ctd_start_detached ID [ARGS...]: a long-running task (sleep) started detached
ctd_start_detached() {
	local id=$1
	shift
	hctr_run -d "$@" "$CTD_IMAGE" "$id" sleep 1000 >/dev/null || return 1
	ctd_wait_status "$id" RUNNING
}

# ctd_remove ID: kill, delete task and container (ignores errors)
ctd_remove() {
	hctr task kill -s SIGKILL "$1" >/dev/null 2>&1
	local i
	for i in $(seq 1 50); do
		[ "$(ctd_task_status "$1")" = STOPPED ] && break
		[ -z "$(ctd_task_status "$1")" ] && break
		sleep 0.1
	done
	hctr task delete "$1" >/dev/null 2>&1 || hctr task delete -f "$1" >/dev/null 2>&1
	hctr containers delete "$1" >/dev/null 2>&1
	true
}
