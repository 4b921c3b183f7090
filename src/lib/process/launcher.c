/* The launcher side of `create`: clone the chain, answer its requests (id
 * maps, hooks, the seccomp listener), wait for ready. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "netdev.h"
#include "ns.h"
#include "process.h"
#include "security/seccomp.h"
#include "sync.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3 (into the cgroup on v2) with a fork-like return, else clone(2). */
pid_t hk_clone_child(uint64_t flags, int cgroup_fd) {
  struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && (errno == ENOSYS || (errno == EINVAL && cgroup_fd >= 0))) {
    pid = syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, 0);
  }
  return (pid_t)pid;
}

static uint64_t new_ns_flags(const struct hk_spec *spec, bool *needs_intermediate) {
  uint64_t flags = 0;
  *needs_intermediate = false;
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
    const struct hk_namespace *ns = &lx->namespaces[i];
    if (ns->path) {
      *needs_intermediate = true;
      continue;
    }
    /* the cgroup namespace is unshared by init once it is in its cgroup */
    if (ns->type == HK_NS_CGROUP)
      continue;
    if (ns->type == HK_NS_TIME)
      *needs_intermediate = true; /* offsets must be written before a process enters it */
    flags |= (uint64_t)hk_ns_clone_flag(ns->type);
  }
  return flags;
}

static int write_maps(const struct hk_launch *l, pid_t pid, struct hk_error *err) {
  const struct hk_linux *lx = l->spec->linux_;
  if (geteuid() != 0)
    return hk_idmap_write_unprivileged(pid, lx->uid_mappings, lx->n_uid_mappings, lx->gid_mappings,
                                       lx->n_gid_mappings, err);
  if (l->setgroups_denied) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    int r = hk_write_string(path, "deny", err);
    if (r < 0)
      return r;
  }
  int r = hk_idmap_write(pid, "uid_map", lx->uid_mappings, lx->n_uid_mappings, "linux.uidMappings",
                         err);
  if (r == 0)
    r = hk_idmap_write(pid, "gid_map", lx->gid_mappings, lx->n_gid_mappings, "linux.gidMappings",
                       err);
  return r;
}

static int write_time_offsets(const struct hk_linux *lx, struct hk_error *err) {
  char buf[256];
  size_t off = 0;
  for (size_t i = 0; i < lx->n_time_offsets; i++) {
    const struct hk_time_offset *t = &lx->time_offsets[i];
    off += (size_t)snprintf(buf + off, sizeof buf - off, "%s %lld %u\n", t->clock,
                            (long long)t->secs, t->nanosecs);
  }
  if (!off)
    return 0;
  _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "linux.timeOffsets: open /proc/self/timens_offsets");
  if (write(fd, buf, off) != (ssize_t)off)
    return hk_error_sys(err, "linux.timeOffsets: write /proc/self/timens_offsets");
  return 0;
}

/* The intermediate: join by path (user first), create the user namespace and
 * have its maps written, unshare the rest, fork init. */
static _Noreturn void intermediate_main(struct hk_launch *l, int sync_fd, uint64_t flags) {
  struct hk_error err = {0};
  const struct hk_spec *spec = l->spec;
  struct hk_sync_msg msg;
  const struct hk_namespace *userns = hk_spec_namespace(spec, HK_NS_USER);
  if (userns && userns->path && hk_ns_join_path(HK_NS_USER, userns->path, &err) < 0)
    goto fail;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++) {
    const struct hk_namespace *ns = &spec->linux_->namespaces[i];
    if (ns->path && ns->type != HK_NS_USER && hk_ns_join_path(ns->type, ns->path, &err) < 0)
      goto fail;
  }
  if (flags & CLONE_NEWUSER) {
    if (unshare(CLONE_NEWUSER) < 0) {
      hk_error_sys(&err, "unshare the user namespace");
      goto fail;
    }
    if (hk_sync_send(sync_fd, HK_SYNC_NEED_MAPS, 0, NULL, -1) < 0)
      _exit(1);
    if (hk_sync_expect(sync_fd, HK_SYNC_MAPS_DONE, &msg, "intermediate", &err) < 0)
      goto fail;
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
      hk_error_sys(&err, "become root in the user namespace (is 0 mapped?)");
      goto fail;
    }
  }
  if (unshare((int)(flags & ~(uint64_t)CLONE_NEWUSER)) < 0) {
    hk_error_sys(&err, "unshare namespaces 0x%llx", (unsigned long long)flags);
    goto fail;
  }
  if ((flags & CLONE_NEWTIME) && write_time_offsets(spec->linux_, &err) < 0)
    goto fail;
  pid_t pid = fork();
  if (pid < 0) {
    hk_error_sys(&err, "fork init");
    goto fail;
  }
  if (pid == 0)
    hk_init_main(l, sync_fd);
  hk_sync_send(sync_fd, HK_SYNC_INIT_PID, pid, NULL, -1);
  _exit(0);
fail:
  hk_sync_send_error(sync_fd, &err);
  _exit(1);
}

