/* restore: create's preparation (config from the bundle, state dir, cgroup
 * with the config's limits, state.json), then `criu restore` brings the
 * process tree back into that cgroup instead of a new init.
 *
 * criu restores into a recursive bind of the rootfs made in its own private
 * mount namespace (nothing is mounted on the host), as a sibling of itself
 * (so init is hako's child, like after run) and detached; its pid file
 * tells us init's pid. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "checkpoint.h"
#include "container.h"
#include "criu.h"
#include "hako.h"
#include "process.h"
#include "rootfs.h"
#include "tty.h"
#include "util.h"

struct restore_ctx {
  const struct hako_criu_opts *o;
  char criu[PATH_MAX];
  char img[PATH_MAX];
  char work[PATH_MAX];
  char bundle[PATH_MAX];
  char state_dir[PATH_MAX];
  int keep[16];
  size_t n_keep;
  int pty_master, pty_slave;
  char pty_name[64];
};

static void restore_cgroup_bind(void *arg, const char *dest, const char *dir) {
  struct hk_argv *a = arg;
  hk_argv_add(a, "--external");
  hk_argv_addf(a, "mnt[%s]:%s", dest, dir);
}

static int mount_args(struct restore_ctx *x, struct hk_argv *a, const struct hk_spec *spec,
                      const struct hk_cgroup *cg) {
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    if (!hk_mount_is_bind(m) || !m->source)
      continue;
    hk_argv_add(a, "--external");
    if (m->source[0] == '/')
      hk_argv_addf(a, "mnt[%s]:%s", m->destination, m->source);
    else
      hk_argv_addf(a, "mnt[%s]:%s/%s", m->destination, x->bundle, m->source);
  }
  hk_criu_cgroup_binds(spec, cg, restore_cgroup_bind, a);
  if (spec->linux_ && spec->linux_->n_masked_paths) {
    hk_argv_add(a, "--external");
    hk_argv_add(a, "mnt[/dev/null]:/dev/null");
  }
  return 0;
}

static bool under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* The images may be restored onto a copy of the rootfs (migration) that lacks
 * the mountpoints init created: make them, as create would, except below a
 * tmpfs (criu brings back its whole content) and for cgroup mounts. */
static int make_mountpoints(const struct hk_spec *spec, const char *rootfs, const char *bundle,
                            struct hk_error *err) {
  _cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return hk_error_sys(err, "restore: open the rootfs %s", rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    if (hk_mount_is_cgroup(m) || strcmp(m->destination, "/") == 0)
      continue;
    bool in_tmpfs = false;
    for (size_t k = 0; k < spec->n_mounts && !in_tmpfs; k++) {
      const struct hk_mount *t = &spec->mounts[k];
      in_tmpfs = k != i && t->type && strcmp(t->type, "tmpfs") == 0 &&
                 under(m->destination, t->destination);
    }
    if (in_tmpfs)
      continue;
    bool as_file = false;
    if (hk_mount_is_bind(m) && m->source) {
      char src[PATH_MAX * 2];
      struct stat st;
      snprintf(src, sizeof src, "%s%s%s", m->source[0] == '/' ? "" : bundle,
               m->source[0] == '/' ? "" : "/", m->source);
      as_file = stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
    }
    int fd = hk_open_in_root(rootfd, m->destination, true, as_file, err);
    if (fd < 0)
      return hk_error_prefix(err, "restore: mounts[%zu]: mountpoint %s", i, m->destination);
    close(fd);
  }
  return 0;
}

/* Namespaces joined by path come back as the fds criu dumped them as. */
static int namespace_args(struct restore_ctx *x, struct hk_argv *a, const struct hk_spec *spec,
                          struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
    const struct hk_namespace *ns = &lx->namespaces[i];
    const char *key = hk_criu_ns_key(ns->type);
    if (!ns->path)
      continue;
    if (!key)
      return hk_error_set(err, ENOTSUP,
                          "restore: linux.namespaces[%zu]: criu can only restore into network "
                          "and pid namespaces joined by path",
                          i);
    if (x->n_keep == sizeof x->keep / sizeof x->keep[0])
      return hk_error_set(err, E2BIG, "restore: too many namespaces joined by path");
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return hk_error_sys(err, "restore: linux.namespaces[%zu].path %s", i, ns->path);
    x->keep[x->n_keep++] = fd;
    hk_argv_add(a, "--inherit-fd");
    hk_argv_addf(a, "fd[%d]:%s", fd, key);
  }
  return 0;
}

static int keep_fd(struct restore_ctx *x, int fd, struct hk_error *err) {
  if (x->n_keep == sizeof x->keep / sizeof x->keep[0]) {
    close(fd);
    return hk_error_set(err, E2BIG, "restore: too many fds for criu to inherit");
  }
  x->keep[x->n_keep++] = fd;
  return 0;
}

/* A new pty for a container whose terminal was external at checkpoint: criu
 * gives its slave to the processes, the master goes to --console-socket. */
