#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include "mount_api.h"
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

static int do_pivot(const char *rootfs, struct hk_error *err) {
  /* pivot_root(".", ".") stacks the old root on top of the new one, so no
   * put_old directory is needed inside the rootfs; then detach it.  The
   * rslave and the unmount must reach the old root, not the new one under
   * it: "." is resolved from the cwd, so the cwd moves to the old root first
   * (else the container's own mounts lose their propagation). */
  int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0)
    return hk_error_sys(err, "open the old root");
  int r = 0;
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    r = hk_error_sys(err, "pivot_root to %s", rootfs);
  else if (fchdir(oldroot) < 0)
    r = hk_error_sys(err, "chdir to the old root");
  else if (mount("none", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    r = hk_error_sys(err, "make the old root rslave");
  else if (umount2(".", MNT_DETACH) < 0)
    r = hk_error_sys(err, "detach the old root");
  else if (chdir("/") < 0)
    r = hk_error_sys(err, "chdir / after pivot_root");
  close(oldroot);
  return r;
}

static int do_move_chroot(const char *rootfs, struct hk_error *err) {
  if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return hk_error_sys(err, "move %s to / (--no-pivot)", rootfs);
  if (chroot(".") < 0)
    return hk_error_sys(err, "chroot %s", rootfs);
  if (chdir("/") < 0)
    return hk_error_sys(err, "chdir / after chroot");
  return 0;
}

/* Masking binds /dev/null over a file: make sure it is the real 1:3 node,
 * not something the image put there. */
static int open_dev_null(struct hk_error *err) {
  int fd = open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hk_error_sys(err, "open /dev/null for maskedPaths");
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
      minor(st.st_rdev) != 3) {
    close(fd);
    return hk_error_set(err, EPERM, "maskedPaths: /dev/null in the container is not the 1:3 "
                                    "character device; refusing to mask with it");
  }
  return fd;
}

static int mask_paths(const struct hk_linux *lx, int rootfd, struct hk_error *err) {
  if (!lx || !lx->n_masked_paths)
    return 0;
  _cleanup_close_ int null = open_dev_null(err);
  if (null < 0)
    return null;
  for (size_t i = 0; i < lx->n_masked_paths; i++) {
    const char *p = lx->masked_paths[i];
    hk_error_clear(err);
    _cleanup_close_ int fd = hk_open_in_root(rootfd, p, false, false, err);
    if (fd < 0) {
      if (err->code == ENOENT) {
        hk_error_clear(err);
        continue;
      }
      return hk_error_prefix(err, "linux.maskedPaths[%zu]", i);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
      return hk_error_sys(err, "linux.maskedPaths[%zu]: stat %s", i, p);
    _cleanup_close_ int mnt = -1;
    if (S_ISDIR(st.st_mode))
      mnt = hk_fs_mount_fd("tmpfs", "tmpfs", NULL, MOUNT_ATTR_RDONLY, "linux.maskedPaths", err);
    else
      mnt = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (mnt < 0)
      return hk_error_set(err, errno, "linux.maskedPaths[%zu]: mask %s: %s", i, p,
                          strerror(errno));
    int r = hk_move_mount_to(mnt, fd, p, err);
    if (r < 0)
      return r;
  }
  return 0;
}

static int readonly_paths(const struct hk_linux *lx, int rootfd, struct hk_error *err) {
  for (size_t i = 0; lx && i < lx->n_readonly_paths; i++) {
    const char *p = lx->readonly_paths[i];
    _cleanup_close_ int fd = hk_open_in_root(rootfd, p, false, false, err);
    if (fd < 0) {
      if (err->code == ENOENT) {
        hk_error_clear(err);
        continue;
      }
      return hk_error_prefix(err, "linux.readonlyPaths[%zu]", i);
    }
    _cleanup_close_ int mnt =
        open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (mnt < 0)
      return hk_error_sys(err, "linux.readonlyPaths[%zu]: bind %s", i, p);
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                       MOUNT_ATTR_NOEXEC};
    if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
      return hk_error_sys(err, "linux.readonlyPaths[%zu]: make %s read-only", i, p);
    int r = hk_move_mount_to(mnt, fd, p, err);
    if (r < 0)
      return r;
  }
  return 0;
}

int hk_rootfs_finish(const struct hk_rootfs_ctx *ctx, struct hk_error *err) {
  return ctx->no_pivot ? do_move_chroot(ctx->rootfs, err) : do_pivot(ctx->rootfs, err);
}

int hk_rootfs_lockdown(const struct hk_rootfs_ctx *ctx, struct hk_error *err) {
  int r;
  const struct hk_linux *lx = ctx->spec->linux_;
  _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return hk_error_sys(err, "open / of the container");
  r = mask_paths(lx, rootfd, err);
  if (r == 0)
    r = readonly_paths(lx, rootfd, err);
  if (r < 0)
    return r;
  if (ctx->spec->root_readonly) {
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
      return hk_error_sys(err, "root.readonly: make / read-only");
  }
  if (lx && lx->rootfs_propagation) {
    unsigned long p = hk_propagation_flags(lx->rootfs_propagation);
    if (mount("none", "/", NULL, p | MS_REC, NULL) < 0)
      return hk_error_sys(err, "linux.rootfsPropagation: set %s on /", lx->rootfs_propagation);
  }
  return 0;
}
