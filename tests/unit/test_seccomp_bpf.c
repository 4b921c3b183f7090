/* hako's seccomp compiler against libseccomp (what runc and crun use), by running both
 * programs in a classic-BPF interpreter on the same seccomp_data and comparing the verdicts.
 *
 *   - podman's default profile (/usr/share/containers/seccomp.json, when installed) in the
 *     form podman hands to a runtime for a container without added capabilities;
 *   - thousands of random profiles over a pool of names that exercises the hard parts:
 *     i386's socketcall/ipc multiplexing, x32 numbers, 64-bit argument comparisons, two
 *     conditions on one argument, unconditional rules next to conditional ones, unknown names.
 *
 * The random profiles avoid where the two differ on purpose (see seccomp_internal.h):
 *   - several conditional rules for one syscall, except EQ on one argument (personality's
 *     pattern): libseccomp 2.5 merges them into one tree by argument, which decides overlaps
 *     in its own order and, with ranges on one argument, loses rules (a2 < 2^32+5 OR
 *     a2 < 2^64-1 is KILLed for a2 = 2^63); hako tries the rules in the config's order;
 *   - conditional rules on socketcall/ipc or multiplexed names when i386 is in the filter
 *     (libseccomp drops the conditions on the multiplexer, hako leaves it alone);
 *   - values above 32 bits when i386 is in the filter: libseccomp 2.5 then treats such rules
 *     inconsistently (some never match, some become unconditional); hako compares the low
 *     32 bits, which is what its PFC export shows;
 *   - semtimedop, send and recv with i386 in the filter: hako also matches ipc(SEMTIMEDOP)
 *     and socketcall(SYS_SEND/SYS_RECV), as for every other multiplexed call; libseccomp 2.5's
 *     program (next to x86_64) leaves those out;
 *   - names x86_64 lacks (socketcall, waitpid, ...) when x32 is in the filter: libseccomp 2.5
 *     then emits a program that KILLs calls its own PFC export allows (its bug, not a choice).
 * The test also checks that every program hako makes passes the kernel's own checker. */
#include <errno.h>
#include <jansson.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "security/seccomp_internal.h"
#include "security/seccomp_syscalls.h"

static unsigned long long checks, failures, cross_rule_quirks;

/* ---------- a classic-BPF interpreter (what seccomp's programs use) ---------- */
static uint32_t run_bpf(const struct sock_filter *p, size_t n, const struct seccomp_data *d) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < n; pc++) {
    const struct sock_filter *in = &p[pc];
    switch (in->code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (in->k > sizeof *d - 4 || in->k % 4) {
        fprintf(stderr, "bad load offset %u\n", in->k);
        exit(2);
      }
      memcpy(&a, (const char *)d + in->k, 4);
      break;
    case BPF_ALU | BPF_AND | BPF_K:
      a &= in->k;
      break;
    case BPF_JMP | BPF_JA:
      pc += in->k;
      break;
    case BPF_JMP | BPF_JEQ | BPF_K:
      pc += a == in->k ? in->jt : in->jf;
      break;
    case BPF_JMP | BPF_JGT | BPF_K:
      pc += a > in->k ? in->jt : in->jf;
      break;
    case BPF_JMP | BPF_JGE | BPF_K:
      pc += a >= in->k ? in->jt : in->jf;
      break;
    case BPF_JMP | BPF_JSET | BPF_K:
      pc += (a & in->k) ? in->jt : in->jf;
      break;
    case BPF_RET | BPF_K:
      return in->k;
    case BPF_LD | BPF_W | BPF_LEN:
      a = sizeof *d;
      break;
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_ST:
    case BPF_LDX | BPF_W | BPF_MEM:
    case BPF_LD | BPF_W | BPF_MEM:
    default:
      fprintf(stderr, "unexpected BPF opcode %#x at %zu\n", in->code, pc);
      exit(2);
    }
  }
  fprintf(stderr, "the program ran off its end\n");
  exit(2);
}

