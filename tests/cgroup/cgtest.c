/* Integration test of src/lib/cgroup on the running host (v1, hybrid or v2):
 * creates a cgroup "hako-test-<pid>" with sample resources, puts a child in it,
 * reads the values back, checks the device filter, freezes, lists, updates,
 * kills and destroys, and checks that nothing is left.  Must run as root.
 * Prints "N passed, N failed"; exit status 0 only when nothing failed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"

static int passed, failed;

static void check(bool ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s - ", ok ? "ok" : "FAIL");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
  if (ok)
    passed++;
  else
    failed++;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

/* The first line of dir/file, or "<error>" */
static const char *val(const char *dir, const char *file) {
  static char buf[8][512];
  static int slot;
  char *b = buf[slot++ % 8];
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "(null)", file);
  FILE *f = fopen(path, "re");
  if (!f) {
    snprintf(b, 512, "<%s>", strerror(errno));
    return b;
  }
  if (!fgets(b, 512, f))
    b[0] = 0;
  fclose(f);
  b[strcspn(b, "\n")] = 0;
  return b;
}

static bool file_has(const char *dir, const char *file, const char *needle) {
  char *text = NULL;
  struct hk_error err = {0};
  if (hk_cg_read(dir, file, &text, &err) < 0)
    return false;
  bool ok = strstr(text, needle) != NULL;
  free(text);
  return ok;
}

static bool gone(const char *dir) {
  struct stat st;
  return stat(dir, &st) < 0 && errno == ENOENT;
}

static void expect(const char *dir, const char *file, const char *want) {
  const char *got = val(dir, file);
  check(strcmp(got, want) == 0, "%s = \"%s\" (want \"%s\")", file, got, want);
}

static volatile unsigned long *counter;

/* The child: waits until it is in the cgroup, reports the device checks, forks a
 * grandchild, and both count forever. */
static void child(int go, int report) {
  char c;
  if (read(go, &c, 1) != 1)
    _exit(1);
  int res[3];
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  res[0] = fd < 0 ? errno : 0;
  if (fd >= 0)
    close(fd);
  fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  res[1] = fd < 0 ? errno : 0;
  if (fd >= 0)
    close(fd);
  pid_t g = fork();
  if (g == 0) {
    for (;;) {
      (*counter)++;
      sleep_ms(1);
    }
  }
  res[2] = (int)g;
  if (write(report, res, sizeof res) != sizeof res)
    _exit(1);
  for (;;) {
    (*counter)++;
    sleep_ms(1);
  }
}

static bool wait_empty(const struct hk_cgroup *cg) {
  for (int i = 0; i < 300; i++) {
    pid_t *pids = NULL;
    size_t n = 0;
    struct hk_error err = {0};
    if (hk_cgroup_pids(cg, &pids, &n, &err) == 0 && n == 0)
      return true;
    free(pids);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    sleep_ms(10);
  }
  return false;
}

