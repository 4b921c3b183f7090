#!/usr/bin/env bats
# podman as a client of hako: podman 4.x (with conmon) drives hako through the common
# run options, the container lifecycle, resource limits and security settings, and
# each test checks the effect inside the container or on the host's cgroups.
#
# HAKO: the runtime under test (default: build-dev/hako of this checkout).
# HAKO=/usr/sbin/runc bats tests/clients/podman.bats checks the tests themselves.
#
# A wrapper in front of the runtime records every command line podman and conmon send
# it; the last test writes their subcommands and flags to podman-runtime-calls.txt
# (beside this file) and checks that the runtime lists each flag in its --help.

bats_require_minimum_version 1.5.0
load ../integration/podman-helpers
load podman-extra-helpers

setup_file() {
	command -v podman >/dev/null || skip "podman is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	HAKO=${HAKO:-$BATS_TEST_DIRNAME/../../build-dev/hako}
	export HAKO
	podman_setup_sandbox
	podman_wrap_runtime
}

teardown_file() {
	podman_teardown_sandbox
}

setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

teardown() {
	# a failed test may leave its container: remove it, so that the next tests (and the
	# last check that nothing is left) are not affected. A test that passed leaves
	# whatever it left for that check to see.
	[ -n "${PODMAN_TMP:-}" ] && [ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	hpodman rm -af -t 0 >/dev/null 2>&1 || true
}

# ---- podman run: process settings ----

@test "run: -e, -w, --user 1000:1000 and --hostname reach the process" {
	run hpodman_run -e FOO=bar -w /bin --user 1000:1000 --hostname hako-host \
		"$PODMAN_IMAGE" sh -c 'echo "$FOO"; pwd; id -u; id -g; hostname'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /bin ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = hako-host ]
}

@test "run -t: the process has a pty as its terminal" {
	run hpodman_run -t "$PODMAN_IMAGE" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo isatty'
	echo "$output"
	[ "$status" -eq 0 ]
	output=${output//$'\r'/}
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *isatty* ]]
}

@test "run -i: piped stdin reaches the process" {
	run hpodman_run -i "$PODMAN_IMAGE" cat <<<"hi from stdin"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hi from stdin" ]
}

@test "run: the exit code of the container is podman's (3)" {
	run -3 hpodman_run "$PODMAN_IMAGE" sh -c 'exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "run: a container killed by SIGKILL exits 137" {
	run hpodman run -d --name kill9 --network none "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman kill -s KILL kill9
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman wait kill9
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 137 ]
	run hpodman inspect --format '{{.State.ExitCode}}' kill9
	[ "$output" = 137 ]
	run hpodman rm kill9
	[ "$status" -eq 0 ]
}

@test "run: a missing command exits 127" {
	run -127 hpodman_run "$PODMAN_IMAGE" /no/such/command
	echo "$output"
	[ "$status" -eq 127 ]
}

@test "run: a file that is not executable exits 126" {
	printf '#!/bin/sh\necho should not run\n' >"$PODMAN_TMP/noexec.sh"
	chmod 644 "$PODMAN_TMP/noexec.sh"
	run -126 hpodman_run -v "$PODMAN_TMP/noexec.sh:/noexec.sh" "$PODMAN_IMAGE" /noexec.sh
	echo "$output"
	[ "$status" -eq 126 ]
	[[ "$output" != *"should not run"* ]]
}

@test "exec: a missing command exits 127, a file that is not executable 126" {
	run hpodman run -d --name execcodes --network none "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	run -127 hpodman exec execcodes /no/such/command
	echo "$output"
	[ "$status" -eq 127 ]
	# (a new file is 0644 under podman's umask 022: not executable)
	run hpodman exec execcodes sh -c 'echo "echo should not run" >/noexec; ls -l /noexec'
	echo "$output"
	[ "$status" -eq 0 ]
	run -126 hpodman exec execcodes /noexec
	echo "$output"
	[[ "$output" != *"should not run"* ]]
	[ "$status" -eq 126 ]
	# neither left a process behind: only the container's sleep
	run hpodman top execcodes pid args
	echo "$output"
	[ "$(echo "$output" | tail -n +2 | grep -c .)" -eq 1 ]
	run hpodman rm -f -t 0 execcodes
	[ "$status" -eq 0 ]
}

# ---- a detached container's lifecycle ----

