/* Standalone tests of src/lib/security: capabilities, no_new_privs, seccomp (+ notify).
 * Needs root.  Everything that changes the process runs in a forked child.
 * Built and run by tests/security/run.sh. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "security/caps.h"
#include "security/seccomp.h"

/* ---- a log sink for the tests (src/lib/log.c may not exist yet) ---- */
static char last_warning[2048];
static char last_debug[2048];
static int n_warnings;
static bool verbose;
/* --parent-only (valgrind: it knows no seccomp(2)): children that touch the kernel are skipped,
 * the launcher-side code (compile, names, JSON, errors) still runs. */
static bool parent_only;

void hk_log(enum hk_log_level level, const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (level == HK_LOG_DEBUG)
    snprintf(last_debug, sizeof last_debug, "%s", buf);
  if (level == HK_LOG_WARN) {
    snprintf(last_warning, sizeof last_warning, "%s", buf);
    n_warnings++;
  }
  if (verbose)
    fprintf(stderr, "    [log %d] %s\n", (int)level, buf);
}

/* ---- tiny harness ---- */
static int passed, failed, skipped;
static char tmpdir[] = "/tmp/hako-sectest-XXXXXX";

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "    %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                 \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

static void run_test(const char *name, int (*fn)(void)) {
  n_warnings = 0;
  last_warning[0] = 0;
  int r = fn();
  if (r == 0) {
    passed++;
    printf("ok   %s\n", name);
  } else if (r == 77) {
    skipped++;
    printf("skip %s\n", name);
  } else {
    failed++;
    printf("FAIL %s\n", name);
  }
  fflush(stdout);
}

/* Run fn in a child; the child's exit status is the result.  Returns 0 if it exited 0. */
static int in_child(int (*fn)(void)) {
  if (parent_only)
    return 77;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return 1;
  if (pid == 0)
    _exit(fn());
  int st;
  if (waitpid(pid, &st, 0) < 0)
    return 1;
  if (WIFSIGNALED(st)) {
    fprintf(stderr, "    child killed by signal %d\n", WTERMSIG(st));
    return 1;
  }
  return WEXITSTATUS(st);
}

/* A child that is expected to die from a signal: returns the signal, or -1. */
static int child_signal(int (*fn)(void)) {
  if (parent_only)
    return SIGSYS;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0)
    _exit(fn());
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) < 0)
    return -1;
  return WIFSIGNALED(st) ? WTERMSIG(st) : -1;
}

#define BIT(c) (UINT64_C(1) << (c))

static int read_status_hex(const char *key, uint64_t *out) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f)
    return -1;
  char line[256];
  size_t klen = strlen(key);
  int r = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      *out = strtoull(line + klen + 1, NULL, 16);
      r = 0;
      break;
    }
  }
  fclose(f);
  return r;
}

static int read_status_int(const char *key, long *out) {
  uint64_t v;
  FILE *f = fopen("/proc/self/status", "re");
  if (!f)
    return -1;
  char line[256];
  size_t klen = strlen(key);
  int r = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      *out = strtol(line + klen + 1, NULL, 10);
      r = 0;
      break;
    }
  }
  fclose(f);
  (void)v;
  return r;
}

static int check_sets(uint64_t bnd, uint64_t eff, uint64_t prm, uint64_t inh, uint64_t amb) {
  const struct {
    const char *key;
    uint64_t want;
  } sets[] = {{"CapBnd", bnd}, {"CapEff", eff}, {"CapPrm", prm}, {"CapInh", inh}, {"CapAmb", amb}};
  for (size_t i = 0; i < 5; i++) {
    uint64_t got;
    CHECK(read_status_hex(sets[i].key, &got) == 0, "reading %s", sets[i].key);
    CHECK(got == sets[i].want, "%s: got %016llx, want %016llx", sets[i].key,
          (unsigned long long)got, (unsigned long long)sets[i].want);
  }
  return 0;
}

/* ================= capabilities ================= */