static int open_pty(struct restore_ctx *x, struct hk_error *err) {
  if (!x->o->console_socket)
    return hk_error_set(err, EINVAL,
                        "restore: the checkpoint has a terminal: --console-socket is required");
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return hk_error_sys(err, "restore: open /dev/ptmx");
  char name[64];
  if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0) {
    int r = hk_error_sys(err, "restore: unlock the new pty");
    close(master);
    return r;
  }
  x->pty_master = master;
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return hk_error_sys(err, "restore: open %s", name);
  x->pty_slave = slave;
  snprintf(x->pty_name, sizeof x->pty_name, "%s", name);
  return keep_fd(x, slave, err);
}

/* hako-inherit-fds (written by checkpoint): stdio that was external comes
 * from our own fd of the same number, or from a new pty; descriptors.json:
 * init's stdio that were pipes are reconnected to ours, as runc does. */
static int stdio_args(struct restore_ctx *x, struct hk_argv *a, struct hk_error *err) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/descriptors.json", x->img);
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = hk_read_file(path, 1 << 20, &text, &len, err);
  if (r < 0)
    return hk_error_prefix(err, "restore: --image-path %s is not a checkpoint of a container",
                           x->img);
  json_error_t jerr;
  json_t *arr = json_loadb(text, len, 0, &jerr);
  if (!json_is_array(arr)) {
    json_decref(arr);
    return hk_error_set(err, EINVAL, "restore: %s: not a JSON array", path);
  }
  for (size_t i = 0; i < json_array_size(arr) && i < 3; i++) {
    const char *s = json_string_value(json_array_get(arr, i));
    if (s && strncmp(s, "pipe:", 5) == 0) {
      hk_argv_add(a, "--inherit-fd");
      hk_argv_addf(a, "fd[%zu]:%s", i, s);
    }
  }
  json_decref(arr);
  snprintf(path, sizeof path, "%s/hako-inherit-fds", x->img);
  _cleanup_free_ char *lines = NULL;
  struct hk_error ignored = {0};
  if (hk_read_file(path, 1 << 16, &lines, NULL, &ignored) < 0)
    return 0; /* runc's checkpoint: nothing external */
  char seen[1024] = "";
  char *save = NULL;
  for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    char key[96];
    int fd;
    if (sscanf(l, "%d %95s", &fd, key) != 2 || fd < 0 || fd > 2)
      return hk_error_set(err, EINVAL, "restore: %s: bad line \"%s\"", path, l);
    if (strstr(seen, key))
      continue; /* one fd per key: criu gives it to every fd that had it */
    size_t o = strlen(seen);
    snprintf(seen + o, sizeof seen - o, "%s ", key);
    if (strncmp(key, "tty[", 4) == 0) {
      if (x->pty_slave < 0 && (r = open_pty(x, err)) < 0)
        return r;
      fd = x->pty_slave;
    } else if (fcntl(fd, F_GETFD) < 0) {
      return hk_error_set(err, EBADF,
                          "restore: the container's fd %d was %s outside it: restore needs its "
                          "own fd %d open to stand in for it",
                          fd, key, fd);
    }
    hk_argv_add(a, "--inherit-fd");
    hk_argv_addf(a, "fd[%d]:%s", fd, key);
  }
  return 0;
}

/* The console socket gets the new pty's master once the tree is back. */
static int send_pty(struct restore_ctx *x, struct hk_error *err) {
  if (x->pty_master < 0)
    return 0;
  _cleanup_close_ int sock = hk_console_connect(x->o->console_socket, err);
  if (sock < 0)
    return sock;
  return hk_send_fd(sock, x->pty_master, x->pty_name, err);
}

static int read_pid(const char *path, pid_t *pid, struct hk_error *err) {
  _cleanup_free_ char *text = NULL;
  int r = hk_read_file(path, 64, &text, NULL, err);
  if (r < 0)
    return hk_error_prefix(err, "restore: criu's pid file");
  long v;
  char *nl = strchr(text, '\n');
  if (nl)
    *nl = 0;
  if (hk_parse_long(text, &v) < 0 || v <= 0)
    return hk_error_set(err, EINVAL, "restore: criu's pid file %s: \"%s\" is not a pid", path,
                        text);
  *pid = (pid_t)v;
  return 0;
}