/* ---------- the reference: the same profile through libseccomp ---------- */
static uint32_t ref_action(const char *name, bool has_errno, uint32_t e) {
  if (!strcmp(name, "SCMP_ACT_ALLOW"))
    return SCMP_ACT_ALLOW;
  if (!strcmp(name, "SCMP_ACT_ERRNO"))
    return SCMP_ACT_ERRNO(has_errno ? e : EPERM);
  if (!strcmp(name, "SCMP_ACT_TRACE"))
    return SCMP_ACT_TRACE(has_errno ? e : EPERM);
  if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
    return SCMP_ACT_KILL;
  if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
    return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(name, "SCMP_ACT_TRAP"))
    return SCMP_ACT_TRAP;
  if (!strcmp(name, "SCMP_ACT_LOG"))
    return SCMP_ACT_LOG;
  return SCMP_ACT_NOTIFY;
}

static enum scmp_compare ref_op(const char *op) {
  static const char *const names[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
                                      "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_MASKED_EQ"};
  for (int i = 0; i < 7; i++)
    if (!strcmp(op, names[i]))
      return (enum scmp_compare)(SCMP_CMP_NE + i);
  return _SCMP_CMP_MIN;
}

/* 0 and the program, or -1 when libseccomp refuses the profile (the case is skipped) */
static int ref_compile(const struct hk_seccomp *sp, struct sock_filter **prog, size_t *len) {
  uint32_t def = ref_action(sp->default_action, sp->has_default_errno_ret, sp->default_errno_ret);
  scmp_filter_ctx ctx = seccomp_init(def);
  int r = ctx ? 0 : -1;
  for (size_t i = 0; r == 0 && i < sp->n_architectures; i++) {
    if (!strcmp(sp->architectures[i], "SCMP_ARCH_X86"))
      r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
    else if (!strcmp(sp->architectures[i], "SCMP_ARCH_X32"))
      r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
    if (r == -EEXIST)
      r = 0;
  }
  for (size_t i = 0; r == 0 && i < sp->n_syscalls; i++) {
    const struct hk_seccomp_syscall *sc = &sp->syscalls[i];
    uint32_t act = ref_action(sc->action, sc->has_errno_ret, sc->errno_ret);
    if (act == def)
      continue;
    struct scmp_arg_cmp conds[48];
    unsigned per[6] = {0};
    bool split = false;
    for (size_t j = 0; j < sc->n_args; j++) {
      conds[j] = (struct scmp_arg_cmp){sc->args[j].index, ref_op(sc->args[j].op), sc->args[j].value,
                                       sc->args[j].value_two};
      split = split || ++per[sc->args[j].index] > 1;
    }
    for (size_t j = 0; r == 0 && j < sc->n_names; j++) {
      int nr = seccomp_syscall_resolve_name(sc->names[j]);
      if (nr == __NR_SCMP_ERROR)
        continue;
      if (split)
        for (size_t c = 0; r == 0 && c < sc->n_args; c++)
          r = seccomp_rule_add_array(ctx, act, nr, 1, &conds[c]);
      else
        r = seccomp_rule_add_array(ctx, act, nr, (unsigned)sc->n_args, conds);
    }
  }
  if (r == 0 && getenv("SECCOMP_TEST_PFC")) /* debugging: libseccomp's view of the profile */
    seccomp_export_pfc(ctx, STDOUT_FILENO);
  int fd = r == 0 ? memfd_create("ref", 0) : -1;
  if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
    struct stat st;
    fstat(fd, &st);
    *len = (size_t)st.st_size / sizeof **prog;
    *prog = malloc((size_t)st.st_size);
    if (pread(fd, *prog, (size_t)st.st_size, 0) != st.st_size)
      abort();
  } else {
    r = -1;
  }
  if (fd >= 0)
    close(fd);
  seccomp_release(ctx);
  return r;
}

