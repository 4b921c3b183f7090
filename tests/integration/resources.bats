#!/usr/bin/env bats
# linux.resources read back from the cgroup files (host side, and from inside the
# container through its own /sys/fs/cgroup) on this host (v1 controllers; hugetlb in
# the cgroup2 hierarchy) and under pure cgroup v2 in the VM; resources whose
# controller is missing fail create with an error naming them, leaving nothing behind.

load helpers
load cgroup-helpers
bats_require_minimum_version 1.5.0

# has_controller NAME: mounted as v1 hierarchy (v1/hybrid) or enabled at the v2 root
has_controller() {
	if v2_host; then
		grep -qw "$1" /sys/fs/cgroup/cgroup.subtree_control
	else
		awk -v c="$1" '$0 ~ / - cgroup / { n = split($NF, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) f = 1 } END { exit !f }' /proc/self/mountinfo
	fi
}

# block_dev: sets DEV to the "MAJ:MIN" of a block device (a disk, else a loop device
# made here, which teardown removes; not in a subshell, so that LOOP is kept)
block_dev() {
	local d
	DEV=
	for d in /sys/block/*; do
		[ -e "$d/dev" ] || continue
		case ${d##*/} in loop* | ram* | zram*) continue ;; esac
		[ "$(cat "$d/size")" -gt 0 ] && { DEV="$(cat "$d/dev")"; return; }
	done
	truncate -s 4M "$BATS_TEST_TMPDIR/disk"
	# (the VM has no udev: the loop module is not loaded until asked for)
	[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
	LOOP="$(losetup --find --show "$BATS_TEST_TMPDIR/disk")" || fail "no block device and no loop device"
	DEV="$(cat "/sys/block/${LOOP##*/}/dev")"
}

# create_fails_naming WHAT...: create fails, stderr names each WHAT, nothing is left
create_fails_naming() {
	run create_container
	assert_failure
	local w
	# runc refuses them too, in its own words
	is_runc && set --
	for w in "$@"; do
		grep -qF -- "$w" "$BATS_TEST_TMPDIR/$CID.stderr" || fail "error does not name '$w': $(stderr_of)"
	done
	assert_no_leaks
}

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller, kernelTCP, useHierarchy" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296,
		"swappiness": 10, "disableOOMKiller": true, "useHierarchy": true}'
	# (runc 1.1 leaves kernelTCP alone)
	is_runc || v2_host || [ ! -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ] ||
		update_config '.linux.resources.memory.kernelTCP = 16777216'
	start_sleeper
	dir="$(cg_dir "$INIT_PID" memory)"
	if v2_host; then
		assert_equal "$(cat "$dir/memory.max")" 67108864
		assert_equal "$(cat "$dir/memory.low")" 33554432
		[ ! -e "$dir/memory.swap.max" ] || assert_equal "$(cat "$dir/memory.swap.max")" 33554432
		# inside: the container's own cgroup is its /sys/fs/cgroup
		run hako exec "$CID" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.low
		assert_success
		assert_equal "$(echo $output)" "67108864 33554432"
	else
		assert_equal "$(cat "$dir/memory.limit_in_bytes")" 67108864
		assert_equal "$(cat "$dir/memory.soft_limit_in_bytes")" 33554432
		assert_equal "$(cat "$dir/memory.memsw.limit_in_bytes")" 100663296
		assert_equal "$(cat "$dir/memory.swappiness")" 10
		assert_equal "$(cat "$dir/memory.use_hierarchy")" 1
		grep -qx 'oom_kill_disable 1' "$dir/memory.oom_control" || fail "$(cat "$dir/memory.oom_control")"
		is_runc || [ ! -e "$dir/memory.kmem.tcp.limit_in_bytes" ] ||
			assert_equal "$(cat "$dir/memory.kmem.tcp.limit_in_bytes")" 16777216
		run hako exec "$CID" cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.swappiness
		assert_success
		assert_equal "$(echo $output)" "67108864 10"
	fi
}