static int run_restore(void *arg, const struct hk_spec *spec, const char *rootfs, int dirfd,
                       const struct hk_cgroup *cg, pid_t *pid, struct hk_error *err) {
  struct restore_ctx *x = arg;
  const struct hako_criu_opts *o = x->o;
  char root_dir[PATH_MAX + 16], pidfile[PATH_MAX + 16], log[PATH_MAX + 16];
  snprintf(root_dir, sizeof root_dir, "%s/criu-root", x->state_dir);
  snprintf(pidfile, sizeof pidfile, "%s/criu.pid", x->state_dir);
  snprintf(log, sizeof log, "%s/restore.log", x->work);
  if (mkdirat(dirfd, "criu-root", 0755) < 0)
    return hk_error_sys(err, "restore: create %s", root_dir);
  struct hk_argv a = {0};
  hk_argv_add(&a, x->criu);
  hk_argv_add(&a, "restore");
  hk_argv_add(&a, "--images-dir");
  hk_argv_add(&a, x->img);
  hk_argv_add(&a, "--work-dir");
  hk_argv_add(&a, x->work);
  hk_argv_add(&a, "--log-file");
  hk_argv_add(&a, log);
  hk_argv_add(&a, "-v4");
  hk_argv_add(&a, "--root");
  hk_argv_add(&a, root_dir);
  hk_argv_add(&a, "--restore-detached");
  hk_argv_add(&a, "--restore-sibling");
  hk_argv_add(&a, "--pidfile");
  hk_argv_add(&a, pidfile);
  hk_argv_add(&a, "--evasive-devices");
  hk_criu_common_args(&a, o);
  if (cg) {
    for (size_t i = 0; i < hk_cgroup_count(cg); i++) {
      const char *ctrl, *mnt, *path, *dir;
      if (hk_cgroup_get(cg, i, &ctrl, &mnt, &path, &dir) < 0)
        continue;
      hk_argv_add(&a, "--cgroup-root");
      if (*ctrl)
        hk_argv_addf(&a, "%s:%s", ctrl, path);
      else
        hk_argv_add(&a, path);
    }
  }
  if (o->lsm_profile) {
    hk_argv_add(&a, "--lsm-profile");
    hk_argv_add(&a, o->lsm_profile);
  }
  if (o->lsm_mount_context) {
    hk_argv_add(&a, "--lsm-mount-context");
    hk_argv_add(&a, o->lsm_mount_context);
  }
  int r = make_mountpoints(spec, rootfs, x->bundle, err);
  if (r == 0)
    r = mount_args(x, &a, spec, cg);
  if (r == 0)
    r = namespace_args(x, &a, spec, err);
  if (r == 0)
    r = stdio_args(x, &a, err);
  if (r == 0) {
    struct hk_criu_run run = {.criu = x->criu,
                              .args = &a,
                              .log_path = log,
                              .keep_fds = x->keep,
                              .n_keep_fds = x->n_keep,
                              .cgroup = cg,
                              .root_src = rootfs,
                              .root_dst = root_dir,
                              .what = "restore"};
    r = hk_criu_exec(&run, err);
  }
  hk_argv_free(&a);
  if (r == 0)
    r = read_pid(pidfile, pid, err);
  if (r == 0 && (r = send_pty(x, err)) < 0)
    hk_kill_and_reap(*pid);
  unlinkat(dirfd, "criu.pid", 0);
  if (unlinkat(dirfd, "criu-root", AT_REMOVEDIR) < 0 && r == 0)
    r = hk_error_sys(err, "restore: remove %s", root_dir);
  return r;
}

int hako_restore(const struct hako_criu_opts *o, int *exit_status, struct hk_error *err) {
  struct restore_ctx x = {.o = o, .pty_master = -1, .pty_slave = -1};
  int r = hk_criu_find(o->criu, x.criu, sizeof x.criu, err);
  if (r == 0)
    r = hk_criu_check(x.criu, err);
  if (r == 0)
    r = hk_criu_dirs(o, false, x.img, x.work, err);
  if (r < 0)
    return r;
  const char *bundle = o->bundle && *o->bundle ? o->bundle : ".";
  if (!realpath(bundle, x.bundle))
    return hk_error_sys(err, "bundle %s", bundle);
  char root[PATH_MAX];
  r = hk_mkdir_p(o->root, 0700, err);
  if (r < 0)
    return r;
  if (!realpath(o->root, root))
    return hk_error_sys(err, "state root %s", o->root);
  if (snprintf(x.state_dir, sizeof x.state_dir, "%s/%s", root, o->id) >= (int)sizeof x.state_dir)
    return hk_error_set(err, ENAMETOOLONG, "state dir %s/%s: path too long", root, o->id);
  struct hako_create_opts co = {.root = o->root,
                                .id = o->id,
                                .bundle = x.bundle,
                                .pid_file = o->pid_file,
                                .console_socket = o->console_socket,
                                .no_pivot = o->no_pivot};
  struct hk_restore_launch launch = {.run = run_restore, .arg = &x, .subreaper = !o->no_subreaper};
  pid_t pid;
  r = hk_create_container(&co, &launch, &pid, err);
  for (size_t i = 0; i < x.n_keep; i++)
    close(x.keep[i]);
  if (x.pty_master >= 0)
    close(x.pty_master);
  if (r < 0 || o->detach)
    return r;
  /* like run: wait for the container, then remove it */
  hk_forward_signals(pid);
  *exit_status = hk_wait_exit(pid);
  return hako_delete(o->root, o->id, true, err);
}