/* ---------- comparison ---------- */
static const uint64_t interesting[] = {0,           1,          2,
                                       4,           5,          7,
                                       8,           40,         0xff,
                                       0xffffffffU, 1ULL << 32, (1ULL << 32) | 5,
                                       ~0ULL << 32, ~0ULL,      0x7fffffffffffffffULL};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t pick_value(const struct hk_seccomp *sp) {
  uint64_t k = rnd() % 4;
  if (k == 0 && sp->n_syscalls) {
    const struct hk_seccomp_syscall *sc = &sp->syscalls[rnd() % sp->n_syscalls];
    if (sc->n_args) {
      const struct hk_seccomp_arg *a = &sc->args[rnd() % sc->n_args];
      uint64_t v = rnd() % 2 ? a->value : a->value_two;
      return v + (rnd() % 3) - 1;
    }
  }
  if (k == 1)
    return rnd();
  return interesting[rnd() % (sizeof interesting / sizeof interesting[0])];
}

/* The numbers worth trying on one arch: every table number of the names in the profile (and
 * its neighbours), the multiplexers, the edges of the x32 range, and some at random. */
static size_t numbers_to_try(const struct hk_seccomp *sp, uint32_t arch, uint32_t *out,
                             size_t cap) {
  size_t n = 0;
#define ADD(x)                                                                                     \
  do {                                                                                             \
    if (n < cap)                                                                                   \
      out[n++] = (x);                                                                              \
  } while (0)
  ADD(0);
  ADD(UINT32_MAX);
  ADD(0x3fffffff);
  ADD(0x40000000);
  ADD(0x40000001);
  ADD(0x7fffffff);
  ADD(102);
  ADD(117);
  for (int i = 0; i < 8; i++)
    ADD((uint32_t)rnd() % 600);
  for (size_t i = 0; i < sp->n_syscalls; i++)
    for (size_t j = 0; j < sp->syscalls[i].n_names; j++) {
      const struct hk_syscall_row *row = hk_syscall_lookup(sp->syscalls[i].names[j]);
      if (!row)
        continue;
      int abis[2] = {arch == AUDIT_ARCH_I386 ? HK_ABI_I386 : HK_ABI_X86_64,
                     arch == AUDIT_ARCH_I386 ? -1 : HK_ABI_X32};
      for (int a = 0; a < 2; a++) {
        if (abis[a] < 0 || row->nr[abis[a]] < 0)
          continue;
        uint32_t nr = (uint32_t)row->nr[abis[a]] | (abis[a] == HK_ABI_X32 ? 0x40000000U : 0);
        ADD(nr - 1);
        ADD(nr);
        ADD(nr + 1);
      }
    }
#undef ADD
  return n;
}

static const char *describe(const struct hk_seccomp *sp, char *buf, size_t size) {
  json_t *o = json_object();
  json_object_set_new(o, "defaultAction", json_string(sp->default_action));
  json_t *arches = json_array();
  for (size_t i = 0; i < sp->n_architectures; i++)
    json_array_append_new(arches, json_string(sp->architectures[i]));
  json_object_set_new(o, "architectures", arches);
  json_t *rules = json_array();
  for (size_t i = 0; i < sp->n_syscalls; i++) {
    const struct hk_seccomp_syscall *sc = &sp->syscalls[i];
    json_t *r = json_object(), *names = json_array(), *args = json_array();
    for (size_t j = 0; j < sc->n_names; j++)
      json_array_append_new(names, json_string(sc->names[j]));
    for (size_t j = 0; j < sc->n_args; j++)
      json_array_append_new(args,
                            json_pack("{sI sI sI ss}", "index", (json_int_t)sc->args[j].index,
                                      "value", (json_int_t)sc->args[j].value, "valueTwo",
                                      (json_int_t)sc->args[j].value_two, "op", sc->args[j].op));
    json_object_set_new(r, "names", names);
    json_object_set_new(r, "action", json_string(sc->action));
    if (sc->has_errno_ret)
      json_object_set_new(r, "errnoRet", json_integer(sc->errno_ret));
    json_object_set_new(r, "args", args);
    json_array_append_new(rules, r);
  }
  json_object_set_new(o, "syscalls", rules);
  char *s = json_dumps(o, JSON_COMPACT);
  snprintf(buf, size, "%s", s ? s : "?");
  free(s);
  json_decref(o);
  return buf;
}