@test "cpu: shares, quota, period, burst, cpus, mems; idle by update" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "burst": 20000, "cpus": "0", "mems": "0"}'
	start_sleeper
	if v2_host; then
		dir="$(cg_dir "$INIT_PID" cpu)"
		assert_equal "$(cat "$dir/cpu.weight")" 20
		assert_equal "$(cat "$dir/cpu.max")" "50000 100000"
		is_runc || assert_equal "$(cat "$dir/cpu.max.burst")" 20000
		assert_equal "$(cat "$dir/cpuset.cpus")" 0
		assert_equal "$(cat "$dir/cpuset.mems")" 0
		run hako exec "$CID" cat /sys/fs/cgroup/cpu.max
		assert_success
		assert_output "50000 100000"
	else
		dir="$(cg_dir "$INIT_PID" cpu)"
		assert_equal "$(cat "$dir/cpu.shares")" 512
		assert_equal "$(cat "$dir/cpu.cfs_quota_us")" 50000
		assert_equal "$(cat "$dir/cpu.cfs_period_us")" 100000
		# (burst came with runc 1.2)
		is_runc || [ ! -e "$dir/cpu.cfs_burst_us" ] || assert_equal "$(cat "$dir/cpu.cfs_burst_us")" 20000
		assert_equal "$(cat "$(cg_dir "$INIT_PID" cpuset)/cpuset.cpus")" 0
		assert_equal "$(cat "$(cg_dir "$INIT_PID" cpuset)/cpuset.mems")" 0
		run hako exec "$CID" sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us'
		assert_success
		assert_output 50000
	fi
	# the container runs on cpu 0 only
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$INIT_PID/status" || fail "$(grep Cpus_allowed_list "/proc/$INIT_PID/status")"
	# (idle came with runc 1.2)
	if [ -e "$dir/cpu.idle" ] && ! is_runc; then
		run hako update --resources - "$CID" <<<'{"cpu": {"idle": 1}}'
		assert_success
		assert_equal "$(cat "$dir/cpu.idle")" 1
	fi
}

@test "cpu: realtimeRuntime and realtimePeriod (v1), a clear error on v2" {
	update_config '.linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 100000}'
	if v2_host; then
		create_fails_naming realtimeRuntime "cgroup v2"
		return
	fi
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "kernel without RT_GROUP_SCHED"
	start_sleeper
	dir="$(cg_dir "$INIT_PID" cpu)"
	assert_equal "$(cat "$dir/cpu.rt_period_us")" 1000000
	assert_equal "$(cat "$dir/cpu.rt_runtime_us")" 100000
}

@test "blockIO: weight and the four throttles" {
	block_dev
	dev=$DEV
	maj=${dev%:*} min=${dev#*:}
	update_config '.linux.resources.blockIO = {"weight": 300,
		"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 10485760}],
		"throttleWriteBpsDevice": [{"major": $ma, "minor": $mi, "rate": 5242880}],
		"throttleReadIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 1000}],
		"throttleWriteIOPSDevice": [{"major": $ma, "minor": $mi, "rate": 500}]}' --argjson ma "$maj" --argjson mi "$min"
	if v2_host; then
		set_cmd sleep 100000
		if ! run_detached; then
			# no io weight file in this kernel (no BFQ, no iocost): weight is refused by name
			grep -Eq 'io\.(bfq\.)?weight' "$BATS_TEST_TMPDIR/$CID.stderr" || fail "$(stderr_of)"
			assert_no_leaks
			update_config 'del(.linux.resources.blockIO.weight)'
			run_detached || fail "run: $(stderr_of)"
		fi
		wait_for_status "$CID" running
		INIT_PID="$(container_pid "$CID")"
		dir="$(cg_dir "$INIT_PID" io)"
		grep -q "^$dev rbps=10485760 wbps=5242880 riops=1000 wiops=500" "$dir/io.max" || fail "io.max: $(cat "$dir/io.max")"
		if [ -e "$dir/io.bfq.weight" ]; then
			grep -qx 'default 300' "$dir/io.bfq.weight" || fail "$(cat "$dir/io.bfq.weight")"
		elif [ -e "$dir/io.weight" ]; then
			# runc's conversion of blkio weight 300 (10..1000) to io.weight (1..10000)
			grep -qx 'default 2930' "$dir/io.weight" || fail "$(cat "$dir/io.weight")"
		fi
		run hako exec "$CID" cat /sys/fs/cgroup/io.max
		assert_success
		assert_output --partial "$dev rbps=10485760"
	else
		start_sleeper
		dir="$(cg_dir "$INIT_PID" blkio)"
		assert_equal "$(cat "$dir/blkio.throttle.read_bps_device")" "$dev 10485760"
		assert_equal "$(cat "$dir/blkio.throttle.write_bps_device")" "$dev 5242880"
		assert_equal "$(cat "$dir/blkio.throttle.read_iops_device")" "$dev 1000"
		assert_equal "$(cat "$dir/blkio.throttle.write_iops_device")" "$dev 500"
		if [ -e "$dir/blkio.weight" ]; then
			assert_equal "$(cat "$dir/blkio.weight")" 300
		else
			grep -Eqx '(default )?300' "$dir/blkio.bfq.weight" || fail "$(cat "$dir/blkio.bfq.weight")"
		fi
		run hako exec "$CID" cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device
		assert_success
		assert_output "$dev 10485760"
	fi
}