int main(void) {
  struct hk_error err = {0};
  enum hk_cgroup_layout layout;
  int r = hk_cgroup_detect(&layout, &err);
  check(r == 0, "detect: %s", r ? err.msg : "");
  bool v2 = layout == HK_CGROUP_V2;
  printf("# layout: %s\n", v2 ? "v2" : layout == HK_CGROUP_HYBRID ? "hybrid" : "v1");
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

  /* ---- check(): refusals before anything is created ---- */
  {
    struct hk_rdma rdma = {.device = "mlx5_0", .has_hca_handles = true, .hca_handles = 1};
    struct hk_resources res = {.rdma = &rdma, .n_rdma = 1};
    hk_error_clear(&err);
    r = hk_cgroup_check(&res, &err);
    struct hk_cg_mounts m;
    char *l1 = NULL, *l2 = NULL;
    struct hk_error e2 = {0};
    bool have_rdma = hk_cg_read_mounts(&m, &e2) == 0 && hk_cg_available(&m, &l1, &l2, &e2) == 0 &&
                     hk_cg_list_has(v2 ? l2 : l1, "rdma");
    hk_cg_mounts_free(&m);
    free(l1);
    free(l2);
    if (have_rdma)
      check(r == 0, "check rdma accepted where the controller is there: %s", err.msg);
    else
      check(r == -ENOTSUP && strstr(err.msg, "linux.resources.rdma: the rdma controller is not "
                                             "available"),
            "check rdma refused: %s", err.msg);
    struct hk_kv kv = {.key = "memory.high", .value = "1M"};
    struct hk_resources ures = {.unified = &kv, .n_unified = 1};
    hk_error_clear(&err);
    r = hk_cgroup_check(&ures, &err);
    if (v2)
      check(r == 0, "check unified on v2 accepted: %s", err.msg);
    else
      check(r == -ENOTSUP && strstr(err.msg, "linux.resources.unified"),
            "check unified on v1 refused: %s", err.msg);
    struct hk_kv bogus = {.key = "bogus.max", .value = "1"};
    struct hk_resources bres = {.unified = &bogus, .n_unified = 1};
    hk_error_clear(&err);
    r = hk_cgroup_check(&bres, &err);
    check(r < 0 && (!v2 || strstr(err.msg, "bogus")), "check unified bogus refused: %s", err.msg);
    struct hk_cgroup *cg = NULL;
    hk_error_clear(&err);
    r = hk_cgroup_create("system.slice:hako:hako-test", "x", NULL, &cg, &err);
    check(r == -ENOTSUP && strstr(err.msg, "systemd cgroup driver not supported yet"),
          "systemd path refused: %s", err.msg);
  }

  /* ---- a failure while applying removes what was created ---- */
  char id[64];
  snprintf(id, sizeof id, "hako-test-%d", (int)getpid());
  {
    char bad_id[80];
    snprintf(bad_id, sizeof bad_id, "%s-bad", id);
    struct hk_cpu cpu = {.cpus = "4095"};
    struct hk_resources res = {.cpu = &cpu};
    struct hk_cgroup *cg = NULL;
    hk_error_clear(&err);
    r = hk_cgroup_create(NULL, bad_id, &res, &cg, &err);
    check(r < 0 && strstr(err.msg, "cpuset.cpus"), "bad cpuset refused: %s", err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpuset", bad_id);
    check(gone(path), "nothing left after a failed create (%s)", path);
  }

  /* ---- create with resources ---- */
  struct hk_memory mem = {.has_limit = true,
                          .limit = 64 << 20,
                          .has_reservation = true,
                          .reservation = 32 << 20,
                          .has_swap = true,
                          .swap = 96 << 20};
  struct hk_cpu cpu = {.has_shares = true,
                       .shares = 512,
                       .has_quota = true,
                       .quota = 50000,
                       .has_period = true,
                       .period = 100000,
                       .cpus = "0",
                       .mems = "0"};
  struct hk_device_rule rules[] = {
      {.allow = false, .access = "rwm"},
      {.allow = true,
       .type = "c",
       .has_major = true,
       .major = 1,
       .has_minor = true,
       .minor = 3,
       .access = "rwm"},
      {.allow = true,
       .type = "c",
       .has_major = true,
       .major = 1,
       .has_minor = true,
       .minor = 8,
       .access = "rw"},
  };
  struct hk_hugepage_limit hp = {.page_size = "2MB", .limit = 4 << 20};
  struct hk_kv unified = {.key = "memory.high", .value = "50331648"};
  struct hk_resources res = {.memory = &mem,
                             .cpu = &cpu,
                             .has_pids_limit = true,
                             .pids_limit = 32,
                             .devices = rules,
                             .n_devices = 3};
  struct hk_net_priority prio = {.name = "lo", .priority = 5};
  struct hk_network net = {
      .has_class_id = true, .class_id = 0x100001, .priorities = &prio, .n_priorities = 1};
  if (layout == HK_CGROUP_V1) {
    /* pure v1 (the VM's --cgroup v1): hugetlb and net_cls are v1 hierarchies there */
    res.hugepage_limits = &hp;
    res.n_hugepage_limits = 1;
    res.network = &net;
  }
  if (v2) {
    res.hugepage_limits = &hp;
    res.n_hugepage_limits = 1;
    res.unified = &unified;
    res.n_unified = 1;
  }
  struct hk_cgroup *made = NULL;
  hk_error_clear(&err);
  r = hk_cgroup_create(NULL, id, &res, &made, &err);
  check(r == 0, "create %s: %s", id, err.msg);
  if (r < 0)
    goto out;
  check(v2 ? hk_cgroup_v2_fd(made) >= 0 : hk_cgroup_v2_fd(made) == -1, "v2 fd: %d",
        hk_cgroup_v2_fd(made));

  /* placement: runc's default, "<id>" below our own cgroup of each hierarchy */
  {
    char *proc = NULL;
    hk_cg_read("/proc/self", "cgroup", &proc, &err);
    for (size_t i = 0; i < hk_cgroup_count(made); i++) {
      const char *ctrl, *mount, *path, *dir;
      hk_cgroup_get(made, i, &ctrl, &mount, &path, &dir);
      char *own = hk_cg_own_path(proc, ctrl);
      char want[512];
      snprintf(want, sizeof want, "%s%s%s", own && strcmp(own, "/") ? own : "", "/", id);
      check(strcmp(path, want) == 0 && !gone(dir), "placement [%s] %s = %s", *ctrl ? ctrl : "v2",
            path, want);
      free(own);
    }
    free(proc);
  }

  /* serialize / deserialize: use the restored handle from here on */
  char *text = hk_cgroup_serialize(made);
  struct hk_cgroup *cg = NULL;
  hk_error_clear(&err);
  r = hk_cgroup_deserialize(text, &cg, &err);
  char *text2 = r == 0 ? hk_cgroup_serialize(cg) : NULL;
  check(r == 0 && text2 && strcmp(text, text2) == 0, "serialize round trip: %s", err.msg);
  printf("# state:\n%s", text);
  free(text);
  free(text2);
  if (!cg)
    goto out;

  /* read the values back */
  if (v2) {
    const char *d = hk_cgroup_dir(cg, "");
    expect(d, "memory.max", "67108864");
    expect(d, "memory.low", "33554432");
    if (hk_cg_exists(d, "memory.swap.max"))
      expect(d, "memory.swap.max", "33554432");
    expect(d, "memory.high", "50331648");
    expect(d, "pids.max", "32");
    expect(d, "cpu.weight", "20");
    expect(d, "cpu.max", "50000 100000");
    expect(d, "cpuset.cpus", "0");
    if (hk_cg_exists(d, "hugetlb.2MB.max"))
      expect(d, "hugetlb.2MB.max", "4194304");
    else
      check(false, "hugetlb.2MB.max missing");
    const char *parent = "/sys/fs/cgroup";
    check(file_has(parent, "cgroup.subtree_control", "memory"), "memory enabled in parent");
  } else {
    expect(hk_cgroup_dir(cg, "memory"), "memory.limit_in_bytes", "67108864");
    expect(hk_cgroup_dir(cg, "memory"), "memory.soft_limit_in_bytes", "33554432");
    expect(hk_cgroup_dir(cg, "memory"), "memory.memsw.limit_in_bytes", "100663296");
    expect(hk_cgroup_dir(cg, "pids"), "pids.max", "32");
    expect(hk_cgroup_dir(cg, "cpu"), "cpu.shares", "512");
    expect(hk_cgroup_dir(cg, "cpu"), "cpu.cfs_quota_us", "50000");
    expect(hk_cgroup_dir(cg, "cpu"), "cpu.cfs_period_us", "100000");
    expect(hk_cgroup_dir(cg, "cpuset"), "cpuset.cpus", "0");
    expect(hk_cgroup_dir(cg, "cpuset"), "cpuset.mems", "0");
    if (layout == HK_CGROUP_V1) {
      expect(hk_cgroup_dir(cg, "hugetlb"), "hugetlb.2MB.limit_in_bytes", "4194304");
      expect(hk_cgroup_dir(cg, "net_cls"), "net_cls.classid", "1048577");
      check(file_has(hk_cgroup_dir(cg, "net_prio"), "net_prio.ifpriomap", "lo 5"),
            "net_prio.ifpriomap has \"lo 5\"");
    }
    const char *dev = hk_cgroup_dir(cg, "devices");
    check(file_has(dev, "devices.list", "c 1:3 rwm") && file_has(dev, "devices.list", "c 1:8 rw") &&
              !file_has(dev, "devices.list", "a *:*"),
          "devices.list holds only the allowed rules");
  }

  /* a child in the cgroup */
  int go[2], report[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
    return 2;
  pid_t pid = fork();
  if (pid == 0) {
    close(go[1]);
    close(report[0]);
    child(go[0], report[1]);
  }
  close(go[0]);
  close(report[1]);
  hk_error_clear(&err);
  r = hk_cgroup_attach(cg, pid, &err);
  check(r == 0, "attach %d: %s", (int)pid, err.msg);
  if (write(go[1], "g", 1) != 1)
    return 2;
  int res_child[3] = {-1, -1, 0};
  check(read(report[0], res_child, sizeof res_child) == sizeof res_child, "child reported");
  check(res_child[0] == 0, "child opens /dev/null: %s", strerror(res_child[0]));
  check(res_child[1] == EPERM, "child denied /dev/zero: %s", strerror(res_child[1]));
  pid_t grandchild = res_child[2];
  {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    char *proc = NULL;
    struct hk_error e2 = {0};
    hk_cg_read(path, "cgroup", &proc, &e2);
    size_t lines = 0, match = 0;
    for (char *p = proc; p && *p;) {
      char *end = strchr(p, '\n');
      if (end)
        *end = 0;
      lines++;
      size_t len = strlen(p), il = strlen(id);
      match += len >= il && strcmp(p + len - il, id) == 0;
      p = end ? end + 1 : NULL;
    }
    check(lines > 0 && match == hk_cgroup_count(cg), "child is in %zu/%zu hierarchies", match,
          hk_cgroup_count(cg));
    free(proc);
  }

  /* a sub-cgroup made by the container (on the pids listing hierarchy) */
  char sub[600];
  snprintf(sub, sizeof sub, "%s/sub", v2 ? hk_cgroup_dir(cg, "") : hk_cgroup_dir(cg, "pids"));
  check(mkdir(sub, 0755) == 0, "mkdir %s", sub);
  hk_error_clear(&err);
  r = hk_cg_writef(sub, "cgroup.procs", &err, "%d", (int)grandchild);
  check(r == 0, "grandchild moved to sub: %s", err.msg);

  pid_t *pids = NULL;
  size_t n = 0;
  hk_error_clear(&err);
  r = hk_cgroup_pids(cg, &pids, &n, &err);
  bool has_c = false, has_g = false;
  for (size_t i = 0; i < n; i++) {
    has_c |= pids[i] == pid;
    has_g |= pids[i] == grandchild;
  }
  check(r == 0 && n == 2 && has_c && has_g, "pids lists child and grandchild (n=%zu)", n);
  free(pids);

  /* freeze / thaw */
  hk_error_clear(&err);
  r = hk_cgroup_freeze(cg, true, &err);
  bool frozen = false;
  hk_cgroup_is_frozen(cg, &frozen, &err);
  check(r == 0 && frozen, "frozen: %s", err.msg);
  unsigned long before = *counter;
  sleep_ms(150);
  check(*counter == before, "no progress while frozen (%lu -> %lu)", before, *counter);
  hk_error_clear(&err);
  r = hk_cgroup_freeze(cg, false, &err);
  hk_cgroup_is_frozen(cg, &frozen, &err);
  check(r == 0 && !frozen, "thawed: %s", err.msg);
  before = *counter;
  sleep_ms(150);
  check(*counter != before, "progress after thaw (%lu -> %lu)", before, *counter);

  /* update */
  {
    struct hk_memory m2 = {.has_limit = true,
                           .limit = 128 << 20,
                           .has_swap = true,
                           .swap = 192 << 20,
                           .has_check_before_update = true,
                           .check_before_update = true};
    struct hk_resources up = {.memory = &m2, .has_pids_limit = true, .pids_limit = 64};
    hk_error_clear(&err);
    r = hk_cgroup_update(cg, &up, &err);
    check(r == 0, "update: %s", err.msg);
    if (v2) {
      expect(hk_cgroup_dir(cg, ""), "memory.max", "134217728");
      expect(hk_cgroup_dir(cg, ""), "pids.max", "64");
    } else {
      expect(hk_cgroup_dir(cg, "memory"), "memory.limit_in_bytes", "134217728");
      expect(hk_cgroup_dir(cg, "memory"), "memory.memsw.limit_in_bytes", "201326592");
      expect(hk_cgroup_dir(cg, "pids"), "pids.max", "64");
    }
    struct hk_memory m3 = {.has_limit = true,
                           .limit = 4096,
                           .has_check_before_update = true,
                           .check_before_update = true};
    struct hk_resources low = {.memory = &m3};
    hk_error_clear(&err);
    r = hk_cgroup_update(cg, &low, &err);
    check(r == -EBUSY && strstr(err.msg, "current usage"), "checkBeforeUpdate refuses: %s",
          err.msg);
    if (v2) {
      /* replace the device filter: now /dev/zero too; exactly one program stays attached */
      struct hk_device_rule more[] = {rules[0],
                                      rules[1],
                                      rules[2],
                                      {.allow = true,
                                       .type = "c",
                                       .has_major = true,
                                       .major = 1,
                                       .has_minor = true,
                                       .minor = 5,
                                       .access = "r"}};
      struct hk_resources dev = {.devices = more, .n_devices = 4};
      hk_error_clear(&err);
      r = hk_cgroup_update(cg, &dev, &err);
      uint32_t ids[8];
      union bpf_attr attr;
      memset(&attr, 0, sizeof attr);
      attr.query.target_fd = (uint32_t)hk_cgroup_v2_fd(cg);
      attr.query.attach_type = BPF_CGROUP_DEVICE;
      attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
      attr.query.prog_cnt = 8;
      long q = syscall(__NR_bpf, BPF_PROG_QUERY, &attr, sizeof attr);
      check(r == 0 && q == 0 && attr.query.prog_cnt == 1,
            "device filter replaced on update (%u attached): %s", attr.query.prog_cnt, err.msg);
    }
  }

  /* signal everyone (freeze + per-pid path), then kill */
  hk_error_clear(&err);
  r = hk_cgroup_kill_all(cg, SIGCONT, &err);
  check(r == 0, "kill_all SIGCONT: %s", err.msg);
  hk_error_clear(&err);
  r = hk_cgroup_kill_all(cg, SIGKILL, &err);
  check(r == 0, "kill_all SIGKILL: %s", err.msg);
  int status = 0;
  check(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
        "child killed by SIGKILL");
  check(wait_empty(cg), "cgroup empty after kill");

  /* destroy, twice (the second finds nothing: fine) */
  hk_error_clear(&err);
  r = hk_cgroup_destroy(cg, &err);
  check(r == 0, "destroy: %s", err.msg);
  for (size_t i = 0; i < hk_cgroup_count(cg); i++) {
    const char *dir;
    hk_cgroup_get(cg, i, NULL, NULL, NULL, &dir);
    check(gone(dir), "removed %s", dir);
  }
  hk_error_clear(&err);
  check(hk_cgroup_destroy(cg, &err) == 0, "destroy again: %s", err.msg);
  hk_cgroup_free(cg);
out:
  if (made) {
    struct hk_error e2 = {0};
    hk_cgroup_destroy(made, &e2);
    hk_cgroup_free(made);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