static int t_cap_names(void) {
  CHECK(hk_cap_from_name("CAP_CHOWN") == 0, "CAP_CHOWN");
  CHECK(hk_cap_from_name("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN");
  CHECK(hk_cap_from_name("CAP_SYS_RESOURCE") == 24, "CAP_SYS_RESOURCE");
  CHECK(hk_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE");
  CHECK(hk_cap_from_name("CAP_FOO") == -1, "CAP_FOO");
  CHECK(hk_cap_from_name("cap_chown") == -1, "lower case is refused, as runc");
  CHECK(hk_cap_from_name("CHOWN") == -1, "no prefix");
  CHECK(hk_cap_from_name(NULL) == -1, "NULL");
  CHECK(strcmp(hk_cap_name(24), "CAP_SYS_RESOURCE") == 0, "name 24");
  CHECK(hk_cap_name(63) == NULL && hk_cap_name(-1) == NULL, "out of range");
  for (int c = 0; c <= hk_cap_last_known(); c++)
    CHECK(hk_cap_name(c) && hk_cap_from_name(hk_cap_name(c)) == c, "round trip %d", c);
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
  int want = -1;
  if (f) {
    if (fscanf(f, "%d", &want) != 1)
      want = -1;
    fclose(f);
  }
  CHECK(want > 0 && hk_cap_last_cap() == want, "cap_last_cap: %d, procfs says %d",
        hk_cap_last_cap(), want);
  return 0;
}

static char *cap_chown_kill[] = {"CAP_CHOWN", "CAP_KILL"};

static int t_caps_unknown_name(void) {
  char *bnd[] = {"CAP_CHOWN", "CAP_FOO"};
  struct hk_capabilities sc = {.bounding = bnd, .n_bounding = 2};
  struct hk_caps caps;
  struct hk_error err = {0};
  /* default: warn and leave out (runc 1.1.5: "ignoring unknown or unavailable capabilities") */
  CHECK(hk_caps_from_spec(&sc, &caps, &err) == 0, "%s", err.msg);
  CHECK(caps.has_caps && caps.bounding == BIT(CAP_CHOWN), "bounding %llx",
        (unsigned long long)caps.bounding);
  CHECK(n_warnings == 1 && strstr(last_warning, "process.capabilities.bounding: unknown "
                                                "capability \"CAP_FOO\""),
        "warning: %s", last_warning);
  /* strict: the same text is the error */
  CHECK(hk_caps_from_spec_ex(&sc, HK_CAPS_STRICT, &caps, &err) == -EINVAL, "strict");
  CHECK(strcmp(err.msg, "process.capabilities.bounding: unknown capability \"CAP_FOO\"") == 0,
        "msg: %s", err.msg);
  return 0;
}

static int t_caps_sys_resource(void) {
  if (prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1) {
    fprintf(stderr, "    this host has CAP_SYS_RESOURCE in its bounding set\n");
    return 77;
  }
  char *bnd[] = {"CAP_CHOWN", "CAP_SYS_RESOURCE"};
  struct hk_capabilities sc = {.bounding = bnd,
                               .n_bounding = 2,
                               .effective = bnd,
                               .n_effective = 2,
                               .permitted = bnd,
                               .n_permitted = 2};
  struct hk_caps caps;
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(&sc, &caps, &err) == 0, "%s", err.msg);
  CHECK(caps.bounding == BIT(CAP_CHOWN) && caps.permitted == BIT(CAP_CHOWN) &&
            caps.effective == BIT(CAP_CHOWN),
        "masks");
  CHECK(caps.unavailable == BIT(CAP_SYS_RESOURCE), "unavailable");
  CHECK(n_warnings == 3, "one warning per set, got %d", n_warnings);
  CHECK(strstr(last_warning, "CAP_SYS_RESOURCE is not in hako's bounding set, so it cannot be "
                             "given to the container"),
        "warning: %s", last_warning);
  CHECK(hk_caps_from_spec_ex(&sc, HK_CAPS_STRICT, &caps, &err) < 0, "strict");
  CHECK(strcmp(err.msg, "process.capabilities.bounding: CAP_SYS_RESOURCE is not in hako's "
                        "bounding set, so it cannot be given to the container") == 0,
        "msg: %s", err.msg);
  /* In a new user namespace the bounding set starts full: it can be given there. */
  hk_error_clear(&err);
  CHECK(hk_caps_from_spec_ex(&sc, HK_CAPS_NEW_USERNS | HK_CAPS_STRICT, &caps, &err) == 0, "%s",
        err.msg);
  CHECK(caps.bounding == (BIT(CAP_CHOWN) | BIT(CAP_SYS_RESOURCE)), "userns bounding");
  return 0;
}

static int t_caps_inconsistent(void) {
  char *eff[] = {"CAP_KILL"};
  char *prm[] = {"CAP_CHOWN"};
  struct hk_capabilities sc = {.bounding = cap_chown_kill,
                               .n_bounding = 2,
                               .effective = eff,
                               .n_effective = 1,
                               .permitted = prm,
                               .n_permitted = 1};
  struct hk_caps caps;
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(&sc, &caps, &err) == -EINVAL, "effective not permitted");
  CHECK(strstr(err.msg, "process.capabilities.effective: CAP_KILL is not in the permitted set"),
        "%s", err.msg);
  /* ambient not inheritable: left out quietly (runc does, and `runc spec`
   * configs ask for it), with a debug line */
  struct hk_capabilities sc2 = {.bounding = cap_chown_kill,
                                .n_bounding = 2,
                                .permitted = eff,
                                .n_permitted = 1,
                                .ambient = eff,
                                .n_ambient = 1};
  hk_error_clear(&err);
  CHECK(hk_caps_from_spec(&sc2, &caps, &err) == 0, "%s", err.msg);
  CHECK(caps.ambient == 0 && strstr(last_debug, "process.capabilities.ambient: CAP_KILL"), "%s",
        last_debug);
  /* absent capabilities */
  CHECK(hk_caps_from_spec(NULL, &caps, &err) == 0 && !caps.has_caps && caps.bounding == 0, "NULL");
  CHECK(caps.last_cap == hk_cap_last_cap(), "last_cap");
  return 0;
}

static uint64_t want_bnd, want_eff, want_prm, want_inh, want_amb;
static struct hk_caps child_caps;

static int child_apply_root(void) {
  struct hk_error err = {0};
  if (hk_caps_apply(&child_caps, &err) < 0) {
    fprintf(stderr, "    apply: %s\n", err.msg);
    return 2;
  }
  return check_sets(want_bnd, want_eff, want_prm, want_inh, want_amb);
}

static int child_apply_user(void) {
  struct hk_error err = {0};
  if (hk_caps_prepare_setuid(&err) < 0 || setgroups(0, NULL) < 0 ||
      setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0) {
    fprintf(stderr, "    setuid: %s %s\n", err.msg, strerror(errno));
    return 2;
  }
  uint64_t eff;
  CHECK(read_status_hex("CapEff", &eff) == 0 && eff == 0, "effective after setresuid: %llx",
        (unsigned long long)eff);
  if (hk_caps_apply(&child_caps, &err) < 0) {
    fprintf(stderr, "    apply: %s\n", err.msg);
    return 2;
  }
  CHECK(getuid() == 1000 && geteuid() == 1000, "uid");
  CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "keepcaps cleared");
  return check_sets(want_bnd, want_eff, want_prm, want_inh, want_amb);
}

