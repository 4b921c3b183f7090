#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

static int openat2_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  return fd < 0 ? -1 : (int)fd;
}

/* Resolve `path` in the root; when a component is missing, create it (a
 * directory, or for the last component with as_file an empty file).  A
 * dangling symlink is followed inside the root: its target is created
 * instead, so a link that points "out" of the rootfs lands inside it. */
static int open_create(int rootfd, const char *path, bool as_file, int depth,
                       struct hk_error *err) {
  if (depth > 40)
    return hk_error_set(err, ELOOP, "resolve %s in the rootfs: too many symlinks", path);
  int fd = openat2_in_root(rootfd, path, O_PATH);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return hk_error_sys(err, "resolve %s in the rootfs", path);

  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return hk_error_set(err, ENAMETOOLONG, "%s: path too long", path);
  /* strip trailing slashes, then split off the last component */
  size_t len = strlen(buf);
  while (len > 1 && buf[len - 1] == '/')
    buf[--len] = 0;
  char *slash = strrchr(buf, '/');
  const char *name = slash ? slash + 1 : buf;
  char parent[PATH_MAX];
  if (!slash)
    strcpy(parent, ".");
  else if (slash == buf)
    strcpy(parent, "/");
  else {
    *slash = 0;
    snprintf(parent, sizeof parent, "%s", buf);
  }
  if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return hk_error_set(err, EINVAL, "resolve %s in the rootfs: invalid path", path);

  _cleanup_close_ int pfd = open_create(rootfd, parent, false, depth + 1, err);
  if (pfd < 0)
    return pfd;
  _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_sys(err, "open %s in the rootfs as a directory", parent);
  int r;
  if (as_file) {
    r = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (r >= 0)
      close(r);
  } else {
    r = mkdirat(dfd, name, 0755);
  }
  if (r < 0 && errno == EEXIST) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
    if (n < 0)
      return hk_error_sys(err, "create %s in the rootfs", path);
    target[n] = 0;
    char next[PATH_MAX * 2];
    if (target[0] == '/')
      snprintf(next, sizeof next, "%s", target);
    else
      snprintf(next, sizeof next, "%s/%s", parent, target);
    return open_create(rootfd, next, as_file, depth + 1, err);
  }
  if (r < 0)
    return hk_error_sys(err, "create %s in the rootfs", path);
  fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open %s in the rootfs", path);
  return fd;
}

int hk_open_in_root(int rootfd, const char *path, bool create, bool as_file, struct hk_error *err) {
  if (!create) {
    int fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd < 0)
      return hk_error_sys(err, "resolve %s in the rootfs", path);
    return fd;
  }
  return open_create(rootfd, path, as_file, 0, err);
}
