/* Everything init does to build the container's filesystem view, in order:
 * propagation (private first), the rootfs bind, the config's mounts, /dev,
 * devices, pivot_root (or MS_MOVE + chroot), then (after sysctl) masked and
 * readonly paths, root.readonly.  Paths inside the rootfs are resolved with
 * openat2(RESOLVE_IN_ROOT) and mounts go onto those fds. */
#ifndef HAKO_ROOTFS_H
#define HAKO_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct hk_rootfs_ctx {
  const struct hk_spec *spec;
  const char *rootfs; /* absolute host path of root.path */
  const char *bundle; /* absolute bundle dir: relative mount sources resolve there */
  bool no_pivot;
  bool userns;        /* a new user namespace: mknod is not allowed, bind host devices */
  bool cgroupns;      /* a private cgroup namespace */
  const char *self_cgroup; /* /proc/self/cgroup as the host sees it (read before unsharing) */
  /* Called before anything that needs the process in its cgroup (the cgroup
   * mount); it fills self_cgroup.  The launcher attaches the cgroup while init
   * builds the rest of the rootfs. */
  int (*join_cgroup)(void *arg, struct hk_error *err);
  void *join_arg;
  const int *premounted;   /* per mount: a detached idmapped tree from the launcher, or -1 */
};

/* Before pivot: propagation, rootfs bind, mounts, /dev, devices.  Leaves the
 * cwd at the rootfs. */
int hk_rootfs_prepare(const struct hk_rootfs_ctx *ctx, struct hk_error *err);
/* pivot_root (or no_pivot). */
int hk_rootfs_finish(const struct hk_rootfs_ctx *ctx, struct hk_error *err);
/* After hostname and sysctl (which write /proc/sys, often a readonly path):
 * masked and readonly paths, root.readonly, rootfsPropagation. */
int hk_rootfs_lockdown(const struct hk_rootfs_ctx *ctx, struct hk_error *err);

/* Launcher side: build every idmap/ridmap bind mount detached (*out: one fd
 * per config mount, -1 for the others; NULL when there is none). */
int hk_idmap_mounts_prepare(const struct hk_spec *spec, const char *bundle, int **out,
                            struct hk_error *err);
void hk_idmap_mounts_free(int *fds, size_t n);

/* Parsed mount options (pure; unit-tested). */
struct hk_mount_opts {
  unsigned long flags;        /* MS_* for mount(2) */
  unsigned long clear;        /* MS_* that options explicitly cleared (rw, suid, ...) */
  unsigned long propagation;  /* MS_PRIVATE|MS_SHARED|MS_SLAVE|MS_UNBINDABLE (+MS_REC) */
  uint64_t rec_set;           /* MOUNT_ATTR_* set recursively (rro, rnosuid, ...) */
  uint64_t rec_clear;
  int rec_atime; /* MOUNT_ATTR_RELATIME/NOATIME/STRICTATIME, or -1 */
  bool bind;
  bool rec;
  bool idmap;
  bool ridmap;
  bool tmpcopyup; /* tmpfs only: start with a copy of the directory it covers */
  char *data; /* comma-joined fs-specific options, or NULL */
};
/* `where` names the field for errors ("mounts[2].options"). Bind mounts reject
 * unknown options; other types pass them to the filesystem as data. */
int hk_mount_opts_parse(char *const *options, size_t n, bool is_bind, const char *where,
                        struct hk_mount_opts *out, struct hk_error *err);
void hk_mount_opts_clear(struct hk_mount_opts *o);
/* MS_* propagation flags for a rootfsPropagation/propagation name; 0 when unknown. */
unsigned long hk_propagation_flags(const char *name);

/* Open `path` inside the root (RESOLVE_IN_ROOT), creating missing directories,
 * and the last component as a directory or (as_file) an empty file.  Returns
 * an O_PATH fd. */
/* MS_* mount(2) flags -> MOUNT_ATTR_* for fsmount/mount_setattr. */
uint64_t hk_ms_to_mount_attr(unsigned long ms);
/* Mount the container's view of the cgroup hierarchies at the O_PATH fd `dest`. */
int hk_mount_cgroupfs(const struct hk_rootfs_ctx *ctx, int dest, const struct hk_mount_opts *o,
                      const char *where, struct hk_error *err);
/* Attach a detached mount (from open_tree/fsmount) at the O_PATH fd `dest`. */
int hk_move_mount_to(int mnt, int dest, const char *what, struct hk_error *err);
/* A new filesystem mount as a detached mount fd (fsopen/fsconfig/fsmount).  Errors
 * read "<where>.type: ...", "<where>.source: ...", "<where>.options: ..." (where is
 * a JSON path such as "mounts[3]"). */
int hk_fs_mount_fd(const char *type, const char *source, const char *data, uint64_t attrs,
                   const char *where, struct hk_error *err);
/* The same with an SELinux context= (linux.mountLabel), or NULL. */
int hk_fs_mount_fd_label(const char *type, const char *source, const char *data,
                         const char *selinux_context, uint64_t attrs, const char *where,
                         struct hk_error *err);
/* Copy the directory dest (O_PATH) into the detached tmpfs mnt. */
int hk_tmpcopyup(int dest, int mnt, const char *where, struct hk_error *err);
/* Create the default /dev nodes and links, then linux.devices. */
int hk_setup_dev(const struct hk_rootfs_ctx *ctx, int rootfd, struct hk_error *err);

int hk_open_in_root(int rootfd, const char *path, bool create, bool as_file, struct hk_error *err);

#endif
