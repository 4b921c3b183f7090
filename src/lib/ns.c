#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int hk_ns_clone_flag(enum hk_ns_type type) {
  static const int flags[HK_NS__COUNT] = {
      [HK_NS_PID] = CLONE_NEWPID,       [HK_NS_NETWORK] = CLONE_NEWNET,
      [HK_NS_MOUNT] = CLONE_NEWNS,      [HK_NS_IPC] = CLONE_NEWIPC,
      [HK_NS_UTS] = CLONE_NEWUTS,       [HK_NS_USER] = CLONE_NEWUSER,
      [HK_NS_CGROUP] = CLONE_NEWCGROUP, [HK_NS_TIME] = CLONE_NEWTIME,
  };
  return (unsigned)type < HK_NS__COUNT ? flags[type] : 0;
}

int hk_ns_open_checked(enum hk_ns_type type, const char *path, struct hk_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "linux.namespaces: %s namespace path %s", hk_ns_type_name(type),
                        path);
  int kind = ioctl(fd, NS_GET_NSTYPE);
  if (kind < 0) {
    int r = hk_error_sys(err, "linux.namespaces: %s is not a namespace", path);
    close(fd);
    return r;
  }
  if (kind != hk_ns_clone_flag(type)) {
    close(fd);
    return hk_error_set(err, EINVAL, "linux.namespaces: %s is not a %s namespace", path,
                        hk_ns_type_name(type));
  }
  return fd;
}

int hk_ns_join_path(enum hk_ns_type type, const char *path, struct hk_error *err) {
  _cleanup_close_ int fd = hk_ns_open_checked(type, path, err);
  if (fd < 0)
    return fd;
  if (setns(fd, hk_ns_clone_flag(type)) < 0)
    return hk_error_sys(err, "join %s namespace %s", hk_ns_type_name(type), path);
  return 0;
}

int hk_idmap_write(pid_t pid, const char *file, const struct hk_idmap *maps, size_t n,
                   const char *what, struct hk_error *err) {
  char buf[4096], path[64];
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(buf + off, sizeof buf - off, "%u %u %u\n", maps[i].container_id,
                     maps[i].host_id, maps[i].size);
    if (w < 0 || (size_t)w >= sizeof buf - off)
      return hk_error_set(err, E2BIG, "%s: too many mappings", what);
    off += (size_t)w;
  }
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open %s", path);
  if (write(fd, buf, off) != (ssize_t)off)
    return hk_error_sys(err, "%s: write %s (overlapping, empty or unpermitted ranges?)", what,
                        path);
  return 0;
}

bool hk_idmap_to_host(const struct hk_idmap *maps, size_t n, uint32_t id, uint32_t *host) {
  for (size_t i = 0; i < n; i++) {
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size) {
      *host = maps[i].host_id + (id - maps[i].container_id);
      return true;
    }
  }
  return false;
}
