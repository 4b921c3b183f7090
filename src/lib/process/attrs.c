/* Process attributes applied just before the user switch: personality,
 * scheduler, I/O priority, NUMA memory policy, CPU affinity. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"

struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
  const char *name;
  int value;
} policies[] = {{"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},     {"SCHED_BATCH", 3},
                {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6}};
static const struct {
  const char *name;
  uint64_t value;
} sched_flags[] = {{"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},
                   {"SCHED_FLAG_DL_OVERRUN", 0x04},    {"SCHED_FLAG_KEEP_POLICY", 0x08},
                   {"SCHED_FLAG_KEEP_PARAMS", 0x10},   {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
                   {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}};

static int apply_scheduler(const struct hk_scheduler *s, struct hk_error *err) {
  struct sched_attr_v1 a = {.size = sizeof a};
  size_t i;
  for (i = 0; i < N_OF(policies) && strcmp(policies[i].name, s->policy) != 0; i++)
    ;
  if (i == N_OF(policies))
    return hk_error_set(err, EINVAL, "process.scheduler.policy: unknown \"%s\"", s->policy);
  a.sched_policy = (uint32_t)policies[i].value;
  for (size_t f = 0; f < s->n_flags; f++) {
    for (i = 0; i < N_OF(sched_flags) && strcmp(sched_flags[i].name, s->flags[f]) != 0; i++)
      ;
    if (i == N_OF(sched_flags))
      return hk_error_set(err, EINVAL, "process.scheduler.flags[%zu]: unknown \"%s\"", f,
                          s->flags[f]);
    a.sched_flags |= sched_flags[i].value;
  }
  a.sched_nice = s->has_nice ? s->nice : 0;
  a.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
  a.sched_runtime = s->has_runtime ? s->runtime : 0;
  a.sched_deadline = s->has_deadline ? s->deadline : 0;
  a.sched_period = s->has_period ? s->period : 0;
  if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
    return hk_error_sys(err, "process.scheduler: sched_setattr(%s)", s->policy);
  return 0;
}

static int apply_io_priority(const struct hk_io_priority *io, struct hk_error *err) {
  int class;
  if (strcmp(io->class_, "IOPRIO_CLASS_RT") == 0)
    class = 1;
  else if (strcmp(io->class_, "IOPRIO_CLASS_BE") == 0)
    class = 2;
  else if (strcmp(io->class_, "IOPRIO_CLASS_IDLE") == 0)
    class = 3;
  else
    return hk_error_set(err, EINVAL, "process.ioPriority.class: unknown \"%s\"", io->class_);
  if (io->priority < 0 || io->priority > 7)
    return hk_error_set(err, EINVAL, "process.ioPriority.priority: %d is not in 0..7",
                        io->priority);
  int value = (class << 13) | io->priority;
  if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, value) < 0)
    return hk_error_sys(err, "process.ioPriority: ioprio_set(%s, %d)", io->class_, io->priority);
  return 0;
}

/* "0-3,7" -> bits; false on a malformed list. */
static bool parse_list(const char *s, unsigned long *mask, size_t nbits) {
  memset(mask, 0, nbits / 8);
  if (!*s)
    return true;
  const char *p = s;
  while (*p) {
    char *end;
    unsigned long a = strtoul(p, &end, 10), b = a;
    if (end == p)
      return false;
    if (*end == '-') {
      p = end + 1;
      b = strtoul(p, &end, 10);
      if (end == p || b < a)
        return false;
    }
    if (b >= nbits)
      return false;
    for (unsigned long i = a; i <= b; i++)
      mask[i / (8 * sizeof(unsigned long))] |= 1UL << (i % (8 * sizeof(unsigned long)));
    if (*end == ',')
      end++;
    else if (*end)
      return false;
    p = end;
  }
  return true;
}

