/* Unit tests of the config model: parsing, error messages, defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "spec.h"

#ifndef OCI_SPEC_DIR
#define OCI_SPEC_DIR "../shared/oci-runtime-spec"
#endif

static const char *spec_dir(void) {
  const char *env = getenv("HAKO_OCI_SPEC_DIR");
  return env && *env ? env : OCI_SPEC_DIR;
}

/* Parses text; returns the spec (caller frees) or NULL with *err filled. */
static struct hk_spec *parse(const char *text, struct hk_error *err) {
  struct hk_spec *s = NULL;
  hk_error_clear(err);
  int r = hk_spec_parse(text, strlen(text), "config.json", &s, err);
  if (r < 0) {
    assert_null(s);
    assert_true(hk_error_is_set(err));
    assert_int_equal(r, -err->code);
  } else {
    assert_int_equal(r, 0);
    assert_non_null(s);
  }
  return s;
}

static struct hk_spec *must_parse(const char *text) {
  struct hk_error err;
  struct hk_spec *s = parse(text, &err);
  if (!s)
    fail_msg("unexpected error: %s\nconfig: %.300s", err.msg, text);
  return s;
}

/* Asserts the text is rejected with exactly `msg` (or containing it, when
 * `exact` is false). */
static void check_error(const char *text, const char *msg, bool exact) {
  struct hk_error err;
  struct hk_spec *s = parse(text, &err);
  if (s) {
    hk_spec_free(s);
    fail_msg("accepted, expected error \"%s\"\nconfig: %.300s", msg, text);
  }
  assert_int_not_equal(strncmp(err.msg, "hako: ", 6), 0);
  assert_int_equal(strncmp(err.msg, "config.json: ", 13), 0);
  if (exact ? strcmp(err.msg, msg) != 0 : strstr(err.msg, msg) == NULL)
    fail_msg("wrong error\n  got:      %s\n  expected: %s%s", err.msg, exact ? "" : "...", msg);
}

static void expect_error(const char *text, const char *msg) {
  check_error(text, msg, true);
}
static void expect_error_sub(const char *text, const char *msg) {
  check_error(text, msg, false);
}

/* A config with version 1.0.0 and the given extra top-level members. */
static char *with(const char *members) {
  char *s;
  if (asprintf(&s, "{\"ociVersion\": \"1.0.0\"%s%s}", *members ? ", " : "", members) < 0)
    abort();
  return s;
}

#define PROC(extra) "\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}" extra "}"

/* ---- the schema's own test configs ---- */

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len + 4096 > cap) {
      cap = cap * 2 + 8192;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    size_t n = fread(buf + *len, 1, cap - *len - 1, f);
    if (n == 0)
      break;
    *len += n;
  }
  fclose(f);
  buf[*len] = 0;
  return buf;
}

static int for_each_json(const char *sub, void (*fn)(const char *path)) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/schema/test/config/%s", spec_dir(), sub);
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    fn(path);
    count++;
  }
  closedir(d);
  return count;
}

static void good_one(const char *path) {
  size_t len;
  char *text = read_all(path, &len);
  struct hk_error err = {0};
  struct hk_spec *s = NULL;
  int r = hk_spec_parse(text, len, "config.json", &s, &err);
  if (r < 0 && strstr(err.msg, "ociVersion: unsupported version \"0.")) {
    /* spec-example.json still says "0.5.0-dev", a pre-1.0 draft hako refuses
     * on purpose; everything else in it must parse, so retry as 1.0.0. */
    json_t *j = json_loadb(text, len, 0, NULL);
    assert_non_null(j);
    json_object_set_new(j, "ociVersion", json_string("1.0.0"));
    free(text);
    text = json_dumps(j, 0);
    json_decref(j);
    hk_error_clear(&err);
    r = hk_spec_parse(text, strlen(text), "config.json", &s, &err);
  }
  if (r < 0)
    fail_msg("%s: %s", path, err.msg);
  hk_spec_free(s);
  free(text);
}

static void bad_one(const char *path) {
  struct hk_error err = {0};
  struct hk_spec *s = NULL;
  int r = hk_spec_load(path, "config.json", &s, &err);
  if (r == 0)
    fail_msg("%s: accepted", path);
  assert_null(s);
  assert_int_equal(strncmp(err.msg, "config.json: ", 13), 0);
}

static void test_schema_good(void **state) {
  (void)state;
  int n = for_each_json("good", good_one);
  if (n < 0)
    skip();
  assert_true(n > 0);
}

