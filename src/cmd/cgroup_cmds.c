/* pause, resume, ps, update, events: the commands on a container's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hako.h"
#include "util.h"

int cmd_pause(struct cli_global *g, int argc, char **argv) {
  const char *id = NULL;
  int rc = cli_id_only("pause", argc, argv, &id);
  if (rc >= 0)
    return rc;
  struct hk_error err = {0};
  return hako_pause(g->root, id, &err) < 0 ? cli_fail(&err) : 0;
}

int cmd_resume(struct cli_global *g, int argc, char **argv) {
  const char *id = NULL;
  int rc = cli_id_only("resume", argc, argv, &id);
  if (rc >= 0)
    return rc;
  struct hk_error err = {0};
  return hako_resume(g->root, id, &err) < 0 ? cli_fail(&err) : 0;
}

/* ---- ps ---- */

/* Run ps with args; its stdout and stderr together in *out. */
static int run_ps(char **args, size_t n_args, char **out, int *status, struct hk_error *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return hk_error_sys(err, "pipe");
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return hk_error_sys(err, "fork");
  }
  if (pid == 0) {
    char **argv = calloc(n_args + 2, sizeof *argv);
    if (!argv)
      _exit(127);
    argv[0] = "ps";
    for (size_t i = 0; i < n_args; i++)
      argv[i + 1] = args[i];
    dup2(p[1], STDOUT_FILENO);
    dup2(p[1], STDERR_FILENO);
    execvp("ps", argv);
    dprintf(STDERR_FILENO, "exec: \"ps\": %s", strerror(errno));
    _exit(127);
  }
  close(p[1]);
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (cap - len < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if (!nb)
        break;
      buf = nb;
      cap += 65536;
    }
    ssize_t k = read(p[0], buf + len, cap - len - 1);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    len += (size_t)k;
  }
  close(p[0]);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR)
    ;
  if (!buf)
    return hk_error_set(err, ENOMEM, "ps: out of memory");
  buf[len] = 0;
  *out = buf;
  return 0;
}

/* The whitespace-separated field i of line (copied into buf); false if none. */
static bool field(const char *line, size_t i, char *buf, size_t size) {
  const char *p = line;
  for (size_t k = 0;; k++) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p)
      return false;
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t')
      e++;
    if (k == i) {
      snprintf(buf, size, "%.*s", (int)(e - p), p);
      return true;
    }
    p = e;
  }
}

static int ps_table(pid_t *pids, size_t n, char **args, size_t n_args) {
  static char *def[] = {"-ef"};
  if (n_args == 0) {
    args = def;
    n_args = 1;
  }
  struct hk_error err = {0};
  char *out = NULL;
  int status = 0;
  if (run_ps(args, n_args, &out, &status, &err) < 0)
    return cli_fail(&err);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFEXITED(status))
      hk_error_set(&err, EIO, "exit status %d: %s", WEXITSTATUS(status), out);
    else
      hk_error_set(&err, EIO, "signal: %d: %s", WTERMSIG(status), out);
    free(out);
    return cli_fail(&err);
  }
  char *save = NULL, *line = out, *nl = strchr(out, '\n');
  if (nl)
    *nl = 0;
  size_t pid_index = SIZE_MAX;
  char f[64];
  for (size_t i = 0; field(line, i, f, sizeof f); i++)
    if (strcmp(f, "PID") == 0) {
      pid_index = i;
      break;
    }
  if (pid_index == SIZE_MAX) {
    free(out);
    hk_error_set(&err, EINVAL, "couldn't find PID field in ps output");
    return cli_fail(&err);
  }
  puts(line);
  if (nl)
    for (line = strtok_r(nl + 1, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      if (!field(line, pid_index, f, sizeof f))
        continue;
      char *end;
      errno = 0;
      long v = strtol(f, &end, 10);
      if (errno || *end || end == f) {
        hk_error_set(&err, EINVAL,
                     "unable to parse pid: strconv.Atoi: parsing \"%s\": invalid "
                     "syntax",
                     f);
        free(out);
        return cli_fail(&err);
      }
      for (size_t i = 0; i < n; i++)
        if (pids[i] == (pid_t)v) {
          puts(line);
          break;
        }
    }
  free(out);
  return 0;
}

