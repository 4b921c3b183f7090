/* hk_state_read (the lock-free reader of state.json) against hk_state_load,
 * the jansson reader it stands in for, on real files in a temporary state
 * dir; and hk_proc_stat against its own parse of /proc/self/stat. */
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"
#include "util.h"

struct dirs {
  char root[64];
  int rootfd, dirfd; /* <root> and <root>/c1 */
};

static int setup(void **state) {
  struct dirs *d = calloc(1, sizeof *d);
  if (!d)
    return -1;
  snprintf(d->root, sizeof d->root, "/tmp/hako-test-state.XXXXXX");
  if (!mkdtemp(d->root))
    return -1;
  d->rootfd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d->rootfd < 0 || mkdirat(d->rootfd, "c1", 0700) < 0)
    return -1;
  d->dirfd = openat(d->rootfd, "c1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  *state = d;
  return d->dirfd < 0 ? -1 : 0;
}

static int teardown(void **state) {
  struct dirs *d = *state;
  unlinkat(d->dirfd, "state.json", 0);
  unlinkat(d->dirfd, "exec.fifo", 0);
  close(d->dirfd);
  unlinkat(d->rootfd, "c1", AT_REMOVEDIR);
  close(d->rootfd);
  rmdir(d->root);
  free(d);
  return 0;
}

static void write_state(struct dirs *d, const char *text) {
  struct hk_error err = {0};
  assert_int_equal(hk_write_file_atomic(d->dirfd, "state.json", text, strlen(text), 0600, &err), 0);
}

static void assert_same_string(const char *a, const char *b) {
  if (!a || !b)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

static void assert_same_state(const struct hk_state *a, const struct hk_state *b) {
  assert_same_string(a->id, b->id);
  assert_same_string(a->bundle, b->bundle);
  assert_same_string(a->rootfs, b->rootfs);
  assert_same_string(a->oci_version, b->oci_version);
  assert_same_string(a->created, b->created);
  assert_int_equal(a->pid, b->pid);
  assert_int_equal(a->pid_start_time, b->pid_start_time);
  assert_int_equal(a->owner, b->owner);
  assert_int_equal(a->has_cgroup, b->has_cgroup);
  assert_int_equal(a->paused, b->paused);
  assert_int_equal(a->status, b->status);
  /* the fast reader keeps the annotations' text: the same JSON value */
  if (!a->annotations_json || !b->annotations_json) {
    assert_ptr_equal(a->annotations_json, b->annotations_json);
  } else {
    json_t *ja = json_loads(a->annotations_json, 0, NULL);
    json_t *jb = json_loads(b->annotations_json, 0, NULL);
    assert_non_null(ja);
    assert_non_null(jb);
    assert_true(json_equal(ja, jb));
    assert_int_equal(json_object_size(ja) == 0, strcmp(a->annotations_json, "{}") == 0);
    assert_int_equal(json_object_size(jb) == 0, strcmp(b->annotations_json, "{}") == 0);
    json_decref(ja);
    json_decref(jb);
  }
}

/* Both readers on the current file; returns hk_state_read's result, which
 * must agree with hk_state_load whenever it is 0. */
static int read_both(struct dirs *d) {
  struct hk_state slow, fast, fast_root;
  struct hk_error err = {0};
  int rs = hk_state_load(d->dirfd, &slow, &err);
  int rf = hk_state_read(d->dirfd, NULL, &fast);
  int rr = hk_state_read(d->rootfd, "c1", &fast_root);
  assert_int_equal(rf, rr);
  if (rf == 0) {
    assert_int_equal(rs, 0);
    assert_same_state(&fast, &slow);
    assert_same_state(&fast_root, &slow);
  } else {
    assert_null(fast.id);
    assert_null(fast_root.id);
  }
  if (rs == 0)
    hk_state_clear(&slow);
  hk_state_clear(&fast);
  hk_state_clear(&fast_root);
  return rf;
}

static enum hk_status fast_status(struct dirs *d) {
  struct hk_state st;
  assert_int_equal(hk_state_read(d->dirfd, NULL, &st), 0);
  enum hk_status s = st.status;
  hk_state_clear(&st);
  return s;
}

static struct hk_state self_state(void) {
  return (struct hk_state){.id = "c1",
                           .bundle = "/b",
                           .rootfs = "/b/rootfs",
                           .oci_version = "1.3.0",
                           .pid = getpid(),
                           .pid_start_time = hk_proc_start_time(getpid()),
                           .created = "2026-01-01T00:00:00.000000001Z",
                           .owner = 0,
                           .annotations_json = "{}",
                           .status = HK_STATUS_RUNNING};
}

/* Whatever hk_state_save writes, the fast reader takes, with the same result. */
static void test_saved_states(void **state) {
  struct dirs *d = *state;
  struct hk_error err = {0};
  struct hk_state st = self_state();
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_RUNNING);

  st.owner = 1000;
  st.has_cgroup = true;
  st.annotations_json =
      "{\"a\":\"b\\\"c\\\\d\\n\\t\\u0001/\",\"uni\":\"\xe6\x97\xa5 \xf0\x9f\x98\x80\","
      "\"e\":\"\"}";
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);

  /* created: init alive and exec.fifo there */
  st.status = HK_STATUS_CREATED;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(mkfifoat(d->dirfd, "exec.fifo", 0600), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_CREATED);
  st.paused = true;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_PAUSED);
  st.paused = false;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_CREATED);
  /* start removed the fifo but has not saved "running" yet */
  assert_int_equal(unlinkat(d->dirfd, "exec.fifo", 0), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_RUNNING);

  /* init gone, or its pid taken by another process: stopped */
  st.pid_start_time++;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_STOPPED);
  st.pid = 0;
  st.bundle = NULL;
  st.annotations_json = NULL;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), 0);
  assert_int_equal(fast_status(d), HK_STATUS_STOPPED);

  /* a create in progress: the caller must wait on the lock */
  st = self_state();
  st.status = HK_STATUS_CREATING;
  assert_int_equal(hk_state_save(d->dirfd, &st, &err), 0);
  assert_int_equal(read_both(d), -1);
}

