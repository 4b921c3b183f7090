/* linux.resources: the cgroup settings. */
#include <stdlib.h>
#include <string.h>

#include "parse_util.h"

static int fail_at(struct pctx *c, const char *key, const char *msg, const char *value) {
  size_t old = pc_push_key(c, key);
  int r = pc_fail(c, "%s, got \"%.64s\"", msg, value);
  pc_pop(c, old);
  return r;
}

static int parse_device_rule(struct pctx *c, json_t *obj, void *dst) {
  struct hk_device_rule *d = dst;
  int r = f_bool(c, obj, "allow", NULL, &d->allow);
  if (r == 0 && !json_object_get(obj, "allow")) {
    size_t old = pc_push_key(c, "allow");
    r = pc_fail(c, "required field is missing");
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_str(c, obj, "type", false, &d->type);
  if (r == 0 && d->type && strcmp(d->type, "a") && strcmp(d->type, "b") && strcmp(d->type, "c"))
    r = fail_at(c, "type", "expected \"a\", \"b\" or \"c\"", d->type);
  if (r == 0)
    r = f_i64(c, obj, "major", false, &d->has_major, &d->major);
  if (r == 0)
    r = f_i64(c, obj, "minor", false, &d->has_minor, &d->minor);
  if (r == 0)
    r = f_str(c, obj, "access", false, &d->access);
  if (r == 0 && d->access && d->access[strspn(d->access, "rwm")])
    r = fail_at(c, "access", "expected a combination of 'r', 'w' and 'm'", d->access);
  return r;
}

static int parse_memory(struct pctx *c, json_t *obj, void *dst) {
  struct hk_memory *m = dst;
  int r = f_i64(c, obj, "limit", false, &m->has_limit, &m->limit);
  if (r == 0)
    r = f_i64(c, obj, "reservation", false, &m->has_reservation, &m->reservation);
  if (r == 0)
    r = f_i64(c, obj, "swap", false, &m->has_swap, &m->swap);
  if (r == 0)
    r = f_i64(c, obj, "kernel", false, &m->has_kernel, &m->kernel);
  if (r == 0)
    r = f_i64(c, obj, "kernelTCP", false, &m->has_kernel_tcp, &m->kernel_tcp);
  if (r == 0)
    r = f_u64(c, obj, "swappiness", false, &m->has_swappiness, &m->swappiness);
  if (r == 0)
    r = f_bool(c, obj, "disableOOMKiller", &m->has_disable_oom_killer, &m->disable_oom_killer);
  if (r == 0)
    r = f_bool(c, obj, "useHierarchy", &m->has_use_hierarchy, &m->use_hierarchy);
  if (r == 0)
    r = f_bool(c, obj, "checkBeforeUpdate", &m->has_check_before_update, &m->check_before_update);
  return r;
}

static int parse_cpu(struct pctx *c, json_t *obj, void *dst) {
  struct hk_cpu *p = dst;
  int r = f_u64(c, obj, "shares", false, &p->has_shares, &p->shares);
  if (r == 0)
    r = f_i64(c, obj, "quota", false, &p->has_quota, &p->quota);
  if (r == 0)
    r = f_u64(c, obj, "burst", false, &p->has_burst, &p->burst);
  if (r == 0)
    r = f_u64(c, obj, "period", false, &p->has_period, &p->period);
  if (r == 0)
    r = f_i64(c, obj, "realtimeRuntime", false, &p->has_realtime_runtime, &p->realtime_runtime);
  if (r == 0)
    r = f_u64(c, obj, "realtimePeriod", false, &p->has_realtime_period, &p->realtime_period);
  if (r == 0)
    r = f_str(c, obj, "cpus", false, &p->cpus);
  if (r == 0)
    r = f_str(c, obj, "mems", false, &p->mems);
  if (r == 0)
    r = f_i64(c, obj, "idle", false, &p->has_idle, &p->idle);
  return r;
}

static int parse_pids(struct pctx *c, json_t *obj, void *dst) {
  struct hk_resources *res = dst;
  return f_i64(c, obj, "limit", true, &res->has_pids_limit, &res->pids_limit);
}

static int parse_weight_device(struct pctx *c, json_t *obj, void *dst) {
  struct hk_blkio_weight_device *w = dst;
  int r = f_i64(c, obj, "major", true, NULL, &w->major);
  if (r == 0)
    r = f_i64(c, obj, "minor", true, NULL, &w->minor);
  if (r == 0)
    r = f_u16(c, obj, "weight", false, &w->has_weight, &w->weight);
  if (r == 0)
    r = f_u16(c, obj, "leafWeight", false, &w->has_leaf_weight, &w->leaf_weight);
  return r;
}

static int parse_throttle(struct pctx *c, json_t *obj, void *dst) {
  struct hk_blkio_throttle *t = dst;
  int r = f_i64(c, obj, "major", true, NULL, &t->major);
  if (r == 0)
    r = f_i64(c, obj, "minor", true, NULL, &t->minor);
  if (r == 0)
    r = f_u64(c, obj, "rate", true, NULL, &t->rate);
  return r;
}

#define THROTTLE(key, field)                                                                       \
  f_objarr(c, obj, key, sizeof *b->field, (void **)&b->field, &b->n_##field, parse_throttle)

static int parse_blkio(struct pctx *c, json_t *obj, void *dst) {
  struct hk_blkio *b = dst;
  int r = f_u16(c, obj, "weight", false, &b->has_weight, &b->weight);
  if (r == 0)
    r = f_u16(c, obj, "leafWeight", false, &b->has_leaf_weight, &b->leaf_weight);
  if (r == 0)
    r = f_objarr(c, obj, "weightDevice", sizeof *b->weight_device, (void **)&b->weight_device,
                 &b->n_weight_device, parse_weight_device);
  if (r == 0)
    r = THROTTLE("throttleReadBpsDevice", throttle_read_bps_device);
  if (r == 0)
    r = THROTTLE("throttleWriteBpsDevice", throttle_write_bps_device);
  if (r == 0)
    r = THROTTLE("throttleReadIOPSDevice", throttle_read_iops_device);
  if (r == 0)
    r = THROTTLE("throttleWriteIOPSDevice", throttle_write_iops_device);
  return r;
}

/* The schema's ^[1-9][0-9]*[KMG]B$: the suffix of the hugetlb.<size> files. */
static bool valid_page_size(const char *s) {
  if (*s < '1' || *s > '9')
    return false;
  s += strspn(s, "0123456789");
  return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B' && s[2] == 0;
}

static int parse_hugepage(struct pctx *c, json_t *obj, void *dst) {
  struct hk_hugepage_limit *h = dst;
  int r = f_str(c, obj, "pageSize", true, &h->page_size);
  if (r == 0 && !valid_page_size(h->page_size))
    r = fail_at(c, "pageSize", "expected a size like 2MB, 64KB or 1GB", h->page_size);
  if (r == 0)
    r = f_u64(c, obj, "limit", true, NULL, &h->limit);
  return r;
}

static int parse_net_priority(struct pctx *c, json_t *obj, void *dst) {
  struct hk_net_priority *p = dst;
  int r = f_str(c, obj, "name", true, &p->name);
  if (r == 0)
    r = f_u32(c, obj, "priority", true, NULL, &p->priority);
  return r;
}

static int parse_network(struct pctx *c, json_t *obj, void *dst) {
  struct hk_network *n = dst;
  int r = f_u32(c, obj, "classID", false, &n->has_class_id, &n->class_id);
  if (r == 0)
    r = f_objarr(c, obj, "priorities", sizeof *n->priorities, (void **)&n->priorities,
                 &n->n_priorities, parse_net_priority);
  return r;
}

static int parse_rdma(struct pctx *c, const char *key, json_t *val, void *dst, size_t i) {
  (void)i;
  struct hk_rdma *d = dst;
  if (!*key)
    return pc_fail(c, "empty device name");
  d->device = strdup(key);
  if (!d->device)
    return pc_nomem(c);
  if (!json_is_object(val))
    return pc_type_error(c, "object", val);
  int r = f_u32(c, val, "hcaHandles", false, &d->has_hca_handles, &d->hca_handles);
  if (r == 0)
    r = f_u32(c, val, "hcaObjects", false, &d->has_hca_objects, &d->hca_objects);
  return r;
}

int parse_resources(struct pctx *c, json_t *obj, void *dst) {
  struct hk_resources *res = dst;
  int r = f_objarr(c, obj, "devices", sizeof *res->devices, (void **)&res->devices, &res->n_devices,
                   parse_device_rule);
  if (r == 0)
    r = f_subnew(c, obj, "memory", false, sizeof *res->memory, (void **)&res->memory, parse_memory);
  if (r == 0)
    r = f_subnew(c, obj, "cpu", false, sizeof *res->cpu, (void **)&res->cpu, parse_cpu);
  if (r == 0)
    r = f_sub(c, obj, "pids", false, parse_pids, res);
  if (r == 0)
    r = f_subnew(c, obj, "blockIO", false, sizeof *res->block_io, (void **)&res->block_io,
                 parse_blkio);
  if (r == 0)
    r = f_objarr(c, obj, "hugepageLimits", sizeof *res->hugepage_limits,
                 (void **)&res->hugepage_limits, &res->n_hugepage_limits, parse_hugepage);
  if (r == 0)
    r = f_subnew(c, obj, "network", false, sizeof *res->network, (void **)&res->network,
                 parse_network);
  if (r == 0)
    r = f_map(c, obj, "rdma", sizeof *res->rdma, (void **)&res->rdma, &res->n_rdma, parse_rdma);
  if (r == 0)
    r = f_kvmap(c, obj, "unified", &res->unified, &res->n_unified);
  return r;
}