/* Does the kernel accept the program?  A child loads it behind a guard that always allows
 * write and exit_group (prepending keeps the program's relative jumps valid, and the
 * kernel's checker still reads all of it), reports the result and exits with raw syscalls:
 * nothing else of the child (a sanitizer's runtime included) runs under the filter. */
static bool kernel_accepts(const struct sock_filter *prog, size_t len) {
  struct sock_filter guarded[BPF_MAXINSNS];
  const struct sock_filter guard[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 1, 0),
      BPF_STMT(BPF_JMP | BPF_JA, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  size_t glen = sizeof guard / sizeof guard[0];
  if (len + glen > BPF_MAXINSNS)
    return true; /* cannot guard it; the layout already checked its length */
  memcpy(guarded, guard, sizeof guard);
  memcpy(guarded + glen, prog, len * sizeof *prog);
  int pfd[2];
  if (pipe(pfd) < 0)
    abort();
  pid_t pid = fork();
  if (pid == 0) {
    close(pfd[0]);
    struct sock_fprog fp = {.len = (unsigned short)(len + glen), .filter = guarded};
    int res = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (res == 0)
      res = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0 ? 0 : errno;
    syscall(SYS_write, pfd[1], &res, sizeof res);
    syscall(SYS_exit_group, 0);
  }
  close(pfd[1]);
  int res = 0;
  ssize_t n = read(pfd[0], &res, sizeof res);
  close(pfd[0]);
  waitpid(pid, NULL, 0);
  /* only EINVAL is a refused program (ENOSYS: valgrind, which knows no seccomp) */
  return !(n == sizeof res && res == EINVAL);
}

/* Does the call's number belong to name on the arch of d (i386's multiplexers included)? */
static bool name_has_nr(const char *name, const struct seccomp_data *d) {
  const struct hk_syscall_row *row = hk_syscall_lookup(name);
  uint32_t nr = (uint32_t)d->nr, mux, call;
  if (d->arch == AUDIT_ARCH_I386)
    return (row && row->nr[HK_ABI_I386] >= 0 && (uint32_t)row->nr[HK_ABI_I386] == nr) ||
           (hk_syscall_multiplexed(name, &mux, &call) && mux == nr);
  return row && ((row->nr[HK_ABI_X86_64] >= 0 && (uint32_t)row->nr[HK_ABI_X86_64] == nr) ||
                 (row->nr[HK_ABI_X32] >= 0 && ((uint32_t)row->nr[HK_ABI_X32] | 0x40000000U) == nr));
}

/* libseccomp 2.5's program sometimes gets a call wrong because of rules for other syscalls
 * (it shares code between syscalls' argument trees).  Compile, with libseccomp, only the
 * entries that name this call's syscall: if that verdict is hako's, the mismatch was such a
 * cross-rule quirk of libseccomp, counted but not failed. */
static bool libseccomp_alone_agrees(const struct hk_seccomp *sp, const struct seccomp_data *d,
                                    uint32_t hako_verdict) {
  struct hk_seccomp alone = *sp;
  struct hk_seccomp_syscall *kept = calloc(sp->n_syscalls ? sp->n_syscalls : 1, sizeof *kept);
  alone.syscalls = kept;
  alone.n_syscalls = 0;
  for (size_t i = 0; i < sp->n_syscalls; i++) {
    bool mine = false;
    for (size_t j = 0; j < sp->syscalls[i].n_names; j++)
      mine = mine || name_has_nr(sp->syscalls[i].names[j], d);
    if (mine)
      kept[alone.n_syscalls++] = sp->syscalls[i];
  }
  struct sock_filter *ref = NULL;
  size_t len = 0;
  bool agrees = ref_compile(&alone, &ref, &len) == 0 && run_bpf(ref, len, d) == hako_verdict;
  free(ref);
  free(kept);
  return agrees;
}

static void compare(const struct hk_seccomp *sp, int inputs, bool load_check) {
  struct hk_seccomp_filter *f = NULL;
  struct hk_error err = {0};
  if (hk_seccomp_compile(sp, &f, &err) < 0) {
    char buf[4096];
    fprintf(stderr, "FAIL: hako refused %s: %s\n", describe(sp, buf, sizeof buf), err.msg);
    failures++;
    return;
  }
  struct sock_filter *ref = NULL;
  size_t ref_len = 0;
  if (ref_compile(sp, &ref, &ref_len) < 0) {
    hk_seccomp_free(f);
    return; /* libseccomp refuses it (a conflict it reports): nothing to compare */
  }
  if (load_check && !kernel_accepts(f->prog, f->len)) {
    char buf[4096];
    fprintf(stderr, "FAIL: the kernel refused hako's program for %s\n",
            describe(sp, buf, sizeof buf));
    failures++;
  }
  bool i386 = false;
  for (size_t i = 0; i < sp->n_architectures; i++)
    i386 = i386 || !strcmp(sp->architectures[i], "SCMP_ARCH_X86");
  const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64};
  uint32_t nrs[2048];
  for (size_t ai = 0; ai < 3; ai++) {
    size_t n_nrs = numbers_to_try(sp, arches[ai], nrs, sizeof nrs / sizeof nrs[0]);
    for (size_t k = 0; k < n_nrs; k++)
      for (int t = 0; t < inputs; t++) {
        struct seccomp_data d = {.nr = (int)nrs[k], .arch = arches[ai]};
        for (int a = 0; a < 6; a++)
          d.args[a] = pick_value(sp);
        if (arches[ai] == AUDIT_ARCH_I386 && rnd() % 2)
          for (int a = 0; a < 6; a++)
            d.args[a] &= 0xffffffffU; /* what a compat task really passes */
        uint32_t want = run_bpf(ref, ref_len, &d), got = run_bpf(f->prog, f->len, &d);
        checks++;
        if (want != got && libseccomp_alone_agrees(sp, &d, got)) {
          cross_rule_quirks++;
          continue;
        }
        if (want != got) {
          char buf[4096];
          fprintf(stderr,
                  "FAIL: arch %#x nr %#x args %#llx %#llx %#llx: libseccomp %#x, hako %#x "
                  "(i386 %d)\n  profile %s\n",
                  d.arch, (unsigned)d.nr, (unsigned long long)d.args[0],
                  (unsigned long long)d.args[1], (unsigned long long)d.args[2], want, got, i386,
                  describe(sp, buf, sizeof buf));
          failures++;
          goto out;
        }
      }
  }
out:
  free(ref);
  hk_seccomp_free(f);
}