static int build_caps(void) {
  static char *bnd[] = {
      "CAP_CHOWN",      "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE",
      "CAP_AUDIT_WRITE"};
  static char *prm[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  static char *eff[] = {"CAP_CHOWN", "CAP_KILL"};
  static char *inh[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
  static char *amb[] = {"CAP_NET_BIND_SERVICE"};
  struct hk_capabilities sc = {.bounding = bnd,
                               .n_bounding = 6,
                               .permitted = prm,
                               .n_permitted = 3,
                               .effective = eff,
                               .n_effective = 2,
                               .inheritable = inh,
                               .n_inheritable = 2,
                               .ambient = amb,
                               .n_ambient = 1};
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(&sc, &child_caps, &err) == 0, "%s", err.msg);
  want_bnd = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_SETUID) | BIT(CAP_SETGID) |
             BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_AUDIT_WRITE);
  want_prm = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
  want_eff = BIT(CAP_CHOWN) | BIT(CAP_KILL);
  want_inh = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
  want_amb = BIT(CAP_NET_BIND_SERVICE);
  CHECK(child_caps.bounding == want_bnd && child_caps.permitted == want_prm &&
            child_caps.effective == want_eff && child_caps.inheritable == want_inh &&
            child_caps.ambient == want_amb,
        "masks");
  return 0;
}

static int t_caps_apply_root(void) {
  if (build_caps())
    return 1;
  return in_child(child_apply_root);
}

static int t_caps_apply_user(void) {
  if (build_caps())
    return 1;
  return in_child(child_apply_user);
}

static int t_caps_apply_none(void) {
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(NULL, &child_caps, &err) == 0, "%s", err.msg);
  want_bnd = want_eff = want_prm = want_inh = want_amb = 0;
  return in_child(child_apply_root);
}

/* CAP_SYS_RESOURCE asked for everywhere: left out, the rest applied (no EPERM as in runc). */
static int t_caps_apply_sys_resource(void) {
  char *all[] = {"CAP_CHOWN", "CAP_SYS_RESOURCE"};
  struct hk_capabilities sc = {.bounding = all,
                               .n_bounding = 2,
                               .effective = all,
                               .n_effective = 2,
                               .permitted = all,
                               .n_permitted = 2,
                               .inheritable = all,
                               .n_inheritable = 2,
                               .ambient = all,
                               .n_ambient = 2};
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(&sc, &child_caps, &err) == 0, "%s", err.msg);
  bool host_has = prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1;
  uint64_t want = BIT(CAP_CHOWN) | (host_has ? BIT(CAP_SYS_RESOURCE) : 0);
  want_bnd = want_eff = want_prm = want_inh = want_amb = want;
  return in_child(child_apply_root);
}

static int child_nnp(void) {
  struct hk_error err = {0};
  long v = -1;
  CHECK(hk_set_no_new_privs(&err) == 0, "%s", err.msg);
  CHECK(read_status_int("NoNewPrivs", &v) == 0 && v == 1, "NoNewPrivs %ld", v);
  return 0;
}

static int t_nnp(void) {
  return in_child(child_nnp);
}

/* ================= seccomp ================= */

static char *mkdir_names[] = {"mkdir", "mkdirat"};
static struct hk_seccomp_filter *child_filter;
static char test_dir[512];

static int compile(struct hk_seccomp *sp, struct hk_seccomp_filter **f) {
  struct hk_error err = {0};
  int r = hk_seccomp_compile(sp, f, &err);
  if (r < 0)
    fprintf(stderr, "    compile: %s\n", err.msg);
  return r;
}

static int load_in_child(bool nnp) {
  struct hk_error err = {0};
  int fd;
  if (nnp && hk_set_no_new_privs(&err) < 0)
    return 2;
  if (hk_seccomp_load(child_filter, &fd, &err) < 0) {
    fprintf(stderr, "    load: %s\n", err.msg);
    return 2;
  }
  return 0;
}

static int expect_errno;

static int child_mkdir_errno(void) {
  if (load_in_child(true))
    return 2;
  long mode = -1;
  CHECK(read_status_int("Seccomp", &mode) == 0 && mode == 2, "seccomp mode %ld", mode);
  errno = 0;
  int r = mkdir(test_dir, 0755);
  CHECK(r == -1 && errno == expect_errno, "mkdir: r=%d errno=%d, want %d", r, errno, expect_errno);
  r = (int)syscall(SYS_mkdirat, AT_FDCWD, test_dir, 0755);
  CHECK(r == -1 && errno == expect_errno, "mkdirat: r=%d errno=%d", r, errno);
  return 0;
}