static int apply_mempolicy(const struct hk_memory_policy *m, struct hk_error *err) {
  static const struct {
    const char *name;
    int value;
  } modes[] = {{"MPOL_DEFAULT", 0},   {"MPOL_PREFERRED", 1},         {"MPOL_BIND", 2},
               {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4},            {"MPOL_PREFERRED_MANY", 5},
               {"MPOL_WEIGHTED_INTERLEAVE", 6}};
  static const struct {
    const char *name;
    int value;
  } flags[] = {{"MPOL_F_STATIC_NODES", 1 << 15},
               {"MPOL_F_RELATIVE_NODES", 1 << 14},
               {"MPOL_F_NUMA_BALANCING", 1 << 13}};
  size_t i;
  for (i = 0; i < N_OF(modes) && strcmp(modes[i].name, m->mode) != 0; i++)
    ;
  if (i == N_OF(modes))
    return hk_error_set(err, EINVAL, "linux.memoryPolicy.mode: unknown \"%s\"", m->mode);
  int mode = modes[i].value;
  for (size_t f = 0; f < m->n_flags; f++) {
    for (i = 0; i < N_OF(flags) && strcmp(flags[i].name, m->flags[f]) != 0; i++)
      ;
    if (i == N_OF(flags))
      return hk_error_set(err, EINVAL, "linux.memoryPolicy.flags[%zu]: unknown \"%s\"", f,
                          m->flags[f]);
    mode |= flags[i].value;
  }
  unsigned long nodes[1024 / (8 * sizeof(unsigned long))];
  if (!parse_list(m->nodes ? m->nodes : "", nodes, 1024))
    return hk_error_set(err, EINVAL, "linux.memoryPolicy.nodes: invalid list \"%s\"", m->nodes);
  bool any = m->nodes && *m->nodes;
  if (syscall(SYS_set_mempolicy, mode, any ? nodes : NULL, any ? 1024 + 1 : 0) < 0)
    return hk_error_sys(err, "linux.memoryPolicy: set_mempolicy(%s)", m->mode);
  return 0;
}

int hk_check_scheduler(const struct hk_scheduler *s, struct hk_error *err) {
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return hk_error_set(err, EINVAL, "process.scheduler.nice: %d is not in -20..19", (int)s->nice);
  if (!s->has_priority)
    return 0;
  /* sched(7): 1..99 for the real-time policies, 0 for the others */
  bool rt = !strcmp(s->policy, "SCHED_FIFO") || !strcmp(s->policy, "SCHED_RR");
  if (rt && (s->priority < 1 || s->priority > 99))
    return hk_error_set(err, EINVAL, "process.scheduler.priority: %d is not in 1..99 for %s",
                        (int)s->priority, s->policy);
  if (!rt && s->priority != 0)
    return hk_error_set(err, EINVAL,
                        "process.scheduler.priority: must be 0 for %s (only SCHED_FIFO and "
                        "SCHED_RR take a priority), got %d",
                        s->policy, (int)s->priority);
  return 0;
}

int hk_check_cpu_list(const char *list, const char *where, struct hk_error *err) {
  unsigned long bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
  if (!parse_list(list, bits, CPU_SETSIZE))
    return hk_error_set(err, EINVAL, "%s: invalid CPU list \"%s\"", where, list);
  long ncpu = sysconf(_SC_NPROCESSORS_CONF);
  for (long i = ncpu > 0 ? ncpu : CPU_SETSIZE; i < CPU_SETSIZE; i++)
    if (bits[i / (long)(8 * sizeof(unsigned long))] & (1UL << (i % (long)(8 * sizeof(unsigned long)))))
      return hk_error_set(err, EINVAL, "%s: CPU %ld does not exist (this host has %ld)", where, i,
                          ncpu);
  return 0;
}

int hk_set_cpu_affinity(const char *list, const char *where, struct hk_error *err) {
  cpu_set_t set;
  unsigned long bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
  if (!parse_list(list, bits, CPU_SETSIZE))
    return hk_error_set(err, EINVAL, "%s: invalid CPU list \"%s\"", where, list);
  CPU_ZERO(&set);
  for (int i = 0; i < CPU_SETSIZE; i++)
    if (bits[i / (8 * sizeof(unsigned long))] & (1UL << (i % (8 * sizeof(unsigned long)))))
      CPU_SET(i, &set);
  if (sched_setaffinity(0, sizeof set, &set) < 0)
    return hk_error_sys(err, "%s: sched_setaffinity(%s)", where, list);
  return 0;
}

int hk_apply_process_attrs(const struct hk_spec *spec, const struct hk_process *p,
                           struct hk_error *err) {
  const struct hk_linux *lx = spec ? spec->linux_ : NULL;
  if (lx && lx->personality) {
    const struct hk_personality *pe = lx->personality;
    if (pe->n_flags)
      return hk_error_set(err, EINVAL,
                          "linux.personality.flags[0]: \"%s\": no personality flag is supported",
                          pe->flags[0]);
    unsigned long dom;
    if (strcmp(pe->domain, "LINUX") == 0)
      dom = PER_LINUX;
    else if (strcmp(pe->domain, "LINUX32") == 0)
      dom = PER_LINUX32;
    else
      return hk_error_set(err, EINVAL, "linux.personality.domain: unknown \"%s\"", pe->domain);
    if (personality(dom) < 0)
      return hk_error_sys(err, "linux.personality: personality(%s)", pe->domain);
  }
  int r = 0;
  if (lx && lx->memory_policy)
    r = apply_mempolicy(lx->memory_policy, err);
  if (r == 0 && p->scheduler)
    r = apply_scheduler(p->scheduler, err);
  if (r == 0 && p->io_priority)
    r = apply_io_priority(p->io_priority, err);
  return r;
}