int cmd_ps(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {{"format", required_argument, NULL, 'f'}, {0}};
  const char *format = "table";
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("ps"), argc, argv, "f:", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'f')
      format = optarg;
  }
  if ((rc = cli_expect_args("ps", argc, argv, optind, 1, -1)) != 0)
    return rc;
  struct hk_error err = {0};
  pid_t *pids = NULL;
  size_t n = 0;
  if (hako_pids(g->root, argv[optind], &pids, &n, &err) < 0)
    return cli_fail(&err);
  if (strcmp(format, "json") == 0) {
    /* runc encodes a nil slice: "null" when there is no process */
    if (n == 0) {
      puts("null");
    } else {
      putchar('[');
      for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)pids[i]);
      puts("]");
    }
    rc = 0;
  } else if (strcmp(format, "table") == 0) {
    fflush(stdout);
    rc = ps_table(pids, n, argv + optind + 1, (size_t)(argc - optind - 1));
  } else {
    hk_error_set(&err, EINVAL, "invalid format option");
    rc = cli_fail(&err);
  }
  free(pids);
  return rc;
}

/* ---- update ---- */

/* docker's RAMInBytes, as runc reads memory values: a decimal number, an optional
 * space, an optional k/m/g/t/p (binary units), an optional i, an optional b. */
static bool ram_in_bytes(const char *s, int64_t *out) {
  const char *p = s;
  if (!(*p >= '0' && *p <= '9'))
    return false;
  while (*p >= '0' && *p <= '9')
    p++;
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9'))
      return false;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  char *num_end;
  double v = strtod(s, &num_end);
  if (num_end != p)
    return false;
  if (*p == ' ')
    p++;
  static const char units[] = "kmgtp";
  double mul = 1;
  const char *u = *p ? strchr(units, *p | 0x20) : NULL;
  if (u) {
    for (const char *k = units; k <= u; k++)
      mul *= 1024;
    p++;
  }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p)
    return false;
  v *= mul;
  if (v >= 9223372036854775807.0)
    return false;
  *out = (int64_t)v;
  return true;
}

static int bad_value(const char *opt, const char *fn, const char *val, bool range) {
  struct hk_error err = {0};
  hk_error_set(&err, EINVAL, "invalid value for %s: strconv.%s: parsing \"%s\": %s", opt, fn, val,
               range ? "value out of range" : "invalid syntax");
  return cli_fail(&err);
}

static int flag_parse_error(const char *opt, const char *val) {
  struct hk_error err = {0};
  hk_error_set(&err, EINVAL, "invalid value \"%s\" for flag -%s: parse error", val, opt);
  return cli_fail(&err);
}

/* urfave's Int flag: strconv.ParseInt(s, 0, 64), whole string. */
static bool parse_int(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 0);
  if (errno || end == s || *end)
    return false;
  *out = v;
  return true;
}

/* Set area.key in obj (creating area). */
static void jset(json_t *obj, const char *area, const char *key, json_t *v) {
  json_t *a = json_object_get(obj, area);
  if (!a) {
    a = json_object();
    json_object_set_new(obj, area, a);
  }
  json_object_set_new(a, key, v);
}

static int read_stream(FILE *f, char **out, size_t *len) {
  char *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (cap - n < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if (!nb) {
        free(buf);
        return -ENOMEM;
      }
      buf = nb;
      cap += 65536;
    }
    size_t k = fread(buf + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) {
      if (ferror(f)) {
        free(buf);
        return -EIO;
      }
      break;
    }
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return 0;
}

enum {
  U_MEMORY = 256,
  U_MEMORY_RES,
  U_MEMORY_SWAP,
  U_KMEM,
  U_KMEM_TCP,
  U_CPU_SHARES,
  U_CPU_QUOTA,
  U_CPU_PERIOD,
  U_CPU_RT_RUNTIME,
  U_CPU_RT_PERIOD,
  U_CPUSET_CPUS,
  U_CPUSET_MEMS,
  U_PIDS,
  U_BLKIO,
  U_L3,
  U_MBA,
  U_COUNT
};

