/* linux.seccomp -> classic BPF, through libseccomp, in the launcher. */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "seccomp_internal.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

#define MAX_ERRNO_RET 0xffffU /* SECCOMP_RET_DATA: the kernel clamps to MAX_ERRNO */
#define MAX_INSNS 4096        /* BPF_MAXINSNS */

/* action name -> libseccomp action; errnoRet only for ERRNO and TRACE (default EPERM) */
static int parse_action(const char *name, bool has_errno, uint32_t errno_ret,
                        const char *action_path, const char *errno_path, uint32_t *act,
                        struct hk_error *err) {
  static const struct {
    const char *name;
    uint32_t act;
    bool takes_errno;
  } actions[] = {
      {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
      {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
      {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
      {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
      {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
      {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
      {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
      {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
      {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
  };
  if (!name)
    return hk_error_set(err, EINVAL, "%s: missing", action_path);
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
    if (strcmp(name, actions[i].name) != 0)
      continue;
    if (!actions[i].takes_errno) {
      if (has_errno)
        return hk_error_set(err, EINVAL,
                            "%s: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s",
                            errno_path, name);
      *act = actions[i].act;
      return 0;
    }
    uint32_t e = has_errno ? errno_ret : EPERM;
    if (e > MAX_ERRNO_RET)
      return hk_error_set(err, EINVAL, "%s: %u is too large (at most %u)", errno_path, e,
                          MAX_ERRNO_RET);
    *act = actions[i].act | e;
    return 0;
  }
  return hk_error_set(err, EINVAL, "%s: unknown seccomp action \"%s\"", action_path, name);
}

static int parse_op(const char *name, enum scmp_compare *op) {
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; name && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp(name, ops[i].name) == 0) {
      *op = ops[i].op;
      return 0;
    }
  return -1;
}

/* The spec's architecture list; the libseccomp name is the lower-case suffix. */
static const char *const spec_arches[] = {
    "X86",    "X86_64",   "X32",         "ARM",         "AARCH64", "MIPS",    "MIPS64", "MIPS64N32",
    "MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC",         "PPC64",   "PPC64LE", "S390",   "S390X",
    "PARISC", "PARISC64", "RISCV64",     "LOONGARCH64", "M68K",    "SH",      "SHEB",
};

static int add_arch(scmp_filter_ctx ctx, const char *name, size_t i, struct hk_error *err) {
  const char *suffix = name && strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : NULL;
  bool known = false;
  for (size_t k = 0; suffix && k < sizeof spec_arches / sizeof spec_arches[0]; k++)
    known = known || strcmp(suffix, spec_arches[k]) == 0;
  if (!known)
    return hk_error_set(err, EINVAL,
                        "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                        name ? name : "(null)");
  char lower[32];
  size_t n = 0;
  for (; suffix[n] && n < sizeof lower - 1; n++)
    lower[n] = (char)tolower((unsigned char)suffix[n]);
  lower[n] = 0;
  uint32_t arch = seccomp_arch_resolve_name(lower);
  if (arch == 0) {
    /* A spec architecture this libseccomp does not know: it cannot be the one we run on. */
    hk_warn("linux.seccomp.architectures[%zu]: %s is not supported by libseccomp %u.%u.%u; "
            "ignoring it",
            i, name, seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
    return 0;
  }
  int r = seccomp_arch_add(ctx, arch);
  if (r < 0 && r != -EEXIST)
    return hk_error_set(err, -r, "linux.seccomp.architectures[%zu]: adding %s: %s", i, name,
                        strerror(-r));
  return 0;
}

static int parse_flag(const char *name, size_t i, unsigned long *flags, struct hk_error *err) {
  static const struct {
    const char *name;
    unsigned long flag;
  } table[] = {
      {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
      {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
      {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
      {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
  };
  for (size_t k = 0; name && k < sizeof table / sizeof table[0]; k++)
    if (strcmp(name, table[k].name) == 0) {
      *flags |= table[k].flag;
      return 0;
    }
  return hk_error_set(err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
                      name ? name : "(null)");
}

/* Does the running kernel take these seccomp(2) flags?  With a NULL program the kernel checks
 * the flags first (EINVAL) and then fails to copy the program (EFAULT): nothing is loaded. */
static bool kernel_takes_flags(unsigned long flags) {
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
  return !(r < 0 && errno == EINVAL); /* ENOSYS (valgrind, old kernel): let the load say it */
}

static const char *action_name(uint32_t act) {
  switch (act & 0xffff0000U) {
  case SCMP_ACT_KILL_PROCESS:
    return "SCMP_ACT_KILL_PROCESS";
  case SCMP_ACT_KILL_THREAD:
    return "SCMP_ACT_KILL";
  case SCMP_ACT_TRAP:
    return "SCMP_ACT_TRAP";
  case SCMP_ACT_ERRNO(0):
    return "SCMP_ACT_ERRNO";
  case SCMP_ACT_TRACE(0):
    return "SCMP_ACT_TRACE";
  case SCMP_ACT_LOG:
    return "SCMP_ACT_LOG";
  case SCMP_ACT_NOTIFY:
    return "SCMP_ACT_NOTIFY";
  default:
    return "SCMP_ACT_ALLOW";
  }
}

/* Is the action usable on this kernel (libseccomp's API level says)? */
static int check_action_supported(uint32_t act, const char *path, struct hk_error *err) {
  int need = 0;
  switch (act & 0xffff0000U) {
  case SCMP_ACT_KILL_PROCESS:
  case SCMP_ACT_LOG:
    need = 3;
    break;
  case SCMP_ACT_NOTIFY:
    need = 5;
    break;
  default:
    return 0;
  }
  if (seccomp_api_get() < (unsigned)need)
    return hk_error_set(err, EOPNOTSUPP, "%s: %s is not supported by this kernel", path,
                        action_name(act));
  return 0;
}

static int add_syscall(scmp_filter_ctx ctx, const struct hk_seccomp_syscall *sc, size_t i,
                       uint32_t default_act, bool *notify, struct hk_error *err) {
  char path[64], action_path[80], errno_path[80];
  snprintf(path, sizeof path, "linux.seccomp.syscalls[%zu]", i);
  snprintf(action_path, sizeof action_path, "%s.action", path);
  snprintf(errno_path, sizeof errno_path, "%s.errnoRet", path);
  uint32_t act;
  int r = parse_action(sc->action, sc->has_errno_ret, sc->errno_ret, action_path, errno_path, &act,
                       err);
  if (r < 0)
    return r;
  struct scmp_arg_cmp conds[6 * 8];
  size_t n_conds = 0;
  unsigned per_index[6] = {0};
  if (sc->n_args > sizeof conds / sizeof conds[0])
    return hk_error_set(err, EINVAL, "%s.args: too many conditions (%zu)", path, sc->n_args);
  for (size_t j = 0; j < sc->n_args; j++) {
    const struct hk_seccomp_arg *a = &sc->args[j];
    enum scmp_compare op;
    if (a->index >= 6)
      return hk_error_set(err, EINVAL, "%s.args[%zu].index: %u is not below 6", path, j, a->index);
    if (parse_op(a->op, &op) < 0)
      return hk_error_set(err, EINVAL, "%s.args[%zu].op: unknown operator \"%s\"", path, j,
                          a->op ? a->op : "(null)");
    /* MASKED_EQ: (arg & value) == valueTwo; the other operators ignore valueTwo. */
    conds[n_conds++] = (struct scmp_arg_cmp){.arg = a->index,
                                             .op = op,
                                             .datum_a = a->value,
                                             .datum_b = a->has_value_two ? a->value_two : 0};
    per_index[a->index]++;
  }
  /* Two conditions on the same argument: libseccomp cannot AND them, so each becomes a rule
   * of its own (they OR), as runc does. */
  bool split = false;
  for (int k = 0; k < 6; k++)
    split = split || per_index[k] > 1;

  if (act == default_act) /* nothing to add; libseccomp refuses it anyway, runc skips it */
    return 0;
  r = check_action_supported(act, action_path, err);
  if (r < 0)
    return r;
  for (size_t j = 0; j < sc->n_names; j++) {
    const char *name = sc->names[j];
    int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
    if (nr == __NR_SCMP_ERROR) {
      hk_debug("%s.names[%zu]: ignoring unknown syscall \"%s\"", path, j, name ? name : "(null)");
      continue;
    }
    if (act == SCMP_ACT_NOTIFY && (strcmp(name, "write") == 0 || strcmp(name, "sendmsg") == 0))
      return hk_error_set(err, EINVAL,
                          "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for \"%s\": hako needs "
                          "it to hand the notify fd over",
                          path, j, name);
    if (split) {
      for (size_t c = 0; c < n_conds && r >= 0; c++)
        r = seccomp_rule_add_array(ctx, act, nr, 1, &conds[c]);
    } else {
      r = seccomp_rule_add_array(ctx, act, nr, (unsigned)n_conds, conds);
    }
    if (r < 0)
      return hk_error_set(err, -r, "%s: adding the rule for \"%s\" (%s): %s", path, name,
                          action_name(act), strerror(-r));
    if (act == SCMP_ACT_NOTIFY)
      *notify = true;
  }
  return 0;
}

/* seccomp_export_bpf() only writes to an fd: go through a memfd and read it back. */
static int export_filter(scmp_filter_ctx ctx, unsigned long flags, bool notify,
                         struct hk_seccomp_filter **out, struct hk_error *err) {
  int fd = memfd_create("hako-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "linux.seccomp: memfd_create");
  int r = seccomp_export_bpf(ctx, fd);
  if (r < 0) {
    close(fd);
    return hk_error_set(err, -r, "linux.seccomp: exporting the BPF program: %s", strerror(-r));
  }
  struct stat st;
  if (fstat(fd, &st) < 0) {
    r = hk_error_sys(err, "linux.seccomp: fstat of the BPF program");
    close(fd);
    return r;
  }
  size_t size = (size_t)st.st_size;
  if (size == 0 || size % sizeof(struct sock_filter) != 0) {
    close(fd);
    return hk_error_set(err, EIO, "linux.seccomp: the exported BPF program has %zu bytes", size);
  }
  size_t len = size / sizeof(struct sock_filter);
  if (len > MAX_INSNS) {
    close(fd);
    return hk_error_set(err, E2BIG,
                        "linux.seccomp: the filter needs %zu BPF instructions, the kernel takes "
                        "at most %d",
                        len, MAX_INSNS);
  }
  struct hk_seccomp_filter *f = malloc(sizeof *f + size);
  if (!f) {
    close(fd);
    return hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
  }
  size_t got = 0;
  while (got < size) {
    ssize_t n = pread(fd, (char *)f->prog + got, size - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      r = n < 0 ? hk_error_sys(err, "linux.seccomp: reading the BPF program back")
                : hk_error_set(err, EIO, "linux.seccomp: short read of the BPF program");
      free(f);
      close(fd);
      return r;
    }
    got += (size_t)n;
  }
  close(fd);
  f->flags = flags;
  f->notify = notify;
  f->len = (unsigned short)len;
  *out = f;
  return 0;
}

int hk_seccomp_compile(const struct hk_seccomp *spec, struct hk_seccomp_filter **out,
                       struct hk_error *err) {
  *out = NULL;
  uint32_t default_act;
  int r = parse_action(spec->default_action, spec->has_default_errno_ret, spec->default_errno_ret,
                       "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet", &default_act,
                       err);
  if (r < 0)
    return r;
  if (default_act == SCMP_ACT_NOTIFY)
    return hk_error_set(err, EINVAL,
                        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
                        "action");
  r = check_action_supported(default_act, "linux.seccomp.defaultAction", err);
  if (r < 0)
    return r;

  if (spec->listener_metadata && !spec->listener_path)
    return hk_error_set(err, EINVAL,
                        "linux.seccomp.listenerMetadata: must not be set without listenerPath");

  unsigned long flags = 0;
  for (size_t i = 0; i < spec->n_flags; i++) {
    unsigned long flag = 0;
    r = parse_flag(spec->flags[i], i, &flag, err);
    if (r < 0)
      return r;
    /* WAIT_KILLABLE_RECV is only valid with a listener: probe it with one. */
    unsigned long probe = flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
                              ? flag | SECCOMP_FILTER_FLAG_NEW_LISTENER
                              : flag;
    if (!kernel_takes_flags(probe))
      return hk_error_set(err, EOPNOTSUPP,
                          "linux.seccomp.flags[%zu]: %s is not supported by this kernel", i,
                          spec->flags[i]);
    flags |= flag;
  }

  scmp_filter_ctx ctx = seccomp_init(default_act);
  if (!ctx)
    return hk_error_set(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused %s",
                        spec->default_action);
  for (size_t i = 0; i < spec->n_architectures && r >= 0; i++)
    r = add_arch(ctx, spec->architectures[i], i, err);
  bool notify = false;
  for (size_t i = 0; i < spec->n_syscalls && r >= 0; i++)
    r = add_syscall(ctx, &spec->syscalls[i], i, default_act, &notify, err);

  if (r >= 0 && notify && !spec->listener_path)
    r = hk_error_set(err, EINVAL,
                     "linux.seccomp.listenerPath: must be set when a rule uses SCMP_ACT_NOTIFY "
                     "(nothing would answer the notifications)");
  if (r >= 0) {
    if (notify) {
      flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC and NEW_LISTENER together need TSYNC_ESRCH (init is single-threaded anyway). */
      if (flags & SECCOMP_FILTER_FLAG_TSYNC)
        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    } else if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
      /* The kernel refuses it without a listener; it means nothing there. */
      hk_debug("linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no rule "
               "uses SCMP_ACT_NOTIFY");
      flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
    if (!notify && spec->listener_path)
      hk_debug("linux.seccomp.listenerPath ignored: no rule uses SCMP_ACT_NOTIFY");
    r = export_filter(ctx, flags, notify, out, err);
  }
  seccomp_release(ctx);
  return r;
}

bool hk_seccomp_uses_notify(const struct hk_seccomp_filter *f) {
  return f && f->notify;
}

unsigned long hk_seccomp_flags(const struct hk_seccomp_filter *f) {
  return f ? f->flags : 0;
}

size_t hk_seccomp_len(const struct hk_seccomp_filter *f) {
  return f ? f->len : 0;
}

void hk_seccomp_free(struct hk_seccomp_filter *f) {
  free(f);
}