/* Files hk_state_save does not write: the fast reader either agrees with
 * jansson or leaves them to it. */
static void test_odd_files(void **state) {
  struct dirs *d = *state;
  static const char *const agree[] = {
      "{\"id\":\"c1\",\"pid\":0}",
      " {\n \"id\" : \"c1\" ,\n \"annotations\" : { } , \"pid\":-0 }\n\t",
      "{\"id\":\"c1\",\"annotations\":{ \"k\" : \"v\" },\"owner\":4294967295}",
      "{\"id\":\"x\",\"id\":\"c1\",\"bundle\":\"a\",\"bundle\":\"\",\"pid\":-5}",
      "{\"id\":\"c1\",\"bundle\":\"\\/a\\u0041\\u007f\",\"pidStartTime\":999999999999999999}",
      "{\"id\":\"c1\",\"paused\":false,\"cgroup\":true,\"status\":\"stopped\"}",
  };
  static const char *const to_jansson[] = {
      "",
      "[]",
      "{}",
      "{\"pid\":0}",
      "{\"id\":\"\"}",
      "{\"i\\u0064\":\"c1\"}",
      "{\"id\":\"c1\",\"pid\":1.5}",
      "{\"id\":\"c1\",\"pid\":1e3}",
      "{\"id\":\"c1\",\"pid\":012}",
      "{\"id\":\"c1\",\"pid\":1234567890123456789012}",
      "{\"id\":\"c1\",\"pid\":\"1\"}",
      "{\"id\":\"c1\",\"bundle\":null}",
      "{\"id\":\"c1\",\"cgroup\":1}",
      "{\"id\":\"c1\",\"annotations\":null}",
      "{\"id\":\"c1\",\"annotations\":{\"a\":1}}",
      "{\"id\":\"c1\",\"other\":\"x\"}",
      "{\"id\":\"c1\"} x",
      "{\"id\":\"c1\"",
      "{\"id\":\"c1\",\"bundle\":\"a\tb\"}",
      "{\"id\":\"c1\",\"bundle\":\"\\u00e9\"}",
      "{\"id\":\"c1\",\"bundle\":\"\\u0000\"}",
      "{\"id\":\"c1\",\"bundle\":\"\\x\"}",
      "{\"id\":\"c1\",\"bundle\":\"\\u12\"}",
      "{\"id\":\"c1\",\"bundle\":\"\xff\"}",
      "{\"id\":\"c1\",\"bundle\":\"\xc0\xaf\"}",
      "{\"id\":\"c1\",\"bundle\":\"\xed\xa0\x80\"}",
      "{\"id\":\"c1\",\"bundle\":\"\xf4\x90\x80\x80\"}",
      "{\"id\":\"c1\",\"status\":\"creating\"}",
      /* the annotations' strings are checked as strictly as the rest */
      "{\"id\":\"c1\",\"annotations\":{\"a\":\"\\u\"}}",
      "{\"id\":\"c1\",\"annotations\":{\"a\":\"\\u\"},\"b\":\"x\"}}",
      "{\"id\":\"c1\",\"annotations\":{\"a\":\"\\q\"}}",
      "{\"id\":\"c1\",\"annotations\":{\"a\":\"\\u00e9\"}}",
      "{\"id\":\"c1\",\"annotations\":{\"a\\\":\"b\"}}",
      "{\"id\":\"c1\",\"annotations\":{\"a\":\"\xff\"}}",
  };
  for (size_t i = 0; i < sizeof agree / sizeof *agree; i++) {
    write_state(d, agree[i]);
    assert_int_equal(read_both(d), 0);
  }
  for (size_t i = 0; i < sizeof to_jansson / sizeof *to_jansson; i++) {
    write_state(d, to_jansson[i]);
    assert_int_equal(read_both(d), -1);
  }
  /* larger than the reader's buffer */
  size_t n = 40000;
  char *big = malloc(n + 64);
  assert_non_null(big);
  int off = snprintf(big, n + 64, "{\"id\":\"c1\",\"bundle\":\"");
  memset(big + off, 'x', n);
  strcpy(big + off + n, "\"}");
  write_state(d, big);
  free(big);
  assert_int_equal(read_both(d), -1);
  /* no state.json at all */
  assert_int_equal(unlinkat(d->dirfd, "state.json", 0), 0);
  struct hk_state st;
  assert_int_equal(hk_state_read(d->dirfd, NULL, &st), -1);
  assert_int_equal(hk_state_read(d->rootfd, "c1", &st), -1);
  assert_int_equal(hk_state_read(d->rootfd, "nope", &st), -1);
}

