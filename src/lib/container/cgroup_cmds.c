/* The commands that work on a running container's cgroup: pause, resume,
 * ps (the pids), update (resources) and events (stats). */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "hako.h"
#include "log.h"
#include "util.h"

/* The container's cgroup, from the serialized form create stored. */
static int load_cgroup(const struct hk_container *c, struct hk_cgroup **cg, struct hk_error *err) {
  *cg = NULL;
  if (!c->st.has_cgroup && c->st.owner != 0)
    return hk_error_set(err, ENOENT,
                        "container \"%s\" has no cgroup: an unprivileged user's container gets "
                        "one only inside a delegated cgroup v2 subtree (see hako's README)",
                        c->st.id);
  if (!c->st.has_cgroup)
    return hk_error_set(err, ENOENT, "container \"%s\" has no cgroup", c->st.id);
  return hk_container_load_cgroup(c, cg, err);
}

static int set_paused(const char *root, const char *id, bool pause, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (pause) {
    /* runc pauses created and running containers, nothing else */
    if (c.st.paused || (c.st.status != HK_STATUS_RUNNING && c.st.status != HK_STATUS_CREATED)) {
      r = hk_error_set(err, EINVAL, "container not running");
      goto out;
    }
  } else if (!c.st.paused || c.st.status == HK_STATUS_STOPPED ||
             c.st.status == HK_STATUS_CREATING) {
    r = hk_error_set(err, EINVAL, "container not paused");
    goto out;
  }
  if ((r = load_cgroup(&c, &cg, err)) < 0)
    goto out;
  if ((r = hk_cgroup_freeze(cg, pause, err)) < 0)
    goto out;
  c.st.paused = pause;
  r = hk_state_save(c.dirfd, &c.st, err);
  if (r < 0 && pause) {
    /* do not leave a frozen container that the state does not call paused */
    struct hk_error ignore = {0};
    hk_cgroup_freeze(cg, false, &ignore);
  }
out:
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

int hako_pause(const char *root, const char *id, struct hk_error *err) {
  return set_paused(root, id, true, err);
}

int hako_resume(const char *root, const char *id, struct hk_error *err) {
  return set_paused(root, id, false, err);
}

int hako_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct hk_error *err) {
  *pids = NULL;
  *n = 0;
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (c.st.has_cgroup && (r = load_cgroup(&c, &cg, err)) == 0) {
    r = hk_cgroup_pids(cg, pids, n, err);
    /* a stopped container's cgroup may be gone already: no processes */
    if (r == -ENOENT && c.st.status == HK_STATUS_STOPPED) {
      hk_error_clear(err);
      r = 0;
    }
  }
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

/* ---- update ---- */

static bool nonzero(json_t *v) {
  if (json_is_integer(v))
    return json_integer_value(v) != 0;
  if (json_is_string(v))
    return json_string_length(v) > 0;
  return v && !json_is_null(v);
}

/* Copy the keys of upd[area] that runc's update honours into cur[area], skipping
 * zero values (runc's "unchanged"). */
static int merge_area(json_t *cur, json_t *upd, const char *area, const char *const *keys) {
  json_t *u = json_object_get(upd, area);
  if (!json_is_object(u))
    return 0;
  json_t *dst = json_object_get(cur, area);
  if (!json_is_object(dst)) {
    dst = json_object();
    if (!dst || json_object_set_new(cur, area, dst) < 0)
      return -ENOMEM;
  }
  for (size_t i = 0; keys[i]; i++) {
    json_t *v = json_object_get(u, keys[i]);
    if (nonzero(v) && json_object_set(dst, keys[i], v) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int merge_resources(json_t *cur, json_t *upd) {
  static const char *const mem[] = {"limit", "reservation", "swap", "checkBeforeUpdate", NULL};
  static const char *const cpu[] = {"shares",         "quota", "burst", "period", "realtimeRuntime",
                                    "realtimePeriod", "cpus",  "mems",  "idle",   NULL};
  static const char *const blkio[] = {"weight", NULL};
  static const char *const pids[] = {"limit", NULL};
  int r = merge_area(cur, upd, "memory", mem);
  if (r == 0)
    r = merge_area(cur, upd, "cpu", cpu);
  if (r == 0)
    r = merge_area(cur, upd, "blockIO", blkio);
  if (r == 0)
    r = merge_area(cur, upd, "pids", pids);
  json_t *uni = json_object_get(upd, "unified");
  if (r == 0 && json_is_object(uni) && json_object_size(uni)) {
    json_t *dst = json_object_get(cur, "unified");
    if (!json_is_object(dst)) {
      dst = json_object();
      if (!dst || json_object_set_new(cur, "unified", dst) < 0)
        return -ENOMEM;
    }
    if (json_object_update(dst, uni) < 0)
      return -ENOMEM;
  }
  return r;
}

int hako_update(const char *root, const char *id, const char *resources_json, size_t len,
                const char *name, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_resources *upd_res = NULL, *res = NULL;
  struct hk_cgroup *cg = NULL;
  json_t *upd = NULL, *cfg = NULL, *apply = NULL;
  char *cfg_text = NULL, *apply_text = NULL, *out_text = NULL;
  size_t cfg_len = 0;
  if (c.st.status != HK_STATUS_RUNNING && c.st.status != HK_STATUS_CREATED &&
      c.st.status != HK_STATUS_PAUSED) {
    r = hk_error_set(err, EINVAL, "container not running");
    goto out;
  }
  /* the update alone first: its errors name its own paths */
  if ((r = hk_spec_parse_resources(resources_json, len, name, &upd_res, err)) < 0)
    goto out;
  if (upd_res->memory && ((upd_res->memory->has_kernel && upd_res->memory->kernel) ||
                          (upd_res->memory->has_kernel_tcp && upd_res->memory->kernel_tcp)))
    hk_warn("Kernel memory settings are ignored and will be removed");
  upd = json_loadb(resources_json, len, 0, NULL);
  if ((r = hk_read_file_at(c.dirfd, "config.json", 64 << 20, &cfg_text, &cfg_len, err)) < 0)
    goto out;
  json_error_t jerr;
  cfg = json_loadb(cfg_text, cfg_len, 0, &jerr);
  if (!upd || !json_is_object(cfg)) {
    r = hk_error_set(err, EINVAL, "stored config.json: %s", cfg ? "not an object" : jerr.text);
    goto out;
  }
  json_t *lnx = json_object_get(cfg, "linux");
  if (!json_is_object(lnx)) {
    lnx = json_object();
    if (!lnx || json_object_set_new(cfg, "linux", lnx) < 0)
      goto nomem;
  }
  json_t *cur = json_object_get(lnx, "resources");
  if (!json_is_object(cur)) {
    cur = json_object();
    if (!cur || json_object_set_new(lnx, "resources", cur) < 0)
      goto nomem;
  }
  if (merge_resources(cur, upd) < 0)
    goto nomem;
  /* apply everything but the device rules, which update never changes */
  apply = json_deep_copy(cur);
  if (!apply)
    goto nomem;
  json_object_del(apply, "devices");
  if (!(apply_text = json_dumps(apply, JSON_COMPACT)))
    goto nomem;
  r = hk_spec_parse_resources(apply_text, strlen(apply_text), "config.json: linux.resources", &res,
                              err);
  if (r == 0)
    r = load_cgroup(&c, &cg, err);
  if (r == 0)
    r = hk_cgroup_update(cg, res, err);
  if (r < 0)
    goto out;
  /* keep the result, so that the next update starts from it */
  if (!(out_text = json_dumps(cfg, JSON_COMPACT)))
    goto nomem;
  r = hk_write_file_atomic(c.dirfd, "config.json", out_text, strlen(out_text), 0644, err);
  goto out;
nomem:
  r = hk_error_set(err, ENOMEM, "update: out of memory");
out:
  json_decref(upd);
  json_decref(cfg);
  json_decref(apply);
  free(cfg_text);
  free(apply_text);
  free(out_text);
  hk_resources_free(upd_res);
  hk_resources_free(res);
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

/* ---- events --stats ---- */

/* A cgroup file with one number ("max" = UINT64_MAX); false when unreadable. */
static bool read_u64(const char *dir, const char *file, uint64_t *v) {
  if (!dir)
    return false;
  _cleanup_free_ char *path = hk_strdup_printf("%s/%s", dir, file);
  _cleanup_free_ char *text = NULL;
  struct hk_error ignore = {0};
  if (!path || hk_read_file(path, 4096, &text, NULL, &ignore) < 0)
    return false;
  if (strncmp(text, "max", 3) == 0) {
    *v = UINT64_MAX;
    return true;
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (errno || end == text)
    return false;
  *v = n;
  return true;
}

/* Read a "key value" file (memory.stat, cpu.stat); NULL when unreadable. */
static char *read_text(const char *dir, const char *file) {
  if (!dir)
    return NULL;
  _cleanup_free_ char *path = hk_strdup_printf("%s/%s", dir, file);
  char *text = NULL;
  struct hk_error ignore = {0};
  if (!path || hk_read_file(path, 1 << 20, &text, NULL, &ignore) < 0)
    return NULL;
  return text;
}

static bool kv_get(const char *text, const char *key, uint64_t *v) {
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
      *v = strtoull(p + kl + 1, NULL, 10);
      return true;
    }
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return false;
}

/* "key value" lines as a JSON object of numbers. */
static void put_raw(FILE *f, const char *text) {
  fputc('{', f);
  bool first = true;
  for (const char *p = text; p && *p;) {
    const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
    if (!nl)
      nl = p + strlen(p);
    if (sp && sp < nl && sp > p) {
      fprintf(f, "%s\"%.*s\":%llu", first ? "" : ",", (int)(sp - p), p, strtoull(sp + 1, NULL, 10));
      first = false;
    }
    p = *nl ? nl + 1 : nl;
  }
  fputc('}', f);
}

struct memdata {
  uint64_t usage, max, limit, failcnt;
};

static void put_memdata(FILE *f, const char *key, const struct memdata *m, bool comma) {
  fprintf(f,
          "%s\"%s\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"max\":%" PRIu64
          ",\"failcnt\":%" PRIu64 "}",
          comma ? "," : "", key, m->limit, m->usage, m->max, m->failcnt);
}

static void v1_memdata(const char *dir, const char *prefix, struct memdata *m) {
  char file[64];
  snprintf(file, sizeof file, "%s.usage_in_bytes", prefix);
  read_u64(dir, file, &m->usage);
  snprintf(file, sizeof file, "%s.max_usage_in_bytes", prefix);
  read_u64(dir, file, &m->max);
  snprintf(file, sizeof file, "%s.limit_in_bytes", prefix);
  read_u64(dir, file, &m->limit);
  snprintf(file, sizeof file, "%s.failcnt", prefix);
  read_u64(dir, file, &m->failcnt);
}

static void put_cpu(FILE *f, const struct hk_cgroup *cg, bool v2) {
  uint64_t total = 0, user = 0, kernel = 0, periods = 0, throttled = 0, throttled_time = 0;
  char *percpu = NULL;
  if (v2) {
    _cleanup_free_ char *st = read_text(hk_cgroup_dir(cg, ""), "cpu.stat");
    if (kv_get(st, "usage_usec", &total))
      total *= 1000;
    if (kv_get(st, "user_usec", &user))
      user *= 1000;
    if (kv_get(st, "system_usec", &kernel))
      kernel *= 1000;
    kv_get(st, "nr_periods", &periods);
    kv_get(st, "nr_throttled", &throttled);
    if (kv_get(st, "throttled_usec", &throttled_time))
      throttled_time *= 1000;
  } else {
    const char *acct = hk_cgroup_dir(cg, "cpuacct");
    read_u64(acct, "cpuacct.usage", &total);
    _cleanup_free_ char *st = read_text(acct, "cpuacct.stat");
    /* USER_HZ ticks -> ns */
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
      hz = 100;
    if (kv_get(st, "user", &user))
      user = user * (1000000000ULL / (uint64_t)hz);
    if (kv_get(st, "system", &kernel))
      kernel = kernel * (1000000000ULL / (uint64_t)hz);
    percpu = read_text(acct, "cpuacct.usage_percpu");
    _cleanup_free_ char *cst = read_text(hk_cgroup_dir(cg, "cpu"), "cpu.stat");
    kv_get(cst, "nr_periods", &periods);
    kv_get(cst, "nr_throttled", &throttled);
    kv_get(cst, "throttled_time", &throttled_time);
  }
  fprintf(f, "\"cpu\":{\"usage\":{\"total\":%" PRIu64, total);
  if (percpu) {
    fputs(",\"percpu\":[", f);
    bool first = true;
    for (char *p = percpu, *end;; p = end) {
      unsigned long long v = strtoull(p, &end, 10);
      if (end == p)
        break;
      fprintf(f, "%s%llu", first ? "" : ",", v);
      first = false;
    }
    fputc(']', f);
    free(percpu);
  }
  fprintf(f, ",\"kernel\":%" PRIu64 ",\"user\":%" PRIu64 "},\"throttling\":{", kernel, user);
  if (periods || throttled || throttled_time)
    fprintf(f,
            "\"periods\":%" PRIu64 ",\"throttled_periods\":%" PRIu64 ",\"throttled_time\":%" PRIu64,
            periods, throttled, throttled_time);
  fputs("}}", f);
}

static void put_memory(FILE *f, const struct hk_cgroup *cg, bool v2) {
  struct memdata usage = {0}, swap = {0}, kernel = {0}, tcp = {0};
  uint64_t cache = 0;
  _cleanup_free_ char *raw = NULL;
  if (v2) {
    const char *dir = hk_cgroup_dir(cg, "");
    read_u64(dir, "memory.current", &usage.usage);
    read_u64(dir, "memory.max", &usage.limit);
    read_u64(dir, "memory.peak", &usage.max);
    read_u64(dir, "memory.swap.current", &swap.usage);
    read_u64(dir, "memory.swap.max", &swap.limit);
    /* v1 reports swap as memory+swap; runc does the same on v2 */
    swap.usage += usage.usage;
    if (swap.limit != UINT64_MAX && usage.limit != UINT64_MAX)
      swap.limit += usage.limit;
    else
      swap.limit = UINT64_MAX;
    _cleanup_free_ char *ev = read_text(dir, "memory.events");
    kv_get(ev, "max", &usage.failcnt);
    raw = read_text(dir, "memory.stat");
    kv_get(raw, "file", &cache);
  } else {
    const char *dir = hk_cgroup_dir(cg, "memory");
    v1_memdata(dir, "memory", &usage);
    v1_memdata(dir, "memory.memsw", &swap);
    v1_memdata(dir, "memory.kmem", &kernel);
    v1_memdata(dir, "memory.kmem.tcp", &tcp);
    raw = read_text(dir, "memory.stat");
    kv_get(raw, "cache", &cache);
  }
  fprintf(f, "\"memory\":{\"cache\":%" PRIu64 ",", cache);
  put_memdata(f, "usage", &usage, false);
  put_memdata(f, "swap", &swap, true);
  put_memdata(f, "kernel", &kernel, true);
  put_memdata(f, "kernelTCP", &tcp, true);
  fputs(",\"raw\":", f);
  put_raw(f, raw);
  fputc('}', f);
}

static void put_pids(FILE *f, const struct hk_cgroup *cg, bool v2) {
  const char *dir = hk_cgroup_dir(cg, v2 ? "" : "pids");
  uint64_t current = 0, limit = 0;
  read_u64(dir, "pids.current", &current);
  read_u64(dir, "pids.max", &limit);
  if (limit == UINT64_MAX)
    limit = 0; /* runc: no limit is 0, and left out */
  fprintf(f, "\"pids\":{\"current\":%" PRIu64, current);
  if (limit)
    fprintf(f, ",\"limit\":%" PRIu64, limit);
  fputc('}', f);
}

int hako_stats(const char *root, const char *id, char **json, struct hk_error *err) {
  *json = NULL;
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (c.st.status == HK_STATUS_STOPPED || c.st.status == HK_STATUS_CREATING) {
    r = hk_error_set(err, ESRCH, "container with id %s is not running", id);
    goto out;
  }
  if ((r = load_cgroup(&c, &cg, err)) < 0)
    goto out;
  bool v2 = hk_cgroup_layout(cg) == HK_CGROUP_V2;
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  if (!f) {
    r = hk_error_sys(err, "open_memstream");
    goto out;
  }
  json_t *jid = json_string(id);
  char *qid = jid ? json_dumps(jid, JSON_ENCODE_ANY) : NULL;
  json_decref(jid);
  fprintf(f, "{\"type\":\"stats\",\"id\":%s,\"data\":{", qid ? qid : "\"\"");
  free(qid);
  put_cpu(f, cg, v2);
  fputc(',', f);
  put_memory(f, cg, v2);
  fputc(',', f);
  put_pids(f, cg, v2);
  fputs(",\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}", f);
  if (fclose(f) != 0) {
    free(buf);
    r = hk_error_set(err, ENOMEM, "stats: out of memory");
    goto out;
  }
  *json = buf;
out:
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}
