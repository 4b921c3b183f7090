/* The container's /sys/fs/cgroup.  Pure v2 with a private cgroup namespace
 * gets a fresh cgroup2 mount (rooted at the namespace root).  Otherwise each
 * hierarchy's directory for this container is bind-mounted: on v1 and hybrid
 * under a tmpfs, one directory per hierarchy, as runc lays it out.  The
 * whole view is read-only when the options say so or when the cgroup
 * namespace is shared with the host (security rule 7). */
#include "mount_api.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "rootfs.h"
#include "util.h"

/* (heap strings: a PATH_MAX pair per hierarchy made this function's frame 270 KB, every
 * page of which init touched on the way down) */
struct cg_mount {
  char *mountpoint;
  char *root;
  char controllers[256]; /* "cpu,cpuacct", "name=systemd", "" for cgroup2 */
  bool v2;
};

static void free_cg_mounts(struct cg_mount *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(m[i].mountpoint);
    free(m[i].root);
  }
}

/* mountinfo escapes spaces etc. as \ooo */
static void unescape(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
      *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
}

/* Keep only controller names (and name=) from the super options. */
static void controllers_from_opts(const char *opts, char *out, size_t size) {
  static const char *const not_ctrl[] = {"rw",
                                         "ro",
                                         "nosuid",
                                         "nodev",
                                         "noexec",
                                         "relatime",
                                         "noatime",
                                         "nsdelegate",
                                         "memory_recursiveprot",
                                         "clone_children",
                                         "xattr",
                                         "noprefix",
                                         NULL};
  out[0] = 0;
  char copy[512], *save = NULL;
  snprintf(copy, sizeof copy, "%s", opts);
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    bool skip = strchr(t, '=') && !hk_str_has_prefix(t, "name=");
    for (size_t i = 0; !skip && not_ctrl[i]; i++)
      skip = strcmp(t, not_ctrl[i]) == 0;
    if (skip)
      continue;
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? "," : "", t);
  }
}

static size_t read_cg_mounts(struct cg_mount *out, size_t max) {
  /* the cgroup mounts are those of the launcher's namespace, which ours copies */
  const char *seen = hk_cgroup_mountinfo_seen();
  FILE *f = seen ? fmemopen((void *)seen, strlen(seen), "r") : fopen("/proc/self/mountinfo", "re");
  if (!f)
    return 0;
  char *line = NULL;
  size_t cap = 0, n = 0;
  while (n < max && getline(&line, &cap, f) > 0) {
    char *dash = strstr(line, " - ");
    if (!dash)
      continue;
    *dash = 0;
    /* id parent major:minor root mountpoint ... - fstype source superopts */
    char *save = NULL, *root = NULL, *mp = NULL, *fstype, *super;
    char *t = strtok_r(line, " ", &save);
    for (int i = 0; t && i < 4; i++) {
      t = strtok_r(NULL, " ", &save);
      if (i == 2)
        root = t;
      else if (i == 3)
        mp = t;
    }
    save = NULL;
    fstype = strtok_r(dash + 3, " ", &save);
    super = strtok_r(NULL, " ", &save) ? strtok_r(NULL, " \n", &save) : NULL;
    if (!root || !mp || !fstype || !super)
      continue;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
      continue;
    unescape(root);
    unescape(mp);
    /* only the host's hierarchies, not copies that binds of /sys (e.g. into
     * this very rootfs) have made visible elsewhere */
    if (strcmp(mp, "/sys/fs/cgroup") != 0 && !hk_str_has_prefix(mp, "/sys/fs/cgroup/"))
      continue;
    struct cg_mount *m = &out[n];
    m->root = strdup(root);
    m->mountpoint = strdup(mp);
    if (!m->root || !m->mountpoint) {
      free(m->root);
      free(m->mountpoint);
      break;
    }
    n++;
    m->v2 = v2;
    if (v2)
      m->controllers[0] = 0;
    else
      controllers_from_opts(super, m->controllers, sizeof m->controllers);
  }
  free(line);
  fclose(f);
  return n;
}

/* The host path of this process's cgroup in hierarchy m, from the
 * /proc/self/cgroup text init read before it unshared its cgroup namespace. */