@test "lifecycle: run -d, ps, logs, exec, top, pause, unpause, stop, start, kill, rm" {
	run hpodman run -d --name life --network none "$PODMAN_IMAGE" \
		sh -c 'echo started; exec sleep 1000'
	echo "$output"
	[ "$status" -eq 0 ]
	local id=$output

	run hpodman ps --format '{{.Names}} {{.Status}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"life Up"* ]]
	[ "$(ctr_status life)" = running ]

	# logs: the output written before podman asked for it
	local i
	for i in $(seq 50); do
		run hpodman logs life
		[ "$output" = started ] && break
		sleep 0.1
	done
	echo "$output"
	[ "$output" = started ]

	run hpodman exec life sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != 1 ]
	[ "${lines[1]}" = "sleep 1000 " ]

	run hpodman exec -u 1000:1000 -w /bin -e XVAR=xval life sh -c 'id -u; id -g; pwd; echo "$XVAR"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = /bin ]
	[ "${lines[3]}" = xval ]

	run -5 hpodman exec life sh -c 'exit 5'
	[ "$status" -eq 5 ]

	run hpodman exec -i life cat <<<"exec stdin"
	echo "$output"
	[ "$output" = "exec stdin" ]

	run hpodman exec -t life sh -c 'tty; [ -t 1 ] && echo isatty'
	echo "$output"
	[ "$status" -eq 0 ]
	output=${output//$'\r'/}
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *isatty* ]]

	run hpodman top life pid args
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]

	run hpodman pause life
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status life)" = paused ]
	local freezer
	freezer=$(ctr_cgroup_file life freezer freezer.state)
	[ "$(cat "$freezer")" = FROZEN ]

	run hpodman unpause life
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status life)" = running ]
	[ "$(cat "$freezer")" = THAWED ]

	# sleep as pid 1 ignores SIGTERM: stop ends it with SIGKILL after 1s
	run hpodman stop -t 1 life
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status life)" = exited ]

	run hpodman start life
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status life)" = running ]

	run hpodman kill life
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman wait life
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ctr_status life)" = exited ]

	run hpodman rm life
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman ps -aq --no-trunc
	[[ "$output" != *"$id"* ]]
}

@test "lifecycle: rm -f removes a running container" {
	run hpodman run -d --name rmf --network none "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman rm -f -t 0 rmf
	echo "$output"
	echo "$output"
	[ "$status" -eq 0 ]
	run hpodman ps -a --format '{{.Names}}'
	[[ "$output" != *rmf* ]]
}

# ---- security ----

@test "run --read-only: / is read-only, /tmp a writable tmpfs" {
	run hpodman_run --read-only "$PODMAN_IMAGE" sh -c 'touch /x && echo root-writable; touch /tmp/x && echo tmp-writable'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *root-writable* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *tmp-writable* ]]
}

@test "run --cap-drop ALL: no capabilities left" {
	run hpodman_run --cap-drop ALL "$PODMAN_IMAGE" grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapPrm:"*"0000000000000000"* ]]
	[[ "$output" == *"CapEff:"*"0000000000000000"* ]]
	[[ "$output" == *"CapBnd:"*"0000000000000000"* ]]
}

@test "run --cap-drop ALL --cap-add NET_ADMIN: only CAP_NET_ADMIN (bit 12)" {
	run hpodman_run --cap-drop ALL --cap-add NET_ADMIN "$PODMAN_IMAGE" \
		sh -c 'grep ^CapEff: /proc/self/status; grep ^CapBnd: /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | awk '{ print $2 }')" = 0000000000001000 ]
	[ "$(echo "${lines[1]}" | awk '{ print $2 }')" = 0000000000001000 ]
}

