/* The container's init: runs in the cloned child, builds the container
 * around itself, reports ready, blocks until `start`, then execs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"
#include "ns.h"
#include "process.h"
#include "rootfs.h"
#include "security/lsm.h"
#include "security/procfs.h"
#include "security/seccomp.h"
#include "sync.h"
#include "tty.h"
#include "util.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

static bool has_new_ns(const struct hk_spec *spec, enum hk_ns_type t) {
  const struct hk_namespace *ns = hk_spec_namespace(spec, t);
  return ns && !ns->path;
}

static bool has_ns(const struct hk_spec *spec, enum hk_ns_type t) {
  return hk_spec_namespace(spec, t) != NULL;
}

static int set_names(const struct hk_spec *spec, struct hk_error *err) {
  if (spec->hostname) {
    if (!has_ns(spec, HK_NS_UTS))
      return hk_error_set(err, EINVAL, "hostname: needs a private UTS namespace");
    if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
      return hk_error_sys(err, "hostname: set \"%s\"", spec->hostname);
  }
  if (spec->domainname) {
    if (!has_ns(spec, HK_NS_UTS))
      return hk_error_set(err, EINVAL, "domainname: needs a private UTS namespace");
    if (setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
      return hk_error_sys(err, "domainname: set \"%s\"", spec->domainname);
  }
  return 0;
}

static int join_session_keyring(const char *id, struct hk_error *err) {
  char name[300];
  snprintf(name, sizeof name, "_ses.%s", id);
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS &&
      errno != EACCES && errno != EDQUOT)
    return hk_error_sys(err, "join a new session keyring");
  return 0;
}

/* Wait for `start`: opening the FIFO for writing blocks until `hako start`
 * opens it for reading.  It is opened through the state dir fd, which works
 * after pivot_root without any path of the host. */
