/* events: runc's stats event ({"type":"stats","id":..,"data":..}) read from the
 * container's cgroup files on every layout, and the OOM watcher of a container. */
#include <dirent.h>
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
#include "util.h"

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
            "\"periods\":%" PRIu64 ",\"throttledPeriods\":%" PRIu64 ",\"throttledTime\":%" PRIu64,
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

/* ---- blkio ---- */

struct blkio_entry {
  uint64_t major, minor, value;
  char op[16];
};

/* runc's BlkioEntry: every field is omitempty */
static void put_entry(FILE *f, const struct blkio_entry *e, bool comma) {
  const char *sep = "";
  fprintf(f, "%s{", comma ? "," : "");
  if (e->major) {
    fprintf(f, "\"major\":%" PRIu64, e->major);
    sep = ",";
  }
  if (e->minor) {
    fprintf(f, "%s\"minor\":%" PRIu64, sep, e->minor);
    sep = ",";
  }
  if (e->op[0]) {
    fprintf(f, "%s\"op\":\"%s\"", sep, e->op);
    sep = ",";
  }
  if (e->value)
    fprintf(f, "%s\"value\":%" PRIu64, sep, e->value);
  fputc('}', f);
}

/* One v1 blkio line, "MAJ:MIN [Op] VALUE"; false for "Total N" and anything else. */
static bool v1_entry(const char *line, struct blkio_entry *e) {
  unsigned long long maj, min, val;
  char op[16];
  int n = 0;
  if (sscanf(line, "%llu:%llu %15s %llu%n", &maj, &min, op, &val, &n) == 4) {
    snprintf(e->op, sizeof e->op, "%s", op);
  } else if (sscanf(line, "%llu:%llu %llu%n", &maj, &min, &val, &n) == 3) {
    e->op[0] = 0;
  } else {
    return false;
  }
  e->major = maj;
  e->minor = min;
  e->value = val;
  return true;
}

/* Print `"key":[entries]` from a v1 blkio file; nothing (runc's omitempty) when it has
 * no entry.  Returns the number of entries. */
static size_t put_v1_blkio_file(FILE *f, const char *dir, const char *file, const char *key,
                                bool *first) {
  _cleanup_free_ char *text = read_text(dir, file);
  size_t n = 0;
  for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    nl = strchr(p, '\n');
    if (nl)
      *nl = 0;
    struct blkio_entry e;
    if (!v1_entry(p, &e))
      continue;
    if (n == 0) {
      fprintf(f, "%s\"%s\":[", *first ? "" : ",", key);
      *first = false;
    }
    put_entry(f, &e, n++ > 0);
  }
  if (n)
    fputc(']', f);
  return n;
}

static bool v1_has_entries(const char *dir, const char *file) {
  _cleanup_free_ char *text = read_text(dir, file);
  struct blkio_entry e;
  for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    nl = strchr(p, '\n');
    if (nl)
      *nl = 0;
    if (v1_entry(p, &e))
      return true;
  }
  return false;
}

/* v1: as runc, the first group of files whose first file has entries: BFQ debug,
 * BFQ, CFQ, throttle (recursive), throttle. */