/* starttime and state from /proc/self/stat, also with a comm that holds
 * ") " (fields are counted after the last parenthesis) */
static void expect_proc_stat_self(void) {
  char buf[1024];
  FILE *f = fopen("/proc/self/stat", "r");
  assert_non_null(f);
  assert_non_null(fgets(buf, sizeof buf, f));
  fclose(f);
  char *p = strrchr(buf, ')');
  assert_non_null(p);
  unsigned long long want = 0;
  char want_state = 0;
  assert_int_equal(sscanf(p + 2,
                          "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                          "%*d %*d %llu",
                          &want_state, &want),
                   2);
  char got_state = 0;
  assert_int_equal(hk_proc_stat(getpid(), &got_state), want);
  assert_int_equal(got_state, want_state);
  assert_int_equal(hk_proc_start_time(getpid()), want);
}

static void test_proc_stat(void **state) {
  (void)state;
  char old[17] = {0};
  assert_int_equal(prctl(PR_GET_NAME, old), 0);
  expect_proc_stat_self();
  assert_int_equal(prctl(PR_SET_NAME, "a) b (c) R 1 2"), 0);
  expect_proc_stat_self();
  assert_int_equal(prctl(PR_SET_NAME, ")))))))))))))))"), 0);
  expect_proc_stat_self();
  assert_int_equal(prctl(PR_SET_NAME, old), 0);
  assert_int_equal(hk_proc_stat(0, NULL), 0);
  assert_int_equal(hk_proc_stat(-1, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_saved_states, setup, teardown),
      cmocka_unit_test_setup_teardown(test_odd_files, setup, teardown),
      cmocka_unit_test(test_proc_stat),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