static void test_schema_bad(void **state) {
  (void)state;
  int n = for_each_json("bad", bad_one);
  if (n < 0)
    skip();
  assert_true(n > 0);
}

static void test_schema_bad_reasons(void **state) {
  (void)state;
  char path[4096];
  snprintf(path, sizeof path, "%s/schema/test/config/bad", spec_dir());
  if (access(path, F_OK) != 0)
    skip();
  static const struct {
    const char *file, *msg;
  } cases[] = {
      {"linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize: "},
      {"linux-netdevice.json", "linux.netDevices[\"eth0\"].name: expected string, got 23"},
      {"linux-rdma.json",
       "linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected unsigned integer, got \"not a "
       "uint32\""},
      {"invalid-json.json", "invalid JSON at line 1 column 2: "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(path, sizeof path, "%s/schema/test/config/bad/%s", spec_dir(), cases[i].file);
    struct hk_error err = {0};
    struct hk_spec *s;
    assert_int_equal(hk_spec_load(path, "config.json", &s, &err), -EINVAL);
    if (!strstr(err.msg, cases[i].msg))
      fail_msg("%s: got \"%s\", expected \"...%s\"", cases[i].file, err.msg, cases[i].msg);
  }
}

/* ---- error messages ---- */

static void test_error_format(void **state) {
  (void)state;
  char *t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": \"root\", \"gid\": 0}}");
  expect_error(t, "config.json: process.user.uid: expected unsigned integer, got \"root\"");
  free(t);

  t = with("\"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"tmpfs\"}]");
  expect_error(t, "config.json: mounts[1].destination: required field is missing");
  free(t);

  t = with("\"mounts\": [{\"destination\": \"/a\"}, {\"destination\": 5}]");
  expect_error(t, "config.json: mounts[1].destination: expected string, got 5");
  free(t);

  t = with("\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", true]}]");
  expect_error(t, "config.json: mounts[0].options[1]: expected string, got true");
  free(t);

  t = with("\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}");
  expect_error(t, "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got 1");
  free(t);

  t = with("\"annotations\": []");
  expect_error(t, "config.json: annotations: expected object, got an array");
  free(t);

  t = with("\"hooks\": {\"poststop\": [{\"path\": \"/bin/true\"}, {\"path\": \"/x\", "
           "\"timeout\": 0}]}");
  expect_error(t, "config.json: hooks.poststop[1].timeout: must be greater than 0, got 0");
  free(t);

  expect_error("[]", "config.json: expected a JSON object at the top level, got an array");
  expect_error("{}", "config.json: ociVersion: required field is missing");
}

static void test_versions(void **state) {
  (void)state;
  static const char *const ok[] = {"1.0.0", "1.0.2-dev", "1.1.0",     "1.2.0",
                                   "1.3.0", "1.3.5",     "1.0.0-rc1", "1.2.1+build.5"};
  static const char *const bad[] = {"0.9.0",   "1.4.0",  "2.0.0",  "abc",  "",      "1.0",
                                    "1.0.0.0", "1.0.0-", "v1.0.0", "1.03", "10.0.0"};
  char buf[256];
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    snprintf(buf, sizeof buf, "{\"ociVersion\": \"%s\"}", ok[i]);
    hk_spec_free(must_parse(buf));
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char msg[256];
    snprintf(buf, sizeof buf, "{\"ociVersion\": \"%s\"}", bad[i]);
    snprintf(msg, sizeof msg,
             "config.json: ociVersion: unsupported version \"%s\" (hako supports 1.0.0 to 1.3.x)",
             bad[i]);
    expect_error(buf, msg);
  }
  expect_error("{\"ociVersion\": 1}", "config.json: ociVersion: expected string, got 1");
}

/* ---- numbers ---- */