static void put_v1_blkio(FILE *f, const char *dir) {
  struct file_key {
    const char *file, *key;
  };
  static const struct file_key bfq_debug[] = {
      {"blkio.bfq.sectors_recursive", "sectorsRecursive"},
      {"blkio.bfq.io_service_time_recursive", "ioServiceTimeRecursive"},
      {"blkio.bfq.io_wait_time_recursive", "ioWaitTimeRecursive"},
      {"blkio.bfq.io_merged_recursive", "ioMergedRecursive"},
      {"blkio.bfq.io_queued_recursive", "ioQueueRecursive"},
      {"blkio.bfq.time_recursive", "ioTimeRecursive"},
      {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
      {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"},
      {NULL, NULL}};
  static const struct file_key bfq[] = {
      {"blkio.bfq.io_serviced_recursive", "ioServicedRecursive"},
      {"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"},
      {NULL, NULL}};
  static const struct file_key cfq[] = {
      {"blkio.sectors_recursive", "sectorsRecursive"},
      {"blkio.io_service_time_recursive", "ioServiceTimeRecursive"},
      {"blkio.io_wait_time_recursive", "ioWaitTimeRecursive"},
      {"blkio.io_merged_recursive", "ioMergedRecursive"},
      {"blkio.io_queued_recursive", "ioQueueRecursive"},
      {"blkio.time_recursive", "ioTimeRecursive"},
      {"blkio.io_serviced_recursive", "ioServicedRecursive"},
      {"blkio.io_service_bytes_recursive", "ioServiceBytesRecursive"},
      {NULL, NULL}};
  static const struct file_key throttle_rec[] = {
      {"blkio.throttle.io_serviced_recursive", "ioServicedRecursive"},
      {"blkio.throttle.io_service_bytes_recursive", "ioServiceBytesRecursive"},
      {NULL, NULL}};
  static const struct file_key throttle[] = {
      {"blkio.throttle.io_serviced", "ioServicedRecursive"},
      {"blkio.throttle.io_service_bytes", "ioServiceBytesRecursive"},
      {NULL, NULL}};
  static const struct file_key *const groups[] = {bfq_debug, bfq, cfq, throttle_rec, throttle};
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
    if (!v1_has_entries(dir, groups[g][0].file))
      continue;
    bool first = true;
    for (const struct file_key *k = groups[g]; k->file; k++)
      put_v1_blkio_file(f, dir, k->file, k->key, &first);
    return;
  }
}

/* v2: io.stat ("MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..") in
 * v1's shape, as runc converts it: bytes -> ioServiceBytesRecursive, ios ->
 * ioServicedRecursive, with the ops Read, Write (and Discard). */
static void put_v2_blkio(FILE *f, const char *dir) {
  _cleanup_free_ char *text = read_text(dir, "io.stat");
  static const struct {
    const char *name, *op;
    bool bytes;
  } keys[] = {{"rbytes", "Read", true}, {"wbytes", "Write", true}, {"dbytes", "Discard", true},
              {"rios", "Read", false},  {"wios", "Write", false},  {"dios", "Discard", false}};
  bool first = true;
  for (int bytes = 1; bytes >= 0; bytes--) {
    size_t n = 0;
    for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
      nl = strchr(p, '\n');
      unsigned long long maj, min;
      int used = 0;
      if (sscanf(p, "%llu:%llu%n", &maj, &min, &used) != 2)
        continue;
      const char *end = nl ? nl : p + strlen(p);
      for (const char *q = p + used; q < end;) {
        while (q < end && *q == ' ')
          q++;
        const char *eq = memchr(q, '=', (size_t)(end - q));
        if (!eq)
          break;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
          if (keys[i].bytes != (bytes == 1) || strlen(keys[i].name) != (size_t)(eq - q) ||
              strncmp(q, keys[i].name, (size_t)(eq - q)) != 0)
            continue;
          struct blkio_entry e = {.major = maj, .minor = min, .value = strtoull(eq + 1, NULL, 10)};
          snprintf(e.op, sizeof e.op, "%s", keys[i].op);
          if (n == 0) {
            fprintf(f, "%s\"%s\":[", first ? "" : ",",
                    bytes ? "ioServiceBytesRecursive" : "ioServicedRecursive");
            first = false;
          }
          put_entry(f, &e, n++ > 0);
        }
        while (q < end && *q != ' ')
          q++;
      }
    }
    if (n)
      fputc(']', f);
  }
}

static void put_blkio(FILE *f, const struct hk_cgroup *cg, bool v2) {
  fputs("\"blkio\":{", f);
  const char *dir = hk_cgroup_dir(cg, v2 ? "" : "blkio");
  if (dir) {
    if (v2)
      put_v2_blkio(f, dir);
    else
      put_v1_blkio(f, dir);
  }
  fputc('}', f);
}

