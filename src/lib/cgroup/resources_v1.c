/* Applying linux.resources on cgroup v1 hierarchies (and hugetlb on a hybrid host's cgroup2). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define I64 "%" PRId64
#define U64 "%" PRIu64

static const char *need(const struct hk_cgroup *cg, const char *ctrl, const char *what,
                        struct hk_error *err, int *r) {
  const struct hk_cg_hier *h = hk_cg_find(cg, ctrl);
  if (!h)
    *r = hk_error_set(err, ENOTSUP, "%s: the %s controller is not available", what, ctrl);
  return h ? h->dir : NULL;
}

static int check_usage(const char *dir, const char *file, int64_t limit, struct hk_error *err) {
  int64_t usage;
  int r = hk_cg_read_i64(dir, file, &usage, err);
  if (r < 0)
    return r;
  if (limit > 0 && usage > limit)
    return hk_error_set(
        err, EBUSY, "linux.resources.memory.limit: " I64 " is lower than the current usage " I64,
        limit, usage);
  return 0;
}

static int memory_v1(const char *dir, const struct hk_memory *m, bool update,
                     struct hk_error *err) {
  int r = 0;
  if (update && m->has_limit && m->has_check_before_update && m->check_before_update) {
    r = check_usage(dir, "memory.usage_in_bytes", m->limit, err);
    if (r < 0)
      return r;
  }
  bool memsw = hk_cg_exists(dir, "memory.memsw.limit_in_bytes");
  bool swap = m->has_swap && m->swap != 0;
  if (swap && !memsw && m->swap != -1)
    return hk_error_set(err, ENOTSUP,
                        "linux.resources.memory.swap: swap accounting is not enabled on this host");
  if (m->has_limit) {
    struct hk_error tmp = {0};
    r = hk_cg_writef(dir, "memory.limit_in_bytes", &tmp, I64, m->limit);
    if (r == -EINVAL && swap && memsw) {
      /* the new limit is above the current memory+swap limit: raise that first */
      r = hk_cg_writef(dir, "memory.memsw.limit_in_bytes", err, I64, m->swap);
      if (r == 0)
        r = hk_cg_writef(dir, "memory.limit_in_bytes", err, I64, m->limit);
      swap = false;
    } else if (r < 0) {
      return hk_error_set(err, tmp.code, "%s", tmp.msg);
    }
    if (r < 0)
      return r;
  }
  if (swap && memsw && (r = hk_cg_writef(dir, "memory.memsw.limit_in_bytes", err, I64, m->swap)))
    return r;
  if (m->has_reservation &&
      (r = hk_cg_writef(dir, "memory.soft_limit_in_bytes", err, I64, m->reservation)))
    return r;
  if (m->has_kernel) {
    if (hk_cg_exists(dir, "memory.kmem.limit_in_bytes")) {
      struct hk_error tmp = {0};
      if (hk_cg_writef(dir, "memory.kmem.limit_in_bytes", &tmp, I64, m->kernel) < 0)
        hk_warn("linux.resources.memory.kernel: ignored: %s", tmp.msg);
    } else {
      hk_warn("linux.resources.memory.kernel: ignored, the kernel has no kernel memory limit");
    }
  }
  if (m->has_kernel_tcp &&
      (r = hk_cg_writef(dir, "memory.kmem.tcp.limit_in_bytes", err, I64, m->kernel_tcp)))
    return r;
  if (m->has_swappiness) {
    if (m->swappiness > 100)
      return hk_error_set(err, EINVAL, "linux.resources.memory.swappiness: " U64 " is above 100",
                          m->swappiness);
    if ((r = hk_cg_writef(dir, "memory.swappiness", err, U64, m->swappiness)))
      return r;
  }
  if (m->has_disable_oom_killer && m->disable_oom_killer &&
      (r = hk_cg_write(dir, "memory.oom_control", "1", err)))
    return r;
  if (m->has_use_hierarchy) {
    int64_t cur = -2;
    struct hk_error tmp = {0};
    hk_cg_read_i64(dir, "memory.use_hierarchy", &cur, &tmp);
    if (cur != (m->use_hierarchy ? 1 : 0) &&
        (r = hk_cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", err)))
      return r;
  }
  return 0;
}

static int cpu_v1(const char *dir, const struct hk_cpu *c, struct hk_error *err) {
  int r = 0;
  if (c->has_shares && (r = hk_cg_writef(dir, "cpu.shares", err, U64, c->shares)))
    return r;
  if (c->has_period && (r = hk_cg_writef(dir, "cpu.cfs_period_us", err, U64, c->period)))
    return r;
  if (c->has_quota && (r = hk_cg_writef(dir, "cpu.cfs_quota_us", err, I64, c->quota)))
    return r;
  if (c->has_burst && (r = hk_cg_writef(dir, "cpu.cfs_burst_us", err, U64, c->burst)))
    return r;
  if (c->has_realtime_period &&
      (r = hk_cg_writef(dir, "cpu.rt_period_us", err, U64, c->realtime_period)))
    return r;
  if (c->has_realtime_runtime &&
      (r = hk_cg_writef(dir, "cpu.rt_runtime_us", err, I64, c->realtime_runtime)))
    return r;
  if (c->has_idle && (r = hk_cg_writef(dir, "cpu.idle", err, I64, c->idle)))
    return r;
  return 0;
}

static int cpuset_write(const char *dir, const struct hk_cpu *c, struct hk_error *err) {
  int r = 0;
  if (c->cpus && c->cpus[0] && (r = hk_cg_write(dir, "cpuset.cpus", c->cpus, err)))
    return r;
  if (c->mems && c->mems[0] && (r = hk_cg_write(dir, "cpuset.mems", c->mems, err)))
    return r;
  return 0;
}

static int throttle(const char *dir, const char *file, const struct hk_blkio_throttle *t, size_t n,
                    struct hk_error *err) {
  for (size_t i = 0; i < n; i++) {
    int r = hk_cg_writef(dir, file, err, I64 ":" I64 " " U64, t[i].major, t[i].minor, t[i].rate);
    if (r < 0)
      return r;
  }
  return 0;
}

static int blkio_v1(const char *dir, const struct hk_blkio *b, struct hk_error *err) {
  int r = 0;
  bool bfq = !hk_cg_exists(dir, "blkio.weight") && hk_cg_exists(dir, "blkio.bfq.weight");
  const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
  const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
  if (b->has_weight && (r = hk_cg_writef(dir, wfile, err, "%u", b->weight)))
    return r;
  if (b->has_leaf_weight && (r = hk_cg_writef(dir, "blkio.leaf_weight", err, "%u", b->leaf_weight)))
    return r;
  for (size_t i = 0; i < b->n_weight_device; i++) {
    const struct hk_blkio_weight_device *w = &b->weight_device[i];
    if (w->has_weight &&
        (r = hk_cg_writef(dir, wdfile, err, I64 ":" I64 " %u", w->major, w->minor, w->weight)))
      return r;
    if (w->has_leaf_weight &&
        (r = hk_cg_writef(dir, "blkio.leaf_weight_device", err, I64 ":" I64 " %u", w->major,
                          w->minor, w->leaf_weight)))
      return r;
  }
  if ((r = throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
                    b->n_throttle_read_bps_device, err)) ||
      (r = throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
                    b->n_throttle_write_bps_device, err)) ||
      (r = throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
                    b->n_throttle_read_iops_device, err)) ||
      (r = throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
                    b->n_throttle_write_iops_device, err)))
    return r;
  return 0;
}