static bool host_cgroup_dir(const struct cg_mount *m, const char *self_cgroup, char *out,
                            size_t size) {
  const char *p = self_cgroup;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[PATH_MAX + 300];
    snprintf(line, sizeof line, "%.*s", (int)len, p);
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2) {
      *c1 = *c2 = 0;
      const char *ctrls = c1 + 1, *path = c2 + 1;
      bool match = m->v2 ? (strcmp(line, "0") == 0 && !*ctrls) : strcmp(ctrls, m->controllers) == 0;
      if (match) {
        const char *rel = path;
        size_t rl = strlen(m->root);
        if (strcmp(m->root, "/") != 0 && strncmp(path, m->root, rl) == 0)
          rel = path + rl;
        snprintf(out, size, "%s%s", m->mountpoint, rel);
        return true;
      }
    }
    p = nl ? nl + 1 : NULL;
  }
  return false;
}

static int bind_ro(const char *src, int dest, bool ro, const char *where, struct hk_error *err) {
  _cleanup_close_ int mnt = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (mnt < 0)
    return hk_error_sys(err, "%s: bind %s", where, src);
  struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                     (ro ? MOUNT_ATTR_RDONLY : 0)};
  if (mount_setattr(mnt, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
    return hk_error_sys(err, "%s: set flags on %s", where, src);
  return hk_move_mount_to(mnt, dest, where, err);
}

static int mount_cgroupfs(const struct hk_rootfs_ctx *ctx, int dest, const struct hk_mount_opts *o,
                          const char *where, const struct cg_mount *mounts, size_t n,
                          struct hk_error *err) {
  bool ro = (o->flags & MS_RDONLY) || !ctx->cgroupns;
  const char *self = ctx->self_cgroup ? ctx->self_cgroup : "";
  char path[PATH_MAX];
  if (n == 1 && mounts[0].v2) {
    if (ctx->cgroupns) {
      _cleanup_close_ int mnt = hk_fs_mount_fd("cgroup2", "cgroup2", NULL,
                                               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                   MOUNT_ATTR_NOEXEC | (ro ? MOUNT_ATTR_RDONLY : 0),
                                               where, err);
      if (mnt < 0)
        return mnt;
      return hk_move_mount_to(mnt, dest, where, err);
    }
    if (!host_cgroup_dir(&mounts[0], self, path, sizeof path))
      return hk_error_set(err, ENOENT, "%s: cannot find the container's cgroup", where);
    return bind_ro(path, dest, ro, where, err);
  }
  _cleanup_close_ int tmp =
      hk_fs_mount_fd("tmpfs", "tmpfs", "mode=755",
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, where, err);
  if (tmp < 0)
    return tmp;
  int r = hk_move_mount_to(tmp, dest, where, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < n; i++) {
    const struct cg_mount *m = &mounts[i];
    const char *name = strrchr(m->mountpoint, '/');
    name = name ? name + 1 : m->mountpoint;
    if (!host_cgroup_dir(m, self, path, sizeof path))
      continue;
    if (mkdirat(tmp, name, 0755) < 0 && errno != EEXIST)
      return hk_error_sys(err, "%s: mkdir %s", where, name);
    _cleanup_close_ int sub = openat(tmp, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (sub < 0)
      return hk_error_sys(err, "%s: open %s", where, name);
    r = bind_ro(path, sub, ro, where, err);
    if (r < 0)
      return r;
    /* comounted controllers get a link per name, e.g. cpu -> cpu,cpuacct */
    if (strchr(name, ',')) {
      char copy[256], *save = NULL;
      snprintf(copy, sizeof copy, "%s", name);
      for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (symlinkat(name, tmp, t) < 0 && errno != EEXIST)
          return hk_error_sys(err, "%s: link %s", where, t);
    }
  }
  if (ro) {
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (mount_setattr(tmp, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
      return hk_error_sys(err, "%s: make read-only", where);
  }
  return 0;
}

int hk_mount_cgroupfs(const struct hk_rootfs_ctx *ctx, int dest, const struct hk_mount_opts *o,
                      const char *where, struct hk_error *err) {
  if (ctx->join_cgroup) {
    int jr = ctx->join_cgroup(ctx->join_arg, err);
    if (jr < 0)
      return jr;
  }
  struct cg_mount mounts[32];
  size_t n = read_cg_mounts(mounts, 32);
  int r = mount_cgroupfs(ctx, dest, o, where, mounts, n, err);
  free_cg_mounts(mounts, n);
  return r;
}