int cmd_update(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {
      {"resources", required_argument, NULL, 'r'},
      {"memory", required_argument, NULL, U_MEMORY},
      {"memory-reservation", required_argument, NULL, U_MEMORY_RES},
      {"memory-swap", required_argument, NULL, U_MEMORY_SWAP},
      {"kernel-memory", required_argument, NULL, U_KMEM},
      {"kernel-memory-tcp", required_argument, NULL, U_KMEM_TCP},
      {"cpu-share", required_argument, NULL, U_CPU_SHARES},
      {"cpu-shares", required_argument, NULL, U_CPU_SHARES},
      {"cpu-quota", required_argument, NULL, U_CPU_QUOTA},
      {"cpu-period", required_argument, NULL, U_CPU_PERIOD},
      {"cpu-rt-runtime", required_argument, NULL, U_CPU_RT_RUNTIME},
      {"cpu-rt-period", required_argument, NULL, U_CPU_RT_PERIOD},
      {"cpuset-cpus", required_argument, NULL, U_CPUSET_CPUS},
      {"cpuset-mems", required_argument, NULL, U_CPUSET_MEMS},
      {"pids-limit", required_argument, NULL, U_PIDS},
      {"blkio-weight", required_argument, NULL, U_BLKIO},
      {"l3-cache-schema", required_argument, NULL, U_L3},
      {"mem-bw-schema", required_argument, NULL, U_MBA},
      {0}};
  const char *val[U_COUNT] = {0};
  const char *resources = NULL;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("update"), argc, argv, "r:", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'r')
      resources = optarg;
    else if (c >= U_MEMORY && c < U_COUNT)
      val[c] = optarg;
  }
  if ((rc = cli_expect_args("update", argc, argv, optind, 1, 1)) != 0)
    return rc;
  const char *id = argv[optind];
  struct hk_error err = {0};
  char *text = NULL;
  size_t len = 0;
  const char *name;
  if (resources) {
    /* as runc: with --resources every other option is ignored */
    FILE *f = strcmp(resources, "-") == 0 ? stdin : fopen(resources, "re");
    if (!f) {
      hk_error_sys(&err, "open %s", resources);
      return cli_fail(&err);
    }
    int r = read_stream(f, &text, &len);
    if (f != stdin)
      fclose(f);
    if (r < 0) {
      hk_error_set(&err, -r, "read %s: %s", resources, strerror(-r));
      return cli_fail(&err);
    }
    name = strcmp(resources, "-") == 0 ? "resources (stdin)" : resources;
  } else {
    /* runc parses the integer flags before the memory ones */
    static const struct {
      int opt;
      const char *name, *area, *key;
      bool is_signed;
    } nums[] = {
        {U_CPU_PERIOD, "cpu-period", "cpu", "period", false},
        {U_CPU_RT_PERIOD, "cpu-rt-period", "cpu", "realtimePeriod", false},
        {U_CPU_SHARES, "cpu-share", "cpu", "shares", false},
        {U_CPU_QUOTA, "cpu-quota", "cpu", "quota", true},
        {U_CPU_RT_RUNTIME, "cpu-rt-runtime", "cpu", "realtimeRuntime", true},
    };
    static const struct {
      int opt;
      const char *name, *key;
    } mems[] = {
        {U_MEMORY, "memory", "limit"},
        {U_MEMORY_RES, "memory-reservation", "reservation"},
        {U_MEMORY_SWAP, "memory-swap", "swap"},
        {U_KMEM, "kernel-memory", "kernel"},
        {U_KMEM_TCP, "kernel-memory-tcp", "kernelTCP"},
    };
    /* urfave's Int flags fail first, at flag parsing */
    long pids = 0, weight = 0;
    if (val[U_BLKIO] && !parse_int(val[U_BLKIO], &weight))
      return flag_parse_error("blkio-weight", val[U_BLKIO]);
    if (val[U_PIDS] && !parse_int(val[U_PIDS], &pids))
      return flag_parse_error("pids-limit", val[U_PIDS]);
    json_t *obj = json_object();
    if (!obj) {
      hk_error_set(&err, ENOMEM, "update: out of memory");
      return cli_fail(&err);
    }
    if (weight)
      jset(obj, "blockIO", "weight", json_integer(weight));
    if (val[U_CPUSET_CPUS])
      jset(obj, "cpu", "cpus", json_string(val[U_CPUSET_CPUS]));
    if (val[U_CPUSET_MEMS])
      jset(obj, "cpu", "mems", json_string(val[U_CPUSET_MEMS]));
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
      const char *s = val[nums[i].opt];
      if (!s)
        continue;
      char *end;
      errno = 0;
      json_int_t v;
      if (nums[i].is_signed) {
        v = strtoll(s, &end, 10);
      } else {
        unsigned long long u =
            (*s == '-' || *s == '+') ? (end = (char *)s, 0) : strtoull(s, &end, 10);
        if (u > INT64_MAX)
          errno = ERANGE;
        v = (json_int_t)u;
      }
      if (end == s || *end || errno) {
        json_decref(obj);
        return bad_value(nums[i].name, nums[i].is_signed ? "ParseInt" : "ParseUint", s,
                         errno == ERANGE);
      }
      jset(obj, nums[i].area, nums[i].key, json_integer(v));
    }
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++) {
      const char *s = val[mems[i].opt];
      if (!s || !*s)
        continue;
      int64_t v = -1;
      if (strcmp(s, "-1") != 0 && !ram_in_bytes(s, &v)) {
        json_decref(obj);
        hk_error_set(&err, EINVAL, "invalid value for %s: invalid size: '%s'", mems[i].name, s);
        return cli_fail(&err);
      }
      jset(obj, "memory", mems[i].key, json_integer(v));
    }
    if (pids)
      jset(obj, "pids", "limit", json_integer(pids));
    text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) {
      hk_error_set(&err, ENOMEM, "update: out of memory");
      return cli_fail(&err);
    }
    len = strlen(text);
    name = "update";
    /* hako has no Intel RDT support: runc's words for a host without it */
    if (val[U_L3] && *val[U_L3]) {
      free(text);
      hk_error_set(&err, ENOTSUP, "Intel RDT/CAT: l3 cache schema is not enabled");
      return cli_fail(&err);
    }
    if (val[U_MBA] && *val[U_MBA]) {
      free(text);
      hk_error_set(&err, ENOTSUP, "Intel RDT/MBA: memory bandwidth schema is not enabled");
      return cli_fail(&err);
    }
  }
  int r = hako_update(g->root, id, text, len, name, &err);
  free(text);
  return r < 0 ? cli_fail(&err) : 0;
}

