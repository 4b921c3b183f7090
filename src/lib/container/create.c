/* hako_create: validate everything, then build the container. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "hako.h"
#include "log.h"
#include "netdev.h"
#include "ns.h"
#include "process.h"
#include "rootfs.h"
#include "security/caps.h"
#include "security/seccomp.h"
#include "tty.h"
#include "util.h"

void hk_now_rfc3339(char *buf, size_t size) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  hk_utc_format(&ts, buf, size, true);
}

static int validate(const struct hk_spec *spec, struct hk_error *err) {
  if (!spec->process)
    return hk_error_set(err, EINVAL, "config.json: process: required to create a container");
  if (!spec->process->n_args)
    return hk_error_set(err, EINVAL, "config.json: process.args: must not be empty");
  if (!spec->root_path)
    return hk_error_set(err, EINVAL, "config.json: root.path: required on Linux");
  if (!spec->linux_ || !hk_spec_namespace(spec, HK_NS_MOUNT))
    return hk_error_set(err, EINVAL,
                        "config.json: linux.namespaces: a mount namespace is required");
  const struct hk_linux *lx = spec->linux_;
  const struct hk_namespace *user = hk_spec_namespace(spec, HK_NS_USER);
  if (user && !user->path && (!lx->n_uid_mappings || !lx->n_gid_mappings))
    return hk_error_set(err, EINVAL,
                        "config.json: linux.uidMappings: a new user namespace needs uid and "
                        "gid mappings");
  if ((!user || user->path) && (lx->n_uid_mappings || lx->n_gid_mappings))
    return hk_error_set(err, EINVAL,
                        "config.json: linux.uidMappings: mappings need a new user namespace");
  if (lx->n_time_offsets) {
    const struct hk_namespace *t = hk_spec_namespace(spec, HK_NS_TIME);
    if (!t || t->path)
      return hk_error_set(err, EINVAL,
                          "config.json: linux.timeOffsets: needs a new time namespace");
  }
  /* every namespace path must exist and be of its type before anything is created */
  for (size_t i = 0; i < lx->n_namespaces; i++) {
    const struct hk_namespace *ns = &lx->namespaces[i];
    if (!ns->path)
      continue;
    int fd = hk_ns_open_checked(ns->type, ns->path, err);
    if (fd < 0)
      return hk_error_prefix(err, "linux.namespaces[%zu].path", i);
    close(fd);
  }
  const struct hk_exec_cpu_affinity *aff = spec->process ? spec->process->exec_cpu_affinity : NULL;
  if (aff && aff->initial && *aff->initial &&
      hk_check_cpu_list(aff->initial, "process.execCPUAffinity.initial", err) < 0)
    return -EINVAL;
  if (aff && aff->final && *aff->final &&
      hk_check_cpu_list(aff->final, "process.execCPUAffinity.final", err) < 0)
    return -EINVAL;
  if (spec->process && spec->process->scheduler &&
      hk_check_scheduler(spec->process->scheduler, err) < 0)
    return -EINVAL;
  int r = hk_sysctl_validate(spec, err);
  if (r == 0)
    r = hk_netdev_validate(spec, err);
  return r < 0 ? r : hk_check_supported(spec, err);
}

int hk_write_pid_file(const char *path, pid_t pid, struct hk_error *err) {
  char abs[PATH_MAX], dir[PATH_MAX];
  snprintf(abs, sizeof abs, "%s", path);
  char *slash = strrchr(abs, '/');
  const char *name = slash ? slash + 1 : abs;
  if (!slash)
    strcpy(dir, ".");
  else if (slash == abs)
    strcpy(dir, "/");
  else
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - abs), abs);
  _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_sys(err, "--pid-file: open directory %s", dir);
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", (int)pid);
  int r = hk_write_file_atomic(dfd, name, buf, (size_t)n, 0644, err);
  return r < 0 ? hk_error_prefix(err, "--pid-file %s", path) : 0;
}

static bool spec_has_hooks(const struct hk_spec *s) {
  const struct hk_hooks *h = &s->hooks;
  return h->prestart.n || h->create_runtime.n || h->create_container.n || h->start_container.n ||
         h->poststart.n || h->poststop.n;
}

/* The state hooks and the seccomp agent read: status "creating", pid 0
 * until init exists (init rebuilds it with its pid for its own hooks). */
static char *creating_state_json(const struct hk_state *st) {
  return hk_state_to_json(st, false);
}

static char *annotations_json(const struct hk_spec *spec) {
  json_t *o = json_object();
  for (size_t i = 0; i < spec->n_annotations; i++)
    json_object_set_new(o, spec->annotations[i].key, json_string(spec->annotations[i].value));
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return s;
}