/* ---------- random profiles ---------- */
static const char *const pool[] = {"read",
                                   "write",
                                   "mkdir",
                                   "mkdirat",
                                   "personality",
                                   "clone",
                                   "clone3",
                                   "socket",
                                   "bind",
                                   "recv",
                                   "send",
                                   "socketcall",
                                   "ipc",
                                   "shmget",
                                   "semtimedop",
                                   "msgrcv",
                                   "getpid",
                                   "kill",
                                   "unshare",
                                   "ptrace",
                                   "rt_sigaction",
                                   "preadv2",
                                   "io_uring_setup",
                                   "nosuch_call",
                                   "arm_fadvise64_64",
                                   "sendmmsg",
                                   "time",
                                   "waitpid",
                                   "arch_prctl",
                                   "setns",
                                   "vfork",
                                   "exit_group",
                                   "mount",
                                   "open",
                                   "openat2",
                                   "close_range",
                                   "futex",
                                   "ioctl",
                                   "fcntl64",
                                   "_llseek",
                                   "process_madvise"};
static const char *const actions[] = {"SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                                      "SCMP_ACT_TRAP",        "SCMP_ACT_LOG",   "SCMP_ACT_TRACE",
                                      "SCMP_ACT_KILL_PROCESS"};
static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool multiplexed(const char *name) {
  uint32_t mux, call;
  return !strcmp(name, "socketcall") || !strcmp(name, "ipc") ||
         hk_syscall_multiplexed(name, &mux, &call);
}

