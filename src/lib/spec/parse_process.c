/* The "process" object. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "parse_util.h"

static int parse_console_size(struct pctx *c, json_t *obj, void *dst) {
  struct hk_process *p = dst;
  int r = f_u32(c, obj, "height", true, NULL, &p->console_height);
  if (r == 0)
    r = f_u32(c, obj, "width", true, NULL, &p->console_width);
  return r;
}

static int parse_user(struct pctx *c, json_t *obj, void *dst) {
  struct hk_user *u = dst;
  int r = f_u32(c, obj, "uid", true, NULL, &u->uid);
  if (r == 0)
    r = f_u32(c, obj, "gid", true, NULL, &u->gid);
  if (r == 0)
    r = f_u32(c, obj, "umask", false, &u->has_umask, &u->umask);
  if (r == 0 && u->has_umask && u->umask > 0777)
    r = pc_fail_at(c, "umask", SIZE_MAX, "%u (0%o) is not a file mode mask (0 to 0777)", u->umask,
                   u->umask);
  if (r == 0)
    r = f_u32v(c, obj, "additionalGids", &u->additional_gids, &u->n_additional_gids);
  if (r == 0)
    r = f_str(c, obj, "username", false, &u->username);
  return r;
}

static int parse_caps(struct pctx *c, json_t *obj, void *dst) {
  struct hk_capabilities *k = dst;
  /* Capability names are checked where they are applied: which ones exist
   * depends on the running kernel, not on the config format. */
  int r = f_strv(c, obj, "bounding", false, &k->bounding, &k->n_bounding);
  if (r == 0)
    r = f_strv(c, obj, "effective", false, &k->effective, &k->n_effective);
  if (r == 0)
    r = f_strv(c, obj, "inheritable", false, &k->inheritable, &k->n_inheritable);
  if (r == 0)
    r = f_strv(c, obj, "permitted", false, &k->permitted, &k->n_permitted);
  if (r == 0)
    r = f_strv(c, obj, "ambient", false, &k->ambient, &k->n_ambient);
  return r;
}

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimit(struct pctx *c, json_t *obj, void *dst) {
  struct hk_rlimit *l = dst;
  int r = f_str(c, obj, "type", true, &l->type);
  if (r < 0)
    return r;
  l->resource = -1;
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (strcmp(l->type, rlimit_names[i].name) == 0)
      l->resource = rlimit_names[i].resource;
  if (l->resource < 0) {
    size_t old = pc_push_key(c, "type");
    r = pc_fail(c, "unknown rlimit \"%.64s\"", l->type);
    pc_pop(c, old);
    return r;
  }
  r = f_u64(c, obj, "soft", true, NULL, &l->soft);
  if (r == 0)
    r = f_u64(c, obj, "hard", true, NULL, &l->hard);
  return r;
}

static const char *const sched_policies[] = {"SCHED_OTHER",    "SCHED_FIFO", "SCHED_RR",
                                             "SCHED_BATCH",    "SCHED_ISO",  "SCHED_IDLE",
                                             "SCHED_DEADLINE", NULL};
static const char *const sched_flags[] = {"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
                                          "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
                                          "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
                                          "SCHED_FLAG_UTIL_CLAMP_MAX", NULL};

static int parse_scheduler(struct pctx *c, json_t *obj, void *dst) {
  struct hk_scheduler *s = dst;
  int r = f_str(c, obj, "policy", true, &s->policy);
  if (r == 0)
    r = pc_check_enum(c, "policy", s->policy, sched_policies);
  if (r == 0)
    r = f_i32(c, obj, "nice", false, &s->has_nice, &s->nice);
  if (r == 0)
    r = f_i32(c, obj, "priority", false, &s->has_priority, &s->priority);
  if (r == 0)
    r = f_strv(c, obj, "flags", false, &s->flags, &s->n_flags);
  if (r == 0)
    r = pc_check_strv(c, "flags", s->flags, s->n_flags, sched_flags);
  if (r == 0)
    r = f_u64(c, obj, "runtime", false, &s->has_runtime, &s->runtime);
  if (r == 0)
    r = f_u64(c, obj, "deadline", false, &s->has_deadline, &s->deadline);
  if (r == 0)
    r = f_u64(c, obj, "period", false, &s->has_period, &s->period);
  return r;
}

static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                             "IOPRIO_CLASS_IDLE", NULL};

