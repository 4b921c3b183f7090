/* Idmapped bind mounts (idmap/ridmap).  Setting MOUNT_ATTR_IDMAP needs
 * CAP_SYS_ADMIN where the source filesystem was mounted, i.e. on the host,
 * so the launcher builds these mounts detached before it clones; init
 * inherits the fds and only attaches them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mount_api.h"
#include <sys/wait.h>
#include <unistd.h>

#include "ns.h"
#include "process/process.h"
#include "rootfs.h"
#include "util.h"

/* A user namespace fd holding the given maps: a child that unshared it
 * waits on a pipe while we write its maps and open its namespace. */
static int userns_with_maps(const struct hk_idmap *uid, size_t n_uid, const struct hk_idmap *gid,
                            size_t n_gid, const char *where, struct hk_error *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return hk_error_sys(err, "%s: pipe", where);
  pid_t pid = hk_clone_child(CLONE_NEWUSER, -1);
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return hk_error_sys(err, "%s: clone a user namespace", where);
  }
  if (pid == 0) {
    char b;
    close(p[1]);
    while (read(p[0], &b, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  close(p[0]);
  int r = hk_idmap_write(pid, "uid_map", uid, n_uid, where, err);
  if (r == 0)
    r = hk_idmap_write(pid, "gid_map", gid, n_gid, where, err);
  int fd = -1;
  if (r == 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      r = hk_error_sys(err, "%s: open %s", where, path);
  }
  close(p[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return r < 0 ? r : fd;
}

static int prepare_one(const struct hk_spec *spec, const char *bundle, const struct hk_mount *m,
                       size_t idx, const struct hk_mount_opts *o, struct hk_error *err) {
  char where[64];
  snprintf(where, sizeof where, "mounts[%zu]", idx);
  const struct hk_linux *lx = spec->linux_;
  const struct hk_idmap *uid = m->uid_mappings, *gid = m->gid_mappings;
  size_t n_uid = m->n_uid_mappings, n_gid = m->n_gid_mappings;
  if (!n_uid && !n_gid) {
    if (!lx || !lx->n_uid_mappings)
      return hk_error_set(err, EINVAL,
                          "%s.options: idmap needs uidMappings on the mount or a user namespace",
                          where);
    uid = lx->uid_mappings, n_uid = lx->n_uid_mappings;
    gid = lx->gid_mappings, n_gid = lx->n_gid_mappings;
  }
  if (!n_uid || !n_gid)
    return hk_error_set(err, EINVAL, "%s: an idmapped mount needs uid and gid mappings", where);
  bool bind = o->bind;
  if (!bind)
    return hk_error_set(err, EINVAL, "%s.options: idmap is supported on bind mounts only",
                        where);
  char src[PATH_MAX];
  if (!m->source || !*m->source)
    return hk_error_set(err, EINVAL, "%s.source: a bind mount needs a source", where);
  if (m->source[0] == '/')
    snprintf(src, sizeof src, "%s", m->source);
  else
    snprintf(src, sizeof src, "%s/%s", bundle, m->source);
  _cleanup_close_ int userns = userns_with_maps(uid, n_uid, gid, n_gid, where, err);
  if (userns < 0)
    return userns;
  int mnt = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                         (o->rec ? AT_RECURSIVE : 0));
  if (mnt < 0)
    return hk_error_sys(err, "%s: bind %s", where, src);
  struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
  if (mount_setattr(mnt, "", AT_EMPTY_PATH | (o->ridmap ? AT_RECURSIVE : 0), &a, sizeof a) < 0) {
    int r = hk_error_sys(err, "%s: idmap %s", where, src);
    close(mnt);
    return r;
  }
  return mnt;
}

int hk_idmap_mounts_prepare(const struct hk_spec *spec, const char *bundle, int **out,
                            struct hk_error *err) {
  *out = NULL;
  int *fds = NULL;
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    struct hk_mount_opts o;
    char where[64];
    snprintf(where, sizeof where, "mounts[%zu].options", i);
    bool is_bind = m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0);
    int r = hk_mount_opts_parse(m->options, m->n_options, is_bind, where, &o, err);
    if (r < 0)
      goto fail;
    bool wanted = o.idmap || m->n_uid_mappings || m->n_gid_mappings;
    if (wanted) {
      if (!fds) {
        fds = malloc(spec->n_mounts * sizeof *fds);
        if (!fds) {
          hk_mount_opts_clear(&o);
          r = hk_error_set(err, ENOMEM, "idmapped mounts: out of memory");
          goto fail;
        }
        for (size_t j = 0; j < spec->n_mounts; j++)
          fds[j] = -1;
      }
      o.bind = o.bind || is_bind;
      r = prepare_one(spec, bundle, m, i, &o, err);
      if (r >= 0)
        fds[i] = r;
    }
    hk_mount_opts_clear(&o);
    if (r < 0)
      goto fail;
    continue;
  fail:
    hk_idmap_mounts_free(fds, spec->n_mounts);
    return r;
  }
  *out = fds;
  return 0;
}

void hk_idmap_mounts_free(int *fds, size_t n) {
  for (size_t i = 0; fds && i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(fds);
}
