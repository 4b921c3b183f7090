#include "security/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include "mount_api.h"
#include <sys/stat.h>

#include "statx_compat.h"
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

static bool is_procfs(int fd) {
  struct statfs sfs;
  return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int private_instance(void) {
  _cleanup_close_ int fsfd = fsopen("proc", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return -1;
  if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  _cleanup_close_ int mnt =
      fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return -1;
  return hk_take_fd(&mnt);
}

int hk_procfs_open_private(int *fd) {
  if (*fd >= 0)
    return 0;
  int p = private_instance();
  if (p < 0)
    return -errno;
  *fd = p;
  return 0;
}

int hk_procfs_open(int *fd, struct hk_error *err) {
  if (*fd >= 0)
    return 0;
  int p = private_instance();
  if (p < 0) {
    int e = errno;
    /* EPERM: a user namespace may mount procfs only where one is fully
     * visible already; then the container's own /proc, checked below */
    p = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (p < 0)
      return hk_error_set(err, e, "open a procfs instance: %s (and no /proc to fall back to)",
                          strerror(e));
  }
  if (!is_procfs(p)) {
    close(p);
    return hk_error_set(err, EPERM, "/proc in the container is not procfs: refusing to use it");
  }
  *fd = p;
  return 0;
}

/* Without openat2: every component with O_NOFOLLOW, refusing symlinks and
 * mount crossings (the mount id must stay the root's). */
static int open_beneath_by_hand(int procfd, const char *rel, int flags) {
  struct statx root;
  if (statx(procfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &root) < 0)
    return -1;
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int cur = -1;
  char *save = NULL, *c = strtok_r(buf, "/", &save);
  while (c) {
    char *next_c = strtok_r(NULL, "/", &save);
    if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
      if (cur >= 0)
        close(cur);
      errno = EXDEV;
      return -1;
    }
    int next = openat(cur >= 0 ? cur : procfd, c,
                      (next_c ? O_PATH | O_DIRECTORY : flags) | O_NOFOLLOW | O_CLOEXEC);
    if (cur >= 0)
      close(cur);
    if (next < 0)
      return -1; /* a symlink answers ELOOP (or ENOTDIR) */
    struct statx sx;
    if (statx(next, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 || sx.stx_mnt_id != root.stx_mnt_id) {
      close(next);
      errno = EXDEV;
      return -1;
    }
    cur = next;
    c = next_c;
  }
  if (cur < 0)
    errno = EINVAL;
  return cur;
}

static int open_checked(int procfd, const char *rel, int flags, const char *what,
                        struct hk_error *err) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd = hk_openat2(procfd, rel, &how);
  if (fd < 0 && errno == ENOSYS)
    fd = open_beneath_by_hand(procfd, rel, flags);
  if (fd < 0) {
    if (errno == ELOOP || errno == EXDEV)
      return hk_error_set(err, errno,
                          "%s: /proc/%s is a symlink or crosses a mount: refusing to write it",
                          what, rel);
    return hk_error_sys(err, "%s: open /proc/%s", what, rel);
  }
  if (!is_procfs(fd)) {
    close(fd);
    return hk_error_set(err, EPERM, "%s: /proc/%s is not on procfs: refusing to write it", what,
                        rel);
  }
  return fd;
}

int hk_procfs_write(int procfd, const char *rel, const char *value, const char *what,
                    struct hk_error *err) {
  _cleanup_close_ int fd = open_checked(procfd, rel, O_WRONLY, what, err);
  if (fd < 0)
    return fd;
  if (write(fd, value, strlen(value)) < 0)
    return hk_error_sys(err, "%s: write \"%s\" to /proc/%s", what, value, rel);
  return 0;
}

int hk_procfs_write_self(int procfd, const char *file, const char *value, const char *what,
                         struct hk_error *err) {
  char rel[PATH_MAX];
  snprintf(rel, sizeof rel, "%d/%s", (int)getpid(), file);
  return hk_procfs_write(procfd, rel, value, what, err);
}

bool hk_procfs_exists(int procfd, const char *rel) {
  struct hk_error err = {0};
  int fd = open_checked(procfd, rel, O_PATH, "probe", &err);
  if (fd < 0)
    return false;
  close(fd);
  return true;
}