static int t_seccomp_errno_eperm(void) {
  struct hk_seccomp_syscall sc = {.names = mkdir_names, .n_names = 2, .action = "SCMP_ACT_ERRNO"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s/eperm", tmpdir);
  expect_errno = EPERM;
  int r = in_child(child_mkdir_errno);
  hk_seccomp_free(child_filter);
  struct stat st;
  CHECK(stat(test_dir, &st) < 0, "the dir was created");
  return r;
}

static int t_seccomp_errno_38(void) {
  struct hk_seccomp_syscall sc = {.names = mkdir_names,
                                  .n_names = 2,
                                  .action = "SCMP_ACT_ERRNO",
                                  .has_errno_ret = true,
                                  .errno_ret = 38};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s/enosys", tmpdir);
  expect_errno = 38;
  int r = in_child(child_mkdir_errno);
  hk_seccomp_free(child_filter);
  return r;
}

/* defaultAction ERRNO with defaultErrnoRet, everything hako and libc need allowed. */
static int t_seccomp_default_errno(void) {
  char *names[] = {"mkdir", "mkdirat"};
  struct hk_seccomp_syscall sc = {.names = names,
                                  .n_names = 2,
                                  .action = "SCMP_ACT_ERRNO",
                                  .has_errno_ret = true,
                                  .errno_ret = EXDEV};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ERRNO",
                          .has_default_errno_ret = true,
                          .default_errno_ret = EXDEV};
  struct hk_seccomp_filter *f = NULL;
  struct hk_error err = {0};
  /* rules with the default action are skipped, not an error */
  sp.syscalls = &sc;
  sp.n_syscalls = 1;
  CHECK(hk_seccomp_compile(&sp, &f, &err) == 0, "%s", err.msg);
  hk_seccomp_free(f);
  /* defaultErrnoRet with a default action that takes none */
  struct hk_seccomp bad = {
      .default_action = "SCMP_ACT_KILL", .has_default_errno_ret = true, .default_errno_ret = 1};
  CHECK(hk_seccomp_compile(&bad, &f, &err) < 0 && !f, "accepted");
  CHECK(strstr(err.msg, "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO"), "%s",
        err.msg);
  return 0;
}

static int child_masked(void) {
  if (load_in_child(true))
    return 2;
  char p[600];
  /* rule: mkdir with (mode & 0777) == 0700 -> EPERM */
  snprintf(p, sizeof p, "%s/m0700", test_dir);
  int r = (int)syscall(SYS_mkdir, p, 0700);
  CHECK(r == -1 && errno == EPERM, "mode 0700: r=%d errno=%d", r, errno);
  snprintf(p, sizeof p, "%s/m4700", test_dir);
  r = (int)syscall(SYS_mkdir, p, 04700); /* masked bits outside 0777 do not matter */
  CHECK(r == -1 && errno == EPERM, "mode 04700: r=%d errno=%d", r, errno);
  snprintf(p, sizeof p, "%s/m0755", test_dir);
  r = (int)syscall(SYS_mkdir, p, 0755);
  CHECK(r == 0, "mode 0755: r=%d errno=%d", r, errno);
  return 0;
}

static int t_seccomp_masked_eq(void) {
  char *names[] = {"mkdir"};
  struct hk_seccomp_arg arg = {.index = 1,
                               .value = 0777,
                               .has_value_two = true,
                               .value_two = 0700,
                               .op = "SCMP_CMP_MASKED_EQ"};
  struct hk_seccomp_syscall sc = {
      .names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .args = &arg, .n_args = 1};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s", tmpdir);
  int r = in_child(child_masked);
  hk_seccomp_free(child_filter);
  return r;
}

static int child_same_index(void) {
  if (load_in_child(true))
    return 2;
  char p[600];
  const struct {
    int mode;
    bool denied;
  } cases[] = {{0700, true}, {0750, true}, {0711, false}};
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/s%o", test_dir, (unsigned)cases[i].mode);
    errno = 0;
    int r = (int)syscall(SYS_mkdir, p, cases[i].mode);
    if (cases[i].denied)
      CHECK(r == -1 && errno == EPERM, "mode %o: r=%d errno=%d", (unsigned)cases[i].mode, r, errno);
    else
      CHECK(r == 0, "mode %o: r=%d errno=%d", (unsigned)cases[i].mode, r, errno);
  }
  return 0;
}

/* Two conditions on the same index are ORed (separate rules), as runc does. */
static int t_seccomp_same_index(void) {
  char *names[] = {"mkdir"};
  struct hk_seccomp_arg args[] = {{.index = 1, .value = 0700, .op = "SCMP_CMP_EQ"},
                                  {.index = 1, .value = 0750, .op = "SCMP_CMP_EQ"}};
  struct hk_seccomp_syscall sc = {
      .names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .args = args, .n_args = 2};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s", tmpdir);
  int r = in_child(child_same_index);
  hk_seccomp_free(child_filter);
  return r;
}

static int child_and_args(void) {
  if (load_in_child(true))
    return 2;
  char p[600];
  snprintf(p, sizeof p, "%s/a0700", test_dir);
  int r = (int)syscall(SYS_mkdirat, (long)AT_FDCWD, p, 0700);
  CHECK(r == -1 && errno == EPERM, "AT_FDCWD 0700: r=%d errno=%d", r, errno);
  snprintf(p, sizeof p, "%s/a0701", test_dir);
  r = (int)syscall(SYS_mkdirat, (long)AT_FDCWD, p, 0701);
  CHECK(r == 0, "AT_FDCWD 0701: r=%d errno=%d", r, errno);
  return 0;
}

/* Conditions on different indexes AND; LE/GE/NE operators. */
static int t_seccomp_and_args(void) {
  char *names[] = {"mkdirat"};
  struct hk_seccomp_arg args[] = {
      {.index = 0, .value = (uint64_t)(int64_t)AT_FDCWD, .op = "SCMP_CMP_EQ"},
      {.index = 2, .value = 0700, .op = "SCMP_CMP_EQ"},
      {.index = 2, .value = 0700, .op = NULL}, /* the operator loop below */
  };
  struct hk_seccomp_syscall sc = {
      .names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .args = args, .n_args = 2};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s", tmpdir);
  int r = in_child(child_and_args);
  hk_seccomp_free(child_filter);
  /* every operator compiles */
  const char *ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                       "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  for (size_t i = 0; i < 7; i++) {
    struct hk_seccomp_filter *f = NULL;
    args[2].op = (char *)ops[i];
    sc.args = &args[2];
    sc.n_args = 1;
    CHECK(compile(&sp, &f) == 0, "%s", ops[i]);
    hk_seccomp_free(f);
  }
  return r;
}

