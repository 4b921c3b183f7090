#!/usr/bin/env bats
# Every bad value of a Linux field of config.json fails `create` with a message
# that names its JSON path, and leaves nothing behind: no state dir under
# --root, no cgroup named after the container in any hierarchy, no mount that
# references the bundle, no process.
#
# One row per test: bad_value JSON_PATH JQ_EDIT.  The messages are hako's (runc
# words them differently and accepts some of these), so the file is hako-only.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	requires_hako "hako's error messages"
	setup_common
	set_cmd true
}

teardown() {
	teardown_common
}

# bad_value JSON_PATH JQ_EDIT [JQ ARGS...]: apply the edit to config.json; `create`
# must fail naming JSON_PATH, and nothing of the container may be left.
bad_value() {
	local want="$1" edit="$2" rc=0 err m p cg
	shift 2
	update_config "$edit" "$@" || fail "jq edit failed: $edit"
	# from inside the bundle, so a leftover process would have it as its cwd
	(cd "$BUNDLE" && create_container "$CID") || rc=$?
	err="$(stderr_of)"
	[ "$rc" -ne 0 ] || fail "create succeeded with $want bad ($edit)"
	[[ "$err" == *"$want"* ]] || fail "the error does not name $want: $err"
	# nothing left: state, cgroups, mounts, processes
	[ -z "$(ls -A "$STATE_ROOT")" ] || fail "state left under --root: $(ls -A "$STATE_ROOT")"
	cg="$(find /sys/fs/cgroup -maxdepth 6 -name "*$CID*" 2>/dev/null || true)"
	[ -z "$cg" ] || fail "cgroups left: $cg"
	m="$(grep -F -- "$BUNDLE" /proc/self/mountinfo || true)"
	[ -z "$m" ] || fail "mounts referencing the bundle left: $m"
	for p in $(procs_in_bundle); do
		wait_pid_gone "$p" 5 || fail "process $p left: $(tr '\0' ' ' <"/proc/$p/cmdline")"
	done
	# (one grep over every process: in a cgroup of the container, or naming it)
	for f in $(grep -lsF -- "$CID" /proc/[0-9]*/cgroup /proc/[0-9]*/cmdline || true); do
		p="${f#/proc/}"
		p="${p%%/*}"
		[ "$p" != "$BASHPID" ] || continue
		pid_alive "$p" && fail "process $p of $CID left: $(tr '\0' ' ' <"/proc/$p/cmdline")"
	done
	true
}