static int hugetlb(const struct hk_cgroup *cg, const struct hk_resources *res,
                   struct hk_error *err) {
  const struct hk_cg_hier *h = hk_cg_find(cg, "hugetlb");
  bool v2 = false;
  if (!h) {
    h = hk_cg_unified(cg);
    v2 = true;
  }
  if (!h)
    return hk_error_set(err, ENOTSUP,
                        "linux.resources.hugepageLimits: the hugetlb controller is not available");
  for (size_t i = 0; i < res->n_hugepage_limits; i++) {
    const struct hk_hugepage_limit *l = &res->hugepage_limits[i];
    char file[96];
    if (!l->page_size || strchr(l->page_size, '/') || strlen(l->page_size) > 32)
      return hk_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: invalid", i);
    snprintf(file, sizeof file, "hugetlb.%s.%s", l->page_size, v2 ? "max" : "limit_in_bytes");
    if (!hk_cg_exists(h->dir, file))
      return hk_error_set(err, EINVAL,
                          "linux.resources.hugepageLimits[%zu].pageSize: the host has no %s pages",
                          i, l->page_size);
    int r = hk_cg_writef(h->dir, file, err, U64, l->limit);
    if (r < 0)
      return r;
    /* cgroup2 also limits reservations: the same limit, as runc sets it */
    snprintf(file, sizeof file, "hugetlb.%s.rsvd.max", l->page_size);
    if (v2 && hk_cg_exists(h->dir, file) && (r = hk_cg_writef(h->dir, file, err, U64, l->limit)))
      return r;
  }
  return 0;
}