@test "run: the default capabilities do not include CAP_SYS_ADMIN" {
	run hpodman_run "$PODMAN_IMAGE" grep ^CapEff: /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	local eff=$((16#$(echo "$output" | awk '{ print $2 }')))
	[ $((eff & (1 << 21))) -eq 0 ] # CAP_SYS_ADMIN
	[ $((eff & (1 << 0))) -ne 0 ]  # CAP_CHOWN
}

@test "run --security-opt no-new-privileges: NoNewPrivs is 1" {
	run hpodman_run --security-opt no-new-privileges "$PODMAN_IMAGE" grep ^NoNewPrivs: /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{ print $2 }')" = 1 ]
	run hpodman_run "$PODMAN_IMAGE" grep ^NoNewPrivs: /proc/self/status
	echo "$output"
	[ "$(echo "$output" | awk '{ print $2 }')" = 0 ]
}

@test "run: the default seccomp profile is loaded (Seccomp: 2)" {
	run hpodman_run "$PODMAN_IMAGE" grep ^Seccomp: /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{ print $2 }')" = 2 ]
	# a syscall the profile refuses (without CAP_SYS_ADMIN): unshare(CLONE_NEWNS)
	run hpodman_run "$PODMAN_IMAGE" unshare -m true
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "run --security-opt seccomp=unconfined: no filter (Seccomp: 0)" {
	run hpodman_run --security-opt seccomp=unconfined "$PODMAN_IMAGE" grep ^Seccomp: /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{ print $2 }')" = 0 ]
}

@test "run --uidmap 0:100000:65536: the container runs in a user namespace" {
	run hpodman_run --uidmap 0:100000:65536 "$PODMAN_IMAGE" sh -c 'cat /proc/self/uid_map; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | awk '{ print $1, $2, $3 }')" = "0 100000 65536" ]
	[ "${lines[1]}" = 0 ]
}

@test "run --uidmap: the host sees the container's root as uid 100000" {
	run hpodman run -d --name umap --network none --uidmap 0:100000:65536 "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	local pid
	pid=$(ctr_pid umap)
	run awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
	echo "$output"
	[ "$output" = 100000 ]
	run hpodman rm -f -t 0 umap
	echo "$output"
	[ "$status" -eq 0 ]
}

# ---- resources (cgroup v1 on this host) ----

@test "run --memory 64m: memory.limit_in_bytes of the container's cgroup" {
	run hpodman run -d --name mem --network none --memory 64m "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	local f
	f=$(ctr_cgroup_file mem memory memory.limit_in_bytes)
	echo "$f"
	[ "$(cat "$f")" = 67108864 ]
	# and what the container sees of its own limit
	run hpodman exec mem sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
	echo "$output"
	[ "$output" = 67108864 ]
	run hpodman rm -f -t 0 mem
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "run --pids-limit 50: pids.max of the container's cgroup" {
	run hpodman run -d --name pids --network none --pids-limit 50 "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	local f
	f=$(ctr_cgroup_file pids pids pids.max)
	echo "$f"
	[ "$(cat "$f")" = 50 ]
	run hpodman rm -f -t 0 pids
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "run --cpus 0.5: cpu.cfs_quota_us 50000 in a 100000 period" {
	run hpodman run -d --name cpus --network none --cpus 0.5 "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	local f
	f=$(ctr_cgroup_file cpus cpu cpu.cfs_quota_us)
	echo "$f"
	[ "$(cat "$f")" = 50000 ]
	[ "$(cat "${f%/*}/cpu.cfs_period_us")" = 100000 ]
	run hpodman rm -f -t 0 cpus
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "run --ulimit nofile=1000:1000: ulimit -n inside" {
	# with any --ulimit, podman no longer applies default_ulimits and sets a missing
	# nproc to 1048576, above this host's hard limit: give nproc as well
	local nproc
	nproc=$(ulimit -Hu)
	[ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
	run hpodman_run --ulimit nofile=1000:1000 --ulimit "nproc=$nproc:$nproc" "$PODMAN_IMAGE" \
		sh -c 'ulimit -n; ulimit -Hn'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
}

@test "update --memory 128m: the running container's limit changes" {
	hpodman update --help >/dev/null 2>&1 || skip "this podman has no update"
	run hpodman run -d --name upd --network none --memory 64m "$PODMAN_IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	local f
	f=$(ctr_cgroup_file upd memory memory.limit_in_bytes)
	[ "$(cat "$f")" = 67108864 ]
	run hpodman update --memory 128m upd
	echo "$output"
	[ "$status" -eq 0 ]
	echo "limit: $(cat "$f")"
	[ "$(cat "$f")" = 134217728 ]
	run hpodman update --cpu-quota 30000 --cpu-period 100000 upd
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$(ctr_cgroup_file upd cpu cpu.cfs_quota_us)")" = 30000 ]
	run hpodman rm -f -t 0 upd
	echo "$output"
	[ "$status" -eq 0 ]
}

# ---- mounts, init, sysctl ----

@test "run -v: rw and ro bind mounts" {
	mkdir -p "$PODMAN_TMP/vol-rw" "$PODMAN_TMP/vol-ro"
	echo from-host >"$PODMAN_TMP/vol-ro/file"
	run hpodman_run -v "$PODMAN_TMP/vol-rw:/rw:rw" -v "$PODMAN_TMP/vol-ro:/ro:ro" "$PODMAN_IMAGE" \
		sh -c 'echo from-ctr >/rw/new && echo rw-ok; cat /ro/file; touch /ro/x && echo ro-writable; true'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *rw-ok* ]]
	[[ "$output" == *from-host* ]]
	[[ "$output" != *ro-writable* ]]
	[ "$(cat "$PODMAN_TMP/vol-rw/new")" = from-ctr ]
	[ ! -e "$PODMAN_TMP/vol-ro/x" ]
}

@test "run --tmpfs /t: a writable tmpfs at /t" {
	run hpodman_run --tmpfs /t "$PODMAN_IMAGE" sh -c 'grep " /t " /proc/mounts; echo x >/t/f && cat /t/f'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /t tmpfs "* ]]
	[ "${lines[1]}" = x ]
}

@test "run --init: pid 1 is podman's init (catatonit)" {
	[ -x /usr/libexec/podman/catatonit ] || command -v catatonit >/dev/null || skip "no catatonit"
	run hpodman_run --init "$PODMAN_IMAGE" sh -c 'echo $$; tr "\0" " " </proc/1/cmdline'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != 1 ]
	[[ "${lines[1]}" == "/run/podman-init -- sh -c "* ]]
}

@test "run --sysctl net.ipv4.ip_forward=1" {
	run hpodman_run --sysctl net.ipv4.ip_forward=1 "$PODMAN_IMAGE" cat /proc/sys/net/ipv4/ip_forward
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

# ---- at the end ----

@test "podman: no container is left behind" {
	run hpodman ps -aq
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "runtime calls: every subcommand and flag podman sent is one the runtime lists" {
	[ -s "$RUNTIME_LOG" ]
	local out=$BATS_TEST_DIRNAME/podman-runtime-calls.txt
	local line cmd tok i seen=() unknown=()
	local -A union=()
	while IFS= read -r line; do
		local args=()
		eval "args=($line)"
		cmd=
		i=0
		# global options, up to the subcommand
		while [ "$i" -lt "${#args[@]}" ]; do
			tok=${args[$i]}
			case $tok in
			--root | --log | --log-format | --criu | --rootless)
				union["global ${tok}"]=1
				i=$((i + 2))
				continue
				;;
			-*)
				union["global ${tok%%=*}"]=1
				i=$((i + 1))
				continue
				;;
			esac
			cmd=$tok
			i=$((i + 1))
			break
		done
		[ -n "$cmd" ] || continue
		union["$cmd"]=1
		for tok in "${args[@]:$i}"; do
			case $tok in
			-[0-9]* | -) ;; # a value (a negative number, stdin)
			-*) union["$cmd ${tok%%=*}"]=1 ;;
			esac
		done
	done <"$RUNTIME_LOG"

	{
		echo "# subcommands and flags podman $(podman --version | awk '{ print $3 }') and conmon"
		echo "# sent to $(basename "$HAKO_REAL") in tests/clients/podman.bats (written by its last test)"
		printf '%s\n' "${!union[@]}" | sort
		echo "# full command lines:"
		# ids and sandbox paths vary from run to run: show each shape once
		sed -E -e "s#$PODMAN_TMP#\$TMP#g" -e 's/[0-9a-f]{64}/ID/g' \
			-e 's/exec-process-[0-9]+/exec-process-N/' -e 's#/var/tmp/podman[0-9]+#/var/tmp/podmanN#' \
			-e 's#/conmon-term\.[A-Za-z0-9]+#/conmon-term.X#' "$RUNTIME_LOG" | sort -u
	} >"$out"
	cat "$out"

	for tok in "${!union[@]}"; do
		case $tok in
		"global "*)
			runtime_flag_known "$HAKO_REAL" "" "${tok#global }" || unknown+=("$tok")
			;;
		*" "*)
			runtime_flag_known "$HAKO_REAL" "${tok%% *}" "${tok#* }" || unknown+=("$tok")
			;;
		*)
			"$HAKO_REAL" "$tok" --help >/dev/null 2>&1 || unknown+=("$tok")
			;;
		esac
	done
	echo "not listed by $(basename "$HAKO_REAL") --help: ${unknown[*]:-none}"
	[ "${#unknown[@]}" -eq 0 ]
}