# The default config has mounts[0..6]: a new one is mounts[7].
@test "mounts: unknown filesystem option" { bad_value 'mounts[7].options' '.mounts += [{"destination":"/x","type":"tmpfs","source":"tmpfs","options":["nosuchopt"]}]'; }
@test "mounts: unknown bind option" { bad_value 'mounts[7]' '.mounts += [{"destination":"/x","type":"bind","source":"/tmp","options":["rbind","nosuchopt"]}]'; }
@test "mounts: unknown filesystem type" { bad_value 'mounts[7].type' '.mounts += [{"destination":"/x","type":"nosuchfs","source":"none"}]'; }
@test "mounts: empty destination" { bad_value 'mounts[7].destination' '.mounts += [{"destination":"","type":"tmpfs","source":"tmpfs"}]'; }
@test "mounts: missing bind source" { bad_value 'mounts[7].source' '.mounts += [{"destination":"/x","type":"bind","source":"/no/such/src","options":["bind"]}]'; }
@test "mounts: idmap without mappings or a user namespace" { bad_value 'mounts[7].options' '.mounts += [{"destination":"/x","type":"tmpfs","source":"tmpfs","options":["idmap"]}]'; }
@test "devices: unknown type" { bad_value 'linux.devices[0].type' '.linux.devices = [{"path":"/dev/foo","type":"x","major":1,"minor":3}]'; }
@test "devices: missing major" { bad_value 'linux.devices[0].major' '.linux.devices = [{"path":"/dev/foo","type":"c","minor":3}]'; }
@test "devices: negative major" { bad_value 'linux.devices[0].major' '.linux.devices = [{"path":"/dev/foo","type":"c","major":-1,"minor":3}]'; }
@test "devices: negative minor" { bad_value 'linux.devices[0].minor' '.linux.devices = [{"path":"/dev/foo","type":"c","major":1,"minor":-3}]'; }
@test "devices: fileMode beyond the permission bits" { bad_value 'linux.devices[0].fileMode' '.linux.devices = [{"path":"/dev/foo","type":"c","major":1,"minor":3,"fileMode":99999}]'; }
@test "devices: relative path" { bad_value 'linux.devices[0].path' '.linux.devices = [{"path":"dev/foo","type":"c","major":1,"minor":3}]'; }
@test "sysctl: a key that is not namespaced" { bad_value 'linux.sysctl["kernel.foo"]' '.linux.sysctl = {"kernel.foo":"1"}'; }
@test "sysctl: net.* without a private network namespace" { bad_value 'linux.sysctl["net.ipv4.ip_forward"]' '.linux.sysctl = {"net.ipv4.ip_forward":"1"} | .linux.namespaces -= [{"type":"network"}]'; }
@test "sysctl: a key that climbs out of /proc/sys/net" { bad_value 'linux.sysctl["net/../../x"]' '.linux.sysctl = {"net/../../x":"1"}'; }
@test "sysctl: a namespaced key that does not exist" { bad_value 'linux.sysctl["net.ipv4.nosuchkey"]' '.linux.sysctl = {"net.ipv4.nosuchkey":"1"}'; }
@test "hooks: relative path" { bad_value 'hooks.prestart[0].path' '.hooks.prestart = [{"path":"relative/hook"}]'; }
@test "hooks: timeout 0" { bad_value 'hooks.createRuntime[0].timeout' '.hooks.createRuntime = [{"path":"/bin/true","timeout":0}]'; }
@test "hooks: negative timeout" { bad_value 'hooks.poststart[0].timeout' '.hooks.poststart = [{"path":"/bin/true","timeout":-1}]'; }
@test "rlimits: unknown type" { bad_value 'process.rlimits[0].type' '.process.rlimits[0].type = "RLIMIT_FOO"'; }
@test "rlimits: duplicate type" { bad_value 'process.rlimits[1]' '.process.rlimits += [{"type":"RLIMIT_NOFILE","soft":1,"hard":1}]'; }
@test "rlimits: soft above hard" { bad_value 'process.rlimits[0]' '.process.rlimits[0].soft = 2048'; }
@test "personality: unknown domain" { bad_value 'linux.personality.domain' '.linux.personality = {"domain":"LINUX64"}'; }
@test "personality: unknown flag" { bad_value 'linux.personality.flags[0]' '.linux.personality = {"domain":"LINUX","flags":["NOSUCH"]}'; }
@test "scheduler: unknown policy" { bad_value 'process.scheduler.policy' '.process.scheduler = {"policy":"SCHED_FOO"}'; }
@test "scheduler: nice out of range" { bad_value 'process.scheduler.nice' '.process.scheduler = {"policy":"SCHED_OTHER","nice":30}'; }
@test "scheduler: real-time priority out of range" { bad_value 'process.scheduler.priority' '.process.scheduler = {"policy":"SCHED_FIFO","priority":200}'; }
@test "scheduler: priority for a policy without one" { bad_value 'process.scheduler.priority' '.process.scheduler = {"policy":"SCHED_BATCH","priority":5}'; }
@test "scheduler: unknown flag" { bad_value 'process.scheduler.flags[0]' '.process.scheduler = {"policy":"SCHED_OTHER","flags":["SCHED_FLAG_FOO"]}'; }
@test "ioPriority: unknown class" { bad_value 'process.ioPriority.class' '.process.ioPriority = {"class":"IOPRIO_CLASS_FOO","priority":1}'; }
@test "ioPriority: priority out of range" { bad_value 'process.ioPriority.priority' '.process.ioPriority = {"class":"IOPRIO_CLASS_BE","priority":9}'; }
@test "memoryPolicy: unknown mode" { bad_value 'linux.memoryPolicy.mode' '.linux.memoryPolicy = {"mode":"MPOL_FOO"}'; }
@test "memoryPolicy: unknown flag" { bad_value 'linux.memoryPolicy.flags[0]' '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_FOO"]}'; }
@test "memoryPolicy: bad node list" { bad_value 'linux.memoryPolicy.nodes' '.linux.memoryPolicy = {"mode":"MPOL_BIND","nodes":"abc"}'; }
@test "execCPUAffinity: bad initial list" { bad_value 'process.execCPUAffinity.initial' '.process.execCPUAffinity = {"initial":"abc"}'; }
@test "execCPUAffinity: a final CPU the host does not have" { bad_value 'process.execCPUAffinity.final' '.process.execCPUAffinity = {"final":"1000"}'; }
@test "uid/gid mappings: a user namespace without them" { bad_value 'linux.uidMappings' '.linux.namespaces += [{"type":"user"}]'; }
@test "uid/gid mappings: size 0" { bad_value 'linux.uidMappings[0].size' '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":0}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'; }
@test "uid/gid mappings: without a user namespace" { bad_value 'linux.uidMappings' '.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'; }
@test "uid/gid mappings: overlapping ranges" { bad_value 'linux.uidMappings' '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":1000},{"containerID":500,"hostID":200000,"size":1000}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'; }
@test "namespaces: unknown type" { bad_value 'linux.namespaces[5].type' '.linux.namespaces += [{"type":"foo"}]'; }
@test "namespaces: duplicate type" { bad_value 'linux.namespaces[5]' '.linux.namespaces += [{"type":"pid"}]'; }
@test "namespaces: relative path" { bad_value 'linux.namespaces[0].path' '.linux.namespaces[0].path = "relative/ns"'; }
@test "namespaces: path that does not exist" { bad_value 'linux.namespaces[1].path' '.linux.namespaces[1].path = "/no/such/netns"'; }
@test "namespaces: path of the wrong type" { bad_value 'linux.namespaces[1].path' '.linux.namespaces[1].path = "/proc/self/ns/uts"'; }
@test "maskedPaths: relative path" { bad_value 'linux.maskedPaths[10]' '.linux.maskedPaths += ["proc/kcore"]'; }
@test "readonlyPaths: relative path" { bad_value 'linux.readonlyPaths[5]' '.linux.readonlyPaths += ["proc/sys"]'; }
@test "rootfsPropagation: unknown mode" { bad_value 'linux.rootfsPropagation' '.linux.rootfsPropagation = "foo"'; }
@test "oomScoreAdj: above 1000" { bad_value 'process.oomScoreAdj' '.process.oomScoreAdj = 1001'; }
@test "oomScoreAdj: below -1000" { bad_value 'process.oomScoreAdj' '.process.oomScoreAdj = -1001'; }
@test "intelRdt: resctrl not mounted" {
	! grep -q ' /sys/fs/resctrl ' /proc/self/mountinfo || skip "resctrl is mounted here"
	bad_value 'linux.intelRdt' '.linux.intelRdt = {"closID":"x"}'
}
@test "netDevices: no such host interface" { bad_value 'linux.netDevices["nosuchdev0"]' '.linux.netDevices = {"nosuchdev0":{}}'; }
@test "netDevices: invalid new name" { bad_value 'linux.netDevices["lo"].name' '.linux.netDevices = {"lo":{"name":"a/b"}}'; }
@test "user: umask beyond 0777" { bad_value 'process.user.umask' '.process.user.umask = 4096'; }
@test "env: an entry without '='" { bad_value 'process.env[2]' '.process.env += ["NOEQUALS"]'; }
@test "cwd: relative" { bad_value 'process.cwd' '.process.cwd = "relative"'; }
@test "args: empty" { bad_value 'process.args' '.process.args = []'; }
@test "hostname without a private UTS namespace" { bad_value 'hostname' '.linux.namespaces -= [{"type":"uts"}]'; }
@test "domainname without a private UTS namespace" { bad_value 'domainname' 'del(.hostname) | .domainname = "d" | .linux.namespaces -= [{"type":"uts"}]'; }
@test "timeOffsets without a time namespace" { bad_value 'linux.timeOffsets' '.linux.timeOffsets = {"monotonic":{"secs":1}}'; }
@test "cgroupsPath in the systemd form" { bad_value 'linux.cgroupsPath' '.linux.cgroupsPath = "a:b:c"'; }
@test "seccomp: unknown default action" { bad_value 'linux.seccomp.defaultAction' '.linux.seccomp = {"defaultAction":"SCMP_ACT_FOO"}'; }
@test "resources.devices: unknown type" { bad_value 'linux.resources.devices[1].type' '.linux.resources.devices += [{"allow":true,"type":"x","access":"rwm"}]'; }
@test "resources.devices: unknown access" { bad_value 'linux.resources.devices[1].access' '.linux.resources.devices += [{"allow":true,"type":"c","access":"xyz"}]'; }
@test "root.path that does not exist" { bad_value 'root.path' '.root.path = "no-such-rootfs"'; }