static int parse_io_priority(struct pctx *c, json_t *obj, void *dst) {
  struct hk_io_priority *p = dst;
  int r = f_str(c, obj, "class", true, &p->class_);
  if (r == 0)
    r = pc_check_enum(c, "class", p->class_, ioprio_classes);
  /* config.md calls priority REQUIRED but the schema does not; runc and crun
   * default it to 0, and so do we. */
  if (r == 0)
    r = f_i32(c, obj, "priority", false, NULL, &p->priority);
  return r;
}

static int check_cpu_list(struct pctx *c, const char *key, const char *v) {
  if (!v || v[strspn(v, "0123456789, -")] == 0)
    return 0;
  size_t old = pc_push_key(c, key);
  int r = pc_fail(c, "invalid CPU list \"%.64s\" (expected digits, ',' and '-')", v);
  pc_pop(c, old);
  return r;
}

static int parse_affinity(struct pctx *c, json_t *obj, void *dst) {
  struct hk_exec_cpu_affinity *a = dst;
  int r = f_str(c, obj, "initial", false, &a->initial);
  if (r == 0)
    r = check_cpu_list(c, "initial", a->initial);
  if (r == 0)
    r = f_str(c, obj, "final", false, &a->final);
  if (r == 0)
    r = check_cpu_list(c, "final", a->final);
  return r;
}

static int check_rlimit_dups(struct pctx *c, const struct hk_process *p) {
  for (size_t i = 0; i < p->n_rlimits; i++)
    for (size_t j = 0; j < i; j++)
      if (p->rlimits[i].resource == p->rlimits[j].resource) {
        size_t old = pc_push_key(c, "rlimits");
        pc_push_index(c, i);
        int r =
            pc_fail(c, "duplicate rlimit %s (already set by rlimits[%zu])", p->rlimits[i].type, j);
        pc_pop(c, old);
        return r;
      }
  return 0;
}

int parse_process(struct pctx *c, json_t *obj, void *dst) {
  struct hk_process *p = dst;
  int r = f_bool(c, obj, "terminal", NULL, &p->terminal);
  if (r == 0)
    r = f_sub(c, obj, "consoleSize", false, parse_console_size, p);
  if (r == 0)
    p->has_console_size = json_object_get(obj, "consoleSize") != NULL;
  if (r == 0)
    r = f_sub(c, obj, "user", true, parse_user, &p->user);
  if (r == 0)
    r = f_strv(c, obj, "args", false, &p->args, &p->n_args);
  if (r == 0)
    r = f_str(c, obj, "commandLine", false, &p->command_line);
  if (r == 0)
    r = f_strv(c, obj, "env", false, &p->env, &p->n_env);
  for (size_t i = 0; r == 0 && i < p->n_env; i++)
    if (!strchr(p->env[i], '=') || p->env[i][0] == '=')
      r = pc_fail_at(c, "env", i, "expected KEY=VALUE, got \"%.200s\"", p->env[i]);
  if (r == 0)
    r = f_str(c, obj, "cwd", true, &p->cwd);
  if (r == 0 && p->cwd[0] != '/') {
    size_t old = pc_push_key(c, "cwd");
    r = pc_fail(c, "must be an absolute path, got \"%.200s\"", p->cwd);
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_subnew(c, obj, "capabilities", false, sizeof *p->capabilities, (void **)&p->capabilities,
                 parse_caps);
  if (r == 0)
    r = f_objarr(c, obj, "rlimits", sizeof *p->rlimits, (void **)&p->rlimits, &p->n_rlimits,
                 parse_rlimit);
  if (r == 0)
    r = check_rlimit_dups(c, p);
  if (r == 0)
    r = f_bool(c, obj, "noNewPrivileges", NULL, &p->no_new_privileges);
  if (r == 0)
    r = f_str(c, obj, "apparmorProfile", false, &p->apparmor_profile);
  if (r == 0)
    r = f_int(c, obj, "oomScoreAdj", false, &p->has_oom_score_adj, &p->oom_score_adj);
  if (r == 0 && p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    r = pc_fail_at(c, "oomScoreAdj", SIZE_MAX, "%d is not in -1000..1000", p->oom_score_adj);
  if (r == 0)
    r = f_str(c, obj, "selinuxLabel", false, &p->selinux_label);
  if (r == 0)
    r = f_subnew(c, obj, "scheduler", false, sizeof *p->scheduler, (void **)&p->scheduler,
                 parse_scheduler);
  if (r == 0)
    r = f_subnew(c, obj, "ioPriority", false, sizeof *p->io_priority, (void **)&p->io_priority,
                 parse_io_priority);
  if (r == 0)
    r = f_subnew(c, obj, "execCPUAffinity", false, sizeof *p->exec_cpu_affinity,
                 (void **)&p->exec_cpu_affinity, parse_affinity);
  return r;
}
