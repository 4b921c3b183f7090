# podman-helpers.bash: run podman with hako as its OCI runtime, in a private sandbox.
#
# Everything podman writes goes under one temporary directory: storage (--root,
# --runroot, vfs driver), its tmp dir, the events log, and a containers.conf given
# through CONTAINERS_CONF (podman then reads no other containers.conf). The host's
# podman state is never touched.
#
# HAKO: the runtime binary under test (default: build/hako of this checkout).
# PODMAN_NETWORK: --network for `podman run` (default none: no netavark/CNI needed).

PODMAN_IMAGE=localhost/hako-busybox:latest

podman_setup_sandbox() {
	HAKO=${HAKO:-$BATS_TEST_DIRNAME/../../build/hako}
	HAKO=$(readlink -f "$HAKO")
	export HAKO
	PODMAN_TMP=$(mktemp -d "${BATS_RUN_TMPDIR:-/tmp}/podman.XXXXXX")
	export PODMAN_TMP
	mkdir -p "$PODMAN_TMP"/{root,runroot,tmp,rootfs/bin}

	# The host's hard limits may be low (RLIMIT_NOFILE 20000 here) and the runtime may
	# lack CAP_SYS_RESOURCE (it does here): podman's default of 1048576 open files would
	# not fit, so give the container the host's own hard limit. Podman starts conmon (and
	# so the runtime) with RLIMIT_NPROC 32768: the container's must not exceed that.
	local nofile nproc
	nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
	[ "$nofile" = unlimited ] && nofile=1048576
	[ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768

	cat >"$PODMAN_TMP/containers.conf" <<-CONF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
		log_driver = "k8s-file"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_TMP/events.log"
		tmp_dir = "$PODMAN_TMP/tmp"
		static_dir = "$PODMAN_TMP/root/libpod"
		volume_path = "$PODMAN_TMP/root/volumes"
		runtime = "$(basename "$HAKO")"
		# podman passes --log-format=json --log FILE to these runtimes and reads the
		# error from that file.
		runtime_supports_json = ["$HAKO", "hako", "crun", "runc", "kata", "runsc", "krun", "youki"]

		[engine.runtimes]
		$(basename "$HAKO") = ["$HAKO"]
	CONF
	export CONTAINERS_CONF=$PODMAN_TMP/containers.conf
	# a storage.conf of our own as well, so that /etc/containers/storage.conf is not read
	cat >"$PODMAN_TMP/storage.conf" <<-CONF
		[storage]
		driver = "vfs"
		graphroot = "$PODMAN_TMP/root"
		runroot = "$PODMAN_TMP/runroot"
	CONF
	export CONTAINERS_STORAGE_CONF=$PODMAN_TMP/storage.conf

	# the image: busybox-static and its applets, imported from a tar
	cp /bin/busybox "$PODMAN_TMP/rootfs/bin/busybox"
	local a
	for a in $(/bin/busybox --list); do
		[ -e "$PODMAN_TMP/rootfs/bin/$a" ] || ln -s busybox "$PODMAN_TMP/rootfs/bin/$a"
	done
	tar -C "$PODMAN_TMP/rootfs" -cf "$PODMAN_TMP/rootfs.tar" .
	hpodman import --quiet "$PODMAN_TMP/rootfs.tar" "$PODMAN_IMAGE" >/dev/null
}

# hpodman ARGS...: podman on the sandbox, with hako as the runtime
hpodman() {
	podman --root "$PODMAN_TMP/root" --runroot "$PODMAN_TMP/runroot" \
		--storage-driver vfs --tmpdir "$PODMAN_TMP/tmp" \
		--cgroup-manager cgroupfs --events-backend file \
		--runtime "$HAKO" "$@"
}

# hpodman_run ARGS...: podman run --rm on the test image
hpodman_run() {
	hpodman run --rm --network "${PODMAN_NETWORK:-none}" "$@"
}

podman_teardown_sandbox() {
	[ -n "${PODMAN_TMP:-}" ] && [ -d "$PODMAN_TMP" ] || return 0
	hpodman rm -af -t 0 >/dev/null 2>&1 || true
	hpodman rmi -af >/dev/null 2>&1 || true
	# Unmount whatever podman left mounted under the sandbox (shm, storage mounts),
	# deepest first. Only mounts below our own temporary directory are touched.
	local m
	awk -v d="$PODMAN_TMP/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do
			umount -l "$m" 2>/dev/null || true
		done
	if awk -v d="$PODMAN_TMP/" 'index($5, d) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		echo "# podman sandbox: mounts left under $PODMAN_TMP, not removed" >&3
		return 0
	fi
	rm -rf "$PODMAN_TMP"
}