static void test_huge_numbers(void **state) {
  (void)state;
  char *t = with(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": "
                      "18446744073709551615, \"hard\": 18446744073709551615}, "
                      "{\"type\": \"RLIMIT_CORE\", \"soft\": 9223372036854775807, "
                      "\"hard\": 9223372036854775808}]"));
  struct hk_spec *s = must_parse(t);
  assert_int_equal(s->process->n_rlimits, 2);
  assert_true(s->process->rlimits[0].soft == UINT64_MAX);
  assert_true(s->process->rlimits[0].hard == UINT64_MAX);
  assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
  assert_true(s->process->rlimits[1].soft == (uint64_t)INT64_MAX);
  assert_true(s->process->rlimits[1].hard == (uint64_t)INT64_MAX + 1);
  hk_spec_free(s);
  free(t);

  t = with(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, "
                "\"hard\": 18446744073709551616}]"));
  expect_error(t, "config.json: process.rlimits[0].hard: value 18446744073709551616 is out of "
                  "range [0, 18446744073709551615]");
  free(t);

  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 4294967296, \"gid\": 0}}");
  expect_error(t, "config.json: process.user.uid: value 4294967296 is out of range [0, "
                  "4294967295]");
  free(t);

  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}");
  expect_error(t, "config.json: process.user.uid: value -1 is out of range [0, 4294967295]");
  free(t);

  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -99999999999999999999, "
           "\"gid\": 0}}");
  expect_error_sub(t, "process.user.uid: value -99999999999999999999 is out of range");
  free(t);

  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 1e400, \"gid\": 0}}");
  expect_error_sub(t, "config.json: invalid JSON at line 1 column");
  free(t);

  /* An integral real is a number like any other; a fraction is not. */
  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 5.0, \"gid\": 1e3}}");
  s = must_parse(t);
  assert_int_equal(s->process->user.uid, 5);
  assert_int_equal(s->process->user.gid, 1000);
  hk_spec_free(s);
  free(t);
  t = with("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 5.5, \"gid\": 0}}");
  expect_error(t, "config.json: process.user.uid: expected unsigned integer, got 5.5");
  free(t);

  /* A big literal in a string field is still a number, not a string. */
  t = with("\"hostname\": 18446744073709551615");
  expect_error(t, "config.json: hostname: expected string, got 18446744073709551615");
  free(t);

  t = with("\"linux\": {\"resources\": {\"cpu\": {\"quota\": -9223372036854775808}, "
           "\"blockIO\": {\"weight\": 65535}}, \"seccomp\": {\"defaultAction\": "
           "\"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], \"action\": "
           "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 18446744073709551615, "
           "\"op\": \"SCMP_CMP_MASKED_EQ\", \"valueTwo\": 12345678901234567890}]}]}}");
  s = must_parse(t);
  assert_true(s->linux_->resources->cpu->quota == INT64_MIN);
  assert_int_equal(s->linux_->resources->block_io->weight, 65535);
  assert_true(s->linux_->seccomp->syscalls[0].args[0].value == UINT64_MAX);
  assert_true(s->linux_->seccomp->syscalls[0].args[0].value_two == 12345678901234567890ULL);
  hk_spec_free(s);
  free(t);

  t = with("\"linux\": {\"resources\": {\"cpu\": {\"quota\": -9223372036854775809}}}");
  expect_error_sub(t, "linux.resources.cpu.quota: value -9223372036854775809 is out of range");
  free(t);
  t = with("\"linux\": {\"resources\": {\"pids\": {\"limit\": "
           "123456789012345678901234567890123456789012345678901234567890}}}");
  expect_error(t, "config.json: linux.resources.pids.limit: value "
                  "123456789012345678901234567890123456789012345678901234567890 is out of range "
                  "[-9223372036854775808, 9223372036854775807]");
  free(t);
  t = with("\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 65536}}}");
  expect_error(t, "config.json: linux.resources.blockIO.weight: value 65536 is out of range "
                  "[0, 65535]");
  free(t);
  t = with("\"linux\": {\"resources\": {\"memory\": {\"swappiness\": -1}}}");
  expect_error_sub(t, "linux.resources.memory.swappiness: value -1 is out of range");
  free(t);

  /* A NUL escape of its own must not pass as a big-integer marker. */
  t = with("\"hostname\": \"\\u000018446744073709551615\", \"x\": 18446744073709551615");
  expect_error_sub(t, "config.json: invalid JSON at line 1");
  free(t);
}

/* ---- malformed input ---- */

