#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "mount_api.h"
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

static const struct {
  const char *name;
  unsigned major, minor;
} default_devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
  const char *target, *name;
} default_links[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
};

/* Create one device node at `path` inside the root.  In a user namespace
 * mknod is refused, so the host's node is bind-mounted over an empty file. */
static int make_node(const struct hk_rootfs_ctx *ctx, int rootfd, const char *path, mode_t type,
                     unsigned major, unsigned minor, mode_t mode, uid_t uid, gid_t gid,
                     const char *where, struct hk_error *err) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  const char *name = slash ? slash + 1 : dir;
  if (slash == dir)
    strcpy(dir, "/");
  else if (slash)
    *slash = 0;
  _cleanup_close_ int dfd = hk_open_in_root(rootfd, slash ? dir : "/", true, false, err);
  if (dfd < 0)
    return hk_error_prefix(err, "%s", where);
  if (!ctx->userns || type == S_IFIFO) {
    if (mknodat(dfd, name, type | (mode & 07777), makedev(major, minor)) < 0) {
      if (errno != EEXIST)
        return hk_error_sys(err, "%s: mknod %s", where, path);
      return 0; /* the rootfs already has it */
    }
    if (fchmodat(dfd, name, mode & 07777, 0) < 0)
      return hk_error_sys(err, "%s: chmod %s", where, path);
    if (fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
      return hk_error_sys(err, "%s: chown %s", where, path);
    return 0;
  }
  char host[64];
  snprintf(host, sizeof host, "/dev/%s", path + (hk_str_has_prefix(path, "/dev/") ? 5 : 0));
  int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return hk_error_sys(err, "%s: create %s", where, path);
  close(fd);
  _cleanup_close_ int dest = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (dest < 0)
    return hk_error_sys(err, "%s: open %s", where, path);
  _cleanup_close_ int mnt = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (mnt < 0)
    return hk_error_sys(err, "%s: bind the host's %s", where, host);
  return hk_move_mount_to(mnt, dest, where, err);
}

static bool dev_is_bind_mounted(const struct hk_spec *spec) {
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    if (strcmp(m->destination, "/dev") == 0 && m->type && strcmp(m->type, "bind") == 0)
      return true;
  }
  return false;
}

static bool has_mount_at(const struct hk_spec *spec, const char *dest) {
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp(spec->mounts[i].destination, dest) == 0)
      return true;
  return false;
}

int hk_setup_dev(const struct hk_rootfs_ctx *ctx, int rootfd, struct hk_error *err) {
  const struct hk_spec *spec = ctx->spec;
  if (!dev_is_bind_mounted(spec)) {
    for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
      char path[32];
      snprintf(path, sizeof path, "/dev/%s", default_devices[i].name);
      int r = make_node(ctx, rootfd, path, S_IFCHR, default_devices[i].major,
                        default_devices[i].minor, 0666, 0, 0, "default devices", err);
      if (r < 0)
        return r;
    }
    _cleanup_close_ int dev = hk_open_in_root(rootfd, "/dev", true, false, err);
    if (dev < 0)
      return dev;
    for (size_t i = 0; i < sizeof default_links / sizeof default_links[0]; i++)
      if (symlinkat(default_links[i].target, dev, default_links[i].name) < 0 && errno != EEXIST)
        return hk_error_sys(err, "create /dev/%s", default_links[i].name);
    if (faccessat(AT_FDCWD, "/proc/kcore", F_OK, 0) == 0 &&
        symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
      return hk_error_sys(err, "create /dev/core");
    if (has_mount_at(spec, "/dev/pts")) {
      /* the container's own devpts instance provides ptmx */
      if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
        return hk_error_sys(err, "remove /dev/ptmx");
      if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
        return hk_error_sys(err, "create /dev/ptmx");
    }
  }
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_devices; i++) {
    const struct hk_device *d = &lx->devices[i];
    char where[48];
    snprintf(where, sizeof where, "linux.devices[%zu]", i);
    mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    mode_t mode = d->has_file_mode ? d->file_mode : 0666;
    int r = make_node(ctx, rootfd, d->path, type, (unsigned)d->major, (unsigned)d->minor, mode,
                      d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, where, err);
    if (r < 0)
      return r;
  }
  return 0;
}
