/* hk_open_in_root on a scratch tree: with openat2 in the normal build, with
 * the userspace resolver in a -Dopenat2=disabled build (scripts/test-noopenat2.sh
 * runs this test there too).  Needs no privileges. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rootfs.h"

static char top[64], outside[80]; /* the root, and a host dir the links aim at */
static int rootfd = -1;

static void mk(const char *rel, bool dir) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  if (dir)
    assert_int_equal(mkdir(p, 0755), 0);
  else
    close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
}

static void ln(const char *target, const char *rel) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state) {
  (void)state;
  snprintf(top, sizeof top, "/tmp/hako-paths.XXXXXX");
  assert_non_null(mkdtemp(top));
  mk("a", true);
  mk("a/b", true);
  mk("f", false);
  ln("/a", "abs");
  ln("../../../../..", "up");
  snprintf(outside, sizeof outside, "%s-outside", top);
  assert_int_equal(mkdir(outside, 0755), 0);
  ln(outside, "esc");
  ln("loop2", "loop1");
  ln("loop1", "loop2");
  ln("b", "a/rel");
  ln("../../../a/b", "a/b/back");
  rootfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true(rootfd >= 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  close(rootfd);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", top, outside);
  return system(cmd) == 0 ? 0 : -1;
}

/* path resolves in the root to the same inode as rel under top */
static void resolves_to(const char *path, const char *rel) {
  struct hk_error err = {0};
  int fd = hk_open_in_root(rootfd, path, false, false, &err);
  if (fd < 0)
    fail_msg("%s: %s", path, err.msg);
  struct stat a, b;
  char p[256];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  assert_int_equal(fstat(fd, &a), 0);
  assert_int_equal(stat(p, &b), 0);
  close(fd);
  if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
    fail_msg("%s did not resolve to %s", path, rel);
}

static void fails_with(const char *path, int code) {
  struct hk_error err = {0};
  int fd = hk_open_in_root(rootfd, path, false, false, &err);
  if (fd >= 0)
    close(fd);
  assert_true(fd < 0);
  assert_int_equal(err.code, code);
}

static void test_plain(void **state) {
  (void)state;
  resolves_to("/a/b", "a/b");
  resolves_to("a/./b/", "a/b");
  resolves_to("/", ".");
  resolves_to("/f", "f");
}

static void test_dotdot_stays_in_root(void **state) {
  (void)state;
  resolves_to("/../../../a", "a");
  resolves_to("/a/b/../../..", ".");
  resolves_to("/a/b/back", "a/b");
}

static void test_symlinks_resolve_in_root(void **state) {
  (void)state;
  resolves_to("/abs/b", "a/b");  /* absolute target: from the root, not the host */
  resolves_to("/up/a", "a");     /* relative target climbing out: clamped */
  resolves_to("/a/rel", "a/b");  /* relative to the link's directory */
  fails_with("/esc", ENOENT); /* the host dir is not reachable: in the root it does not exist */
  fails_with("/loop1", ELOOP);
  fails_with("/f/x", ENOTDIR);
}

static void test_create_follows_dangling_link_inside(void **state) {
  (void)state;
  struct hk_error err = {0};
  int fd = hk_open_in_root(rootfd, "/esc/new", true, false, &err);
  if (fd < 0)
    fail_msg("%s", err.msg);
  close(fd);
  char in_root[200], on_host[200];
  snprintf(in_root, sizeof in_root, "%s/new", outside + 1);
  snprintf(on_host, sizeof on_host, "%s/new", outside);
  resolves_to("/esc/new", in_root);
  assert_int_equal(access(on_host, F_OK), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain),
      cmocka_unit_test(test_dotdot_stays_in_root),
      cmocka_unit_test(test_symlinks_resolve_in_root),
      cmocka_unit_test(test_create_follows_dangling_link_inside),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
