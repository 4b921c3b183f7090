#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "mount_api.h"
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"
#include "security/lsm.h"
#include "util.h"

static bool mount_is_bind(const struct hk_mount *m) {
  if (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0))
    return true;
  for (size_t i = 0; i < m->n_options; i++)
    if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
      return true;
  return false;
}

/* Attributes, recursive attributes and propagation on a detached mount. */
static int set_mount_attrs(int mnt, const struct hk_mount_opts *o, bool top_attrs,
                           const char *where, struct hk_error *err) {
  if (top_attrs) {
    struct mount_attr a = {.attr_set = hk_ms_to_mount_attr(o->flags),
                           .attr_clr = hk_ms_to_mount_attr(o->clear)};
    if (o->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
      a.attr_clr |= MOUNT_ATTR__ATIME;
    if ((a.attr_set || a.attr_clr) && mount_setattr(mnt, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
      return hk_error_sys(err, "%s: set mount flags", where);
  }
  if (o->rec_set || o->rec_clear || o->rec_atime >= 0) {
    struct mount_attr a = {.attr_set = o->rec_set, .attr_clr = o->rec_clear};
    if (o->rec_atime >= 0) {
      a.attr_clr |= MOUNT_ATTR__ATIME;
      a.attr_set |= (uint64_t)o->rec_atime;
    }
    if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
      return hk_error_sys(err, "%s: set recursive mount attributes", where);
  }
  return 0;
}

/* Propagation takes effect only on an attached mount (a detached tree lives
 * in an anonymous namespace with no peers), so it is set after move_mount. */
static int set_propagation(int mnt, const struct hk_mount_opts *o, const char *where,
                           struct hk_error *err) {
  if (!o->propagation)
    return 0;
  struct mount_attr a = {.propagation = o->propagation & ~(unsigned long)MS_REC};
  unsigned flags = AT_EMPTY_PATH | ((o->propagation & MS_REC) ? AT_RECURSIVE : 0);
  if (mount_setattr(mnt, "", flags, &a, sizeof a) < 0)
    return hk_error_sys(err, "%s: set propagation", where);
  return 0;
}

static int bind_source_fd(const struct hk_rootfs_ctx *ctx, const char *source, const char *where,
                          char *resolved, size_t size, struct stat *st, struct hk_error *err) {
  if (!source || !*source)
    return hk_error_set(err, EINVAL, "%s.source: a bind mount needs a source", where);
  if (source[0] == '/')
    snprintf(resolved, size, "%s", source);
  else
    snprintf(resolved, size, "%s/%s", ctx->bundle, source);
  if (stat(resolved, st) < 0)
    return hk_error_sys(err, "%s.source: %s", where, resolved);
  return 0;
}

/* linux.mountLabel as the context= of the filesystems runc labels that way:
 * every new mount but proc, sysfs, mqueue and cgroups (which have no
 * per-mount context); only where SELinux runs (create refuses it otherwise). */
static const char *mount_label(const struct hk_spec *spec, const char *type) {
  const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
  if (!label || !*label || !hk_selinux_enabled())
    return NULL;
  static const char *const unlabeled[] = {"proc", "sysfs", "mqueue", "cgroup", "cgroup2", NULL};
  for (const char *const *t = unlabeled; *t; t++)
    if (strcmp(type, *t) == 0)
      return NULL;
  return label;
}

static int attach_mount(const struct hk_rootfs_ctx *ctx, int rootfd, const struct hk_mount *m,
                        size_t idx, const char *where, bool is_bind, struct hk_mount_opts *o,
                        struct hk_error *err) {
  bool idmapped = o->idmap || m->n_uid_mappings || m->n_gid_mappings;
  if (idmapped && (!ctx->premounted || ctx->premounted[idx] < 0))
    return hk_error_set(err, EINVAL, "%s: idmapped mount was not prepared", where);
  char src[PATH_MAX];
  struct stat st = {.st_mode = S_IFDIR};
  int r;
  if (is_bind && (r = bind_source_fd(ctx, m->source, where, src, sizeof src, &st, err)) < 0)
    return r;
  char dwhere[PATH_MAX + 80];
  snprintf(dwhere, sizeof dwhere, "%s (%s)", where, m->destination);
  _cleanup_close_ int dest = hk_open_in_root(rootfd, m->destination, true, !S_ISDIR(st.st_mode),
                                             err);
  if (dest < 0)
    return hk_error_prefix(err, "%s.destination", where);
  const char *type = m->type ? m->type : "";
  if (!is_bind && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0))
    return hk_mount_cgroupfs(ctx, dest, o, dwhere, err);
  if (!is_bind && !*type)
    return hk_error_set(err, EINVAL, "%s.type: required for a non-bind mount", where);
  _cleanup_close_ int mnt = -1;
  if (idmapped) {
    mnt = dup(ctx->premounted[idx]);
    if (mnt < 0)
      return hk_error_sys(err, "%s: dup the idmapped mount", dwhere);
    r = set_mount_attrs(mnt, o, true, dwhere, err);
  } else if (is_bind) {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rec ? AT_RECURSIVE : 0);
    mnt = open_tree(AT_FDCWD, src, flags);
    if (mnt < 0)
      return hk_error_sys(err, "%s: bind %s", dwhere, src);
    r = set_mount_attrs(mnt, o, true, dwhere, err);
  } else {
    /* its errors name the field: mounts[N].type, .source, .options */
    mnt = hk_fs_mount_fd_label(type, m->source, o->data, mount_label(ctx->spec, type),
                               hk_ms_to_mount_attr(o->flags), where, err);
    if (mnt < 0) {
      size_t len = strlen(err->msg);
      snprintf(err->msg + len, sizeof err->msg - len, " (destination %s)", m->destination);
    }
    if (mnt < 0 && strcmp(type, "sysfs") == 0 && ctx->userns && err->code == EPERM) {
      /* sysfs needs a network namespace owned by our user namespace; like
       * runc, fall back to a recursive bind of the host's /sys. */
      hk_error_clear(err);
      mnt = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      if (mnt < 0)
        return hk_error_sys(err, "%s: bind /sys", dwhere);
      o->rec_set |=
          hk_ms_to_mount_attr(o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
    } else if (mnt < 0) {
      return mnt;
    }
    r = set_mount_attrs(mnt, o, false, dwhere, err);
    if (r == 0 && o->tmpcopyup) {
      if (strcmp(type, "tmpfs") != 0)
        return hk_error_set(err, EINVAL, "%s.options: tmpcopyup needs a tmpfs mount", where);
      r = hk_tmpcopyup(dest, mnt, dwhere, err);
    }
  }
  if (r == 0)
    r = hk_move_mount_to(mnt, dest, dwhere, err);
  if (r == 0)
    r = set_propagation(mnt, o, dwhere, err);
  return r;
}

static int do_mount(const struct hk_rootfs_ctx *ctx, int rootfd, const struct hk_mount *m,
                    size_t idx, struct hk_error *err) {
  char where[64], owhere[80];
  snprintf(where, sizeof where, "mounts[%zu]", idx);
  snprintf(owhere, sizeof owhere, "mounts[%zu].options", idx);
  bool is_bind = mount_is_bind(m);
  struct hk_mount_opts o;
  int r = hk_mount_opts_parse(m->options, m->n_options, is_bind, owhere, &o, err);
  if (r < 0)
    return r;
  r = attach_mount(ctx, rootfd, m, idx, where, is_bind, &o, err);
  hk_mount_opts_clear(&o);
  return r;
}

int hk_rootfs_prepare(const struct hk_rootfs_ctx *ctx, struct hk_error *err) {
  const struct hk_linux *lx = ctx->spec->linux_;
  const char *prop_name = lx ? lx->rootfs_propagation : NULL;
  /* Nothing we mount may reach the host: the tree goes private (or slave,
   * which receives but never sends) before any other mount. */
  unsigned long prop = MS_PRIVATE;
  if (prop_name) {
    unsigned long p = hk_propagation_flags(prop_name) & ~(unsigned long)MS_REC;
    prop = (p == MS_SHARED) ? MS_SLAVE : p;
  }
  if (mount("none", "/", NULL, MS_REC | prop, NULL) < 0)
    return hk_error_sys(err, "make / %s", prop == MS_PRIVATE ? "rprivate" : "rslave");
  /* pivot_root needs the rootfs to be a mount point */
  if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return hk_error_sys(err, "bind the rootfs %s", ctx->rootfs);
  _cleanup_close_ int rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return hk_error_sys(err, "open rootfs %s", ctx->rootfs);
  for (size_t i = 0; i < ctx->spec->n_mounts; i++) {
    int r = do_mount(ctx, rootfd, &ctx->spec->mounts[i], i, err);
    if (r < 0)
      return r;
  }
  int r = hk_setup_dev(ctx, rootfd, err);
  if (r < 0)
    return r;
  if (chdir(ctx->rootfs) < 0)
    return hk_error_sys(err, "chdir %s", ctx->rootfs);
  return 0;
}