static int t_seccomp_unknown_action(void) {
  char *ok_names[] = {"getcwd"};
  struct hk_seccomp_syscall sc[] = {
      {.names = ok_names, .n_names = 1, .action = "SCMP_ACT_ERRNO"},
      {.names = mkdir_names, .n_names = 2, .action = "SCMP_ACT_FOO"},
  };
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 2};
  struct hk_seccomp_filter *f = NULL;
  struct hk_error err = {0};
  CHECK(hk_seccomp_compile(&sp, &f, &err) == -EINVAL && !f, "accepted");
  CHECK(strcmp(err.msg, "linux.seccomp.syscalls[1].action: unknown seccomp action "
                        "\"SCMP_ACT_FOO\"") == 0,
        "msg: %s", err.msg);
  hk_error_clear(&err);
  sp.default_action = "SCMP_ACT_NOPE";
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "default accepted");
  CHECK(strcmp(err.msg, "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"") ==
            0,
        "msg: %s", err.msg);
  /* errnoRet on ALLOW */
  hk_error_clear(&err);
  sp.default_action = "SCMP_ACT_ALLOW";
  sc[1].action = "SCMP_ACT_KILL";
  sc[1].has_errno_ret = true;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "errnoRet with KILL accepted");
  CHECK(strstr(err.msg, "linux.seccomp.syscalls[1].errnoRet: only valid"), "%s", err.msg);
  /* unknown operator */
  hk_error_clear(&err);
  struct hk_seccomp_arg arg = {.index = 0, .op = "SCMP_CMP_WAT"};
  sc[1].has_errno_ret = false;
  sc[1].args = &arg;
  sc[1].n_args = 1;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "bad op accepted");
  CHECK(strstr(err.msg, "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_WAT\""),
        "%s", err.msg);
  hk_error_clear(&err);
  arg.op = "SCMP_CMP_EQ";
  arg.index = 6;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "index 6 accepted");
  CHECK(strstr(err.msg, "linux.seccomp.syscalls[1].args[0].index"), "%s", err.msg);
  /* NOTIFY as the default */
  hk_error_clear(&err);
  sp.default_action = "SCMP_ACT_NOTIFY";
  sp.n_syscalls = 0;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "NOTIFY default accepted");
  CHECK(strstr(err.msg, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY"), "%s", err.msg);
  return 0;
}

static int t_seccomp_unknown_syscall(void) {
  char *names[] = {"no_such_syscall_hako", "mkdir", "mkdirat"};
  struct hk_seccomp_syscall sc = {.names = names, .n_names = 3, .action = "SCMP_ACT_ERRNO"};
  char *only_unknown[] = {"also_not_a_syscall"};
  struct hk_seccomp_syscall sc2 = {.names = only_unknown, .n_names = 1, .action = "SCMP_ACT_KILL"};
  struct hk_seccomp_syscall scs[] = {sc, sc2};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = scs, .n_syscalls = 2};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  snprintf(test_dir, sizeof test_dir, "%s/unknown", tmpdir);
  expect_errno = EPERM;
  int r = in_child(child_mkdir_errno);
  hk_seccomp_free(child_filter);
  return r;
}

static int t_seccomp_arches_flags(void) {
  char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                   "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  struct hk_seccomp_syscall sc = {.names = mkdir_names, .n_names = 2, .action = "SCMP_ACT_ERRNO"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW",
                          .architectures = arches,
                          .n_architectures = 3,
                          .flags = flags,
                          .n_flags = 4,
                          .syscalls = &sc,
                          .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  /* WAIT_KILLABLE_RECV is dropped without a listener (the kernel refuses it there) */
  CHECK(hk_seccomp_flags(child_filter) ==
            (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
        "flags %#lx", hk_seccomp_flags(child_filter));
  CHECK(!hk_seccomp_uses_notify(child_filter), "notify");
  snprintf(test_dir, sizeof test_dir, "%s/arches", tmpdir);
  expect_errno = EPERM;
  int r = in_child(child_mkdir_errno);
  /* the multi-arch program is bigger than the native one */
  struct hk_seccomp_filter *native = NULL;
  sp.n_architectures = 0;
  sp.n_flags = 0;
  CHECK(compile(&sp, &native) == 0, "native");
  CHECK(hk_seccomp_len(native) < hk_seccomp_len(child_filter), "len %zu vs %zu",
        hk_seccomp_len(native), hk_seccomp_len(child_filter));
  hk_seccomp_free(native);
  hk_seccomp_free(child_filter);

  struct hk_error err = {0};
  struct hk_seccomp_filter *f = NULL;
  char *bad_arch[] = {"SCMP_ARCH_Z80"};
  sp.architectures = bad_arch;
  sp.n_architectures = 1;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "bad arch accepted");
  CHECK(strstr(err.msg, "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\""),
        "%s", err.msg);
  hk_error_clear(&err);
  char *bad_flag[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE"};
  sp.n_architectures = 0;
  sp.flags = bad_flag;
  sp.n_flags = 2;
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0, "bad flag accepted");
  CHECK(strstr(err.msg, "linux.seccomp.flags[1]: unknown flag"), "%s", err.msg);
  return r;
}

static int child_kill_process(void) {
  if (load_in_child(true))
    return 2;
  syscall(SYS_getppid);
  return 0; /* not reached */
}