int hk_cg_apply_v1(const struct hk_cgroup *cg, const struct hk_resources *res, bool update,
                   struct hk_error *err) {
  int r = 0;
  const char *dir;
  if (!res)
    return 0;
  if (res->n_unified)
    return hk_error_set(err, ENOTSUP, "linux.resources.unified: requires a cgroup v2 host");
  if (hk_cg_mem_set(res->memory)) {
    if (!(dir = need(cg, "memory", "linux.resources.memory", err, &r)))
      return r;
    if ((r = memory_v1(dir, res->memory, update, err)))
      return r;
  }
  if (hk_cg_cpu_set(res->cpu)) {
    if (!(dir = need(cg, "cpu", "linux.resources.cpu", err, &r)) ||
        (r = cpu_v1(dir, res->cpu, err)))
      return r;
  }
  if (hk_cg_cpuset_set(res->cpu)) {
    if (!(dir = need(cg, "cpuset", "linux.resources.cpu", err, &r)) ||
        (r = cpuset_write(dir, res->cpu, err)))
      return r;
  }
  if (res->has_pids_limit) {
    if (!(dir = need(cg, "pids", "linux.resources.pids", err, &r)))
      return r;
    if (res->pids_limit > 0)
      r = hk_cg_writef(dir, "pids.max", err, I64, res->pids_limit);
    else
      r = hk_cg_write(dir, "pids.max", "max", err);
    if (r < 0)
      return r;
  }
  if (hk_cg_blkio_set(res->block_io)) {
    if (!(dir = need(cg, "blkio", "linux.resources.blockIO", err, &r)) ||
        (r = blkio_v1(dir, res->block_io, err)))
      return r;
  }
  if (res->n_hugepage_limits && (r = hugetlb(cg, res, err)))
    return r;
  if (res->network && res->network->has_class_id) {
    if (!(dir = need(cg, "net_cls", "linux.resources.network.classID", err, &r)) ||
        (r = hk_cg_writef(dir, "net_cls.classid", err, "%u", res->network->class_id)))
      return r;
  }
  if (res->network && res->network->n_priorities) {
    if (!(dir = need(cg, "net_prio", "linux.resources.network.priorities", err, &r)))
      return r;
    for (size_t i = 0; i < res->network->n_priorities; i++) {
      const struct hk_net_priority *p = &res->network->priorities[i];
      if ((r = hk_cg_writef(dir, "net_prio.ifpriomap", err, "%s %u", p->name, p->priority)))
        return r;
    }
  }
  for (size_t i = 0; i < res->n_rdma; i++) {
    const struct hk_rdma *d = &res->rdma[i];
    char hh[24] = "max", ho[24] = "max";
    if (!(dir = need(cg, "rdma", "linux.resources.rdma", err, &r)))
      return r;
    if (d->has_hca_handles)
      snprintf(hh, sizeof hh, "%u", d->hca_handles);
    if (d->has_hca_objects)
      snprintf(ho, sizeof ho, "%u", d->hca_objects);
    if ((r = hk_cg_writef(dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", d->device, hh,
                          ho)))
      return r;
  }
  if (res->n_devices) {
    if (!(dir = need(cg, "devices", "linux.resources.devices", err, &r)))
      return r;
    char rule[64];
    for (size_t i = 0; i < res->n_devices; i++)
      if ((r = hk_cg_device_rule_v1(&res->devices[i], rule, sizeof rule, err)))
        return r;
    /* the rules go through one open file each for deny and allow (a rule per write) */
    static const char *const files[2] = {"devices.deny", "devices.allow"};
    char *paths[2] = {NULL, NULL};
    int fds[2] = {hk_cg_open_w(dir, files[0], &paths[0], err), -1};
    r = fds[0] < 0 ? fds[0] : hk_cg_write_fd(fds[0], paths[0], "a", err);
    for (size_t i = 0; r == 0 && i < res->n_devices; i++) {
      int k = res->devices[i].allow ? 1 : 0;
      if (fds[k] < 0 && (fds[k] = hk_cg_open_w(dir, files[k], &paths[k], err)) < 0) {
        r = fds[k];
        break;
      }
      hk_cg_device_rule_v1(&res->devices[i], rule, sizeof rule, err);
      r = hk_cg_write_fd(fds[k], paths[k], rule, err);
    }
    for (int k = 0; k < 2; k++) {
      if (fds[k] >= 0)
        close(fds[k]);
      free(paths[k]);
    }
    return r;
  }
  return 0;
}
