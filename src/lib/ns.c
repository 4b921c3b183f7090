#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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
    return hk_error_sys(err, "%s namespace path %s", hk_ns_type_name(type),
                        path);
  int kind = ioctl(fd, NS_GET_NSTYPE);
  if (kind < 0) {
    int r = hk_error_sys(err, "%s is not a namespace", path);
    close(fd);
    return r;
  }
  if (kind != hk_ns_clone_flag(type)) {
    close(fd);
    return hk_error_set(err, EINVAL, "%s is not a %s namespace", path,
                        hk_ns_type_name(type));
  }
  return fd;
}

int hk_ns_join_path(enum hk_ns_type type, const char *path, struct hk_error *err) {
  _cleanup_close_ int fd = hk_ns_open_checked(type, path, err);
  if (fd < 0)
    return hk_error_prefix(err, "linux.namespaces");
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

bool hk_in_user_ns(void) {
  char buf[256];
  int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false; /* no proc: assume the initial namespace */
  ssize_t n = hk_read_all(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return false;
  buf[n] = 0;
  unsigned long inside, outside, count;
  char rest;
  /* one line, exactly the identity map */
  int k = sscanf(buf, " %lu %lu %lu %c", &inside, &outside, &count, &rest);
  return !(k == 3 && inside == 0 && outside == 0 && count == 4294967295UL);
}

bool hk_idmap_is_self(const struct hk_idmap *maps, size_t n, uint32_t self) {
  return n == 1 && maps[0].size == 1 && maps[0].host_id == self;
}

/* The login name of uid from /etc/passwd ("uid N" when it has none there):
 * the static binary has no NSS. */
static void user_name(uid_t uid, char *buf, size_t size) {
  snprintf(buf, size, "uid %u", (unsigned)uid);
  struct hk_error ignore = {0};
  char *text = NULL;
  if (hk_read_file("/etc/passwd", 1 << 22, &text, NULL, &ignore) < 0)
    return;
  for (char *line = text; line && *line;) {
    char *end = strchr(line, '\n'), *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 && (!end || c2 < end) && strtoul(c2 + 1, NULL, 10) == uid &&
        c2[1] >= '0' && c2[1] <= '9' && (size_t)(c1 - line) < size) {
      snprintf(buf, size, "%.*s", (int)(c1 - line), line);
      break;
    }
    line = end ? end + 1 : NULL;
  }
  free(text);
}

/* What to add to /etc/subuid (or subgid) so that the helper accepts maps: the
 * line for the first range that is not the caller's own id, and the usermod
 * command that adds it. */
static void idmap_fix(const struct hk_idmap *maps, size_t n, const char *subfile, char *buf,
                      size_t size) {
  bool gid = strstr(subfile, "subgid") != NULL;
  uint32_t self = gid ? (uint32_t)getegid() : (uint32_t)geteuid();
  char name[64];
  user_name(geteuid(), name, sizeof name);
  for (size_t i = 0; i < n; i++) {
    if (maps[i].size == 1 && maps[i].host_id == self)
      continue;
    uint32_t first = maps[i].host_id, last = maps[i].host_id + maps[i].size - 1;
    snprintf(buf, size,
             "%s must give %s the host ids %u-%u: add the line \"%s:%u:%u\" to it (as root: "
             "usermod --add-sub%cids %u-%u %s)",
             subfile, name, first, last, name, first, maps[i].size, gid ? 'g' : 'u', first, last,
             name);
    return;
  }
  snprintf(buf, size, "%s must list the ranges of the mapping for %s", subfile, name);
}

/* Multi-range maps of an unprivileged user go through the setuid helpers of
 * Debian's uidmap package, which check /etc/subuid and /etc/subgid. */
static int run_idmap_helper(const char *helper, pid_t pid, const struct hk_idmap *maps, size_t n,
                            const char *what, const char *subfile, struct hk_error *err) {
  char *argv[3 + 3 * 64 + 1];
  char nums[3 * 64 + 1][16];
  if (n > 64)
    return hk_error_set(err, E2BIG, "%s: too many ranges", what);
  size_t k = 0;
  argv[k++] = (char *)helper;
  snprintf(nums[0], sizeof nums[0], "%d", (int)pid);
  argv[k++] = nums[0];
  for (size_t i = 0; i < n; i++) {
    uint32_t v[3] = {maps[i].container_id, maps[i].host_id, maps[i].size};
    for (int j = 0; j < 3; j++) {
      snprintf(nums[1 + 3 * i + j], sizeof nums[0], "%u", v[j]);
      argv[k++] = nums[1 + 3 * i + j];
    }
  }
  argv[k] = NULL;
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0)
    return hk_error_sys(err, "%s: pipe", what);
  pid_t child = fork();
  if (child < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return hk_error_sys(err, "%s: fork", what);
  }
  if (child == 0) {
    dup2(pfd[1], 2);
    execvp(helper, argv);
    _exit(errno == ENOENT ? 127 : 126);
  }
  close(pfd[1]);
  char out[512];
  ssize_t got = hk_read_all(pfd[0], out, sizeof out - 1);
  close(pfd[0]);
  out[got > 0 ? got : 0] = 0;
  if (got > 0 && out[got - 1] == '\n')
    out[got - 1] = 0;
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  char fix[512];
  idmap_fix(maps, n, subfile, fix, sizeof fix);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return hk_error_set(err, ENOENT,
                        "%s: more than your own id needs %s, which is not in PATH: install it "
                        "(apt-get install uidmap), then %s",
                        what, helper, fix);
  return hk_error_set(err, EPERM,
                      "%s: %s failed (%s): %s; %s must be setuid root (as the uidmap package "
                      "installs it)",
                      what, helper, *out ? out : "no message", fix, helper);
}

int hk_idmap_write_unprivileged(pid_t pid, const struct hk_idmap *uid, size_t n_uid,
                                const struct hk_idmap *gid, size_t n_gid, struct hk_error *err) {
  int r;
  if (hk_idmap_is_self(uid, n_uid, geteuid()))
    r = hk_idmap_write(pid, "uid_map", uid, n_uid, "linux.uidMappings", err);
  else
    r = run_idmap_helper("newuidmap", pid, uid, n_uid, "linux.uidMappings", "/etc/subuid", err);
  if (r < 0)
    return r;
  if (hk_idmap_is_self(gid, n_gid, getegid())) {
    /* the kernel lets an unprivileged process map its own gid only after
     * giving up setgroups */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    r = hk_write_string(path, "deny", err);
    if (r == 0)
      r = hk_idmap_write(pid, "gid_map", gid, n_gid, "linux.gidMappings", err);
    return r;
  }
  return run_idmap_helper("newgidmap", pid, gid, n_gid, "linux.gidMappings", "/etc/subgid", err);
}
