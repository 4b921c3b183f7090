# podman-extra-helpers.bash: additions to tests/integration/podman-helpers.bash for
# tests/clients/podman.bats.
#
# podman_wrap_runtime: put a logging wrapper in front of $HAKO. The wrapper bears the
# runtime's own basename (podman looks the basename up in runtime_supports_json, so
# it keeps passing --log-format=json --log FILE), appends each command line it gets,
# shell-quoted, to $PODMAN_TMP/runtime-calls.log and execs the real runtime.
# Afterwards HAKO is the wrapper and HAKO_REAL the runtime itself.

podman_wrap_runtime() {
	HAKO_REAL=$HAKO
	export HAKO_REAL
	RUNTIME_LOG=$PODMAN_TMP/runtime-calls.log
	export RUNTIME_LOG
	: >"$RUNTIME_LOG"
	mkdir -p "$PODMAN_TMP/wrap"
	local w=$PODMAN_TMP/wrap/$(basename "$HAKO_REAL")
	cat >"$w" <<-WRAP
		#!/bin/bash
		{ printf '%q ' "\$@"; printf '\n'; } >>'$RUNTIME_LOG'
		exec '$HAKO_REAL' "\$@"
	WRAP
	chmod 755 "$w"
	HAKO=$w
	export HAKO
}

# ctr_pid NAME: the host pid of the container's first process
ctr_pid() {
	hpodman inspect --format '{{.State.Pid}}' "$1"
}

# ctr_cgroup_file NAME CONTROLLER FILE: the path, on the host, of FILE in the
# container's cgroup v1 CONTROLLER hierarchy (found from /proc/PID/cgroup)
ctr_cgroup_file() {
	local pid path
	pid=$(ctr_pid "$1") || return 1
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	[ -n "$path" ] || return 1
	echo "/sys/fs/cgroup/$2$path/$3"
}

# ctr_status NAME: podman's .State.Status of the container
ctr_status() {
	hpodman inspect --format '{{.State.Status}}' "$1"
}

# runtime_flag_known RUNTIME CMD FLAG: whether `RUNTIME [CMD] --help` lists FLAG
# (CMD empty: the global options)
runtime_flag_known() {
	local help
	if [ -n "$2" ]; then
		help=$("$1" "$2" --help 2>&1)
	else
		help=$("$1" --help 2>&1)
	fi
	grep -qE -- "(^|[[:space:],])$3([[:space:],=]|\$)" <<<"$help"
}
