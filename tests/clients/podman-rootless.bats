#!/usr/bin/env bats
# Rootless podman with hako as its runtime: a test user runs `podman --runtime $HAKO`.
#
# setup_file makes the user hakopod with subordinate ids 300000-365535 and a private
# sandbox in /tmp (0755, so that the user can reach it): its HOME, XDG_RUNTIME_DIR,
# podman's storage (graphroot, runroot) and a containers.conf + storage.conf of its
# own (CONTAINERS_CONF / CONTAINERS_STORAGE_CONF: the host's are not read).
#
# What rootless podman needs on this host, and the workarounds used:
# - newuidmap/newgidmap setuid (Debian's uidmap) and /etc/subuid + /etc/subgid ranges
#   for the user: podman's own user namespace maps 0 to the user and 1.. to the range.
# - the vfs storage driver: overlay needs fuse-overlayfs (or a 5.13+ kernel's
#   unprivileged overlay in a user namespace); vfs needs nothing and the image is tiny.
# - --network none: no slirp4netns/pasta needed.
# - default_ulimits within this host's hard NOFILE (20000): podman's default of
#   1048576 cannot be set by an unprivileged user.
# - hako listed in runtime_supports_json, so that podman reports hako's errors.
# Podman runs the runtime inside its user namespace, as uid 0 there: hako sees that
# (uid_map is not the identity), keeps its state under $XDG_RUNTIME_DIR/hako as runc
# does, makes no cgroup (none is delegated on this cgroup v1 host) and binds the
# host's device nodes instead of mknod.

bats_require_minimum_version 1.5.0

PR_USER=hakopod
PR_SUB=300000-365535
PR_IMAGE=localhost/hako-busybox-rootless:latest

setup_file() {
	command -v podman >/dev/null || skip "podman is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root (to create the test user)"
	HAKO=$(readlink -f "${HAKO:-$BATS_TEST_DIRNAME/../../build/hako}")
	export HAKO
	PR_DIR=$(mktemp -d /tmp/hako-podman-rootless.XXXXXX)
	chmod 0755 "$PR_DIR"
	export PR_DIR
	: >"$PR_DIR/.created-user"
	if ! id -u "$PR_USER" >/dev/null 2>&1; then
		# (Debian's useradd would hand out subordinate ranges itself: not here)
		useradd -M -d "$PR_DIR/home" -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$PR_USER"
		echo yes >"$PR_DIR/.created-user"
	fi
	if ! grep -q "^$PR_USER:300000:65536$" /etc/subuid; then
		usermod --add-subuids "$PR_SUB" "$PR_USER" && echo yes >"$PR_DIR/.added-subuids"
	fi
	if ! grep -q "^$PR_USER:300000:65536$" /etc/subgid; then
		usermod --add-subgids "$PR_SUB" "$PR_USER" && echo yes >"$PR_DIR/.added-subgids"
	fi
	mkdir -p "$PR_DIR"/{home,run,rootfs/bin}
	chmod 0700 "$PR_DIR/run"
	cp /bin/busybox "$PR_DIR/rootfs/bin/busybox"
	local a
	for a in sh id hostname cat echo sleep true; do
		ln -s busybox "$PR_DIR/rootfs/bin/$a"
	done
	tar -C "$PR_DIR/rootfs" -cf "$PR_DIR/rootfs.tar" .
	local nofile
	nofile=$(ulimit -Hn)
	[ "$nofile" = unlimited ] && nofile=1048576
	cat >"$PR_DIR/containers.conf" <<-CONF
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile"]
		log_driver = "k8s-file"

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PR_DIR/events.log"
		runtime_supports_json = ["$HAKO", "hako", "crun", "runc"]
	CONF
	cat >"$PR_DIR/storage.conf" <<-CONF
		[storage]
		driver = "vfs"
		graphroot = "$PR_DIR/storage"
		runroot = "$PR_DIR/runroot"
	CONF
	chown -R "$PR_USER:" "$PR_DIR"
	pr_podman import --quiet "$PR_DIR/rootfs.tar" "$PR_IMAGE" >/dev/null
}

# pr_podman ARGS...: podman as the test user, everything private to the sandbox
pr_podman() {
	(cd "$PR_DIR" && runuser -u "$PR_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$PR_DIR/home" USER="$PR_USER" XDG_RUNTIME_DIR="$PR_DIR/run" \
		CONTAINERS_CONF="$PR_DIR/containers.conf" \
		CONTAINERS_STORAGE_CONF="$PR_DIR/storage.conf" \
		podman --runtime "$HAKO" "$@")
}

# kill_user_procs: every process of the test user (podman's pause process,
# conmon, containers), by pid
kill_user_procs() {
	local pid
	for pid in $(ps -o pid= -u "$PR_USER" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || true
	done
}

teardown_file() {
	[ -n "${PR_DIR:-}" ] && [ -d "$PR_DIR" ] || return 0
	pr_podman rm -af -t 0 >/dev/null 2>&1 || true
	pr_podman system reset -f >/dev/null 2>&1 || true
	kill_user_procs
	[ -s "$PR_DIR/.added-subuids" ] && usermod --del-subuids "$PR_SUB" "$PR_USER"
	[ -s "$PR_DIR/.added-subgids" ] && usermod --del-subgids "$PR_SUB" "$PR_USER"
	if [ -s "$PR_DIR/.created-user" ]; then
		kill_user_procs
		userdel "$PR_USER" || true
	fi
	rm -rf "$PR_DIR"
}

teardown() {
	[ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	pr_podman rm -af -t 0 >/dev/null 2>&1 || true
}

@test "rootless podman run --rm: uid 0 inside is the user outside, with the subordinate range" {
	run pr_podman run --rm --network none --hostname pod-rootless "$PR_IMAGE" \
		sh -c 'echo uid=$(id -u); echo host=$(hostname); while read -r a b c; do echo "map=$a $b $c"; done </proc/self/uid_map'
	echo "$output"
	[ "$status" -eq 0 ]
	uid=$(id -u "$PR_USER")
	grep -qx "uid=0" <<<"$output"
	grep -qx "host=pod-rootless" <<<"$output"
	# podman's user namespace, as seen from inside: 0 -> the user, 1.. -> the range
	grep -qx "map=0 $uid 1" <<<"$output"
	grep -qx "map=1 300000 65536" <<<"$output"
}

@test "rootless podman: run -d, exec, the runtime's state under \$XDG_RUNTIME_DIR/hako, rm -f" {
	run pr_podman run -d --network none "$PR_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	cid=${lines[-1]}
	[ -d "$PR_DIR/run/hako/$cid" ] || { ls -la "$PR_DIR/run" "$PR_DIR/run/hako"; false; }
	pid=$(pr_podman inspect --format '{{.State.Pid}}' "$cid")
	[ "$pid" -gt 0 ]
	# on the host the container's process belongs to the user
	[ "$(stat -c %u "/proc/$pid")" = "$(id -u "$PR_USER")" ]
	run pr_podman exec "$cid" sh -c 'echo exec-uid=$(id -u); echo pid1=$(cat /proc/1/cmdline | tr "\0" " ")'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "exec-uid=0" <<<"$output"
	grep -Eqx "pid1=sleep 1000 ?" <<<"$output"
	run pr_podman rm -f -t 0 "$cid"
	[ "$status" -eq 0 ]
	[ ! -e "$PR_DIR/run/hako/$cid" ]
	for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
	[ ! -d "/proc/$pid" ]
}