static void test_malformed(void **state) {
  (void)state;
  char *t = with("\"hostname\": \"a\", \"hostname\": \"b\"");
  expect_error_sub(t, "invalid JSON at line 1 column");
  expect_error_sub(t, "duplicate object key");
  free(t);

  expect_error("", "config.json: file is empty");
  expect_error("  \n\t ", "config.json: file is empty");
  expect_error("{\"ociVersion\": \"1.0.0\", \"process\": {\"cwd\"",
               "config.json: invalid JSON at line 1 column 41: ':' expected near end of file");
  expect_error("{\"ociVersion\": \"1.0.0\",\n  \"hostname\": \"x\"\n  \"domainname\": \"y\"}",
               "config.json: invalid JSON at line 3 column 14: '}' expected near "
               "'\"domainname\"'");

  struct hk_error err;
  const char bad_utf8[] = "{\"ociVersion\": \"1.0.0\", \"hostname\": \"\xff\xfe\"}";
  assert_null(parse(bad_utf8, &err));
  assert_non_null(strstr(err.msg, "invalid JSON at line 1"));
  const char bad_utf8_key[] = "{\"ociVersion\": \"1.0.0\", \"\xc3\x28\": 1}";
  assert_null(parse(bad_utf8_key, &err));

  /* Embedded NUL inside the buffer. */
  const char nul[] = "{\"ociVersion\": \"1.0.0\"}\0garbage";
  struct hk_spec *s = NULL;
  assert_true(hk_spec_parse(nul, sizeof nul - 1, "config.json", &s, &err) < 0);
  assert_null(s);

  /* Deep nesting: the parser's depth limit, not the stack, must stop it. */
  size_t depth = 10000;
  char *deep = malloc(2 * depth + 64);
  assert_non_null(deep);
  size_t n = (size_t)sprintf(deep, "{\"ociVersion\": \"1.0.0\", \"x\": ");
  memset(deep + n, '[', depth);
  memset(deep + n + depth, ']', depth);
  strcpy(deep + n + 2 * depth, "}");
  expect_error_sub(deep, "maximum parsing depth reached");
  n = (size_t)sprintf(deep, "{\"ociVersion\": \"1.0.0\", \"annotations\": ");
  for (size_t i = 0; i < depth / 5; i++)
    memcpy(deep + n + 5 * i, "{\"a\":", 5);
  n += depth;
  deep[n] = 0;
  expect_error_sub(deep, "invalid JSON");
  free(deep);
}