static void random_profile(void) {
  struct hk_seccomp sp = {0};
  char *arch_names[3];
  size_t n_arch = 0;
  arch_names[n_arch++] = "SCMP_ARCH_X86_64";
  if (rnd() % 2)
    arch_names[n_arch++] = "SCMP_ARCH_X86";
  if (rnd() % 2)
    arch_names[n_arch++] = "SCMP_ARCH_X32";
  bool i386 = n_arch > 1 && !strcmp(arch_names[1], "SCMP_ARCH_X86");
  bool x32 = !strcmp(arch_names[n_arch - 1], "SCMP_ARCH_X32");
  sp.architectures = arch_names;
  sp.n_architectures = n_arch;
  sp.default_action = (char *)actions[rnd() % 3];
  uint32_t default_errno = 1 + (uint32_t)(rnd() % 3);
  if (!strcmp(sp.default_action, "SCMP_ACT_ERRNO")) {
    sp.has_default_errno_ret = true;
    sp.default_errno_ret = default_errno;
  }
  struct hk_seccomp_syscall rules[8];
  char *names[8][4];
  struct hk_seccomp_arg args[8][4];
  /* the conditional action each name already has (NULL: none yet) */
  const char *cond_action[N(pool)] = {0};
  size_t n_rules = 1 + rnd() % 8;
  for (size_t i = 0; i < n_rules; i++) {
    struct hk_seccomp_syscall *sc = &rules[i];
    memset(sc, 0, sizeof *sc);
    sc->action = (char *)actions[rnd() % N(actions)];
    if (!strcmp(sc->action, "SCMP_ACT_ERRNO") || !strcmp(sc->action, "SCMP_ACT_TRACE")) {
      sc->has_errno_ret = rnd() % 2;
      sc->errno_ret = sc->has_errno_ret ? (uint32_t)(rnd() % 3) + 1 : 0;
    }
    sc->args = args[i];
    sc->n_args = rnd() % 2 ? 0 : 1 + rnd() % 3;
    for (size_t j = 0; j < sc->n_args; j++) {
      args[i][j] = (struct hk_seccomp_arg){.index = (uint32_t)(rnd() % 3),
                                           .value = interesting[rnd() % N(interesting)],
                                           .op = (char *)ops[rnd() % N(ops)]};
      if (!strcmp(args[i][j].op, "SCMP_CMP_MASKED_EQ")) {
        args[i][j].has_value_two = true;
        args[i][j].value_two = interesting[rnd() % N(interesting)] & args[i][j].value;
      }
      if (i386) { /* see above */
        args[i][j].value &= 0xffffffffU;
        args[i][j].value_two &= 0xffffffffU;
      }
    }
    /* two conditions on one argument split into rules: only EQ (personality's pattern); with
     * ranges libseccomp 2.5 merges the rules into a tree that loses some of them */
    bool dup = false;
    for (size_t j = 0; j < sc->n_args; j++)
      for (size_t k = 0; k < j; k++)
        dup = dup || args[i][j].index == args[i][k].index;
    for (size_t j = 0; dup && j < sc->n_args; j++) {
      args[i][j].op = "SCMP_CMP_EQ";
      args[i][j].has_value_two = false;
    }
    sc->names = names[i];
    size_t want = 1 + rnd() % 4;
    for (size_t j = 0; j < want; j++) {
      size_t p = rnd() % N(pool);
      const struct hk_syscall_row *row = hk_syscall_lookup(pool[p]);
      if (x32 && (!row || row->nr[HK_ABI_X86_64] < 0))
        continue;
      if (i386 &&
          (!strcmp(pool[p], "semtimedop") || !strcmp(pool[p], "send") || !strcmp(pool[p], "recv")))
        continue; /* see above */
      if (sc->n_args) {
        if (i386 && multiplexed(pool[p]))
          continue;
        if (cond_action[p]) /* one entry of conditional rules per name (see above) */
          continue;
        cond_action[p] = sc->action;
      }
      names[i][sc->n_names++] = (char *)pool[p];
    }
  }
  sp.syscalls = rules;
  sp.n_syscalls = n_rules;
  compare(&sp, 6, rnd() % 16 == 0);
}