static int t_seccomp_kill_process(void) {
  char *names[] = {"getppid"};
  struct hk_seccomp_syscall sc = {.names = names, .n_names = 1, .action = "SCMP_ACT_KILL_PROCESS"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  int sig = child_signal(child_kill_process);
  hk_seccomp_free(child_filter);
  CHECK(sig == SIGSYS, "signal %d", sig);
  return 0;
}

/* No no_new_privs: the documented order -- setresuid with keepcaps, bounding drop (which leaves
 * the permitted caps effective), seccomp, final capset. */
static int child_no_nnp_order(void) {
  struct hk_error err = {0};
  if (hk_caps_prepare_setuid(&err) < 0 || setresgid(1000, 1000, 1000) < 0 ||
      setresuid(1000, 1000, 1000) < 0)
    return 2;
  if (hk_caps_apply_bounding(&child_caps, &err) < 0) {
    fprintf(stderr, "    bounding: %s\n", err.msg);
    return 2;
  }
  if (hk_seccomp_load(child_filter, NULL, &err) < 0) {
    fprintf(stderr, "    load: %s\n", err.msg);
    return 3;
  }
  if (hk_caps_apply_final(&child_caps, &err) < 0) {
    fprintf(stderr, "    final: %s\n", err.msg);
    return 4;
  }
  long v = -1;
  CHECK(read_status_int("NoNewPrivs", &v) == 0 && v == 0, "nnp %ld", v);
  if (check_sets(want_bnd, want_eff, want_prm, want_inh, want_amb))
    return 1;
  errno = 0;
  CHECK(mkdir(test_dir, 0755) == -1 && errno == EPERM, "mkdir errno %d", errno);
  return 0;
}

/* Without nnp and without CAP_SYS_ADMIN the load fails with a clear message. */
static int child_no_nnp_no_admin(void) {
  struct hk_error err = {0};
  if (hk_caps_apply(&child_caps, &err) < 0)
    return 2;
  int r = hk_seccomp_load(child_filter, NULL, &err);
  CHECK(r == -EACCES, "r=%d %s", r, err.msg);
  CHECK(strstr(err.msg, "needs no_new_privs or CAP_SYS_ADMIN"), "%s", err.msg);
  return 0;
}

static int t_seccomp_without_nnp(void) {
  struct hk_seccomp_syscall sc = {.names = mkdir_names, .n_names = 2, .action = "SCMP_ACT_ERRNO"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  struct hk_capabilities none = {0};
  struct hk_error err = {0};
  CHECK(hk_caps_from_spec(&none, &child_caps, &err) == 0, "%s", err.msg);
  want_bnd = want_eff = want_prm = want_inh = want_amb = 0;
  snprintf(test_dir, sizeof test_dir, "%s/nonnp", tmpdir);
  int r = in_child(child_no_nnp_order);
  if (r == 0)
    r = in_child(child_no_nnp_no_admin);
  hk_seccomp_free(child_filter);
  return r;
}

/* ---- NOTIFY ---- */

static char sock_path[100];

static int child_notify(void) {
  struct hk_error err = {0};
  int fd = -1;
  if (hk_set_no_new_privs(&err) < 0 || hk_seccomp_load(child_filter, &fd, &err) < 0) {
    fprintf(stderr, "    load: %s\n", err.msg);
    return 2;
  }
  CHECK(fd >= 0, "no notify fd");
  CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "notify fd not CLOEXEC");
  char *state = hk_seccomp_process_state_json(
      "1.0.2", getpid(), "MKNOD=/dev/null",
      "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":1,"
      "\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}",
      &err);
  if (!state) {
    fprintf(stderr, "    state: %s\n", err.msg);
    return 2;
  }
  int r = hk_seccomp_send_notify_fd(sock_path, fd, state, &err);
  free(state);
  if (r < 0) {
    fprintf(stderr, "    send: %s\n", err.msg);
    return 2;
  }
  close(fd);
  errno = 0;
  r = mkdir(test_dir, 0755);
  CHECK(r == 0, "mkdir r=%d errno=%d", r, errno);
  struct stat st;
  CHECK(stat(test_dir, &st) < 0 && errno == ENOENT, "the dir exists");
  /* getcwd is notified too, and answered with an error */
  char buf[64];
  errno = 0;
  CHECK(syscall(SYS_getcwd, buf, sizeof buf) == -1 && errno == EIO, "getcwd errno %d", errno);
  return 0;
}

static int recv_state(int conn, int *fd, char *buf, size_t size) {
  size_t got = 0;
  *fd = -1;
  for (;;) {
    union {
      char b[CMSG_SPACE(sizeof(int) * 4)];
      struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = buf + got, .iov_len = size - 1 - got};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && *fd < 0)
        memcpy(fd, CMSG_DATA(c), sizeof(int));
    if (n == 0)
      break;
    got += (size_t)n;
    if (got >= size - 1)
      break;
  }
  buf[got] = 0;
  return 0;
}