static void test_large_config(void **state) {
  (void)state;
  /* About 10 MB: 200000 environment entries and as many annotations. */
  size_t count = 100000;
  size_t cap = count * 110 + 256;
  char *t = malloc(cap);
  assert_non_null(t);
  size_t n =
      (size_t)sprintf(t, "{\"ociVersion\": \"1.3.0\", \"process\": {\"cwd\": \"/\", \"user\": "
                         "{\"uid\": 0, \"gid\": 0}, \"env\": [");
  for (size_t i = 0; i < count; i++)
    n += (size_t)sprintf(t + n, "%s\"VAR%zu=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", i ? "," : "", i);
  n += (size_t)sprintf(t + n, "]}, \"annotations\": {");
  for (size_t i = 0; i < count; i++)
    n += (size_t)sprintf(t + n, "%s\"org.example.key%zu\": \"yyyyyyyyyyyyyyyyyyyyyyyyyyyy\"",
                         i ? "," : "", i);
  n += (size_t)sprintf(t + n, "}}");
  assert_true(n < cap);
  assert_true(n > 9 * 1000 * 1000);
  struct hk_spec *s = must_parse(t);
  assert_int_equal(s->process->n_env, count);
  assert_string_equal(s->process->env[count - 1], "VAR99999=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  assert_null(s->process->env[count]);
  assert_int_equal(s->n_annotations, count);
  hk_spec_free(s);
  free(t);
}

/* ---- fields ---- */

static void test_unknown_fields_ignored(void **state) {
  (void)state;
  char *t =
      with("\"fooBar\": {\"x\": [1, 2]}, \"solaris\": {\"milestone\": \"x\"}, "
           "\"windows\": 5, " PROC(", \"unknown\": null") ", \"linux\": {\"whatever\": "
                                                          "true, \"resources\": {\"zzz\": 1}}");
  struct hk_spec *s = must_parse(t);
  assert_non_null(s->process);
  assert_non_null(s->linux_);
  assert_non_null(s->linux_->resources);
  hk_spec_free(s);
  free(t);
}

static void test_required_fields(void **state) {
  (void)state;
  static const struct {
    const char *members, *msg;
  } cases[] = {
      {"\"root\": {}", "root.path: required field is missing"},
      {"\"root\": {\"path\": \"\"}", "root.path: must not be empty"},
      {"\"process\": {\"user\": {\"uid\": 0, \"gid\": 0}}", "process.cwd: required field"},
      {"\"process\": {\"cwd\": \"/\"}", "process.user: required field is missing"},
      {"\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0}}", "process.user.gid: required"},
      {"\"process\": {\"cwd\": \"rel\", \"user\": {\"uid\": 0, \"gid\": 0}}",
       "process.cwd: must be an absolute path, got \"rel\""},
      {PROC(", \"consoleSize\": {\"height\": 1}"), "process.consoleSize.width: required"},
      {PROC(", \"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1}]"),
       "process.rlimits[0].hard: required"},
      {PROC(", \"scheduler\": {}"), "process.scheduler.policy: required"},
      {PROC(", \"ioPriority\": {\"priority\": 1}"), "process.ioPriority.class: required"},
      {"\"hooks\": {\"prestart\": [{\"args\": []}]}", "hooks.prestart[0].path: required"},
      {"\"hooks\": {\"createRuntime\": [{\"path\": \"rel\"}]}",
       "hooks.createRuntime[0].path: must be an absolute path"},
      {"\"linux\": {\"devices\": [{\"type\": \"c\", \"major\": 1, \"minor\": 3}]}",
       "linux.devices[0].path: required"},
      {"\"linux\": {\"devices\": [{\"path\": \"/dev/null\", \"major\": 1, \"minor\": 3}]}",
       "linux.devices[0].type: required"},
      {"\"linux\": {\"devices\": [{\"path\": \"/dev/null\", \"type\": \"c\", \"minor\": 3}]}",
       "linux.devices[0].major: required"},
      {"\"linux\": {\"seccomp\": {\"syscalls\": []}}", "linux.seccomp.defaultAction: required"},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
       "[{\"names\": [\"read\"]}]}}",
       "linux.seccomp.syscalls[0].action: required"},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
       "[{\"names\": [], \"action\": \"SCMP_ACT_LOG\"}]}}",
       "linux.seccomp.syscalls[0].names: must list at least one syscall"},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
       "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, "
       "\"value\": 1}]}]}}",
       "linux.seccomp.syscalls[0].args[0].op: required"},
      {"\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000}]}",
       "linux.uidMappings[0].size: required"},
      {"\"mounts\": [{\"destination\": \"/x\", \"gidMappings\": [{\"hostID\": 1, \"size\": 1}]}]",
       "mounts[0].gidMappings[0].containerID: required"},
      {"\"linux\": {\"namespaces\": [{\"path\": \"/proc/1/ns/pid\"}]}",
       "linux.namespaces[0].type: required"},
      {"\"linux\": {\"resources\": {\"devices\": [{\"access\": \"rwm\"}]}}",
       "linux.resources.devices[0].allow: required"},
      {"\"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}}",
       "linux.resources.hugepageLimits[0].limit: required"},
      {"\"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, "
       "\"minor\": 0}]}}}",
       "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required"},
      {"\"linux\": {\"resources\": {\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}}}",
       "linux.resources.network.priorities[0].priority: required"},
      {"\"linux\": {\"memoryPolicy\": {\"nodes\": \"0\"}}", "linux.memoryPolicy.mode: required"},
      {"\"linux\": {\"personality\": {}}", "linux.personality.domain: required"},
      {"\"linux\": {\"resources\": {\"pids\": {}}}", "linux.resources.pids.limit: required"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *t = with(cases[i].members);
    expect_error_sub(t, cases[i].msg);
    free(t);
  }
}