/* ---------- podman's default profile, as podman gives it to a runtime ---------- */
static bool applies(json_t *rule) {
  json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
  if (json_array_size(json_object_get(inc, "caps")) > 0)
    return false; /* only with added capabilities */
  json_t *arches = json_object_get(inc, "arches");
  if (json_array_size(arches) == 0)
    return true;
  size_t i;
  json_t *a;
  json_array_foreach(arches, i, a) {
    if (!strcmp(json_string_value(a), "amd64") || !strcmp(json_string_value(a), "x86_64") ||
        !strcmp(json_string_value(a), "x32") || !strcmp(json_string_value(a), "x86"))
      return true;
  }
  (void)exc;
  return false;
}

static int podman_profile(const char *path) {
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root) {
    printf("# %s: not there (%s); skipped\n", path, jerr.text);
    return 0;
  }
  json_t *rules = json_object_get(root, "syscalls");
  size_t n = json_array_size(rules), k = 0;
  struct hk_seccomp_syscall *sc = calloc(n, sizeof *sc);
  char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  struct hk_seccomp sp = {.default_action =
                              (char *)json_string_value(json_object_get(root, "defaultAction")),
                          .architectures = arches,
                          .n_architectures = 3};
  json_t *oci_arches = json_object_get(root, "architectures"); /* an OCI profile */
  if (oci_arches) {
    sp.n_architectures = json_array_size(oci_arches);
    for (size_t i = 0; i < sp.n_architectures && i < 3; i++)
      arches[i] = (char *)json_string_value(json_array_get(oci_arches, i));
  }
  json_t *def_errno = json_object_get(root, "defaultErrnoRet");
  if (def_errno) {
    sp.has_default_errno_ret = true;
    sp.default_errno_ret = (uint32_t)json_integer_value(def_errno);
  }
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_array_get(rules, i);
    if (!applies(r))
      continue;
    json_t *names = json_object_get(r, "names"), *args = json_object_get(r, "args"), *v;
    struct hk_seccomp_syscall *s = &sc[k++];
    s->action = (char *)json_string_value(json_object_get(r, "action"));
    json_t *e = json_object_get(r, "errnoRet");
    s->has_errno_ret = e != NULL;
    s->errno_ret = (uint32_t)json_integer_value(e);
    s->n_names = json_array_size(names);
    s->names = calloc(s->n_names ? s->n_names : 1, sizeof *s->names);
    size_t j;
    json_array_foreach(names, j, v) s->names[j] = (char *)json_string_value(v);
    s->n_args = json_array_size(args);
    s->args = calloc(s->n_args ? s->n_args : 1, sizeof *s->args);
    json_array_foreach(args, j, v) {
      s->args[j].index = (uint32_t)json_integer_value(json_object_get(v, "index"));
      s->args[j].value = (uint64_t)json_integer_value(json_object_get(v, "value"));
      s->args[j].value_two = (uint64_t)json_integer_value(json_object_get(v, "valueTwo"));
      s->args[j].has_value_two = json_object_get(v, "valueTwo") != NULL;
      s->args[j].op = (char *)json_string_value(json_object_get(v, "op"));
    }
  }
  sp.syscalls = sc;
  sp.n_syscalls = k;
  unsigned long long before = failures;
  struct hk_seccomp_filter *f = NULL;
  struct hk_error err = {0};
  if (hk_seccomp_compile(&sp, &f, &err) == 0) {
    printf("# podman's profile: %zu rules, hako's program has %zu instructions\n", k,
           hk_seccomp_len(f));
    if (!kernel_accepts(f->prog, f->len)) {
      fprintf(stderr, "FAIL: the kernel refused hako's program for podman's profile\n");
      failures++;
    }
    hk_seccomp_free(f);
  }
  for (int round = 0; round < 20; round++)
    compare(&sp, 8, false);
  for (size_t i = 0; i < k; i++) {
    free(sc[i].names);
    free(sc[i].args);
  }
  free(sc);
  json_decref(root);
  return failures == before ? 0 : 1;
}

