/* features.json: what this build really implements (features.md). */
#include <jansson.h>
#include <stdlib.h>

#include "security/caps.h"
#include "hako.h"

static json_t *strings(const char *const *v) {
  json_t *a = json_array();
  for (; *v; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

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
  json_t *seccomp = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
                              strings(seccomp_actions), "operators", strings(seccomp_ops),
                              "archs", strings(seccomp_archs), "knownFlags",
                              strings(seccomp_flags), "supportedFlags", strings(seccomp_flags));
  json_t *linux_ = json_pack(
      "{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}, s:{s:{s:b}}}",
      "namespaces", strings(namespaces), "capabilities", caps, "cgroup", "v1", 1, "v2", 1,
      "systemd", 0, "systemdUser", 0, "rdma", 1, "seccomp", seccomp, "apparmor", "enabled", 1,
      "selinux", "enabled", 1, "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled",
      1);
  json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0",
                        "ociVersionMax", "1.3.0", "hooks", strings(hooks), "mountOptions",
                        strings(mount_options), "linux", linux_, "annotations",
                        "org.opencontainers.runtime-spec.features", "hako " HAKO_VERSION);
  char *s = json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
  json_decref(o);
  return s;
}
