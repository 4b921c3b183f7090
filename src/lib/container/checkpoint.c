/* checkpoint: runc's `checkpoint` on top of `criu dump` / `criu pre-dump`.
 *
 * What criu cannot see by itself is described to it the way runc does: bind
 * mounts (and the cgroup directories bound in without a cgroup namespace) are
 * external mounts keyed by their destination; masked files are keyed to
 * /dev/null; namespaces joined by path are external namespaces, handed back
 * by restore as inherited fds; the paths of init's stdio are saved in
 * descriptors.json so that restore can reconnect pipes. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup.h"
#include "checkpoint.h"
#include "container.h"
#include "criu.h"
#include "hako.h"
#include "util.h"

int hako_criu_usable(const char *criu, struct hk_error *err) {
  return hk_criu_check(criu, err);
}

bool hk_mount_is_bind(const struct hk_mount *m) {
  if (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0))
    return true;
  for (size_t i = 0; i < m->n_options; i++)
    if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
      return true;
  return false;
}

bool hk_mount_is_cgroup(const struct hk_mount *m) {
  return m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) &&
         !hk_mount_is_bind(m);
}

const char *hk_criu_ns_key(enum hk_ns_type t) {
  return t == HK_NS_NETWORK ? "extRootNetNS" : t == HK_NS_PID ? "extRootPidNS" : NULL;
}

int hk_criu_dirs(const struct hako_criu_opts *o, bool create, char *img, char *work,
                 struct hk_error *err) {
  const char *image = o->image_path && *o->image_path ? o->image_path : "checkpoint";
  if (create) {
    int r = hk_mkdir_p(image, 0700, err);
    if (r < 0)
      return hk_error_prefix(err, "--image-path");
  }
  if (!realpath(image, img))
    return hk_error_sys(err, "--image-path %s", image);
  if (!o->work_path || !*o->work_path) {
    snprintf(work, PATH_MAX, "%s", img);
    return 0;
  }
  if (create) {
    int r = hk_mkdir_p(o->work_path, 0700, err);
    if (r < 0)
      return hk_error_prefix(err, "--work-path");
  }
  if (!realpath(o->work_path, work))
    return hk_error_sys(err, "--work-path %s", o->work_path);
  return 0;
}

void hk_criu_common_args(struct hk_argv *a, const struct hako_criu_opts *o) {
  if (o->manage_cgroups_mode)
    hk_argv_addf(a, "--manage-cgroups=%s", o->manage_cgroups_mode);
  else
    hk_argv_add(a, "--manage-cgroups");
  if (o->tcp_established)
    hk_argv_add(a, "--tcp-established");
  if (o->ext_unix_sk)
    hk_argv_add(a, "--ext-unix-sk");
  if (o->shell_job)
    hk_argv_add(a, "--shell-job");
  if (o->file_locks)
    hk_argv_add(a, "--file-locks");
  if (o->auto_dedup)
    hk_argv_add(a, "--auto-dedup");
  if (o->lazy_pages)
    hk_argv_add(a, "--lazy-pages");
  if (o->empty_ns & CLONE_NEWNET) {
    hk_argv_add(a, "--empty-ns");
    hk_argv_add(a, "net");
  }
}

/* Each hierarchy's directory bound at /sys/fs/cgroup (v2) or below it (v1),
 * when the container has no cgroup namespace of its own.  fn(dest, dir). */
void hk_criu_cgroup_binds(const struct hk_spec *spec, const struct hk_cgroup *cg,
                          void (*fn)(void *, const char *, const char *), void *arg) {
  if (!cg || hk_spec_namespace(spec, HK_NS_CGROUP))
    return;
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    if (!hk_mount_is_cgroup(m))
      continue;
    for (size_t k = 0; k < hk_cgroup_count(cg); k++) {
      const char *ctrl, *mnt, *path, *dir;
      if (hk_cgroup_get(cg, k, &ctrl, &mnt, &path, &dir) < 0)
        continue;
      char dest[PATH_MAX];
      if (hk_cgroup_layout(cg) == HK_CGROUP_V2) {
        snprintf(dest, sizeof dest, "%s", m->destination);
      } else {
        const char *name = strrchr(mnt, '/');
        snprintf(dest, sizeof dest, "%s/%s", m->destination, name ? name + 1 : mnt);
      }
      fn(arg, dest, dir);
    }
  }
}

