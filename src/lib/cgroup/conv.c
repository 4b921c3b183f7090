/* Pure conversions between the v1-shaped OCI resources and cgroup file values. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

uint64_t hk_cg_shares_to_weight(uint64_t shares) {
  /* runc: map [2, 262144] onto [1, 10000] linearly. */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t hk_cg_blkio_to_io_weight(uint64_t weight) {
  /* runc: map [10, 1000] onto [1, 10000] linearly. */
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

void hk_cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period, char *buf,
                   size_t size) {
  buf[0] = 0;
  if (!has_quota)
    quota = 0;
  if (!has_period)
    period = 0;
  if (quota <= 0 && period == 0 && !(has_quota && quota < 0))
    return;
  if (period == 0)
    period = 100000;
  if (quota <= 0)
    snprintf(buf, size, "max %" PRIu64, period);
  else
    snprintf(buf, size, "%" PRId64 " %" PRIu64, quota, period);
}

void hk_cg_max_str(int64_t v, char *buf, size_t size) {
  if (v < 0)
    snprintf(buf, size, "max");
  else
    snprintf(buf, size, "%" PRId64, v);
}

int hk_cg_swap_v2(const struct hk_memory *m, int64_t *out, bool *set, struct hk_error *err) {
  *set = false;
  if (!m || !m->has_swap)
    return 0;
  int64_t swap = m->swap, limit = m->has_limit ? m->limit : 0;
  /* memory unlimited and swap unset: both unlimited, as cgroup v1 would be */
  if (limit == -1 && swap == 0) {
    *out = -1;
    *set = true;
    return 0;
  }
  if (swap == -1 || swap == 0) {
    *out = swap;
    *set = swap != 0;
    return 0;
  }
  if (limit == 0 || limit == -1)
    return hk_error_set(err, EINVAL,
                        "linux.resources.memory.swap: cannot set a swap limit without a memory "
                        "limit");
  if (limit < 0 || swap < 0)
    return hk_error_set(err, EINVAL, "linux.resources.memory: invalid negative value");
  if (swap < limit)
    return hk_error_set(err, EINVAL,
                        "linux.resources.memory.swap: %" PRId64 " is lower than the memory "
                        "limit %" PRId64 " (swap is memory+swap)",
                        swap, limit);
  *out = swap - limit;
  *set = true;
  return 0;
}

int hk_cg_device_rule_v1(const struct hk_device_rule *r, char *buf, size_t size,
                         struct hk_error *err) {
  char type = r->type && r->type[0] ? r->type[0] : 'a';
  if ((r->type && strlen(r->type) != 1) || (type != 'a' && type != 'c' && type != 'b'))
    return hk_error_set(err, EINVAL, "linux.resources.devices: invalid type \"%s\"", r->type);
  const char *acc = r->access && r->access[0] ? r->access : "rwm";
  if (strspn(acc, "rwm") != strlen(acc))
    return hk_error_set(err, EINVAL, "linux.resources.devices: invalid access \"%s\"", acc);
  char maj[24] = "*", min[24] = "*";
  if (r->has_major && r->major >= 0)
    snprintf(maj, sizeof maj, "%" PRId64, r->major);
  if (r->has_minor && r->minor >= 0)
    snprintf(min, sizeof min, "%" PRId64, r->minor);
  snprintf(buf, size, "%c %s:%s %s", type, maj, min, acc);
  return 0;
}

bool hk_cg_mem_set(const struct hk_memory *m) {
  return m &&
         (m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp ||
          m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy);
}

bool hk_cg_cpu_set(const struct hk_cpu *c) {
  return c && (c->has_shares || c->has_quota || c->has_burst || c->has_period ||
               c->has_realtime_runtime || c->has_realtime_period || c->has_idle);
}

bool hk_cg_cpuset_set(const struct hk_cpu *c) {
  return c && ((c->cpus && c->cpus[0]) || (c->mems && c->mems[0]));
}

bool hk_cg_blkio_set(const struct hk_blkio *b) {
  return b && (b->has_weight || b->has_leaf_weight || b->n_weight_device ||
               b->n_throttle_read_bps_device || b->n_throttle_write_bps_device ||
               b->n_throttle_read_iops_device || b->n_throttle_write_iops_device);
}

bool hk_cg_net_set(const struct hk_network *n) {
  return n && (n->has_class_id || n->n_priorities);
}