static int wait_for_start(int state_dirfd, struct hk_error *err) {
  int fd;
  do
    fd = openat(state_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return hk_error_sys(err, "open exec.fifo");
  if (hk_write_all(fd, "0", 1) < 0) {
    int r = hk_error_sys(err, "write exec.fifo");
    close(fd);
    return r;
  }
  close(fd);
  return 0;
}

static bool needs_procfs(const struct hk_spec *spec) {
  const struct hk_process *p = spec->process;
  return p->has_oom_score_adj || (spec->linux_ && spec->linux_->n_sysctl) ||
         hk_lsm_wanted(p->apparmor_profile, p->selinux_label);
}

static int set_oom_score_adj(const struct hk_process *p, int procfd, struct hk_error *err) {
  if (!p->has_oom_score_adj)
    return 0;
  char val[16];
  snprintf(val, sizeof val, "%d", p->oom_score_adj);
  return hk_procfs_write_self(procfd, "oom_score_adj", val, "process.oomScoreAdj", err);
}

/* After we joined our cgroup (first thing in setup), at the first step that needs it: our
 * cgroup paths for the cgroup mount, and the cgroup namespace, unshared only now so that
 * its root is the container's cgroup. */
struct cgroup_join {
  bool joined;
  bool new_cgroupns;
  char self_cgroup[8192];
};

static int join_cgroup(void *arg, struct hk_error *err) {
  struct cgroup_join *j = arg;
  if (j->joined)
    return 0;
  int cfd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (cfd >= 0) {
    ssize_t n = hk_read_all(cfd, j->self_cgroup, sizeof j->self_cgroup - 1);
    j->self_cgroup[n > 0 ? n : 0] = 0;
    close(cfd);
  }
  if (j->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
    return hk_error_sys(err, "unshare the cgroup namespace");
  j->joined = true;
  return 0;
}

static int setup(struct hk_launch *l, int sync_fd, char *exe, size_t exe_size, int *procfd,
                 struct hk_error *err) {
  const struct hk_spec *spec = l->spec;
  const struct hk_process *p = spec->process;
  /* into our cgroup by ourselves, before anything else: see cgroup/join.c */
  int r = l->cgroup ? hk_cgroup_join_self(&l->cgroup_join, err) : 0;
  if (r < 0)
    return r;
  struct hk_sync_msg msg;
  r = hk_sync_expect(sync_fd, HK_SYNC_GO, &msg, "init", err);
  if (r < 0)
    return r;
  /* hako's procfs, private (the /proc we see is still the host's), and
   * oom_score_adj while we are still dumpable: non-dumpable, our /proc
   * files belong to the host's root, which a user namespace's root is not */
  bool oom_done = false;
  if (needs_procfs(spec) && hk_procfs_open_private(procfd) == 0) {
    r = set_oom_score_adj(p, *procfd, err);
    if (r < 0)
      return r;
    oom_done = true;
  }
  /* nothing in the container may ptrace or open /proc/1/exe of the runtime
   * before execve replaces it; set after GO because an unprivileged launcher
   * writes our id maps through /proc/<pid>, which non-dumpable forbids */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return hk_error_sys(err, "prctl(PR_SET_DUMPABLE)");
  if (l->state) {
    l->state->pid = msg.value;
    free(l->hook_state_json);
    l->hook_state_json = hk_state_to_json(l->state, false);
  }

  struct cgroup_join cj = {.new_cgroupns = has_new_ns(spec, HK_NS_CGROUP)};
  if (setsid() < 0)
    return hk_error_sys(err, "setsid");
  /* in a user namespace cloned directly, become its root now that the maps
   * exist (the intermediate of the slow path already did) */
  if (has_new_ns(spec, HK_NS_USER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
    return hk_error_sys(err, "become root in the user namespace (is 0 mapped?)");

  struct hk_rootfs_ctx rctx = {
      .spec = spec,
      .rootfs = l->rootfs,
      .bundle = l->bundle,
      .no_pivot = l->no_pivot,
      /* also root of an outer user namespace (rootless podman): no mknod either */
      .userns = has_ns(spec, HK_NS_USER) || hk_in_user_ns(),
      .cgroupns = has_ns(spec, HK_NS_CGROUP),
      .self_cgroup = cj.self_cgroup,
      .join_cgroup = join_cgroup,
      .join_arg = &cj,
      .premounted = l->premounted,
  };
  r = hk_rootfs_prepare(&rctx, err);
  if (r == 0)
    r = join_cgroup(&cj, err); /* before hooks: they see the container in its cgroup */
  if (r < 0)
    return r;
  if (spec->hooks.prestart.n || spec->hooks.create_runtime.n) {
    r = hk_sync_send(sync_fd, HK_SYNC_RUN_HOOKS, 0, NULL, -1);
    if (r < 0)
      return hk_error_set(err, -r, "init: ask for createRuntime hooks: %s", strerror(-r));
    r = hk_sync_expect(sync_fd, HK_SYNC_HOOKS_DONE, &msg, "init", err);
    if (r < 0)
      return r;
  }
  r = hk_hooks_run(&spec->hooks.create_container, "hooks.createContainer", l->hook_state_json, err);
  if (r < 0)
    return r;
  r = hk_rootfs_finish(&rctx, err);
  if (r < 0)
    return r;
  /* when the early private instance was refused: now, with the container's
   * /proc as the fallback */
  if (needs_procfs(spec) && *procfd < 0) {
    r = hk_procfs_open(procfd, err);
    if (r == 0 && !oom_done)
      r = set_oom_score_adj(p, *procfd, err);
    if (r < 0)
      return r;
  }
  r = set_names(spec, err);
  if (r == 0)
    r = hk_sysctl_apply(spec, *procfd, err);
  if (r == 0)
    r = hk_rootfs_lockdown(&rctx, err);
  if (r < 0)
    return r;
  if (p->terminal) {
    if (l->console_fd < 0)
      return hk_error_set(err, EINVAL, "process.terminal is true but no --console-socket given");
    r = hk_console_setup(l->console_fd, p->has_console_size ? p->console_height : 0,
                         p->has_console_size ? p->console_width : 0, err);
    if (r < 0)
      return r;
    close(l->console_fd);
    l->console_fd = -1;
  }
  r = hk_apply_rlimits(p, err);
  if (r == 0)
    r = hk_apply_process_attrs(spec, p, err);
  if (r < 0)
    return r;
  if (!l->no_new_keyring) {
    r = join_session_keyring(l->id, err);
    if (r < 0)
      return r;
  }
  r = hk_chdir_checked(p->cwd, "process.cwd", err);
  if (r < 0)
    return r;
  r = hk_find_executable(p->args[0], p->env, p->n_env, exe, exe_size, err);
  if (r < 0)
    return r;
  r = hk_fds_cloexec_from(3 + l->preserve_fds, err);
  if (r < 0)
    return r;
  /* before READY, as runc does, so that a profile the kernel refuses fails
   * `create`; nothing execs in between but startContainer hooks, which run
   * in the container anyway */
  r = hk_lsm_apply_exec(procfd, p->apparmor_profile, p->selinux_label, err);
  if (r < 0)
    return r;
  /* A notify listener must reach the launcher before it exits, so such a
   * filter is loaded now (runc does the same); the steps after it must be
   * syscalls the filter lets through.  Any other filter waits until just
   * before execve. */
  if (l->seccomp && hk_seccomp_uses_notify(l->seccomp)) {
    int notify_fd = -1;
    r = hk_seccomp_load(l->seccomp, &notify_fd, err);
    if (r < 0)
      return r;
    r = hk_sync_send(sync_fd, HK_SYNC_SECCOMP_FD, 0, NULL, notify_fd);
    close(notify_fd);
    if (r < 0)
      return hk_error_set(err, -r, "send the seccomp listener fd: %s", strerror(-r));
    r = hk_sync_expect(sync_fd, HK_SYNC_SECCOMP_DONE, &msg, "init", err);
    if (r < 0)
      return r;
  }
  return 0;
}

_Noreturn void hk_init_main(struct hk_launch *l, int sync_fd) {
  struct hk_error err = {0};
  char exe[4096];
  int procfd = -1; /* hako's procfs (security/procfs.h), CLOEXEC */
  const struct hk_process *p = l->spec->process;
  if (setup(l, sync_fd, exe, sizeof exe, &procfd, &err) < 0)
    goto fail;
  if (hk_sync_send(sync_fd, HK_SYNC_READY, 0, NULL, -1) < 0)
    _exit(1);
  close(sync_fd);
  sync_fd = -1;
  if (wait_for_start(l->state_dirfd, &err) < 0)
    goto fail;
  close(l->state_dirfd);
  if (l->state && l->spec->hooks.start_container.n) {
    l->state->status = HK_STATUS_CREATED;
    free(l->hook_state_json);
    l->hook_state_json = hk_state_to_json(l->state, false);
  }
  if (hk_hooks_run(&l->spec->hooks.start_container, "hooks.startContainer", l->hook_state_json,
                   &err) < 0)
    goto fail;
  const struct hk_seccomp_filter *late_filter =
      l->seccomp && !hk_seccomp_uses_notify(l->seccomp) ? l->seccomp : NULL;
  if (hk_finalize_process(p, &l->caps, late_filter, l->setgroups_denied, &err) < 0)
    goto fail;
  execve(exe, p->args, hk_exec_env(p));
  hk_error_sys(&err, "exec %s", exe);
fail:
  if (sync_fd >= 0)
    hk_sync_send_error(sync_fd, &err);
  else
    hk_log(HK_LOG_ERROR, "%s", err.msg);
  _exit(127);
}