static void test_enums(void **state) {
  (void)state;
  static const struct {
    const char *members, *msg;
  } bad[] = {
      {"\"linux\": {\"namespaces\": [{\"type\": \"net\"}]}",
       "linux.namespaces[0].type: unknown value \"net\""},
      {"\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}, {\"type\": "
       "\"pid\"}]}",
       "linux.namespaces[2]: duplicate namespace type \"pid\""},
      {PROC(", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]"),
       "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
      {PROC(", \"rlimits\": [{\"type\": \"RLIMIT_CPU\", \"soft\": 1, \"hard\": 1}, {\"type\": "
            "\"RLIMIT_CPU\", \"soft\": 1, \"hard\": 2}]"),
       "process.rlimits[1]: duplicate rlimit RLIMIT_CPU"},
      {"\"linux\": {\"rootfsPropagation\": \"rshare\"}", "linux.rootfsPropagation: unknown"},
      {"\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"x\"}]}",
       "linux.devices[0].type: unknown value \"x\""},
      {"\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"cc\"}]}",
       "linux.devices[0].type: unknown value \"cc\""},
      {PROC(", \"scheduler\": {\"policy\": \"SCHED_FAST\"}"), "process.scheduler.policy: unknown"},
      {PROC(", \"scheduler\": {\"policy\": \"SCHED_RR\", \"flags\": [\"X\"]}"),
       "process.scheduler.flags[0]: unknown"},
      {PROC(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}"),
       "process.ioPriority.class: unknown"},
      {PROC(", \"execCPUAffinity\": {\"initial\": \"0-3,a\"}"),
       "process.execCPUAffinity.initial: invalid CPU list"},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}}",
       "linux.seccomp.defaultAction: unknown value \"SCMP_ACT_NOPE\""},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
       "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_VAX\"]}}",
       "linux.seccomp.architectures[1]: unknown value \"SCMP_ARCH_VAX\""},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"X\"]}}",
       "linux.seccomp.flags[0]: unknown"},
      {"\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
       "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, "
       "\"value\": 1, \"op\": \"SCMP_CMP_XOR\"}]}]}}",
       "linux.seccomp.syscalls[0].args[0].op: unknown value \"SCMP_CMP_XOR\""},
      {"\"linux\": {\"timeOffsets\": {\"realtime\": {\"secs\": 1}}}",
       "linux.timeOffsets[\"realtime\"]: unknown value \"realtime\""},
      {"\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_X\"}}", "linux.memoryPolicy.mode: unknown"},
      {"\"linux\": {\"personality\": {\"domain\": \"LINUX64\"}}",
       "linux.personality.domain: unknown"},
      {"\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}",
       "linux.resources.devices[0].access: expected a combination"},
      {"\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"type\": \"u\"}]}}",
       "linux.resources.devices[0].type: expected"},
      {"\"linux\": {\"intelRdt\": {\"memBwSchema\": \"L3:0=ff\"}}",
       "linux.intelRdt.memBwSchema: must be one line starting with \"MB:\""},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *t = with(bad[i].members);
    expect_error_sub(t, bad[i].msg);
    free(t);
  }

  static const char *const props[] = {"private", "rprivate", "slave",      "rslave",
                                      "shared",  "rshared",  "unbindable", "runbindable"};
  for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
    char buf[128];
    snprintf(buf, sizeof buf, "\"linux\": {\"rootfsPropagation\": \"%s\"}", props[i]);
    char *t = with(buf);
    struct hk_spec *s = must_parse(t);
    assert_string_equal(s->linux_->rootfs_propagation, props[i]);
    hk_spec_free(s);
    free(t);
  }
  for (int i = 0; i < HK_NS__COUNT; i++) {
    char buf[128];
    snprintf(buf, sizeof buf, "\"linux\": {\"namespaces\": [{\"type\": \"%s\"}]}",
             hk_ns_type_name((enum hk_ns_type)i));
    char *t = with(buf);
    struct hk_spec *s = must_parse(t);
    assert_int_equal(s->linux_->namespaces[0].type, i);
    hk_spec_free(s);
    free(t);
  }
}

