/* linux.seccomp -> rules for the BPF generator (seccomp_bpf.c), in the launcher: every field is
 * checked here, with its JSON path in the error. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "seccomp_internal.h"
#include "security/seccomp_syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

#define MAX_ERRNO_RET 0xffffU /* SECCOMP_RET_DATA: the kernel clamps to MAX_ERRNO */

/* action name -> SECCOMP_RET_* value; errnoRet only for ERRNO and TRACE (default EPERM) */
static int parse_action(const char *name, bool has_errno, uint32_t errno_ret,
                        const char *action_path, const char *errno_path, uint32_t *act,
                        struct hk_error *err) {
  static const struct {
    const char *name;
    uint32_t act;
    bool takes_errno;
  } actions[] = {
      {"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false},
      {"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false},
      {"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false},
      {"SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false},
      {"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true},
      {"SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true},
      {"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false},
      {"SCMP_ACT_LOG", SECCOMP_RET_LOG, false},
      {"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF, false},
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

static int parse_op(const char *name, uint8_t *op) {
  static const struct {
    const char *name;
    uint8_t op;
  } ops[] = {
      {"SCMP_CMP_NE", HK_SC_NE},
      {"SCMP_CMP_LT", HK_SC_LT},
      {"SCMP_CMP_LE", HK_SC_LE},
      {"SCMP_CMP_EQ", HK_SC_EQ},
      {"SCMP_CMP_GE", HK_SC_GE},
      {"SCMP_CMP_GT", HK_SC_GT},
      {"SCMP_CMP_MASKED_EQ", HK_SC_MASKED_EQ},
  };
  for (size_t i = 0; name && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp(name, ops[i].name) == 0) {
      *op = ops[i].op;
      return 0;
    }
  return -1;
}

/* The spec's architecture list.  A process on this kernel can only arrive as x86_64, i386 or
 * x32; blocks for the others could never run, so they are accepted and left out. */
static const char *const spec_arches[] = {
    "X86",    "X86_64",   "X32",         "ARM",         "AARCH64", "MIPS",    "MIPS64", "MIPS64N32",
    "MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC",         "PPC64",   "PPC64LE", "S390",   "S390X",
    "PARISC", "PARISC64", "RISCV64",     "LOONGARCH64", "M68K",    "SH",      "SHEB",
};

static int add_arch(struct hk_sc_rules *rs, const char *name, size_t i, struct hk_error *err) {
  const char *suffix = name && strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : NULL;
  bool known = false;
  for (size_t k = 0; suffix && k < sizeof spec_arches / sizeof spec_arches[0]; k++)
    known = known || strcmp(suffix, spec_arches[k]) == 0;
  if (!known)
    return hk_error_set(err, EINVAL,
                        "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                        name ? name : "(null)");
  if (strcmp(suffix, "X86") == 0)
    rs->i386 = true;
  else if (strcmp(suffix, "X32") == 0)
    rs->x32 = true;
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
  switch (act & SECCOMP_RET_ACTION_FULL) {
  case SECCOMP_RET_KILL_PROCESS:
    return "SCMP_ACT_KILL_PROCESS";
  case SECCOMP_RET_KILL_THREAD:
    return "SCMP_ACT_KILL";
  case SECCOMP_RET_TRAP:
    return "SCMP_ACT_TRAP";
  case SECCOMP_RET_ERRNO:
    return "SCMP_ACT_ERRNO";
  case SECCOMP_RET_TRACE:
    return "SCMP_ACT_TRACE";
  case SECCOMP_RET_LOG:
    return "SCMP_ACT_LOG";
  case SECCOMP_RET_USER_NOTIF:
    return "SCMP_ACT_NOTIFY";
  default:
    return "SCMP_ACT_ALLOW";
  }
}

/* Does this kernel know the action?  Only the newer ones are asked about. */
static int check_action_supported(uint32_t act, const char *path, struct hk_error *err) {
  uint32_t base = act & SECCOMP_RET_ACTION_FULL;
  if (base != SECCOMP_RET_KILL_PROCESS && base != SECCOMP_RET_LOG && base != SECCOMP_RET_USER_NOTIF)
    return 0;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &base) == 0 || errno == ENOSYS)
    return 0; /* ENOSYS (valgrind): let the load say it */
  return hk_error_set(err, EOPNOTSUPP, "%s: %s is not supported by this kernel", path,
                      action_name(act));
}

/* A condition as the block sees it: 32-bit ABIs compare the low halves (libseccomp does
 * the same), and a MASKED_EQ with mask and value 0 always holds, so it is left out (which can
 * make the rule unconditional, as libseccomp makes it). */
static void add_cond(struct hk_sc_rule *rule, const struct hk_sc_cond *c, bool wide) {
  struct hk_sc_cond v = *c;
  if (!wide) {
    v.a &= 0xffffffffU;
    v.b &= 0xffffffffU;
  }
  if (v.op == HK_SC_MASKED_EQ && v.a == 0 && v.b == 0)
    return;
  rule->conds[rule->n_conds++] = v;
}

/* The rules of one name, for each block that has the syscall. */
static int add_name(struct hk_sc_rules *rs, const char *name, const struct hk_sc_rule *proto,
                    const struct hk_sc_cond *conds, size_t n_conds, bool split, bool *known) {
  const struct hk_syscall_row *row = hk_syscall_lookup(name);
  struct hk_sc_rule rule = *proto;
  struct {
    int nr;
    uint8_t block;
    uint32_t x32_bit;
  } targets[] = {
      {row ? row->nr[HK_ABI_X86_64] : -1, HK_SC_BLOCK_X86_64, 0},
      {row && rs->i386 ? row->nr[HK_ABI_I386] : -1, HK_SC_BLOCK_I386, 0},
      {row && rs->x32 ? row->nr[HK_ABI_X32] : -1, HK_SC_BLOCK_X86_64, 0x40000000U},
  };
  *known = row != NULL;
  for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
    if (targets[t].nr < 0)
      continue;
    rule.nr = (uint32_t)targets[t].nr | targets[t].x32_bit;
    rule.block = targets[t].block;
    bool wide = rule.block == HK_SC_BLOCK_X86_64 && targets[t].x32_bit == 0;
    /* two conditions on one argument cannot be ANDed: each is a rule (they OR), as runc does */
    for (size_t c = 0; c < n_conds; c += split ? 1 : n_conds) {
      rule.n_conds = 0;
      for (size_t k = c; k < (split ? c + 1 : n_conds); k++)
        add_cond(&rule, &conds[k], wide);
      if (hk_sc_rules_add(rs, &rule) < 0)
        return -ENOMEM;
    }
    if (n_conds == 0) {
      rule.n_conds = 0;
      if (hk_sc_rules_add(rs, &rule) < 0)
        return -ENOMEM;
    }
  }
  /* i386 also reaches it through socketcall(2) or ipc(2), whose arguments are behind a
   * pointer: an unconditional rule covers that call number too (as libseccomp does); a
   * conditional one cannot, and leaves the multiplexer to its own rule or the default. */
  uint32_t mux_nr, call;
  if (rs->i386 && hk_syscall_multiplexed(name, &mux_nr, &call)) {
    *known = true;
    if (n_conds == 0) {
      rule.nr = mux_nr;
      rule.block = HK_SC_BLOCK_I386;
      rule.n_conds = 1;
      rule.conds[0] = (struct hk_sc_cond){.arg = 0, .op = HK_SC_EQ, .a = call};
      if (hk_sc_rules_add(rs, &rule) < 0)
        return -ENOMEM;
    }
  }
  return 0;
}

static int add_syscall(struct hk_sc_rules *rs, const struct hk_seccomp_syscall *sc, size_t i,
                       bool *notify, struct hk_error *err) {
  char path[64], action_path[80], errno_path[80];
  snprintf(path, sizeof path, "linux.seccomp.syscalls[%zu]", i);
  snprintf(action_path, sizeof action_path, "%s.action", path);
  snprintf(errno_path, sizeof errno_path, "%s.errnoRet", path);
  uint32_t act;
  int r = parse_action(sc->action, sc->has_errno_ret, sc->errno_ret, action_path, errno_path, &act,
                       err);
  if (r < 0)
    return r;
  struct hk_sc_cond conds[6 * 8];
  size_t n_conds = 0;
  unsigned per_index[6] = {0};
  bool split = false;
  for (size_t j = 0; j < sc->n_args; j++) {
    const struct hk_seccomp_arg *a = &sc->args[j];
    uint8_t op;
    if (a->index >= 6)
      return hk_error_set(err, EINVAL, "%s.args[%zu].index: %u is not below 6", path, j, a->index);
    if (parse_op(a->op, &op) < 0)
      return hk_error_set(err, EINVAL, "%s.args[%zu].op: unknown operator \"%s\"", path, j,
                          a->op ? a->op : "(null)");
    if (n_conds == sizeof conds / sizeof conds[0])
      return hk_error_set(err, EINVAL, "%s.args: too many conditions (%zu)", path, sc->n_args);
    /* MASKED_EQ: (arg & value) == valueTwo; the other operators ignore valueTwo. */
    conds[n_conds++] = (struct hk_sc_cond){.arg = (uint8_t)a->index,
                                           .op = op,
                                           .a = a->value,
                                           .b = a->has_value_two ? a->value_two : 0};
    split = split || ++per_index[a->index] > 1;
  }

  if (act == rs->default_action) /* nothing to add; libseccomp refuses it, runc skips it */
    return 0;
  r = check_action_supported(act, action_path, err);
  if (r < 0)
    return r;
  const struct hk_sc_rule proto = {.action = act};
  for (size_t j = 0; j < sc->n_names; j++) {
    const char *name = sc->names[j];
    if (!name)
      continue;
    if (act == SECCOMP_RET_USER_NOTIF &&
        (strcmp(name, "write") == 0 || strcmp(name, "sendmsg") == 0))
      return hk_error_set(err, EINVAL,
                          "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for \"%s\": hako needs "
                          "it to hand the notify fd over",
                          path, j, name);
    bool known;
    if (add_name(rs, name, &proto, conds, n_conds, split, &known) < 0)
      return hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
    if (!known)
      hk_debug("%s.names[%zu]: ignoring unknown syscall \"%s\"", path, j, name);
    else if (act == SECCOMP_RET_USER_NOTIF)
      *notify = true;
  }
  return 0;
}

int hk_seccomp_compile(const struct hk_seccomp *spec, struct hk_seccomp_filter **out,
                       struct hk_error *err) {
  *out = NULL;
  struct hk_sc_rules rs = {0};
  int r = parse_action(spec->default_action, spec->has_default_errno_ret, spec->default_errno_ret,
                       "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet",
                       &rs.default_action, err);
  if (r < 0)
    return r;
  if (rs.default_action == SECCOMP_RET_USER_NOTIF)
    return hk_error_set(err, EINVAL,
                        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
                        "action");
  r = check_action_supported(rs.default_action, "linux.seccomp.defaultAction", err);
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

  for (size_t i = 0; i < spec->n_architectures && r >= 0; i++)
    r = add_arch(&rs, spec->architectures[i], i, err);
  bool notify = false;
  for (size_t i = 0; i < spec->n_syscalls && r >= 0; i++)
    r = add_syscall(&rs, &spec->syscalls[i], i, &notify, err);

  if (r >= 0 && notify && !spec->listener_path)
    r = hk_error_set(err, EINVAL,
                     "linux.seccomp.listenerPath: must be set when a rule uses SCMP_ACT_NOTIFY "
                     "(nothing would answer the notifications)");
  struct sock_filter *prog = NULL;
  size_t len = 0;
  if (r >= 0)
    r = hk_seccomp_generate(&rs, &prog, &len, err);
  hk_sc_rules_free(&rs);
  if (r < 0)
    return r;
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

  struct hk_seccomp_filter *f = malloc(sizeof *f + len * sizeof *prog);
  if (!f) {
    free(prog);
    return hk_error_set(err, ENOMEM, "linux.seccomp: out of memory");
  }
  memcpy(f->prog, prog, len * sizeof *prog);
  free(prog);
  f->flags = flags;
  f->notify = notify;
  f->len = (unsigned short)len;
  *out = f;
  return 0;
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
