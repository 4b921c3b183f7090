/* The process side of `exec`: join the container's namespaces (one
 * setns(pidfd) where the kernel allows), fork into its pid namespace, set the
 * process up like init's and execve.  Errors travel back over the sync
 * socket; a successful execve closes it (CLOEXEC), which the launcher reads
 * as success. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec.h"
#include "ns.h"
#include "security/lsm.h"
#include "security/procfs.h"
#include "sync.h"
#include "tty.h"
#include "util.h"

static const struct {
  const char *file;
  int flag;
} ns_files[] = {
    /* user first: joining it gives the rights the others need */
    {"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},
    {"pid", CLONE_NEWPID},       {"net", CLONE_NEWNET},
    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
    {"cgroup", CLONE_NEWCGROUP}, {"time", 0x80 /* CLONE_NEWTIME */},
};

int hk_exec_ns_flags(pid_t pid, int *flags, struct hk_error *err) {
  *flags = 0;
  for (size_t i = 0; i < sizeof ns_files / sizeof ns_files[0]; i++) {
    char theirs[64], ours[64];
    snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)pid, ns_files[i].file);
    snprintf(ours, sizeof ours, "/proc/self/ns/%s", ns_files[i].file);
    struct stat a, b;
    if (stat(theirs, &a) < 0) {
      if (errno == ENOENT && strcmp(ns_files[i].file, "time") == 0)
        continue; /* kernel without time namespaces */
      return hk_error_sys(err, "stat %s", theirs);
    }
    if (stat(ours, &b) < 0)
      return hk_error_sys(err, "stat %s", ours);
    if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
      *flags |= ns_files[i].flag;
  }
  return 0;
}

static int join(const struct hk_exec_child *x, struct hk_error *err) {
  if (setns(x->pidfd, x->ns_flags) == 0)
    return 0;
  if (errno != EINVAL && errno != EBADF)
    return hk_error_sys(err, "join the container's namespaces");
  /* older kernels: one namespace file at a time, user first */
  for (size_t i = 0; i < sizeof ns_files / sizeof ns_files[0]; i++) {
    if (!(x->ns_flags & ns_files[i].flag))
      continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)x->pid, ns_files[i].file);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, ns_files[i].flag) < 0)
      return hk_error_sys(err, "join %s", path);
  }
  return 0;
}

static int setup_process(const struct hk_exec_child *x, char *exe, size_t size,
                         struct hk_error *err) {
  const struct hk_process *p = x->process;
  if (x->ns_flags & CLONE_NEWUSER) {
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
      return hk_error_sys(err, "become root in the container's user namespace");
  }
  if (p->terminal) {
    if (setsid() < 0)
      return hk_error_sys(err, "setsid");
    int r = hk_console_setup(x->console_fd, p->has_console_size ? p->console_height : 0,
                             p->has_console_size ? p->console_width : 0, err);
    if (r < 0)
      return r;
    close(x->console_fd);
  }
  int r = hk_apply_rlimits(p, err);
  if (r == 0)
    r = hk_apply_process_attrs(x->spec, p, err);
  if (r == 0 && p->exec_cpu_affinity && p->exec_cpu_affinity->final && *p->exec_cpu_affinity->final)
    r = hk_set_cpu_affinity(p->exec_cpu_affinity->final, "process.execCPUAffinity.final", err);
  if (r < 0)
    return r;
  r = hk_chdir_checked(p->cwd, "cwd", err);
  if (r < 0)
    return r;
  r = hk_find_executable(p->args[0], p->env, p->n_env, exe, size, err);
  if (r < 0)
    return r;
  r = hk_fds_cloexec_from(3 + x->preserve_fds, err);
  if (r < 0)
    return r;
  /* through hako's procfs: nothing the container mounted can redirect it */
  _cleanup_close_ int procfd = -1;
  r = hk_lsm_apply_exec(&procfd, p->apparmor_profile, p->selinux_label, err);
  if (r < 0)
    return r;
  return hk_finalize_process(p, &x->caps, x->seccomp, x->setgroups_denied, err);
}

/* Before joining anything (the process inherits it through fork): in the
 * container's user namespace our own /proc files, non-dumpable, would
 * belong to the host's root.  A private procfs of the host's pid namespace,
 * or (unprivileged) the host's /proc: nothing of the container yet. */
static int set_oom_score_adj(const struct hk_process *p, struct hk_error *err) {
  if (!p->has_oom_score_adj)
    return 0;
  char val[16];
  snprintf(val, sizeof val, "%d", p->oom_score_adj);
  _cleanup_close_ int procfd = -1;
  int r = hk_procfs_open(&procfd, err);
  if (r < 0)
    return r;
  return hk_procfs_write_self(procfd, "oom_score_adj", val, "process.oomScoreAdj", err);
}

_Noreturn void hk_exec_child_main(const struct hk_exec_child *x, int sync_fd) {
  struct hk_error err = {0};
  char exe[4096];
  if (set_oom_score_adj(x->process, &err) < 0)
    goto fail;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    hk_error_sys(&err, "prctl(PR_SET_DUMPABLE)");
    goto fail;
  }
  struct hk_sync_msg msg;
  if (hk_sync_expect(sync_fd, HK_SYNC_GO, &msg, "exec", &err) < 0)
    goto fail;
  if (join(x, &err) < 0)
    goto fail;
  pid_t pid = fork();
  if (pid < 0) {
    hk_error_sys(&err, "fork into the container");
    goto fail;
  }
  if (pid > 0) {
    hk_sync_send(sync_fd, HK_SYNC_INIT_PID, pid, NULL, -1);
    _exit(0);
  }
  /* the process moves itself into the container's cgroup (see cgroup/join.c) before
   * anything else; into a frozen one, it stops right here until resume */
  if (x->cgroup_join && hk_cgroup_join_self(x->cgroup_join, &err) < 0)
    goto fail;
  if (setup_process(x, exe, sizeof exe, &err) < 0)
    goto fail;
  execve(exe, x->process->args, hk_exec_env(x->process));
  hk_error_sys(&err, "exec %s", exe);
fail:
  hk_sync_send_error(sync_fd, &err);
  _exit(127);
}
