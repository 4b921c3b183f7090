/* Applying linux.resources on a pure cgroup v2 host, with runc's conversions of
 * the v1-shaped values. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define I64 "%" PRId64
#define U64 "%" PRIu64

static void add(char *buf, size_t size, const char *name) {
  if (hk_cg_list_has(buf, name))
    return;
  size_t len = strlen(buf);
  snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

void hk_cg_v2_needed(const struct hk_resources *res, bool hybrid, char *buf, size_t size) {
  buf[0] = 0;
  if (!res)
    return;
  if (res->n_hugepage_limits)
    add(buf, size, "hugetlb");
  if (hybrid)
    return;
  if (hk_cg_mem_set(res->memory))
    add(buf, size, "memory");
  if (hk_cg_cpu_set(res->cpu))
    add(buf, size, "cpu");
  if (hk_cg_cpuset_set(res->cpu))
    add(buf, size, "cpuset");
  if (res->has_pids_limit)
    add(buf, size, "pids");
  if (hk_cg_blkio_set(res->block_io))
    add(buf, size, "io");
  if (res->n_rdma)
    add(buf, size, "rdma");
  for (size_t i = 0; i < res->n_unified; i++) {
    const char *key = res->unified[i].key;
    size_t n = key ? strcspn(key, ".") : 0;
    char name[32];
    if (n == 0 || n >= sizeof name || !key[n] || strncmp(key, "cgroup.", 7) == 0)
      continue;
    memcpy(name, key, n);
    name[n] = 0;
    add(buf, size, name);
  }
}

static int memory_v2(const char *dir, const struct hk_memory *m, bool update,
                     struct hk_error *err) {
  int r;
  char val[32];
  if (update && m->has_limit && m->has_check_before_update && m->check_before_update) {
    int64_t usage;
    if ((r = hk_cg_read_i64(dir, "memory.current", &usage, err)))
      return r;
    if (m->limit > 0 && usage > m->limit)
      return hk_error_set(
          err, EBUSY, "linux.resources.memory.limit: " I64 " is lower than the current usage " I64,
          m->limit, usage);
  }
  int64_t swap;
  bool set;
  if ((r = hk_cg_swap_v2(m, &swap, &set, err)))
    return r;
  if (set) {
    if (!hk_cg_exists(dir, "memory.swap.max")) {
      if (swap != -1)
        return hk_error_set(err, ENOTSUP,
                            "linux.resources.memory.swap: swap accounting is not enabled on this "
                            "host");
    } else {
      hk_cg_max_str(swap, val, sizeof val);
      if ((r = hk_cg_write(dir, "memory.swap.max", val, err)))
        return r;
    }
  }
  if (m->has_limit) {
    if (m->limit == 0 || m->limit < -1)
      return hk_error_set(err, EINVAL, "linux.resources.memory.limit: invalid value " I64,
                          m->limit);
    hk_cg_max_str(m->limit, val, sizeof val);
    if ((r = hk_cg_write(dir, "memory.max", val, err)))
      return r;
  }
  if (m->has_reservation) {
    hk_cg_max_str(m->reservation, val, sizeof val);
    if ((r = hk_cg_write(dir, "memory.low", val, err)))
      return r;
  }
  if (m->has_kernel || m->has_kernel_tcp)
    hk_debug("cgroup v2: linux.resources.memory.kernel/kernelTCP ignored");
  if (m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy)
    hk_debug("cgroup v2: memory swappiness/disableOOMKiller/useHierarchy ignored (v1 only)");
  return 0;
}

static int cpu_v2(const char *dir, const struct hk_cpu *c, struct hk_error *err) {
  int r;
  char val[64];
  if (c->has_realtime_runtime || c->has_realtime_period)
    return hk_error_set(err, ENOTSUP,
                        "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on "
                        "cgroup v2");
  if (c->has_shares && c->shares &&
      (r = hk_cg_writef(dir, "cpu.weight", err, U64, hk_cg_shares_to_weight(c->shares))))
    return r;
  hk_cg_cpu_max(c->has_quota, c->quota, c->has_period, c->period, val, sizeof val);
  if (val[0] && (r = hk_cg_write(dir, "cpu.max", val, err)))
    return r;
  if (c->has_burst && (r = hk_cg_writef(dir, "cpu.max.burst", err, U64, c->burst)))
    return r;
  if (c->has_idle && (r = hk_cg_writef(dir, "cpu.idle", err, I64, c->idle)))
    return r;
  return 0;
}

static int io_max(const char *dir, const char *key, const struct hk_blkio_throttle *t, size_t n,
                  struct hk_error *err) {
  for (size_t i = 0; i < n; i++) {
    int r = hk_cg_writef(dir, "io.max", err, I64 ":" I64 " %s=" U64, t[i].major, t[i].minor, key,
                         t[i].rate);
    if (r < 0)
      return r;
  }
  return 0;
}

static int io_v2(const char *dir, const struct hk_blkio *b, struct hk_error *err) {
  int r;
  bool bfq = hk_cg_exists(dir, "io.bfq.weight");
  if (b->has_weight) {
    if (bfq)
      r = hk_cg_writef(dir, "io.bfq.weight", err, "%u", b->weight);
    else
      r = hk_cg_writef(dir, "io.weight", err, "default " U64, hk_cg_blkio_to_io_weight(b->weight));
    if (r < 0)
      return r;
  }
  for (size_t i = 0; i < b->n_weight_device; i++) {
    const struct hk_blkio_weight_device *w = &b->weight_device[i];
    if (!w->has_weight)
      continue;
    if (bfq)
      r = hk_cg_writef(dir, "io.bfq.weight", err, I64 ":" I64 " %u", w->major, w->minor, w->weight);
    else
      r = hk_cg_writef(dir, "io.weight", err, I64 ":" I64 " " U64, w->major, w->minor,
                       hk_cg_blkio_to_io_weight(w->weight));
    if (r < 0)
      return r;
  }
  if (b->has_leaf_weight)
    hk_debug("cgroup v2: linux.resources.blockIO.leafWeight ignored");
  if ((r = io_max(dir, "rbps", b->throttle_read_bps_device, b->n_throttle_read_bps_device, err)) ||
      (r = io_max(dir, "wbps", b->throttle_write_bps_device, b->n_throttle_write_bps_device,
                  err)) ||
      (r = io_max(dir, "riops", b->throttle_read_iops_device, b->n_throttle_read_iops_device,
                  err)) ||
      (r = io_max(dir, "wiops", b->throttle_write_iops_device, b->n_throttle_write_iops_device,
                  err)))
    return r;
  return 0;
}

int hk_cg_apply_v2(const struct hk_cgroup *cg, const char *dir, const struct hk_resources *res,
                   bool update, struct hk_error *err) {
  int r;
  if (!res)
    return 0;
  if (hk_cg_mem_set(res->memory) && (r = memory_v2(dir, res->memory, update, err)))
    return r;
  if (hk_cg_cpu_set(res->cpu) && (r = cpu_v2(dir, res->cpu, err)))
    return r;
  if (hk_cg_cpuset_set(res->cpu)) {
    if (res->cpu->cpus && res->cpu->cpus[0] &&
        (r = hk_cg_write(dir, "cpuset.cpus", res->cpu->cpus, err)))
      return r;
    if (res->cpu->mems && res->cpu->mems[0] &&
        (r = hk_cg_write(dir, "cpuset.mems", res->cpu->mems, err)))
      return r;
  }
  if (res->has_pids_limit) {
    char val[32];
    hk_cg_max_str(res->pids_limit > 0 ? res->pids_limit : -1, val, sizeof val);
    if ((r = hk_cg_write(dir, "pids.max", val, err)))
      return r;
  }
  if (hk_cg_blkio_set(res->block_io) && (r = io_v2(dir, res->block_io, err)))
    return r;
  for (size_t i = 0; i < res->n_hugepage_limits; i++) {
    const struct hk_hugepage_limit *l = &res->hugepage_limits[i];
    char file[96];
    if (!l->page_size || strchr(l->page_size, '/') || strlen(l->page_size) > 32)
      return hk_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: invalid", i);
    snprintf(file, sizeof file, "hugetlb.%s.max", l->page_size);
    if (!hk_cg_exists(dir, file))
      return hk_error_set(err, EINVAL,
                          "linux.resources.hugepageLimits[%zu].pageSize: the host has no %s pages",
                          i, l->page_size);
    if ((r = hk_cg_writef(dir, file, err, U64, l->limit)))
      return r;
    /* the reservation limit (kernel 5.7+) gets the same value, as runc sets it */
    snprintf(file, sizeof file, "hugetlb.%s.rsvd.max", l->page_size);
    if (hk_cg_exists(dir, file) && (r = hk_cg_writef(dir, file, err, U64, l->limit)))
      return r;
  }
  for (size_t i = 0; i < res->n_rdma; i++) {
    const struct hk_rdma *d = &res->rdma[i];
    char hh[24] = "max", ho[24] = "max";
    if (d->has_hca_handles)
      snprintf(hh, sizeof hh, "%u", d->hca_handles);
    if (d->has_hca_objects)
      snprintf(ho, sizeof ho, "%u", d->hca_objects);
    if ((r = hk_cg_writef(dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", d->device, hh,
                          ho)))
      return r;
  }
  if (hk_cg_net_set(res->network))
    return hk_error_set(err, ENOTSUP,
                        "linux.resources.network: net_cls/net_prio are cgroup v1 controllers, "
                        "not available on cgroup v2");
  if (res->n_devices && (r = hk_cg_devices_bpf_apply(cg->v2_fd, res->devices, res->n_devices, err)))
    return r;
  for (size_t i = 0; i < res->n_unified; i++) {
    const struct hk_kv *kv = &res->unified[i];
    if (!kv->key || !*kv->key || strchr(kv->key, '/') || kv->key[0] == '.')
      return hk_error_set(err, EINVAL, "linux.resources.unified: invalid key \"%s\"",
                          kv->key ? kv->key : "");
    if (!hk_cg_exists(dir, kv->key))
      return hk_error_set(err, ENOENT, "linux.resources.unified.%s: no such cgroup file", kv->key);
    if ((r = hk_cg_write(dir, kv->key, kv->value ? kv->value : "", err)))
      return hk_error_prefix(err, "linux.resources.unified.%s", kv->key);
  }
  return 0;
}