static void test_all_fields(void **state) {
  (void)state;
  const char *text =
      "{\"ociVersion\": \"1.3.0\", \"hostname\": \"h\", \"domainname\": \"d\","
      " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
      " \"mounts\": [{\"destination\": \"rel/dir\", \"type\": \"bind\", \"source\": \"/src\","
      "   \"options\": [\"rbind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100,"
      "   \"size\": 10}]}],"
      " \"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},"
      "   \"user\": {\"uid\": 1, \"gid\": 2, \"umask\": 18, \"additionalGids\": [5, 6],"
      "   \"username\": \"u\"}, \"args\": [\"sh\", \"-c\"], \"commandLine\": \"sh -c\","
      "   \"env\": [\"A=1\"], \"cwd\": \"/w\", \"capabilities\": {\"bounding\": [\"CAP_KILL\"],"
      "   \"ambient\": []}, \"noNewPrivileges\": true, \"apparmorProfile\": \"ap\","
      "   \"oomScoreAdj\": -500, \"selinuxLabel\": \"sl\", \"scheduler\": {\"policy\":"
      "   \"SCHED_DEADLINE\", \"nice\": -5, \"priority\": 3, \"flags\":"
      "   [\"SCHED_FLAG_RECLAIM\"], \"runtime\": 10, \"deadline\": 20, \"period\": 30},"
      "   \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4},"
      "   \"execCPUAffinity\": {\"initial\": \"0-1\", \"final\": \"2, 3\"}},"
      " \"hooks\": {\"startContainer\": [{\"path\": \"/h\", \"args\": [\"h\"], \"env\":"
      "   [\"X=y\"], \"timeout\": 7}]},"
      " \"annotations\": {\"k\": \"v\"},"
      " \"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"network\", \"path\":"
      "   \"/run/netns/x\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000,"
      "   \"size\": 1}], \"timeOffsets\": {\"boottime\": {\"secs\": -3, \"nanosecs\": 9}},"
      "   \"devices\": [{\"path\": \"/dev/fifo\", \"type\": \"p\", \"fileMode\": 420}],"
      "   \"netDevices\": {\"eth1\": {\"name\": \"ceth\"}}, \"cgroupsPath\": \"a:b:c\","
      "   \"resources\": {\"memory\": {\"limit\": -1, \"checkBeforeUpdate\": true},"
      "   \"cpu\": {\"idle\": 1, \"cpus\": \"0\"}, \"pids\": {\"limit\": -1},"
      "   \"rdma\": {\"mlx\": {\"hcaObjects\": 4}}, \"unified\": {\"memory.high\": \"1G\"},"
      "   \"network\": {\"classID\": 7}},"
      "   \"intelRdt\": {\"closID\": \"c\", \"schemata\": [\"L3:0=f\"], \"memBwSchema\":"
      "   \"MB:0=70\", \"enableMonitoring\": true},"
      "   \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0-1\", \"flags\":"
      "   [\"MPOL_F_STATIC_NODES\"]},"
      "   \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
      "   \"listenerPath\": \"/l\", \"listenerMetadata\": \"m\", \"flags\":"
      "   [\"SECCOMP_FILTER_FLAG_LOG\"]},"
      "   \"mountLabel\": \"ml\", \"personality\": {\"domain\": \"LINUX32\", \"flags\": []}}}";
  struct hk_spec *s = must_parse(text);
  assert_string_equal(s->mounts[0].destination, "rel/dir");
  assert_int_equal(s->mounts[0].uid_mappings[0].host_id, 100);
  struct hk_process *p = s->process;
  assert_true(p->terminal && p->has_console_size);
  assert_int_equal(p->console_width, 80);
  assert_true(p->user.has_umask);
  assert_int_equal(p->user.umask, 18);
  assert_int_equal(p->user.n_additional_gids, 2);
  assert_int_equal(p->user.additional_gids[1], 6);
  assert_null(p->args[2]);
  assert_non_null(p->capabilities->ambient);
  assert_int_equal(p->capabilities->n_ambient, 0);
  assert_null(p->capabilities->effective);
  assert_int_equal(p->oom_score_adj, -500);
  assert_int_equal(p->scheduler->nice, -5);
  assert_true(p->scheduler->has_period && p->scheduler->period == 30);
  assert_string_equal(p->io_priority->class_, "IOPRIO_CLASS_BE");
  assert_string_equal(p->exec_cpu_affinity->final, "2, 3");
  assert_int_equal(s->hooks.start_container.n, 1);
  assert_int_equal(s->hooks.start_container.hooks[0].timeout, 7);
  assert_string_equal(s->annotations[0].value, "v");
  struct hk_linux *l = s->linux_;
  assert_non_null(hk_spec_namespace(s, HK_NS_USER));
  assert_string_equal(hk_spec_namespace(s, HK_NS_NETWORK)->path, "/run/netns/x");
  assert_null(hk_spec_namespace(s, HK_NS_PID));
  assert_string_equal(l->time_offsets[0].clock, "boottime");
  assert_true(l->time_offsets[0].secs == -3);
  assert_int_equal(l->devices[0].type, 'p');
  assert_false(l->devices[0].has_major);
  assert_string_equal(l->net_devices[0].host_name, "eth1");
  assert_true(l->resources->memory->has_limit && l->resources->memory->limit == -1);
  assert_true(l->resources->has_pids_limit && l->resources->pids_limit == -1);
  assert_string_equal(l->resources->rdma[0].device, "mlx");
  assert_false(l->resources->rdma[0].has_hca_handles);
  assert_string_equal(l->resources->unified[0].key, "memory.high");
  assert_true(l->intel_rdt->enable_monitoring);
  assert_string_equal(l->memory_policy->flags[0], "MPOL_F_STATIC_NODES");
  assert_int_equal(l->seccomp->default_errno_ret, 38);
  assert_string_equal(l->personality->domain, "LINUX32");
  hk_spec_free(s);
}

/* ---- defaults ---- */