static void dump_cgroup_bind(void *arg, const char *dest, const char *dir) {
  (void)dir;
  hk_argv_addf(arg, "mnt[%s]:%s", dest, dest);
}

/* A masked path that is a file is a bind of /dev/null (directories get a tmpfs). */
static bool masked_file(pid_t pid, const char *path) {
  char p[PATH_MAX + 32];
  struct stat st;
  snprintf(p, sizeof p, "/proc/%d/root%s", (int)pid, path);
  return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int external_args(struct hk_argv *a, const struct hk_spec *spec, const struct hk_cgroup *cg,
                         pid_t pid, struct hk_error *err) {
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct hk_mount *m = &spec->mounts[i];
    if (!hk_mount_is_bind(m))
      continue;
    hk_argv_add(a, "--external");
    hk_argv_addf(a, "mnt[%s]:%s", m->destination, m->destination);
  }
  struct hk_argv binds = {0};
  hk_criu_cgroup_binds(spec, cg, dump_cgroup_bind, &binds);
  for (size_t i = 0; i < binds.n; i++) {
    hk_argv_add(a, "--external");
    hk_argv_add(a, binds.v[i]);
  }
  hk_argv_free(&binds);
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_masked_paths; i++) {
    if (!masked_file(pid, lx->masked_paths[i]))
      continue;
    hk_argv_add(a, "--external");
    hk_argv_addf(a, "mnt[%s]:/dev/null", lx->masked_paths[i]);
  }
  for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
    const struct hk_namespace *ns = &lx->namespaces[i];
    const char *key = hk_criu_ns_key(ns->type);
    if (!ns->path)
      continue;
    if (!key)
      return hk_error_set(err, ENOTSUP,
                          "checkpoint: linux.namespaces[%zu]: criu can only keep network and "
                          "pid namespaces joined by path",
                          i);
    struct stat st;
    if (stat(ns->path, &st) < 0)
      return hk_error_sys(err, "checkpoint: linux.namespaces[%zu].path %s", i, ns->path);
    hk_argv_add(a, "--external");
    hk_argv_addf(a, "%s[%llu]:%s", ns->type == HK_NS_NETWORK ? "net" : "pid",
                 (unsigned long long)st.st_ino, key);
  }
  return 0;
}

/* Whether mount id `mnt` is one of the container's mounts (init's mountinfo). */
static bool mount_in_container(pid_t pid, unsigned long mnt) {
  char p[64], line[4096];
  snprintf(p, sizeof p, "/proc/%d/mountinfo", (int)pid);
  FILE *f = fopen(p, "re");
  if (!f)
    return false;
  bool found = false;
  while (!found && fgets(line, sizeof line, f))
    found = strtoul(line, NULL, 10) == mnt;
  fclose(f);
  return found;
}

static unsigned long fd_mnt_id(pid_t pid, int fd) {
  char p[64], line[256];
  snprintf(p, sizeof p, "/proc/%d/fdinfo/%d", (int)pid, fd);
  FILE *f = fopen(p, "re");
  unsigned long id = 0;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "mnt_id:", 7) == 0)
      id = strtoul(line + 7, NULL, 10);
  if (f)
    fclose(f);
  return id;
}

/* init's stdio.  descriptors.json (runc's file) lists where fds 0-2 point
 * ("pipe:[123]", "/dev/null"), so that restore can reconnect pipes.  Stdio
 * that criu cannot dump from inside the container is made external, and
 * hako-inherit-fds tells restore which of its own fds replaces it: a file
 * on a host mount (run -d </dev/null) becomes the restorer's fd, a pty
 * whose master is outside (the console socket's) becomes a new pty. */
