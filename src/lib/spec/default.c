/* The config `hako spec` writes: runc's example, adjusted where noted.  It is
 * kept as JSON text (smaller than building it call by call) and patched for
 * the rootless variant. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

/* terminal is false (runc says true) so `hako run` works without a tty.  No
 * linux.resources: cgroup limits are opt-in, and a rootless container usually
 * may not set them anyway. */
static const char template_json[] =
    "{\"ociVersion\":\"1.3.0\","
    "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "\"TERM=xterm\"],\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"hako\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
    "\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
    "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
    "\"/sys/firmware\",\"/sys/devices/virtual/powercap\",\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "\"/proc/sysrq-trigger\"]}}";

static json_t *one_mapping(unsigned long host) {
  json_t *a = json_array(), *m = json_object();
  if (!a || !m || json_object_set_new(m, "containerID", json_integer(0)) ||
      json_object_set_new(m, "hostID", json_integer((json_int_t)host)) ||
      json_object_set_new(m, "size", json_integer(1)) || json_array_append_new(a, m)) {
    json_decref(a);
    return NULL;
  }
  return a;
}

static int patch_rootless(json_t *root, json_t *old, uid_t uid, gid_t gid) {
  json_t *mounts = json_object_get(root, "mounts");
  /* gid=5 needs a mapped tty group, which a rootless container lacks */
  json_t *pts_opts = json_object_get(json_array_get(mounts, 2), "options");
  if (json_array_remove(pts_opts, json_array_size(pts_opts) - 1))
    return -1;
  /* a user namespace may not mount a fresh sysfs without a network namespace
   * of its own: bind the host's instead, as runc does */
  json_t *sys = json_array_get(mounts, 5);
  if (json_object_set_new(sys, "type", json_string("none")) ||
      json_object_set_new(sys, "source", json_string("/sys")) ||
      json_array_insert_new(json_object_get(sys, "options"), 0, json_string("rbind")))
    return -1;
  /* the mappings come first in linux, as runc writes them */
  json_t *lx = json_object();
  if (!lx || json_object_set_new(root, "linux", lx) ||
      json_object_set_new(lx, "uidMappings", one_mapping(uid)) ||
      json_object_set_new(lx, "gidMappings", one_mapping(gid)))
    return -1;
  const char *key;
  json_t *v;
  json_object_foreach(old, key, v) {
    if (json_object_set(lx, key, v))
      return -1;
  }
  /* no network namespace: an unprivileged one would have no usable link; the
   * user namespace comes instead */
  json_t *ns = json_object_get(lx, "namespaces");
  if (json_array_remove(ns, 1))
    return -1;
  json_t *user = json_object();
  if (!user || json_object_set_new(user, "type", json_string("user")) ||
      json_array_append_new(ns, user))
    return -1;
  return 0;
}

static int make_rootless(json_t *root, uid_t uid, gid_t gid) {
  json_t *old_linux = json_incref(json_object_get(root, "linux"));
  int r = patch_rootless(root, old_linux, uid, gid);
  json_decref(old_linux);
  return r;
}

char *hk_spec_default_json(bool rootless, uid_t uid, gid_t gid) {
  json_t *root = json_loads(template_json, 0, NULL);
  if (!root)
    return NULL;
  if (rootless && make_rootless(root, uid, gid) < 0) {
    json_decref(root);
    return NULL;
  }
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
