/* The config `hako spec` writes: runc's example, adjusted where noted. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static json_t *caps(void) {
  return json_pack("[s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
}

static json_t *process(void) {
  /* terminal is false (runc says true) so `hako run` works without a tty. */
  // clang-format off
  return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:o, s:o, s:o}, "
                   "s:[{s:s, s:i, s:i}], s:b}",
                   "terminal", 0,
                   "user", "uid", 0, "gid", 0,
                   "args", "sh",
                   "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          "TERM=xterm",
                   "cwd", "/",
                   "capabilities", "bounding", caps(), "effective", caps(), "permitted", caps(),
                   "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
                   "noNewPrivileges", 1);
  // clang-format on
}

static json_t *mounts(bool rootless) {
  // clang-format off
  json_t *m = json_pack(
      "[{s:s, s:s, s:s},"
      " {s:s, s:s, s:s, s:[s,s,s,s]},"
      " {s:s, s:s, s:s, s:[s,s,s,s,s]},"
      " {s:s, s:s, s:s, s:[s,s,s,s,s]},"
      " {s:s, s:s, s:s, s:[s,s,s]}]",
      "destination", "/proc", "type", "proc", "source", "proc",
      "destination", "/dev", "type", "tmpfs", "source", "tmpfs",
        "options", "nosuid", "strictatime", "mode=755", "size=65536k",
      "destination", "/dev/pts", "type", "devpts", "source", "devpts",
        "options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
      "destination", "/dev/shm", "type", "tmpfs", "source", "shm",
        "options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
      "destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue",
        "options", "nosuid", "noexec", "nodev");
  // clang-format on
  if (!m)
    return NULL;
  /* gid=5 needs a mapped tty group, which a rootless container lacks. */
  if (!rootless &&
      json_array_append_new(json_object_get(json_array_get(m, 2), "options"), json_string("gid=5")))
    goto fail;
  json_t *sys;
  if (rootless)
    /* A user namespace may not mount a fresh sysfs without a network
     * namespace of its own; bind the host's instead, as runc does. */
    sys = json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys", "type", "none",
                    "source", "/sys", "options", "rbind", "nosuid", "noexec", "nodev", "ro");
  else
    sys = json_pack("{s:s, s:s, s:s, s:[s,s,s,s]}", "destination", "/sys", "type", "sysfs",
                    "source", "sysfs", "options", "nosuid", "noexec", "nodev", "ro");
  if (json_array_append_new(m, sys))
    goto fail;
  json_t *cg =
      json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys/fs/cgroup", "type", "cgroup",
                "source", "cgroup", "options", "nosuid", "noexec", "nodev", "relatime", "ro");
  if (json_array_append_new(m, cg))
    goto fail;
  return m;
fail:
  json_decref(m);
  return NULL;
}

static json_t *linux_section(bool rootless, uid_t uid, gid_t gid) {
  json_t *l = json_object();
  if (!l)
    return NULL;
  if (rootless) {
    /* Container root is the calling user; nothing else is mapped. */
    json_t *um = json_pack("[{s:I, s:I, s:i}]", "containerID", (json_int_t)0, "hostID",
                           (json_int_t)uid, "size", 1);
    if (json_object_set_new(l, "uidMappings", um))
      goto fail;
    json_t *gm = json_pack("[{s:I, s:I, s:i}]", "containerID", (json_int_t)0, "hostID",
                           (json_int_t)gid, "size", 1);
    if (json_object_set_new(l, "gidMappings", gm))
      goto fail;
  }
  json_t *ns;
  if (rootless)
    /* No network namespace: an unprivileged one would have no usable link. */
    ns = json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}]", "type", "pid", "type", "ipc", "type",
                   "uts", "type", "mount", "type", "cgroup", "type", "user");
  else
    ns = json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}]", "type", "pid", "type", "network",
                   "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup");
  if (json_object_set_new(l, "namespaces", ns))
    goto fail;
  json_t *masked = json_pack("[s,s,s,s,s,s,s,s,s,s,s]", "/proc/acpi", "/proc/asound", "/proc/kcore",
                             "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                             "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                             "/sys/devices/virtual/powercap", "/proc/scsi");
  if (json_object_set_new(l, "maskedPaths", masked))
    goto fail;
  json_t *ro = json_pack("[s,s,s,s,s]", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                         "/proc/sysrq-trigger");
  if (json_object_set_new(l, "readonlyPaths", ro))
    goto fail;
  return l;
fail:
  json_decref(l);
  return NULL;
}

char *hk_spec_default_json(bool rootless, uid_t uid, gid_t gid) {
  /* No linux.resources: cgroup limits are opt-in, and a rootless container
   * usually may not set them anyway. */
  json_t *root =
      json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.3.0", "process",
                process(), "root", "path", "rootfs", "readonly", 1, "hostname", "hako", "mounts",
                mounts(rootless), "linux", linux_section(rootless, uid, gid));
  if (!root)
    return NULL;
  char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!text)
    return NULL;
  /* A text file ends with a newline; jansson does not add one. */
  size_t len = strlen(text);
  char *out = realloc(text, len + 2);
  if (!out) {
    free(text);
    return NULL;
  }
  out[len] = '\n';
  out[len + 1] = 0;
  return out;
}