static void test_default_spec(void **state) {
  (void)state;
  char *text = hk_spec_default_json(false, 0, 0);
  assert_non_null(text);
  assert_int_equal(text[strlen(text) - 1], '\n');
  struct hk_spec *s = must_parse(text);
  assert_string_equal(s->oci_version, "1.3.0");
  assert_false(s->process->terminal);
  assert_string_equal(s->process->args[0], "sh");
  assert_true(s->process->no_new_privileges);
  assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
  assert_string_equal(s->root_path, "rootfs");
  assert_true(s->root_readonly);
  assert_string_equal(s->hostname, "hako");
  assert_int_equal(s->n_mounts, 7);
  assert_string_equal(s->mounts[2].options[5], "gid=5");
  assert_string_equal(s->mounts[5].type, "sysfs");
  assert_null(s->linux_->resources);
  assert_int_equal(s->linux_->n_namespaces, 6);
  assert_non_null(hk_spec_namespace(s, HK_NS_NETWORK));
  assert_null(hk_spec_namespace(s, HK_NS_USER));
  assert_int_equal(s->linux_->n_uid_mappings, 0);
  assert_true(s->linux_->n_masked_paths > 5);
  hk_spec_free(s);
  free(text);

  text = hk_spec_default_json(true, 1234, 5678);
  assert_non_null(text);
  s = must_parse(text);
  assert_null(hk_spec_namespace(s, HK_NS_NETWORK));
  assert_non_null(hk_spec_namespace(s, HK_NS_USER));
  assert_int_equal(s->linux_->n_uid_mappings, 1);
  assert_int_equal(s->linux_->uid_mappings[0].host_id, 1234);
  assert_int_equal(s->linux_->uid_mappings[0].container_id, 0);
  assert_int_equal(s->linux_->uid_mappings[0].size, 1);
  assert_int_equal(s->linux_->gid_mappings[0].host_id, 5678);
  for (size_t i = 0; i < s->n_mounts; i++) {
    for (size_t j = 0; j < s->mounts[i].n_options; j++)
      assert_int_not_equal(strncmp(s->mounts[i].options[j], "gid=", 4), 0);
    if (strcmp(s->mounts[i].destination, "/sys") == 0) {
      assert_string_equal(s->mounts[i].source, "/sys");
      assert_string_equal(s->mounts[i].options[0], "rbind");
    }
  }
  assert_null(s->linux_->resources);
  hk_spec_free(s);
  free(text);
}

/* ---- names and files ---- */

static void test_ns_names(void **state) {
  (void)state;
  assert_int_equal(hk_ns_type_from_name("network"), HK_NS_NETWORK);
  assert_int_equal(hk_ns_type_from_name("time"), HK_NS_TIME);
  assert_int_equal(hk_ns_type_from_name("net"), -1);
  assert_int_equal(hk_ns_type_from_name(NULL), -1);
  assert_string_equal(hk_ns_type_name(HK_NS_CGROUP), "cgroup");
  assert_null(hk_ns_type_name(HK_NS__COUNT));
  assert_null(hk_spec_namespace(NULL, HK_NS_PID));
}

static void test_load(void **state) {
  (void)state;
  char path[] = "/tmp/hako-test-spec-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *text = "{\"ociVersion\": \"1.2.0\", \"hostname\": \"x\"}";
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  struct hk_spec *s;
  struct hk_error err = {0};
  assert_int_equal(hk_spec_load(path, "config.json", &s, &err), 0);
  assert_string_equal(s->hostname, "x");
  hk_spec_free(s);

  fd = open(path, O_WRONLY | O_TRUNC);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(hk_spec_load(path, "config.json", &s, &err), -EINVAL);
  assert_string_equal(err.msg, "config.json: file is empty");
  unlink(path);

  hk_error_clear(&err);
  assert_int_equal(hk_spec_load(path, "config.json", &s, &err), -ENOENT);
  assert_null(s);
  assert_non_null(strstr(err.msg, path));

  hk_error_clear(&err);
  assert_int_equal(hk_spec_load("/", "config.json", &s, &err), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema_good),
      cmocka_unit_test(test_schema_bad),
      cmocka_unit_test(test_schema_bad_reasons),
      cmocka_unit_test(test_error_format),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_huge_numbers),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_large_config),
      cmocka_unit_test(test_unknown_fields_ignored),
      cmocka_unit_test(test_required_fields),
      cmocka_unit_test(test_enums),
      cmocka_unit_test(test_all_fields),
      cmocka_unit_test(test_default_spec),
      cmocka_unit_test(test_ns_names),
      cmocka_unit_test(test_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