void hk_kill_and_reap(pid_t pid) {
  if (pid <= 0)
    return;
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static int serve_init(struct hk_launch *l, int sock, struct hk_error *err) {
  for (;;) {
    struct hk_sync_msg msg;
    int fd = -1;
    int r = hk_sync_recv(sock, &msg, &fd);
    if (r == -EPIPE)
      return hk_error_set(err, EPIPE, "the container's init exited before it was ready");
    if (r < 0)
      return hk_error_set(err, -r, "read the sync channel: %s", strerror(-r));
    switch (msg.type) {
    case HK_SYNC_READY:
      return 0;
    case HK_SYNC_ERROR:
      return hk_error_set(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
    case HK_SYNC_RUN_HOOKS:
      r = hk_hooks_run(&l->spec->hooks.prestart, "hooks.prestart", l->hook_state_json, err);
      if (r == 0)
        r = hk_hooks_run(&l->spec->hooks.create_runtime, "hooks.createRuntime", l->hook_state_json,
                         err);
      if (r < 0)
        return r;
      hk_sync_send(sock, HK_SYNC_HOOKS_DONE, 0, NULL, -1);
      break;
    case HK_SYNC_SECCOMP_FD: {
      const struct hk_seccomp *sc = l->spec->linux_->seccomp;
      pid_t pid = l->state ? l->state->pid : 0;
      char *msg_json = hk_seccomp_process_state_json(
          l->spec->oci_version, pid, sc->listener_metadata, l->hook_state_json, err);
      r = msg_json ? hk_seccomp_send_notify_fd(sc->listener_path, fd, msg_json, err) : -EINVAL;
      free(msg_json);
      close(fd);
      if (r < 0)
        return r;
      hk_sync_send(sock, HK_SYNC_SECCOMP_DONE, 0, NULL, -1);
      break;
    }
    default:
      if (fd >= 0)
        close(fd);
      return hk_error_set(err, EPROTO, "unexpected sync message %u from init", msg.type);
    }
  }
}

int hk_launch_create(struct hk_launch *l, pid_t *init_pid, struct hk_error *err) {
  bool slow;
  uint64_t flags = new_ns_flags(l->spec, &slow);
  int sv[2];
  int r = hk_sync_pair(sv, err);
  if (r < 0)
    return r;
  l->cgroup_join = (struct hk_cgroup_join){.clone_fd = -1};
  if (l->cgroup && (r = hk_cgroup_join_prepare(l->cgroup, &l->cgroup_join, err)) < 0) {
    close(sv[0]);
    close(sv[1]);
    return r;
  }
  pid_t child = hk_clone_child(slow ? 0 : flags, l->cgroup_join.clone_fd);
  if (child < 0) {
    r = hk_error_sys(err, "clone the container process");
    hk_cgroup_join_release(&l->cgroup_join);
    close(sv[0]);
    close(sv[1]);
    return r;
  }
  if (child == 0) {
    close(sv[0]);
    if (l->lock_fd >= 0)
      close(l->lock_fd);
    if (slow)
      intermediate_main(l, sv[1], flags);
    hk_init_main(l, sv[1]);
  }
  close(sv[1]);
  hk_cgroup_join_release(&l->cgroup_join);
  int sock = sv[0];
  pid_t init = slow ? -1 : child;
  struct hk_sync_msg msg;
  if (slow) {
    if (flags & CLONE_NEWUSER) {
      r = hk_sync_expect(sock, HK_SYNC_NEED_MAPS, &msg, "create", err);
      if (r == 0)
        r = write_maps(l, child, err);
      if (r == 0 && hk_sync_send(sock, HK_SYNC_MAPS_DONE, 0, NULL, -1) < 0)
        r = hk_error_sys(err, "sync with the intermediate process");
      if (r < 0)
        goto fail;
    }
    r = hk_sync_expect(sock, HK_SYNC_INIT_PID, &msg, "create", err);
    if (r < 0)
      goto fail;
    init = msg.value;
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
      ;
    child = -1;
  } else if (flags & CLONE_NEWUSER) {
    r = write_maps(l, init, err);
    if (r < 0)
      goto fail;
  }
  r = hk_netdev_move(l->spec, init, err);
  if (r < 0)
    goto fail;
  if (l->state) {
    /* hooks see the container's pid (the host's view) */
    l->state->pid = init;
    free(l->hook_state_json);
    l->hook_state_json = hk_state_to_json(l->state, false);
  }
  /* init joined its cgroup by itself (hk_cgroup_join_self) */
  if (hk_sync_send(sock, HK_SYNC_GO, init, NULL, -1) < 0) {
    r = hk_error_set(err, EPIPE, "the container's init exited before it started");
    hk_sync_prefer_peer_error(sock, err);
    goto fail;
  }
  r = serve_init(l, sock, err);
  if (r < 0)
    goto fail;
  close(sock);
  *init_pid = init;
  return 0;
fail:
  close(sock);
  hk_kill_and_reap(child);
  /* init of the slow path is reparented to us (child subreaper) */
  if (init != child)
    hk_kill_and_reap(init);
  return r;
}