struct create_ctx {
  char bundle[PATH_MAX];
  char rootfs[PATH_MAX];
  struct hk_spec *spec;
  char *config_text;
  size_t config_len;
  int dirfd;
  bool dir_created;
  struct hk_cgroup *cgroup;
  struct hk_seccomp_filter *seccomp;
  int console_fd;
  struct hk_term_proxy *term; /* run in the foreground: a terminal is ours (term_proxy.c) */
  struct hk_state st;
};

static void ctx_free(struct create_ctx *c) {
  hk_spec_free(c->spec);
  free(c->config_text);
  if (c->dirfd >= 0)
    close(c->dirfd);
  if (c->cgroup)
    hk_cgroup_free(c->cgroup);
  if (c->seccomp)
    hk_seccomp_free(c->seccomp);
  if (c->console_fd >= 0)
    close(c->console_fd);
  free(c->st.annotations_json);
  free(c->st.created);
}

static int load_config(const struct hako_create_opts *o, struct create_ctx *c,
                       struct hk_error *err) {
  const char *bundle = o->bundle && *o->bundle ? o->bundle : ".";
  if (!realpath(bundle, c->bundle))
    return hk_error_sys(err, "bundle %s", bundle);
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/config.json", c->bundle);
  int r = hk_read_file(path, 64 << 20, &c->config_text, &c->config_len, err);
  if (r < 0)
    return r;
  r = hk_spec_parse(c->config_text, c->config_len, "config.json", &c->spec, err);
  if (r < 0)
    return r;
  r = validate(c->spec, err);
  if (r < 0)
    return r;
  char root[PATH_MAX + 8];
  if (c->spec->root_path[0] == '/')
    snprintf(root, sizeof root, "%s", c->spec->root_path);
  else
    snprintf(root, sizeof root, "%s/%s", c->bundle, c->spec->root_path);
  if (!realpath(root, c->rootfs))
    return hk_error_sys(err, "config.json: root.path: %s", root);
  struct stat st;
  if (stat(c->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
    return hk_error_set(err, ENOTDIR, "config.json: root.path: %s is not a directory", root);
  return 0;
}

static int prepare_security(struct create_ctx *c, struct hk_launch *l, struct hk_error *err) {
  const struct hk_namespace *user = hk_spec_namespace(c->spec, HK_NS_USER);
  unsigned flags = user ? HK_CAPS_NEW_USERNS : 0;
  int r = hk_caps_from_spec_ex(c->spec->process->capabilities, flags, &l->caps, err);
  if (r < 0)
    return r;
  if (c->spec->linux_->seccomp) {
    r = hk_seccomp_compile(c->spec->linux_->seccomp, &c->seccomp, err);
    if (r < 0)
      return r;
    l->seccomp = c->seccomp;
  }
  return 0;
}

/* The fifo init blocks on until start.  Owned by the container's root so
 * that init can open it from inside a user namespace. */
static int make_fifo(struct create_ctx *c, struct hk_error *err) {
  if (mkfifoat(c->dirfd, "exec.fifo", 0600) < 0)
    return hk_error_sys(err, "create exec.fifo");
  const struct hk_linux *lx = c->spec->linux_;
  uint32_t uid = 0, gid = 0;
  if (lx->n_uid_mappings) {
    hk_idmap_to_host(lx->uid_mappings, lx->n_uid_mappings, 0, &uid);
    hk_idmap_to_host(lx->gid_mappings, lx->n_gid_mappings, 0, &gid);
    if (fchownat(c->dirfd, "exec.fifo", uid, gid, 0) < 0)
      return hk_error_sys(err, "chown exec.fifo");
  }
  return 0;
}

/* The cgroup gets the config's resources with the full device rule list; an
 * unprivileged user's (delegated) cgroup gets no device rules: loading a device
 * program needs privileges the user lacks, and its devices are binds of the
 * host's nodes, which the host's permissions already guard (runc does the same). */
static int create_cgroup(struct create_ctx *c, const char *id, bool rootless,
                         struct hk_error *err) {
  struct hk_device_rule *rules = NULL;
  size_t n = 0;
  int r = rootless ? 0 : hk_device_rules_build(c->spec, &rules, &n, err);
  if (r < 0)
    return r;
  struct hk_resources empty = {0};
  struct hk_resources res = c->spec->linux_->resources ? *c->spec->linux_->resources : empty;
  res.devices = rules;
  res.n_devices = n;
  const char *path = c->spec->linux_->cgroups_path;
  r = rootless ? hk_cgroup_create_rootless(path, id, &res, &c->cgroup, err)
               : hk_cgroup_create(path, id, &res, &c->cgroup, err);
  free(rules);
  return r;
}

static bool resources_empty(const struct hk_resources *r) {
  return !r || (!r->memory && !r->cpu && !r->has_pids_limit && !r->block_io &&
                !r->n_hugepage_limits && !r->network && !r->n_rdma && !r->n_unified);
}

/* Rootless: a cgroup is made only inside a delegated subtree (*delegated);
 * without one, limits are an error and nothing is written to cgroups. */
static int rootless_cgroup(const struct hk_spec *spec, const char *id, bool *delegated,
                           struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  bool limits = !resources_empty(lx->resources);
  char why[1536];
  int r = hk_cgroup_rootless_probe(lx->cgroups_path, id, lx->resources, delegated, why, sizeof why,
                                   err);
  if (r < 0 && limits)
    return r;
  if (r < 0) { /* no limits asked for: run without a cgroup, as before */
    hk_debug("rootless: no cgroup: %s", err->msg);
    hk_error_clear(err);
    *delegated = false;
    return 0;
  }
  if (!*delegated && limits)
    return hk_error_set(err, EPERM,
                        "config.json: linux.resources: an unprivileged user can set cgroup "
                        "limits only in a delegated cgroup, and %s; remove linux.resources or "
                        "run as root",
                        why);
  /* an explicit cgroupsPath on a v2 host is a request for that cgroup: runc fails
   * too when it cannot be made (on v1 no user can have one, so it is ignored) */
  enum hk_cgroup_layout layout;
  if (!*delegated && lx->cgroups_path && *lx->cgroups_path && hk_cgroup_detect(&layout, err) == 0 &&
      layout == HK_CGROUP_V2)
    return hk_error_set(err, EPERM,
                        "config.json: linux.cgroupsPath: \"%s\": an unprivileged user can use "
                        "only a delegated cgroup, and %s; remove linux.cgroupsPath or run as root",
                        lx->cgroups_path, why);
  hk_error_clear(err);
  return 0;
}

/* Socket activation (sd_listen_fds): the caller's LISTEN_FDS fds follow 0-2,
 * so they are preserved like --preserve-fds, and the container's pid 1 is the
 * listener (runc does the same). Returns how many fds to pass on. */
static int listen_fds(struct hk_spec *spec, int preserve_fds, struct hk_error *err) {
  const char *v = getenv("LISTEN_FDS"), *who = getenv("LISTEN_PID");
  long n, pid;
  /* the fds are ours only when LISTEN_PID names us (sd_listen_fds's rule) */
  if (!v || !who || hk_parse_long(who, &pid) < 0 || pid != (long)getpid() ||
      hk_parse_long(v, &n) < 0 || n <= 0 || n > 4096)
    return preserve_fds;
  struct hk_process *p = spec->process;
  char **env = realloc(p->env, (p->n_env + 3) * sizeof *env);
  if (!env)
    return hk_error_set(err, ENOMEM, "LISTEN_FDS: out of memory");
  p->env = env;
  env[p->n_env++] = hk_strdup_printf("LISTEN_FDS=%ld", n);
  env[p->n_env++] = strdup("LISTEN_PID=1");
  env[p->n_env] = NULL;
  if (!env[p->n_env - 1] || !env[p->n_env - 2])
    return hk_error_set(err, ENOMEM, "LISTEN_FDS: out of memory");
  return (int)n + preserve_fds;
}

/* The init (or the restored process) exists: record it, write the pid file;
 * on failure it is killed, since nothing would know about it. */
static int record_init(struct create_ctx *c, const struct hako_create_opts *o, pid_t pid,
                       enum hk_status status, pid_t *init_pid, struct hk_error *err) {
  c->st.pid = pid;
  c->st.pid_start_time = hk_proc_start_time(pid);
  c->st.status = status;
  int r = hk_state_save_first(c->dirfd, &c->st, err);
  if (r == 0 && o->pid_file)
    r = hk_write_pid_file(o->pid_file, pid, err);
  if (r < 0) {
    hk_kill_and_reap(pid);
    return r;
  }
  *init_pid = pid;
  return 0;
}

static int do_create(const struct hako_create_opts *o, const struct hk_restore_launch *restore,
                     struct create_ctx *c, pid_t *init_pid, struct hk_error *err) {
  int r = hk_state_validate_id(o->id, err);
  if (r == 0)
    r = load_config(o, c, err);
  if (r < 0)
    return r;
  int preserve_fds = listen_fds(c->spec, o->preserve_fds, err);
  if (preserve_fds < 0)
    return preserve_fds;
  struct hk_launch l = {.spec = c->spec,
                        .id = o->id,
                        .bundle = c->bundle,
                        .rootfs = c->rootfs,
                        .console_fd = -1,
                        .preserve_fds = preserve_fds,
                        .no_pivot = o->no_pivot,
                        .no_new_keyring = o->no_new_keyring};
  /* a restored process gets its credentials and filter back from criu */
  r = restore ? 0 : prepare_security(c, &l, err);
  if (r < 0)
    return r;
  /* Unprivileged (or root of a user namespace, as under rootless podman): a
   * cgroup only inside a delegated subtree. */
  bool rootless = o->rootless == HAKO_ROOTLESS_AUTO ? geteuid() != 0 || hk_in_user_ns()
                                                    : o->rootless == HAKO_ROOTLESS_TRUE;
  bool with_cgroup = !rootless;
  const struct hk_linux *lx = c->spec->linux_;
  if (rootless) {
    r = rootless_cgroup(c->spec, o->id, &with_cgroup, err);
    if (r < 0)
      return r;
  }
  if (geteuid() != 0) {
    /* (root of an outer user namespace already has its capabilities there) */
    if (!hk_spec_namespace(c->spec, HK_NS_USER))
      return hk_error_set(err, EPERM,
                          "config.json: linux.namespaces: an unprivileged user needs a user "
                          "namespace (hako spec --rootless writes one)");
    l.setgroups_denied = hk_spec_namespace(c->spec, HK_NS_USER) &&
                         hk_idmap_is_self(lx->gid_mappings, lx->n_gid_mappings, getegid());
    if (l.setgroups_denied && c->spec->process->user.n_additional_gids)
      return hk_error_set(err, EPERM,
                          "config.json: process.user.additionalGids: an unprivileged user "
                          "namespace with one gid cannot set groups (map more gids with "
                          "/etc/subgid)");
  }
  if (c->spec->linux_->resources) {
    r = hk_cgroup_check(c->spec->linux_->resources, err);
    if (r < 0)
      return r;
  }
  if (c->spec->process->terminal && !o->console_socket && !c->term)
    return hk_error_set(err, EINVAL,
                        "config.json: process.terminal is true: --console-socket is required");
  if (!c->spec->process->terminal && o->console_socket)
    return hk_error_set(err, EINVAL,
                        "--console-socket given but process.terminal is false: no terminal to "
                        "send");
  c->dirfd = hk_state_create_dir(o->root, o->id, err);
  if (c->dirfd < 0)
    return c->dirfd;
  c->dir_created = true;
  /* state dir 0711: init, as the container's root, must reach exec.fifo */
  if (fchmod(c->dirfd, 0711) < 0)
    return hk_error_sys(err, "chmod state dir");
  r = hk_state_lock(c->dirfd, err);
  if (r < 0)
    return r;
  /* the fresh dir is locked until state.json exists: no reader sees these files half
   * written, and a create that dies meanwhile leaves config.json without state.json,
   * which open takes for a create that never finished (container.c) */
  r = hk_write_file_new(c->dirfd, "config.json", c->config_text, c->config_len, 0600, err);
  if (r < 0)
    return r;
  char created[64];
  hk_now_rfc3339(created, sizeof created);
  c->st = (struct hk_state){.id = (char *)o->id,
                            .bundle = c->bundle,
                            .rootfs = c->rootfs,
                            .oci_version = c->spec->oci_version,
                            .created = strdup(created),
                            .owner = geteuid(),
                            .annotations_json = annotations_json(c->spec),
                            .status = HK_STATUS_CREATING};
  if (with_cgroup) {
    r = create_cgroup(c, o->id, rootless, err);
    if (r < 0)
      return r;
    char *cgtext = hk_cgroup_serialize(c->cgroup);
    if (!cgtext)
      return hk_error_set(err, ENOMEM, "serialize the cgroup: out of memory");
    r = hk_write_file_atomic(c->dirfd, "cgroup", cgtext, strlen(cgtext), 0600, err);
    free(cgtext);
    if (r < 0)
      return r;
    c->st.has_cgroup = true;
  }
  if (restore) {
    pid_t pid;
    r = restore->run(restore->arg, c->spec, c->rootfs, c->dirfd, c->cgroup, &pid, err);
    if (r < 0)
      return r;
    return record_init(c, o, pid, HK_STATUS_RUNNING, init_pid, err);
  }
  r = make_fifo(c, err);
  if (r == 0)
    r = hk_notify_prepare(c->spec, o->root, o->id, c->dirfd, err);
  if (r < 0)
    return r;
  if (o->console_socket) {
    c->console_fd = hk_console_connect(o->console_socket, err);
    if (c->console_fd < 0)
      return c->console_fd;
  } else if (c->spec->process->terminal && c->term) {
    r = hk_term_proxy_open(c->term, &c->console_fd, err);
    if (r < 0)
      return r;
  }
  l.console_fd = c->console_fd;
  /* init gets its own O_PATH handle: sharing the locked open file would
   * keep the state lock held for the container's whole life */
  _cleanup_close_ int init_dirfd = openat(c->dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (init_dirfd < 0)
    return hk_error_sys(err, "open state dir for init");
  l.state_dirfd = init_dirfd;
  l.lock_fd = c->dirfd;
  l.cgroup = c->cgroup;
  int *premounted = NULL;
  r = hk_idmap_mounts_prepare(c->spec, c->bundle, &premounted, err);
  if (r < 0)
    return r;
  l.premounted = premounted;
  /* the state JSON is for hooks and a seccomp listener's message: not built without them */
  const struct hk_seccomp *sc = c->spec->linux_->seccomp;
  if (spec_has_hooks(c->spec) || (sc && sc->listener_path)) {
    l.state = &c->st;
    l.hook_state_json = creating_state_json(&c->st);
  }
  pid_t pid;
  r = hk_launch_create(&l, &pid, err);
  free(l.hook_state_json);
  hk_idmap_mounts_free(premounted, c->spec->n_mounts);
  if (r < 0)
    return r;
  return record_init(c, o, pid, HK_STATUS_CREATED, init_pid, err);
}

/* *dst = a copy of src (NULL stays NULL); false when out of memory */
static bool copy_field(char **dst, const char *src) {
  *dst = src ? strdup(src) : NULL;
  return !src || *dst;
}

/* The created container as an open one: the locked dir fd and a copy of its state. */
static int keep_open(struct create_ctx *c, struct hk_container *kept, struct hk_error *err) {
  const struct hk_state *s = &c->st;
  *kept = (struct hk_container){.dirfd = -1, .st = *s, .no_hooks = !spec_has_hooks(c->spec)};
  bool ok = copy_field(&kept->st.id, s->id);
  ok &= copy_field(&kept->st.bundle, s->bundle);
  ok &= copy_field(&kept->st.rootfs, s->rootfs);
  ok &= copy_field(&kept->st.oci_version, s->oci_version);
  ok &= copy_field(&kept->st.created, s->created);
  ok &= copy_field(&kept->st.annotations_json, s->annotations_json);
  if (!ok) {
    hk_state_clear(&kept->st);
    return hk_error_set(err, ENOMEM, "out of memory");
  }
  kept->dirfd = c->dirfd;
  c->dirfd = -1;
  return 0;
}

static int create_container(const struct hako_create_opts *o,
                            const struct hk_restore_launch *restore, struct hk_term_proxy *term,
                            pid_t *init_pid, struct hk_container *kept, struct hk_error *err) {
  struct create_ctx c = {.dirfd = -1, .console_fd = -1, .term = term};
  /* init of the slow path is reparented to us, so we can reap it on failure
   * and wait for it in `run` */
  if (!restore || restore->subreaper)
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int r = do_create(o, restore, &c, init_pid, err);
  if (r == 0 && kept && (r = keep_open(&c, kept, err)) < 0)
    hk_kill_and_reap(*init_pid);
  if (r < 0) {
    if (c.cgroup) {
      struct hk_error ignored = {0};
      hk_cgroup_kill_all(c.cgroup, SIGKILL, &ignored);
      hk_cgroup_destroy(c.cgroup, &ignored);
    }
    if (c.dir_created) {
      struct hk_error ignored = {0};
      hk_state_remove_dir(o->root, o->id, &ignored);
    }
  }
  ctx_free(&c);
  return r;
}

int hk_create_container(const struct hako_create_opts *o, const struct hk_restore_launch *restore,
                        pid_t *init_pid, struct hk_error *err) {
  return create_container(o, restore, NULL, init_pid, NULL, err);
}

int hk_create_container_kept(const struct hako_create_opts *o, struct hk_term_proxy *term,
                             pid_t *init_pid, struct hk_container *kept, struct hk_error *err) {
  return create_container(o, NULL, term, init_pid, kept, err);
}

int hako_create(const struct hako_create_opts *o, pid_t *init_pid, struct hk_error *err) {
  return hk_create_container(o, NULL, init_pid, err);
}