@test "blockIO: weightDevice, read back where the device's scheduler takes it, else refused naming the file" {
	block_dev
	dev=$DEV
	maj=${dev%:*} min=${dev#*:}
	update_config '.linux.resources.blockIO = {"weightDevice": [{"major": $ma, "minor": $mi, "weight": 500}]}' \
		--argjson ma "$maj" --argjson mi "$min"
	if ! create_container; then
		# e.g. BFQ's weight_device for a disk that does not use BFQ (EOPNOTSUPP)
		grep -Eq 'weight_device|io\.(bfq\.)?weight' "$BATS_TEST_TMPDIR/$CID.stderr" || fail "$(stderr_of)"
		assert_no_leaks
		return
	fi
	pid="$(container_pid "$CID")"
	if v2_host; then
		dir="$(cg_dir "$pid" io)"
		grep -q "^$dev " "$dir/io.bfq.weight" "$dir/io.weight" 2>/dev/null || fail "no $dev in the io weight files"
	else
		dir="$(cg_dir "$pid" blkio)"
		grep -q "^$dev 500" "$dir/blkio.weight_device" "$dir/blkio.bfq.weight_device" 2>/dev/null || fail "no $dev 500 in the weight_device files"
	fi
}

@test "blockIO: leafWeight (CFQ only) is a clear error where the kernel has no blkio.leaf_weight" {
	v2_host && skip "leafWeight is ignored on cgroup v2, as runc does"
	[ ! -e "$(ls -d /sys/fs/cgroup/blkio/*/blkio.leaf_weight 2>/dev/null | head -n1)" ] || skip "kernel with CFQ's leaf_weight"
	update_config '.linux.resources.blockIO = {"leafWeight": 300}'
	create_fails_naming blkio.leaf_weight
}

@test "hugepageLimits: the limit and, on cgroup2, the reservation limit" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	# runc 1.1 cannot set hugetlb in a hybrid host's cgroup2 hierarchy
	v2_host || [ -d /sys/fs/cgroup/hugetlb ] || requires_hako "hugetlb in the hybrid cgroup2 hierarchy"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 6291456}]'
	start_sleeper
	if v2_host || [ ! -d /sys/fs/cgroup/hugetlb ]; then
		dir="$(cg_dir "$INIT_PID" unified)"
		assert_equal "$(cat "$dir/hugetlb.2MB.max")" 6291456
		[ ! -e "$dir/hugetlb.2MB.rsvd.max" ] || assert_equal "$(cat "$dir/hugetlb.2MB.rsvd.max")" 6291456
	else
		assert_equal "$(cat "$(cg_dir "$INIT_PID" hugetlb)/hugetlb.2MB.limit_in_bytes")" 6291456
	fi
	hako delete -f "$CID"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 6291456}]'
	create_fails_naming hugepageLimits 3MB
}

@test "network: classID and priorities (v1 net_cls/net_prio); a clear error without them" {
	update_config '.linux.resources.network = {"classID": 1048577}'
	if v2_host; then
		create_fails_naming linux.resources.network "cgroup v2"
	elif ! has_controller net_cls; then
		create_fails_naming linux.resources.network.classID "net_cls controller is not available"
	else
		start_sleeper
		assert_equal "$(cat "$(cg_dir "$INIT_PID" net_cls)/net_cls.classid")" 1048577
		hako delete -f "$CID"
	fi
	update_config '.linux.resources.network = {"priorities": [{"name": "lo", "priority": 5}]}'
	if v2_host; then
		create_fails_naming linux.resources.network "cgroup v2"
	elif ! has_controller net_prio; then
		create_fails_naming linux.resources.network.priorities "net_prio controller is not available"
	else
		start_sleeper
		grep -qx 'lo 5' "$(cg_dir "$INIT_PID" net_prio)/net_prio.ifpriomap"
	fi
}

@test "rdma: a clear error without the controller, or for a device the host lacks" {
	update_config '.linux.resources.rdma = {"hako_no_such_dev": {"hcaHandles": 2, "hcaObjects": 10}}'
	if ! has_controller rdma; then
		create_fails_naming linux.resources.rdma "rdma controller is not available"
	else
		# the controller is there (the VM): the kernel refuses a device it does not know
		create_fails_naming rdma.max hako_no_such_dev
	fi
}

@test "unified: key/values on cgroup v2, refused by name on v1 and hybrid hosts" {
	update_config '.linux.resources.unified = {"memory.high": "50331648", "pids.max": "7"}'
	if ! v2_host; then
		create_fails_naming linux.resources.unified "requires cgroup v2"
		return
	fi
	start_sleeper
	dir="$(cg_dir "$INIT_PID" memory)"
	assert_equal "$(cat "$dir/memory.high")" 50331648
	assert_equal "$(cat "$dir/pids.max")" 7
	run hako exec "$CID" cat /sys/fs/cgroup/memory.high
	assert_output 50331648
	hako delete -f "$CID"
	update_config '.linux.resources.unified = {"bogus.max": "1"}'
	create_fails_naming bogus
}