static int t_seccomp_notify(void) {
  char *names[] = {"mkdir", "mkdirat", "getcwd"};
  struct hk_seccomp_syscall sc = {.names = names, .n_names = 3, .action = "SCMP_ACT_NOTIFY"};
  char *flags[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW",
                          .syscalls = &sc,
                          .n_syscalls = 1,
                          .flags = flags,
                          .n_flags = 1,
                          .listener_path = sock_path};
  snprintf(sock_path, sizeof sock_path, "%s/agent.sock", tmpdir);
  snprintf(test_dir, sizeof test_dir, "%s/notified", tmpdir);
  if (compile(&sp, &child_filter) < 0)
    return 1;
  CHECK(hk_seccomp_uses_notify(child_filter), "notify");
  CHECK(hk_seccomp_flags(child_filter) & SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER");

  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(ls, 1) == 0,
        "listen: %s", strerror(errno));

  if (parent_only) {
    close(ls);
    unlink(sock_path);
    hk_seccomp_free(child_filter);
    return 77;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0)
    _exit(child_notify());
  int res = 1, conn = -1, nfd = -1, handled = 0;
  char buf[4096];
  struct pollfd pfd = {.fd = ls, .events = POLLIN};
  if (poll(&pfd, 1, 5000) != 1) {
    fprintf(stderr, "    no connection from the child\n");
    goto out;
  }
  conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0 || recv_state(conn, &nfd, buf, sizeof buf) < 0 || nfd < 0) {
    fprintf(stderr, "    receiving the state: %s\n", strerror(errno));
    goto out;
  }
  json_error_t jerr;
  json_t *st = json_loads(buf, 0, &jerr);
  json_t *fds = st ? json_object_get(st, "fds") : NULL;
  bool good =
      st && json_is_array(fds) && json_array_size(fds) == 1 &&
      strcmp(json_string_value(json_array_get(fds, 0)), "seccompFd") == 0 &&
      json_integer_value(json_object_get(st, "pid")) == pid &&
      strcmp(json_string_value(json_object_get(st, "ociVersion")), "1.0.2") == 0 &&
      strcmp(json_string_value(json_object_get(st, "metadata")), "MKNOD=/dev/null") == 0 &&
      strcmp(json_string_value(json_object_get(json_object_get(st, "state"), "id")), "c1") == 0;
  json_decref(st);
  if (!good) {
    fprintf(stderr, "    bad state JSON: %s\n", buf);
    goto out;
  }
  while (handled < 2) {
    struct pollfd np = {.fd = nfd, .events = POLLIN};
    if (poll(&np, 1, 5000) != 1) {
      fprintf(stderr, "    no notification\n");
      goto out;
    }
    struct seccomp_notif req;
    memset(&req, 0, sizeof req);
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      fprintf(stderr, "    NOTIF_RECV: %s\n", strerror(errno));
      goto out;
    }
    struct seccomp_notif_resp resp = {.id = req.id};
    if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat) {
      resp.val = 0; /* fake success, create nothing */
    } else if (req.data.nr == SYS_getcwd) {
      resp.error = -EIO;
    } else {
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    }
    if ((int)req.pid != pid)
      fprintf(stderr, "    notification from pid %u, want %d\n", req.pid, (int)pid);
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
      fprintf(stderr, "    NOTIF_SEND: %s\n", strerror(errno));
      goto out;
    }
    handled++;
  }
  res = 0;
out:
  if (res)
    kill(pid, SIGKILL);
  int wst;
  waitpid(pid, &wst, 0);
  if (res == 0 && !(WIFEXITED(wst) && WEXITSTATUS(wst) == 0)) {
    fprintf(stderr, "    child status %#x\n", wst);
    res = 1;
  }
  struct stat sb;
  if (stat(test_dir, &sb) == 0) {
    fprintf(stderr, "    %s was created\n", test_dir);
    res = 1;
  }
  if (nfd >= 0)
    close(nfd);
  if (conn >= 0)
    close(conn);
  close(ls);
  unlink(sock_path);
  hk_seccomp_free(child_filter);
  return res;
}

static int t_seccomp_notify_errors(void) {
  struct hk_error err = {0};
  CHECK(hk_seccomp_send_notify_fd("/nonexistent/hako.sock", 0, "{}", &err) == -ENOENT, "%s",
        err.msg);
  CHECK(strstr(err.msg, "linux.seccomp.listenerPath: connecting to /nonexistent/hako.sock"), "%s",
        err.msg);
  hk_error_clear(&err);
  char *s = hk_seccomp_process_state_json("1.0.2", 1, NULL, "not json", &err);
  CHECK(!s && strstr(err.msg, "not a JSON object"), "%s", err.msg);
  hk_error_clear(&err);
  s = hk_seccomp_process_state_json("1.0.2", 42, NULL, "{\"id\":\"x\\\"y\"}", &err);
  CHECK(s && strcmp(s, "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":42,"
                       "\"state\":{\"id\":\"x\\\"y\"}}") == 0,
        "%s", s ? s : err.msg);
  free(s);
  /* NOTIFY on write is refused: hako needs write to hand the fd over */
  char *names[] = {"write"};
  struct hk_seccomp_syscall sc = {.names = names, .n_names = 1, .action = "SCMP_ACT_NOTIFY"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW", .syscalls = &sc, .n_syscalls = 1};
  struct hk_seccomp_filter *f = NULL;
  hk_error_clear(&err);
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0 && !f, "write accepted");
  CHECK(strstr(err.msg, "linux.seccomp.syscalls[0].names[0]: SCMP_ACT_NOTIFY cannot be used"), "%s",
        err.msg);
  /* NOTIFY without listenerPath; listenerMetadata without listenerPath */
  char *mk[] = {"mkdir"};
  sc.names = mk;
  hk_error_clear(&err);
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0 && !f, "no listenerPath accepted");
  CHECK(strstr(err.msg, "linux.seccomp.listenerPath: must be set"), "%s", err.msg);
  hk_error_clear(&err);
  sp.listener_metadata = "x";
  CHECK(hk_seccomp_compile(&sp, &f, &err) < 0 && !f, "metadata accepted");
  CHECK(strstr(err.msg, "linux.seccomp.listenerMetadata"), "%s", err.msg);
  hk_error_clear(&err);
  sp.listener_path = "/x.sock";
  CHECK(hk_seccomp_compile(&sp, &f, &err) == 0 && hk_seccomp_uses_notify(f), "%s", err.msg);
  hk_seccomp_free(f);
  return 0;
}

/* ---- tests/security/seccomp_agent, when run.sh says where it is ---- */

static pid_t agent_parent;

