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

#define MAX_SYMLINKS 40

/* Open the directories of `rel` (already resolved: no symlinks, no "..")
 * one by one from the root. */
static int walk_resolved(int rootfd, const char *rel) {
  int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", rel);
  char *save = NULL;
  for (char *c = strtok_r(buf, "/", &save); cur >= 0 && c; c = strtok_r(NULL, "/", &save)) {
    int next = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(cur);
    cur = next;
  }
  return cur;
}

/* RESOLVE_IN_ROOT done by hand, for kernels without openat2: one component
 * at a time with O_PATH|O_NOFOLLOW; a symlink's target is spliced into the
 * rest of the path (an absolute one restarts at the root); ".." pops a
 * component and re-walks from the root, so it can never climb above it. */
static int resolve_in_root_by_hand(int rootfd, const char *path) {
  char todo[PATH_MAX * 2], done[PATH_MAX] = "";
  if (snprintf(todo, sizeof todo, "%s", path) >= (int)sizeof todo) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int links = 0;
  size_t pos = 0;
  while (cur >= 0) {
    while (todo[pos] == '/')
      pos++;
    if (!todo[pos])
      return cur;
    size_t end = pos;
    while (todo[end] && todo[end] != '/')
      end++;
    char name[NAME_MAX + 1];
    if (end - pos > NAME_MAX) {
      close(cur);
      errno = ENAMETOOLONG;
      return -1;
    }
    memcpy(name, todo + pos, end - pos);
    name[end - pos] = 0;
    pos = end;
    if (strcmp(name, ".") == 0)
      continue;
    if (strcmp(name, "..") == 0) {
      char *slash = strrchr(done, '/');
      *(slash ? slash : done) = 0;
      close(cur);
      cur = walk_resolved(rootfd, done);
      continue;
    }
    int next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (next < 0 || fstat(next, &st) < 0) {
      int e = errno;
      if (next >= 0)
        close(next);
      close(cur);
      errno = e;
      return -1;
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX], rest[PATH_MAX * 2];
      ssize_t n = readlinkat(next, "", target, sizeof target - 1);
      close(next);
      if (n < 0 || ++links > MAX_SYMLINKS) {
        close(cur);
        errno = n < 0 ? errno : ELOOP;
        return -1;
      }
      target[n] = 0;
      if (snprintf(rest, sizeof rest, "%s/%s", target, todo + pos) >= (int)sizeof rest) {
        close(cur);
        errno = ENAMETOOLONG;
        return -1;
      }
      snprintf(todo, sizeof todo, "%s", rest);
      pos = 0;
      if (target[0] == '/') {
        done[0] = 0;
        close(cur);
        cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      }
      continue;
    }
    size_t dl = strlen(done);
    if (dl + 1 + strlen(name) >= sizeof done) {
      close(next);
      close(cur);
      errno = ENAMETOOLONG;
      return -1;
    }
    snprintf(done + dl, sizeof done - dl, "/%s", name);
    close(cur);
    cur = next;
  }
  return -1;
}

static int openat2_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = hk_openat2(rootfd, path, &how);
  if (fd < 0 && errno == ENOSYS && flags == O_PATH)
    return resolve_in_root_by_hand(rootfd, path);
  return fd;
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
