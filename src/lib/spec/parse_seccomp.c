/* linux.seccomp. */
#include <stdlib.h>
#include <string.h>

#include "parse_util.h"

static const char *const actions[] = {"SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
                                      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                      "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
                                      "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
                                      "SCMP_ACT_NOTIFY",      NULL};

static const char *const arches[] = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64", NULL};

static const char *const seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                            "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

static const char *const operators[] = {"SCMP_CMP_NE",        "SCMP_CMP_LT", "SCMP_CMP_LE",
                                        "SCMP_CMP_EQ",        "SCMP_CMP_GE", "SCMP_CMP_GT",
                                        "SCMP_CMP_MASKED_EQ", NULL};

static int parse_arg(struct pctx *c, json_t *obj, void *dst) {
  struct hk_seccomp_arg *a = dst;
  int r = f_u32(c, obj, "index", true, NULL, &a->index);
  if (r == 0)
    r = f_u64(c, obj, "value", true, NULL, &a->value);
  if (r == 0)
    r = f_u64(c, obj, "valueTwo", false, &a->has_value_two, &a->value_two);
  if (r == 0)
    r = f_str(c, obj, "op", true, &a->op);
  if (r == 0)
    r = pc_check_enum(c, "op", a->op, operators);
  return r;
}

static int parse_syscall(struct pctx *c, json_t *obj, void *dst) {
  struct hk_seccomp_syscall *s = dst;
  int r = f_strv(c, obj, "names", true, &s->names, &s->n_names);
  if (r == 0 && s->n_names == 0) {
    size_t old = pc_push_key(c, "names");
    r = pc_fail(c, "must list at least one syscall");
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_str(c, obj, "action", true, &s->action);
  if (r == 0)
    r = pc_check_enum(c, "action", s->action, actions);
  if (r == 0)
    r = f_u32(c, obj, "errnoRet", false, &s->has_errno_ret, &s->errno_ret);
  if (r == 0)
    r = f_objarr(c, obj, "args", sizeof *s->args, (void **)&s->args, &s->n_args, parse_arg);
  return r;
}

int parse_seccomp(struct pctx *c, json_t *obj, void *dst) {
  struct hk_seccomp *s = dst;
  int r = f_str(c, obj, "defaultAction", true, &s->default_action);
  if (r == 0)
    r = pc_check_enum(c, "defaultAction", s->default_action, actions);
  if (r == 0)
    r = f_u32(c, obj, "defaultErrnoRet", false, &s->has_default_errno_ret, &s->default_errno_ret);
  if (r == 0)
    r = f_strv(c, obj, "architectures", false, &s->architectures, &s->n_architectures);
  if (r == 0)
    r = pc_check_strv(c, "architectures", s->architectures, s->n_architectures, arches);
  if (r == 0)
    r = f_strv(c, obj, "flags", false, &s->flags, &s->n_flags);
  if (r == 0)
    r = pc_check_strv(c, "flags", s->flags, s->n_flags, seccomp_flags);
  if (r == 0)
    r = f_str(c, obj, "listenerPath", false, &s->listener_path);
  if (r == 0)
    r = f_str(c, obj, "listenerMetadata", false, &s->listener_metadata);
  if (r == 0)
    r = f_objarr(c, obj, "syscalls", sizeof *s->syscalls, (void **)&s->syscalls, &s->n_syscalls,
                 parse_syscall);
  return r;
}
