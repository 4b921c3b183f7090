/* features.json: what this build really implements (features.md). */
#include <jansson.h>
#include <stdlib.h>

#include "security/caps.h"
#include "hako.h"
#include "util.h"

static const char *const hooks[] = {"prestart",  "createRuntime", "createContainer",
                                    "startContainer", "poststart", "poststop", NULL};
static const char *const mount_options[] = {
    "async",  "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
    "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
    "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
    "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime",
    "rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid",
    "rnosymfollow", "ridmap", "idmap", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave",
    "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave",
    "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable", NULL};
static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network",
                                         "pid",    "time", "user",  "uts", NULL};
static const char *const seccomp_actions[] = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP", NULL};
static const char *const seccomp_ops[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
    "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL};
static const char *const seccomp_archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
                                            NULL};
static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC", NULL};

char *hako_features_json(void) {
  json_t *caps = json_array();
  for (int i = 0; i <= hk_cap_last_known(); i++)
    if (hk_cap_name(i))
      json_array_append_new(caps, json_string(hk_cap_name(i)));
  json_t *seccomp = hk_jobj("enabled", json_true(), "actions", hk_jstrs(seccomp_actions),
                            "operators", hk_jstrs(seccomp_ops), "archs", hk_jstrs(seccomp_archs),
                            "knownFlags", hk_jstrs(seccomp_flags), "supportedFlags",
                            hk_jstrs(seccomp_flags), NULL);
  json_t *cgroup = hk_jobj("v1", json_true(), "v2", json_true(), "systemd", json_false(),
                           "systemdUser", json_false(), "rdma", json_true(), NULL);
  json_t *linux_ = hk_jobj(
      "namespaces", hk_jstrs(namespaces), "capabilities", caps, "cgroup", cgroup, "seccomp",
      seccomp, "apparmor", hk_jobj("enabled", json_true(), NULL), "selinux",
      hk_jobj("enabled", json_true(), NULL), "intelRdt", hk_jobj("enabled", json_false(), NULL),
      "mountExtensions", hk_jobj("idmap", hk_jobj("enabled", json_true(), NULL), NULL), NULL);
  /* runc's key; true only when criu works on this kernel (`criu check`) */
  struct hk_error ignored = {0};
  bool criu = hako_criu_usable(NULL, &ignored) == 0;
  json_t *o = hk_jobj("ociVersionMin", json_string("1.0.0"), "ociVersionMax",
                      json_string("1.3.0"), "hooks", hk_jstrs(hooks), "mountOptions",
                      hk_jstrs(mount_options), "linux", linux_, "annotations",
                      hk_jobj("org.opencontainers.runtime-spec.features",
                              json_string("hako " HAKO_VERSION),
                              "org.opencontainers.runc.checkpoint.enabled",
                              json_string(criu ? "true" : "false"), NULL),
                      NULL);
  if (!o)
    return NULL;
  char *s = json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
  json_decref(o);
  return s;
}
