/* Pure conversions of the cgroup module: no cgroup filesystem is touched. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/internal.h"

static void test_shares_to_weight(void **state) {
  (void)state;
  assert_int_equal(hk_cg_shares_to_weight(0), 0);
  assert_int_equal(hk_cg_shares_to_weight(2), 1);
  assert_int_equal(hk_cg_shares_to_weight(1024), 39);
  assert_int_equal(hk_cg_shares_to_weight(262144), 10000);
  assert_int_equal(hk_cg_shares_to_weight(1000000), 10000);
}

static void test_blkio_weight(void **state) {
  (void)state;
  assert_int_equal(hk_cg_blkio_to_io_weight(0), 0);
  assert_int_equal(hk_cg_blkio_to_io_weight(10), 1);
  assert_int_equal(hk_cg_blkio_to_io_weight(500), 4950);
  assert_int_equal(hk_cg_blkio_to_io_weight(1000), 10000);
}

static void test_cpu_max(void **state) {
  (void)state;
  char buf[64];
  hk_cg_cpu_max(false, 0, false, 0, buf, sizeof buf);
  assert_string_equal(buf, "");
  hk_cg_cpu_max(true, 50000, false, 0, buf, sizeof buf);
  assert_string_equal(buf, "50000 100000");
  hk_cg_cpu_max(true, 20000, true, 50000, buf, sizeof buf);
  assert_string_equal(buf, "20000 50000");
  hk_cg_cpu_max(false, 0, true, 250000, buf, sizeof buf);
  assert_string_equal(buf, "max 250000");
  hk_cg_cpu_max(true, -1, false, 0, buf, sizeof buf);
  assert_string_equal(buf, "max 100000");
  hk_cg_cpu_max(true, -1, true, 10000, buf, sizeof buf);
  assert_string_equal(buf, "max 10000");
}

static void test_swap(void **state) {
  (void)state;
  struct hk_error err = {0};
  struct hk_memory m = {.has_limit = true, .limit = 100, .has_swap = true, .swap = 300};
  int64_t v;
  bool set;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), 0);
  assert_true(set);
  assert_int_equal(v, 200);
  m.swap = -1;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), 0);
  assert_true(set);
  assert_int_equal(v, -1);
  m.limit = -1;
  m.swap = 0;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), 0);
  assert_true(set);
  assert_int_equal(v, -1);
  m.limit = 100;
  m.swap = 50;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), -EINVAL);
  assert_non_null(strstr(err.msg, "memory.swap"));
  hk_error_clear(&err);
  m.has_limit = false;
  m.swap = 500;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), -EINVAL);
  hk_error_clear(&err);
  m.has_swap = false;
  assert_int_equal(hk_cg_swap_v2(&m, &v, &set, &err), 0);
  assert_false(set);
}

static void test_max_str(void **state) {
  (void)state;
  char buf[32];
  hk_cg_max_str(-1, buf, sizeof buf);
  assert_string_equal(buf, "max");
  hk_cg_max_str(67108864, buf, sizeof buf);
  assert_string_equal(buf, "67108864");
}

static void test_device_rule_v1(void **state) {
  (void)state;
  struct hk_error err = {0};
  char buf[64];
  struct hk_device_rule all = {.allow = false, .access = "rwm"};
  assert_int_equal(hk_cg_device_rule_v1(&all, buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "a *:* rwm");
  struct hk_device_rule null = {.allow = true,
                                .type = "c",
                                .has_major = true,
                                .major = 1,
                                .has_minor = true,
                                .minor = 3,
                                .access = "rw"};
  assert_int_equal(hk_cg_device_rule_v1(&null, buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "c 1:3 rw");
  struct hk_device_rule pts = {.allow = true, .type = "c", .has_major = true, .major = 136};
  assert_int_equal(hk_cg_device_rule_v1(&pts, buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "c 136:* rwm");
  struct hk_device_rule bad = {.type = "x"};
  assert_int_equal(hk_cg_device_rule_v1(&bad, buf, sizeof buf, &err), -EINVAL);
  hk_error_clear(&err);
  struct hk_device_rule badacc = {.type = "c", .access = "rwx"};
  assert_int_equal(hk_cg_device_rule_v1(&badacc, buf, sizeof buf, &err), -EINVAL);
}

static const char proc_cgroup[] = "9:name=systemd:/\n"
                                  "8:pids:/\n"
                                  "4:memory:/process_api/d9bb\n"
                                  "1:cpu,cpuacct:/user.slice\n"
                                  "0::/init.scope\n";

static void test_own_path(void **state) {
  (void)state;
  char *p = hk_cg_own_path(proc_cgroup, "memory");
  assert_string_equal(p, "/process_api/d9bb");
  free(p);
  p = hk_cg_own_path(proc_cgroup, "cpuacct,cpu");
  assert_string_equal(p, "/user.slice");
  free(p);
  p = hk_cg_own_path(proc_cgroup, "");
  assert_string_equal(p, "/init.scope");
  free(p);
  p = hk_cg_own_path(proc_cgroup, "name=systemd");
  assert_string_equal(p, "/");
  free(p);
  assert_null(hk_cg_own_path(proc_cgroup, "cpu"));
  assert_null(hk_cg_own_path(proc_cgroup, "freezer"));
}

static void expect_path(const char *cgroups_path, const char *id, const char *own,
                        const char *want) {
  struct hk_error err = {0};
  char *out = NULL;
  assert_int_equal(hk_cg_resolve_path(cgroups_path, id, own, &out, &err), 0);
  assert_string_equal(out, want);
  free(out);
}

static void test_resolve_path(void **state) {
  (void)state;
  expect_path(NULL, "c1", "/", "/c1");
  expect_path(NULL, "c1", "/process_api/d9bb", "/process_api/d9bb/c1");
  expect_path("", "c1", "/a", "/a/c1");
  expect_path("/abs/path", "c1", "/process_api/d9bb", "/abs/path");
  expect_path("rel/x", "c1", "/own", "/own/rel/x");
  expect_path("//a/./b/../c/", "c1", "/own", "/a/c");
  expect_path("../../x", "c1", "/own", "/x");
  struct hk_error err = {0};
  char *out = NULL;
  assert_int_equal(hk_cg_resolve_path("system.slice:docker:abc", "c1", "/", &out, &err), -ENOTSUP);
  assert_non_null(strstr(err.msg, "systemd cgroup driver not supported yet"));
  hk_error_clear(&err);
  assert_int_equal(hk_cg_resolve_path("/", "c1", "/", &out, &err), -EINVAL);
  hk_error_clear(&err);
  assert_int_equal(hk_cg_resolve_path(NULL, NULL, "/", &out, &err), -EINVAL);
}

static void test_dir_of(void **state) {
  (void)state;
  char *d = hk_cg_dir_of("/sys/fs/cgroup/memory", "/", "/a/b");
  assert_string_equal(d, "/sys/fs/cgroup/memory/a/b");
  free(d);
  d = hk_cg_dir_of("/sys/fs/cgroup", "/ns", "/ns/c1");
  assert_string_equal(d, "/sys/fs/cgroup/c1");
  free(d);
  assert_null(hk_cg_dir_of("/sys/fs/cgroup", "/ns", "/nsx/c1"));
}

static void expect_join(const char *a, const char *b, const char *want) {
  char *j = hk_cg_join(a, b);
  assert_non_null(j);
  assert_string_equal(j, want);
  free(j);
}

static void test_join(void **state) {
  (void)state;
  expect_join("/sys/fs/cgroup", "memory.max", "/sys/fs/cgroup/memory.max");
  expect_join("/sys/fs/cgroup/", "memory.max", "/sys/fs/cgroup/memory.max");
  expect_join("/sys/fs/cgroup", "//a/b", "/sys/fs/cgroup/a/b");
  expect_join("/sys/fs/cgroup", "", "/sys/fs/cgroup");
  expect_join("/sys/fs/cgroup", "/", "/sys/fs/cgroup");
  expect_join("", "a", "/a");
  expect_join("", "", "");
}

static const char mountinfo_hybrid[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "99 31 0:32 /sub /mnt/my\\040mem rw,relatime - cgroup cgroup rw,memory\n";

static void test_mountinfo(void **state) {
  (void)state;
  struct hk_error err = {0};
  struct hk_cg_mounts m;
  assert_int_equal(hk_cg_parse_mountinfo(mountinfo_hybrid, &m, &err), 0);
  assert_int_equal(m.n, 4);
  assert_string_equal(m.m[0].controllers, "cpu,cpuacct");
  assert_string_equal(m.m[0].mount, "/sys/fs/cgroup/cpu,cpuacct");
  assert_string_equal(m.m[2].controllers, "name=systemd");
  assert_true(m.m[3].v2);
  assert_string_equal(m.m[3].controllers, "");
  assert_int_equal(hk_cg_layout_of(&m), HK_CGROUP_HYBRID);
  hk_cg_mounts_free(&m);
  assert_int_equal(
      hk_cg_parse_mountinfo("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &m, &err), 0);
  assert_int_equal(hk_cg_layout_of(&m), HK_CGROUP_V2);
  hk_cg_mounts_free(&m);
  assert_int_equal(hk_cg_parse_mountinfo("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup "
                                         "rw,memory\n",
                                         &m, &err),
                   0);
  assert_int_equal(hk_cg_layout_of(&m), HK_CGROUP_V1);
  hk_cg_mounts_free(&m);
}

static void test_serialize(void **state) {
  (void)state;
  struct hk_error err = {0};
  const char text[] = "layout hybrid\n"
                      "memory\t/sys/fs/cgroup/memory\t/\t/process_api/x/c1\n"
                      "\t/sys/fs/cgroup/unified\t/\t/c1\n";
  struct hk_cgroup *cg;
  assert_int_equal(hk_cgroup_deserialize(text, &cg, &err), 0);
  assert_int_equal(hk_cgroup_layout(cg), HK_CGROUP_HYBRID);
  assert_int_equal(hk_cgroup_count(cg), 2);
  assert_int_equal(hk_cgroup_v2_fd(cg), -1);
  assert_string_equal(hk_cgroup_dir(cg, "memory"), "/sys/fs/cgroup/memory/process_api/x/c1");
  assert_string_equal(hk_cgroup_dir(cg, ""), "/sys/fs/cgroup/unified/c1");
  assert_null(hk_cgroup_dir(cg, "pids"));
  char *again = hk_cgroup_serialize(cg);
  assert_string_equal(again, text);
  free(again);
  hk_cgroup_free(cg);
  assert_int_equal(hk_cgroup_deserialize("layout v9\n", &cg, &err), -EINVAL);
  hk_error_clear(&err);
  assert_int_equal(hk_cgroup_deserialize("layout v1\nmemory only\n", &cg, &err), -EINVAL);
}

/* A tiny interpreter for the instructions the device filter uses. */
static int run_bpf(const struct bpf_insn *p, size_t n, int type, int access, uint32_t major,
                   uint32_t minor) {
  uint64_t r[11] = {0};
  uint32_t ctx[3] = {(uint32_t)(access << 16 | type), major, minor};
  for (size_t pc = 0; pc < n; pc++) {
    const struct bpf_insn *i = &p[pc];
    uint64_t src = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
    switch (BPF_CLASS(i->code)) {
    case BPF_LDX:
      assert_int_equal(i->src_reg, 1);
      r[i->dst_reg] = ctx[i->off / 4];
      break;
    case BPF_ALU:
    case BPF_ALU64: {
      uint64_t v = r[i->dst_reg];
      switch (BPF_OP(i->code)) {
      case BPF_MOV:
        v = src;
        break;
      case BPF_AND:
        v &= src;
        break;
      case BPF_RSH:
        v >>= src;
        break;
      default:
        fail_msg("unexpected ALU op %x", i->code);
      }
      r[i->dst_reg] = BPF_CLASS(i->code) == BPF_ALU ? (uint32_t)v : v;
      break;
    }
    case BPF_JMP:
      if (BPF_OP(i->code) == BPF_EXIT)
        return (int)r[0];
      assert_int_equal(BPF_OP(i->code), BPF_JNE);
      if (r[i->dst_reg] != (BPF_SRC(i->code) == BPF_X ? src : (uint64_t)(uint32_t)i->imm))
        pc += (size_t)i->off;
      break;
    default:
      fail_msg("unexpected class %x", i->code);
    }
  }
  fail_msg("ran off the end");
  return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define RD BPF_DEVCG_ACC_READ
#define WR BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD

static void test_bpf(void **state) {
  (void)state;
  struct hk_error err = {0};
  struct hk_device_rule rules[] = {
      {.allow = false, .access = "rwm"}, /* deny all */
      {.allow = true,
       .type = "c",
       .has_major = true,
       .major = 1,
       .has_minor = true,
       .minor = 3,
       .access = "rwm"},                                                             /* null */
      {.allow = true, .type = "c", .has_major = true, .major = 136, .access = "rw"}, /* pts */
      {.allow = true,
       .type = "b",
       .has_major = true,
       .major = 8,
       .has_minor = true,
       .minor = 0,
       .access = "r"},
      {.allow = false, .type = "c", .has_major = true, .major = 136, .has_minor = true, .minor = 5},
  };
  struct bpf_insn *p;
  size_t n;
  assert_int_equal(hk_cg_devices_bpf(rules, 5, &p, &n, &err), 0);
  assert_int_equal(run_bpf(p, n, C, RD | WR, 1, 3), 1);
  assert_int_equal(run_bpf(p, n, C, MK, 1, 3), 1);
  assert_int_equal(run_bpf(p, n, C, RD, 1, 5), 0); /* /dev/zero: not allowed */
  assert_int_equal(run_bpf(p, n, B, RD, 1, 3), 0); /* block 1:3 is not the char one */
  assert_int_equal(run_bpf(p, n, C, WR, 136, 2), 1);
  assert_int_equal(run_bpf(p, n, C, MK, 136, 2), 0); /* mknod not in "rw" */
  assert_int_equal(run_bpf(p, n, C, RD, 136, 5), 0); /* the later deny wins */
  assert_int_equal(run_bpf(p, n, B, RD, 8, 0), 1);
  assert_int_equal(run_bpf(p, n, B, RD | WR, 8, 0), 0);
  free(p);
  /* a trailing allow-all makes everything allowed, with no dead code after it */
  struct hk_device_rule open_all[] = {{.allow = false, .type = "c", .has_major = true, .major = 1},
                                      {.allow = true, .type = "a"}};
  assert_int_equal(hk_cg_devices_bpf(open_all, 2, &p, &n, &err), 0);
  assert_int_equal(n, 8); /* 6 prologue + mov + exit */
  assert_int_equal(run_bpf(p, n, C, RD, 1, 5), 1);
  free(p);
  /* no rules: deny everything */
  assert_int_equal(hk_cg_devices_bpf(NULL, 0, &p, &n, &err), 0);
  assert_int_equal(run_bpf(p, n, C, RD, 1, 3), 0);
  free(p);
  struct hk_device_rule bad = {.type = "c", .access = "rwz"};
  assert_int_equal(hk_cg_devices_bpf(&bad, 1, &p, &n, &err), -EINVAL);
}

static void test_v2_needed(void **state) {
  (void)state;
  struct hk_memory mem = {.has_limit = true, .limit = 1 << 20};
  struct hk_cpu cpu = {.has_shares = true, .shares = 512, .cpus = "0"};
  struct hk_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
  struct hk_kv kv[] = {
      {.key = "memory.high", .value = "1M"}, {.key = "cgroup.max.depth"}, {.key = "misc.max"}};
  struct hk_resources res = {.memory = &mem,
                             .cpu = &cpu,
                             .has_pids_limit = true,
                             .hugepage_limits = &hp,
                             .n_hugepage_limits = 1,
                             .unified = kv,
                             .n_unified = 3};
  char buf[128];
  hk_cg_v2_needed(&res, false, buf, sizeof buf);
  assert_string_equal(buf, "hugetlb memory cpu cpuset pids misc");
  hk_cg_v2_needed(&res, true, buf, sizeof buf);
  assert_string_equal(buf, "hugetlb");
  hk_cg_v2_needed(NULL, false, buf, sizeof buf);
  assert_string_equal(buf, "");
}

/* exec --cgroup: runc 1.1's argument rules.  The "hierarchies" are mounted at /
 * so that existing host directories (/tmp) stand in for sub-cgroups. */
static void test_sub(void **state) {
  (void)state;
  struct hk_cgroup *cg = NULL, *sub = NULL;
  struct hk_error err = {0};
  assert_int_equal(hk_cgroup_deserialize("layout v1\n"
                                         "memory\t/\t/\t/\n"
                                         "cpu,cpuacct\t/\t/\t/\n",
                                         &cg, &err),
                   0);
  char *plain[] = {"tmp"};
  assert_int_equal(hk_cgroup_sub(cg, plain, 1, &sub, &err), 0);
  char *text = hk_cgroup_serialize(sub);
  assert_string_equal(text, "layout v1\nmemory\t/\t/\t/tmp\ncpu,cpuacct\t/\t/\t/tmp\n");
  free(text);
  hk_cgroup_free(sub);
  char *one[] = {"cpuacct:tmp"};
  assert_int_equal(hk_cgroup_sub(cg, one, 1, &sub, &err), 0);
  text = hk_cgroup_serialize(sub);
  assert_string_equal(text, "layout v1\nmemory\t/\t/\t/\ncpu,cpuacct\t/\t/\t/tmp\n");
  free(text);
  hk_cgroup_free(sub);
  static const struct {
    char *args[2];
    size_t n;
    const char *msg;
  } bad[] = {
      {{"a", "b"}, 2, "missing <controller>: prefix"},
      {{"memory:a", "memory:b"}, 2, "controller memory specified multiple times"},
      {{":a"}, 1, "empty <controller> prefix"},
      {{"a:b:c"}, 1, "invalid --cgroup argument"},
      {{"pids:tmp"}, 1, "no cgroup with the pids controller"},
      {{"cpu:tmp", "cpuacct:usr"}, 2, "with different paths"},
      {{"no-such-sub-cgroup"}, 1, "does not exist"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    hk_error_clear(&err);
    sub = NULL;
    assert_true(hk_cgroup_sub(cg, bad[i].args, bad[i].n, &sub, &err) < 0);
    assert_null(sub);
    assert_non_null(strstr(err.msg, bad[i].msg));
  }
  hk_cgroup_free(cg);
  /* below a cgroup: never above it */
  assert_int_equal(hk_cgroup_deserialize("layout v1\nmemory\t/\t/\t/usr\n", &cg, &err), 0);
  char *up[] = {"../etc"};
  hk_error_clear(&err);
  assert_true(hk_cgroup_sub(cg, up, 1, &sub, &err) < 0);
  assert_non_null(strstr(err.msg, "not a sub cgroup path"));
  hk_cgroup_free(cg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shares_to_weight),
      cmocka_unit_test(test_blkio_weight),
      cmocka_unit_test(test_cpu_max),
      cmocka_unit_test(test_swap),
      cmocka_unit_test(test_max_str),
      cmocka_unit_test(test_device_rule_v1),
      cmocka_unit_test(test_own_path),
      cmocka_unit_test(test_resolve_path),
      cmocka_unit_test(test_dir_of),
      cmocka_unit_test(test_join),
      cmocka_unit_test(test_mountinfo),
      cmocka_unit_test(test_serialize),
      cmocka_unit_test(test_bpf),
      cmocka_unit_test(test_v2_needed),
      cmocka_unit_test(test_sub),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