static int child_with_agent(void) {
  struct hk_error err = {0};
  int fd = -1;
  if (hk_set_no_new_privs(&err) < 0 || hk_seccomp_load(child_filter, &fd, &err) < 0) {
    fprintf(stderr, "    load: %s\n", err.msg);
    return 2;
  }
  char *state = hk_seccomp_process_state_json(
      "1.0.2", getpid(), NULL,
      "{\"ociVersion\":\"1.0.2\",\"id\":\"agent-test\",\"status\":\"creating\",\"pid\":1,"
      "\"bundle\":\"/b\"}",
      &err);
  if (!state || hk_seccomp_send_notify_fd(sock_path, fd, state, &err) < 0) {
    fprintf(stderr, "    send: %s\n", err.msg);
    free(state);
    return 2;
  }
  free(state);
  close(fd);
  errno = 0;
  CHECK(mkdir(test_dir, 0755) == 0, "mkdir errno %d", errno);
  struct stat st;
  CHECK(stat(test_dir, &st) < 0 && errno == ENOENT, "the dir exists");
  CHECK(getppid() == agent_parent, "getppid (CONTINUE) gave %d", (int)getppid());
  return 0;
}

static int t_agent(void) {
  const char *agent = getenv("SECTEST_AGENT");
  if (!agent || parent_only)
    return 77;
  char log_path[600];
  snprintf(sock_path, sizeof sock_path, "%s/agent2.sock", tmpdir);
  snprintf(log_path, sizeof log_path, "%s/agent.log", tmpdir);
  snprintf(test_dir, sizeof test_dir, "%s/agent-mkdir", tmpdir);
  char *names[] = {"mkdir", "mkdirat", "getppid"};
  struct hk_seccomp_syscall sc = {.names = names, .n_names = 3, .action = "SCMP_ACT_NOTIFY"};
  struct hk_seccomp sp = {.default_action = "SCMP_ACT_ALLOW",
                          .syscalls = &sc,
                          .n_syscalls = 1,
                          .listener_path = sock_path};
  if (compile(&sp, &child_filter) < 0)
    return 1;
  int pfd[2];
  CHECK(pipe2(pfd, O_CLOEXEC) == 0, "pipe");
  fflush(stdout);
  fflush(stderr);
  pid_t apid = fork();
  if (apid == 0) {
    dup2(pfd[1], 1);
    execl(agent, agent, sock_path, log_path, (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  char ready[16] = {0};
  ssize_t n = read(pfd[0], ready, sizeof ready - 1);
  close(pfd[0]);
  int r = 1;
  if (n > 0 && strncmp(ready, "ready", 5) == 0) {
    agent_parent = getpid();
    r = in_child(child_with_agent);
  } else {
    fprintf(stderr, "    the agent did not start\n");
  }
  kill(apid, SIGTERM);
  int st;
  waitpid(apid, &st, 0);
  hk_seccomp_free(child_filter);
  FILE *f = fopen(log_path, "re");
  char line[2048] = {0};
  if (!f || !fgets(line, sizeof line, f) || !strstr(line, "\"seccompFd\"") ||
      !strstr(line, "agent-test")) {
    fprintf(stderr, "    agent log: %s\n", line);
    r = 1;
  }
  if (f)
    fclose(f);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent status %#x", st);
  return r;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    verbose = verbose || strcmp(argv[i], "-v") == 0;
    parent_only = parent_only || strcmp(argv[i], "--parent-only") == 0;
  }
  if (parent_only) /* valgrind fails libseccomp's probes: say the kernel has everything */
    seccomp_api_set(5);
  if (geteuid() != 0) {
    fprintf(stderr, "sectest needs root\n");
    return 77;
  }
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  run_test("cap names", t_cap_names);
  run_test("caps: unknown name warns (strict: error)", t_caps_unknown_name);
  run_test("caps: CAP_SYS_RESOURCE outside hako's bounding set", t_caps_sys_resource);
  run_test("caps: inconsistent sets", t_caps_inconsistent);
  run_test("caps: apply as root", t_caps_apply_root);
  run_test("caps: apply after setresuid(1000) with keepcaps", t_caps_apply_user);
  run_test("caps: no capabilities in config drops everything", t_caps_apply_none);
  run_test("caps: apply with CAP_SYS_RESOURCE asked everywhere", t_caps_apply_sys_resource);
  run_test("no_new_privs", t_nnp);
  run_test("seccomp: mkdir -> EPERM", t_seccomp_errno_eperm);
  run_test("seccomp: mkdir -> errnoRet 38", t_seccomp_errno_38);
  run_test("seccomp: defaultErrnoRet", t_seccomp_default_errno);
  run_test("seccomp: SCMP_CMP_MASKED_EQ", t_seccomp_masked_eq);
  run_test("seccomp: two conditions on one index OR", t_seccomp_same_index);
  run_test("seccomp: conditions on two indexes AND, every operator", t_seccomp_and_args);
  run_test("seccomp: unknown action/operator/errnoRet rejected", t_seccomp_unknown_action);
  run_test("seccomp: unknown syscall names ignored", t_seccomp_unknown_syscall);
  run_test("seccomp: x86 multi-arch and flags", t_seccomp_arches_flags);
  run_test("seccomp: SCMP_ACT_KILL_PROCESS", t_seccomp_kill_process);
  run_test("seccomp: without no_new_privs (order, EACCES)", t_seccomp_without_nnp);
  run_test("seccomp: NOTIFY, fd sent to the listener, mkdir faked", t_seccomp_notify);
  run_test("seccomp: notify errors and process state JSON", t_seccomp_notify_errors);
  run_test("seccomp: tests/security/seccomp_agent answers mkdir, continues others", t_agent);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "cleanup of %s failed\n", tmpdir);
  if (skipped)
    printf("(%d skipped)\n", skipped);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