/* Every syscall of the table with a rule, two in three on an argument: long chains, so the
 * far jumps (ja pairs) of the layout are exercised; x86_64 only (see the quirks above). */
static int every_syscall(void) {
  struct hk_seccomp_syscall *sc = calloc(hk_syscall_count, sizeof *sc);
  struct hk_seccomp_arg *args = calloc(hk_syscall_count, sizeof *args);
  char **names = calloc(hk_syscall_count, sizeof *names);
  size_t n = 0;
  for (unsigned i = 0; i < hk_syscall_count; i++) {
    if (hk_syscall_rows[i].nr[HK_ABI_X86_64] < 0)
      continue;
    names[n] = (char *)hk_syscall_names + hk_syscall_rows[i].name;
    args[n] = (struct hk_seccomp_arg){.index = i % 6, .value = i, .op = (char *)ops[i % 6]};
    sc[n] = (struct hk_seccomp_syscall){.names = &names[n],
                                        .n_names = 1,
                                        .action = (char *)actions[i % 2 ? 0 : 1],
                                        .has_errno_ret = i % 2 == 0,
                                        .errno_ret = 1 + i % 7,
                                        .args = &args[n],
                                        .n_args = i % 3 ? 1 : 0};
    n++;
  }
  char *arch = "SCMP_ARCH_X86_64";
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_TRAP",
                          .architectures = &arch,
                          .n_architectures = 1,
                          .syscalls = sc,
                          .n_syscalls = n};
  unsigned long long before = failures;
  struct hk_seccomp_filter *f = NULL;
  struct hk_error err = {0};
  if (hk_seccomp_compile(&sp, &f, &err) == 0) {
    printf("# every syscall: %zu rules, %zu instructions\n", n, hk_seccomp_len(f));
    if (!kernel_accepts(f->prog, f->len)) {
      fprintf(stderr, "FAIL: the kernel refused the program of every syscall\n");
      failures++;
    }
    hk_seccomp_free(f);
  } else {
    fprintf(stderr, "FAIL: every syscall: %s\n", err.msg);
    failures++;
  }
  for (int round = 0; round < 4; round++)
    compare(&sp, 4, false);
  free(sc);
  free(args);
  free(names);
  return failures == before ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "--profile")) /* one OCI linux.seccomp object */
    return podman_profile(argv[2]);
  int rounds = argc > 1 ? atoi(argv[1]) : 3000;
  int r = podman_profile("/usr/share/containers/seccomp.json");
  printf("%s podman default profile\n", r ? "not ok" : "ok");
  r = every_syscall();
  printf("%s a rule for every syscall\n", r ? "not ok" : "ok");
  unsigned long long before = failures;
  for (int i = 0; i < rounds && failures - before < 5; i++)
    random_profile();
  printf("%s %d random profiles\n", failures == before ? "ok" : "not ok", rounds);
  printf("# %llu verdicts compared, %llu mismatches, %llu libseccomp cross-rule quirks\n", checks,
         failures, cross_rule_quirks);
  return failures ? 1 : 0;
}