static int describe_stdio(struct hk_argv *a, pid_t pid, const char *img, struct hk_error *err) {
  json_t *arr = json_array();
  char inherit[1024] = "";
  for (int fd = 0; fd < 3; fd++) {
    char p[64], target[PATH_MAX];
    snprintf(p, sizeof p, "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(p, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    json_array_append_new(arr, json_string(target));
    struct stat st;
    if (n <= 0 || stat(p, &st) < 0 || strncmp(target, "pipe:", 5) == 0 ||
        strncmp(target, "socket:", 7) == 0 || strncmp(target, "anon_inode:", 11) == 0)
      continue;
    char key[96];
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143)
      snprintf(key, sizeof key, "tty[%llx:%llx]", (unsigned long long)st.st_rdev,
               (unsigned long long)st.st_dev);
    else if (!mount_in_container(pid, fd_mnt_id(pid, fd)))
      snprintf(key, sizeof key, "file[%lx:%llx]", fd_mnt_id(pid, fd),
               (unsigned long long)st.st_ino);
    else
      continue;
    if (!strstr(inherit, key)) { /* fds 0-2 often share one file */
      hk_argv_add(a, "--external");
      hk_argv_add(a, key);
    }
    size_t o = strlen(inherit);
    snprintf(inherit + o, sizeof inherit - o, "%d %s\n", fd, key);
  }
  char *s = json_dumps(arr, JSON_COMPACT);
  json_decref(arr);
  if (!s)
    return hk_error_set(err, ENOMEM, "checkpoint: descriptors.json: out of memory");
  _cleanup_close_ int dfd = open(img, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r = dfd < 0 ? hk_error_sys(err, "checkpoint: open %s", img)
                  : hk_write_file_atomic(dfd, "descriptors.json", s, strlen(s), 0600, err);
  free(s);
  if (r == 0)
    r = hk_write_file_atomic(dfd, "hako-inherit-fds", inherit, strlen(inherit), 0600, err);
  return r;
}

static int page_server_args(struct hk_argv *a, const char *ps, struct hk_error *err) {
  const char *colon = strrchr(ps, ':');
  if (!colon || colon == ps || !colon[1])
    return hk_error_set(err, EINVAL, "--page-server %s: expected ADDR:PORT", ps);
  long port;
  if (hk_parse_long(colon + 1, &port) < 0 || port <= 0 || port > 65535)
    return hk_error_set(err, EINVAL, "--page-server %s: invalid port", ps);
  hk_argv_add(a, "--page-server");
  hk_argv_add(a, "--address");
  hk_argv_addf(a, "%.*s", (int)(colon - ps), ps);
  hk_argv_add(a, "--port");
  hk_argv_addf(a, "%ld", port);
  return 0;
}

static int do_checkpoint(const struct hako_criu_opts *o, struct hk_container *c,
                         const struct hk_spec *spec, const struct hk_cgroup *cg,
                         struct hk_error *err) {
  char criu[PATH_MAX], img[PATH_MAX], work[PATH_MAX], log[PATH_MAX + 16];
  int r = hk_criu_find(o->criu, criu, sizeof criu, err);
  if (r == 0)
    r = hk_criu_check(criu, err);
  if (r == 0 && o->pre_dump && !hk_criu_has_feature(criu, "mem_dirty_track"))
    r = hk_error_set(err, ENOTSUP,
                     "checkpoint --pre-dump: this kernel cannot track dirty memory (criu check "
                     "--feature mem_dirty_track failed)");
  if (r == 0)
    r = hk_criu_dirs(o, true, img, work, err);
  if (r < 0)
    return r;
  if (o->parent_path) {
    char parent[PATH_MAX * 2 + 2];
    if (o->parent_path[0] == '/')
      snprintf(parent, sizeof parent, "%s", o->parent_path);
    else
      snprintf(parent, sizeof parent, "%s/%s", img, o->parent_path);
    struct stat st;
    if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
      return hk_error_set(err, ENOENT,
                          "checkpoint --parent-path %s: no such directory (%s; a relative path "
                          "is relative to --image-path)",
                          o->parent_path, parent);
  }
  const char *what = o->pre_dump ? "pre-dump" : "dump";
  snprintf(log, sizeof log, "%s/%s.log", work, what);
  struct hk_argv a = {0};
  hk_argv_add(&a, criu);
  hk_argv_add(&a, what);
  hk_argv_add(&a, "--tree");
  hk_argv_addf(&a, "%d", (int)c->st.pid);
  hk_argv_add(&a, "--images-dir");
  hk_argv_add(&a, img);
  hk_argv_add(&a, "--work-dir");
  hk_argv_add(&a, work);
  hk_argv_add(&a, "--log-file");
  hk_argv_add(&a, log);
  hk_argv_add(&a, "-v4");
  hk_argv_add(&a, "--root");
  hk_argv_add(&a, c->st.rootfs ? c->st.rootfs : "/");
  /* freeze through the cgroup: no task can fork away while criu collects */
  const char *freezer =
      cg ? hk_cgroup_dir(cg, hk_cgroup_layout(cg) == HK_CGROUP_V2 ? "" : "freezer") : NULL;
  if (freezer) {
    hk_argv_add(&a, "--freeze-cgroup");
    hk_argv_add(&a, freezer);
  }
  hk_criu_common_args(&a, o);
  if (o->leave_running && !o->pre_dump)
    hk_argv_add(&a, "--leave-running");
  if (o->pre_dump || o->parent_path)
    hk_argv_add(&a, "--track-mem");
  if (o->parent_path) {
    hk_argv_add(&a, "--prev-images-dir");
    hk_argv_add(&a, o->parent_path);
  }
  if (o->status_fd >= 0) {
    hk_argv_add(&a, "--status-fd");
    hk_argv_addf(&a, "%d", o->status_fd);
  }
  r = o->page_server ? page_server_args(&a, o->page_server, err) : 0;
  if (r == 0)
    r = external_args(&a, spec, cg, c->st.pid, err);
  if (r == 0)
    r = describe_stdio(&a, c->st.pid, img, err);
  if (r == 0) {
    int keep = o->status_fd;
    struct hk_criu_run run = {.criu = criu,
                              .args = &a,
                              .log_path = log,
                              .keep_fds = &keep,
                              .n_keep_fds = o->status_fd >= 0 ? 1 : 0,
                              .what = what};
    r = hk_criu_exec(&run, err);
  }
  hk_argv_free(&a);
  return r;
}

int hako_checkpoint(const struct hako_criu_opts *o, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(o->root, o->id, &c, err);
  if (r < 0)
    return r;
  struct hk_spec *spec = NULL;
  struct hk_cgroup *cg = NULL;
  if (c.st.status != HK_STATUS_RUNNING && c.st.status != HK_STATUS_PAUSED) {
    r = hk_error_set(err, ESRCH, "container %s is not running (%s): nothing to checkpoint", o->id,
                     hk_status_name(c.st.status));
    goto out;
  }
  r = hk_container_load_spec(&c, &spec, err);
  if (r == 0)
    r = hk_container_load_cgroup(&c, &cg, err);
  if (r == 0)
    r = do_checkpoint(o, &c, spec, cg, err);
  if (r == 0 && (o->leave_running || o->pre_dump) && c.st.paused && cg) {
    /* criu thaws what it froze: a paused container stays paused */
    r = hk_cgroup_freeze(cg, true, err);
  }
  if (r < 0 || o->leave_running || o->pre_dump)
    goto out;
  /* criu killed the tree: the container is gone, as after runc's checkpoint */
  if (!hk_container_wait_gone(&c, 10000)) {
    r = hk_error_set(err, EBUSY, "checkpoint: init (pid %d) still alive after criu dump",
                     (int)c.st.pid);
    goto out;
  }
  r = hk_container_destroy(o->root, &c, err);
out:
  hk_spec_free(spec);
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}