/* ---- events ---- */

/* A Go duration ("5s", "1m30s", "500ms", "1.5h"), in nanoseconds. */
static bool go_duration(const char *s, double *ns) {
  static const struct {
    const char *unit;
    double ns;
  } units[] = {{"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
               {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
  double total = 0, sign = 1;
  const char *p = s;
  if (*p == '-' || *p == '+')
    sign = *p++ == '-' ? -1 : 1;
  if (strcmp(p, "0") == 0) {
    *ns = 0;
    return true;
  }
  if (!*p)
    return false;
  while (*p) {
    if (!((*p >= '0' && *p <= '9') || *p == '.'))
      return false;
    char *end;
    double v = strtod(p, &end);
    if (end == p)
      return false;
    p = end;
    size_t best = 0, best_len = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      size_t l = strlen(units[i].unit);
      if (strncmp(p, units[i].unit, l) == 0 && l > best_len) {
        best = i;
        best_len = l;
      }
    }
    if (!best_len)
      return false;
    total += v * units[best].ns;
    p += best_len;
  }
  *ns = sign * total;
  return true;
}

static int cmp_entry_id(const void *a, const void *b) {
  return strcmp(((const struct hako_list_entry *)a)->id, ((const struct hako_list_entry *)b)->id);
}

/* One stats event per running container of the root, sorted by id; the stopped
 * ones have no stats and are left out.  Returns 0 or 1 (an error). */
static int all_stats(const char *root) {
  struct hk_error err = {0};
  struct hako_list_entry *e = NULL;
  size_t n = 0;
  if (hako_list(root, &e, &n, &err) < 0)
    return cli_fail(&err);
  if (n > 1)
    qsort(e, n, sizeof *e, cmp_entry_id);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char *json = NULL;
    struct hk_error e2 = {0};
    int r = hako_stats(root, e[i].id, &json, &e2);
    if (r == -ESRCH || r == -ENOENT)
      continue; /* stopped, or deleted meanwhile */
    if (r < 0) {
      rc = cli_fail(&e2);
      continue;
    }
    puts(json);
    free(json);
  }
  hako_list_free(e, n);
  return fflush(stdout) != 0 ? 1 : rc;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Print {"type":"oom","id":..} (runc leaves out "data" for it). */
static void put_oom(const char *id) {
  json_t *ev = hk_jobj("type", json_string("oom"), "id", json_string(id), NULL);
  char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
  if (text)
    puts(text);
  free(text);
  json_decref(ev);
  fflush(stdout);
}

int cmd_events(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
                                       {"interval", required_argument, NULL, 'i'},
                                       {"all", no_argument, NULL, 'a'},
                                       {0}};
  bool stats = false, all = false;
  double interval = 5e9;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("events"), argc, argv, "", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 's')
      stats = true;
    else if (c == 'a')
      all = true;
    else if (c == 'i' && !go_duration(optarg, &interval))
      return flag_parse_error("interval", optarg);
  }
  if ((rc = cli_expect_args("events", argc, argv, optind, all ? 0 : 1, all ? 0 : 1)) != 0)
    return rc;
  const char *id = all ? NULL : argv[optind];
  struct hk_error err = {0};
  if (interval <= 0) {
    hk_error_set(&err, EINVAL, "duration interval must be greater than 0");
    return cli_fail(&err);
  }
  long long ns = interval >= 9e18 ? 9000000000000000000LL : (long long)interval;
  if (ns < 1)
    ns = 1;
  if (all) {
    /* --all: every interval, one stats line per running container; until killed */
    if (stats)
      return all_stats(g->root);
    for (;;) {
      struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
      while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
      if (all_stats(g->root) != 0 && ferror(stdout))
        return 1;
    }
  }
  char *json = NULL;
  if (hako_stats(g->root, id, &json, &err) < 0)
    return cli_fail(&err);
  if (stats) {
    puts(json);
    free(json);
    return 0;
  }
  free(json);
  /* like runc: OOM events as they happen, one stats event per interval (the first
   * after one interval); hako ends (status 0) once the container has stopped or is
   * gone, where runc 1.1 waits for the cgroup to be removed */
  struct hk_cgroup_oom *oom = NULL;
  int w = hako_oom_watch(g->root, id, &oom, &err);
  /* a cgroup without the memory controller has no OOM to report: stats only */
  if (w < 0 && w != -ENOTSUP)
    return cli_fail(&err);
  long long next = now_ns() + ns;
  rc = 0;
  /* once the watcher saw the cgroup emptied or removed, the container is about to
   * be stopped (or deleted): look every 100 ms instead of waiting for the tick */
  bool ending = false;
  for (;;) {
    long long left = next - now_ns();
    if (ending && left > 100000000LL)
      left = 100000000LL;
    struct pollfd pfd = {.fd = oom ? hako_oom_fd(oom) : -1, .events = POLLIN};
    int timeout = left <= 0                   ? 0
                  : left / 1000000 >= INT_MAX ? INT_MAX
                                              : (int)((left + 999999) / 1000000);
    int p = poll(&pfd, 1, timeout);
    if (p < 0 && errno != EINTR) {
      hk_error_sys(&err, "poll");
      rc = cli_fail(&err);
      break;
    }
    if (p > 0 && oom) {
      unsigned ooms = 0;
      bool gone = false;
      struct hk_error e = {0};
      if (hako_oom_read(oom, &ooms, &gone, &e) < 0) {
        cli_fail(&e);
        gone = true;
      }
      if (ooms)
        put_oom(id);
      if (gone) {
        /* no more OOMs can come */
        hako_oom_close(oom);
        oom = NULL;
        ending = true;
      }
    }
    if (ending) {
      struct hk_error e2 = {0};
      int r = hako_stats(g->root, id, &json, &e2);
      if (r == -ESRCH || r == -ENOENT)
        break;
      if (r == 0)
        free(json);
    }
    if (now_ns() < next)
      continue;
    next += ns;
    struct hk_error e = {0};
    int r = hako_stats(g->root, id, &json, &e);
    if (r == -ESRCH || r == -ENOENT)
      break;
    if (r < 0) {
      cli_fail(&e);
      continue;
    }
    puts(json);
    free(json);
    if (fflush(stdout) != 0) {
      rc = 1;
      break;
    }
  }
  if (oom)
    hako_oom_close(oom);
  return rc;
}