/* ---- hugetlb ---- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* runc's map page size -> {usage, max, failcnt}: v1 usage_in_bytes,
 * max_usage_in_bytes, failcnt; v2 (also a hybrid host's cgroup2 hierarchy, where
 * this host has hugetlb) current, and the "max" count of hugetlb.<size>.events
 * as failcnt (v2 keeps no maximum usage).  Page sizes: the files present. */
static void put_hugetlb(FILE *f, const struct hk_cgroup *cg, bool v2) {
  const char *dir = v2 ? NULL : hk_cgroup_dir(cg, "hugetlb");
  bool unified = !dir;
  if (!dir)
    dir = hk_cgroup_dir(cg, "");
  fputs("\"hugetlb\":{", f);
  DIR *d = dir ? opendir(dir) : NULL;
  char *sizes[16];
  size_t n = 0;
  const char *suffix = unified ? ".current" : ".usage_in_bytes";
  for (struct dirent *de; d && (de = readdir(d)) && n < 16;) {
    size_t l = strlen(de->d_name), sl = strlen(suffix);
    if (strncmp(de->d_name, "hugetlb.", 8) || l <= 8 + sl || strcmp(de->d_name + l - sl, suffix))
      continue;
    char *size = strndup(de->d_name + 8, l - 8 - sl);
    if (size && strchr(size, '.')) { /* hugetlb.2MB.rsvd.current */
      free(size);
      continue;
    }
    if (size)
      sizes[n++] = size;
  }
  if (d)
    closedir(d);
  qsort(sizes, n, sizeof sizes[0], cmp_str);
  for (size_t i = 0; i < n; i++) {
    uint64_t usage = 0, max = 0, failcnt = 0;
    char file[64];
    snprintf(file, sizeof file, "hugetlb.%s%s", sizes[i], suffix);
    read_u64(dir, file, &usage);
    if (unified) {
      snprintf(file, sizeof file, "hugetlb.%s.events", sizes[i]);
      _cleanup_free_ char *ev = read_text(dir, file);
      kv_get(ev, "max", &failcnt);
    } else {
      snprintf(file, sizeof file, "hugetlb.%s.max_usage_in_bytes", sizes[i]);
      read_u64(dir, file, &max);
      snprintf(file, sizeof file, "hugetlb.%s.failcnt", sizes[i]);
      read_u64(dir, file, &failcnt);
    }
    fprintf(f, "%s\"%s\":{", i ? "," : "", sizes[i]);
    if (usage)
      fprintf(f, "\"usage\":%" PRIu64 ",", usage);
    if (max)
      fprintf(f, "\"max\":%" PRIu64 ",", max);
    fprintf(f, "\"failcnt\":%" PRIu64 "}", failcnt);
    free(sizes[i]);
  }
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
  if (!c.st.has_cgroup) {
    r = hk_error_set(err, ENOENT, "container \"%s\" has no cgroup", id);
    goto out;
  }
  if ((r = hk_container_load_cgroup(&c, &cg, err)) < 0)
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
  fputc(',', f);
  put_blkio(f, cg, v2);
  fputc(',', f);
  put_hugetlb(f, cg, v2);
  fputs(",\"intel_rdt\":{},\"network_interfaces\":null}}", f);
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

/* ---- OOM notifications ---- */

int hako_oom_watch(const char *root, const char *id, struct hk_cgroup_oom **w,
                   struct hk_error *err) {
  *w = NULL;
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (c.st.status == HK_STATUS_STOPPED || c.st.status == HK_STATUS_CREATING)
    r = hk_error_set(err, ESRCH, "container with id %s is not running", id);
  else if (!c.st.has_cgroup)
    r = hk_error_set(err, ENOENT, "container \"%s\" has no cgroup", id);
  else if ((r = hk_container_load_cgroup(&c, &cg, err)) == 0)
    r = hk_cgroup_oom_open(cg, w, err);
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

int hako_oom_fd(const struct hk_cgroup_oom *w) {
  return hk_cgroup_oom_fd(w);
}

int hako_oom_read(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err) {
  return hk_cgroup_oom_read(w, ooms, gone, err);
}

void hako_oom_close(struct hk_cgroup_oom *w) {
  hk_cgroup_oom_close(w);
}
