/* hako_exec: run one more process inside a running container. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "exec.h"
#include "hako.h"
#include "security/lsm.h"
#include "security/seccomp.h"
#include "sync.h"
#include "tty.h"
#include "util.h"

static int replace_str(char **dst, const char *src) {
  char *c = strdup(src);
  if (!c)
    return -1;
  free(*dst);
  *dst = c;
  return 0;
}

static void strv_free(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

/* Append names to a capability set (never inheritable: security rule 6). */
static int caps_append(char ***set, size_t *n, char *const *add, size_t n_add) {
  char **nv = realloc(*set, (*n + n_add + 1) * sizeof *nv);
  if (!nv)
    return -ENOMEM;
  *set = nv;
  for (size_t i = 0; i < n_add; i++)
    if (!(nv[(*n)++] = strdup(add[i])))
      return -ENOMEM;
  nv[*n] = NULL;
  return 0;
}

/* The process to run: --process FILE, or the config's process with the
 * command line's overrides (runc's rules). */
static int build_process(const struct hako_exec_opts *o, struct hk_spec *spec,
                         struct hk_process **out, struct hk_error *err) {
  struct hk_process *p;
  if (o->process_file) {
    _cleanup_free_ char *text = NULL;
    size_t len;
    int r = hk_read_file(o->process_file, 16 << 20, &text, &len, err);
    if (r == 0)
      r = hk_spec_parse_process(text, len, o->process_file, &p, err);
    if (r < 0)
      return r;
  } else {
    if (!o->n_args)
      return hk_error_set(err, EINVAL, "exec: no command given (args or --process)");
    p = spec->process;
    spec->process = NULL;
    strv_free(p->args, p->n_args);
    p->args = hk_strv_dup((const char *const *)o->args, o->n_args);
    p->n_args = p->args ? o->n_args : 0;
    if (!p->args) {
      hk_process_free(p);
      return hk_error_set(err, ENOMEM, "exec: out of memory");
    }
    if (o->n_env) {
      char **nv = realloc(p->env, (p->n_env + o->n_env + 1) * sizeof *nv);
      if (!nv) {
        hk_process_free(p);
        return hk_error_set(err, ENOMEM, "exec: out of memory");
      }
      p->env = nv;
      for (size_t i = 0; i < o->n_env; i++)
        nv[p->n_env++] = strdup(o->env[i]);
      nv[p->n_env] = NULL;
    }
    if (o->cwd) {
      free(p->cwd);
      p->cwd = strdup(o->cwd);
    }
    if (o->user && hk_parse_user_spec(o->user, &p->user, err) < 0) {
      hk_process_free(p);
      return -EINVAL;
    }
    if (o->n_additional_gids) {
      uint32_t *g = realloc(p->user.additional_gids,
                            (p->user.n_additional_gids + o->n_additional_gids) * sizeof *g);
      if (!g) {
        hk_process_free(p);
        return hk_error_set(err, ENOMEM, "exec: out of memory");
      }
      p->user.additional_gids = g;
      for (size_t i = 0; i < o->n_additional_gids; i++)
        g[p->user.n_additional_gids++] = o->additional_gids[i];
    }
    if (o->tty_set)
      p->terminal = o->tty;
    if (o->no_new_privs)
      p->no_new_privileges = true;
  }
  if (o->n_caps) {
    if (!p->capabilities)
      p->capabilities = calloc(1, sizeof *p->capabilities);
    struct hk_capabilities *c = p->capabilities;
    if (!c || caps_append(&c->bounding, &c->n_bounding, o->caps, o->n_caps) < 0 ||
        caps_append(&c->effective, &c->n_effective, o->caps, o->n_caps) < 0 ||
        caps_append(&c->permitted, &c->n_permitted, o->caps, o->n_caps) < 0 ||
        caps_append(&c->ambient, &c->n_ambient, o->caps, o->n_caps) < 0) {
      hk_process_free(p);
      return hk_error_set(err, ENOMEM, "exec: out of memory");
    }
  }
  if (o->tty_set && o->process_file)
    p->terminal = o->tty;
  /* runc: the flags replace the process's profile and label */
  if ((o->apparmor && replace_str(&p->apparmor_profile, o->apparmor) < 0) ||
      (o->process_label && replace_str(&p->selinux_label, o->process_label) < 0)) {
    hk_process_free(p);
    return hk_error_set(err, ENOMEM, "exec: out of memory");
  }
  if (p->selinux_label && *p->selinux_label && !hk_selinux_enabled()) {
    hk_process_free(p);
    return hk_error_set(err, ENOTSUP,
                        "selinux label is specified in config, but selinux is disabled or not "
                        "supported");
  }
  *out = p;
  return 0;
}

struct exec_ctx {
  struct hk_container c;
  struct hk_spec *spec;
  struct hk_process *process;
  struct hk_seccomp_filter *seccomp;
  struct hk_cgroup *cgroup;
  int pidfd;
  int console_fd;
  struct hk_term_proxy *term; /* in the foreground: a terminal is ours (term_proxy.c) */
  int sock;
};

static void ctx_free(struct exec_ctx *x) {
  hk_container_close(&x->c);
  hk_spec_free(x->spec);
  hk_process_free(x->process);
  if (x->seccomp)
    hk_seccomp_free(x->seccomp);
  if (x->cgroup)
    hk_cgroup_free(x->cgroup);
  if (x->pidfd >= 0)
    close(x->pidfd);
  if (x->console_fd >= 0)
    close(x->console_fd);
  if (x->sock >= 0)
    close(x->sock);
}

static int prepare(const struct hako_exec_opts *o, struct exec_ctx *x, struct hk_exec_child *ch,
                   struct hk_error *err) {
  int r = hk_container_open(o->root, o->id, &x->c, err);
  if (r < 0)
    return r;
  if (x->c.st.status == HK_STATUS_STOPPED)
    return hk_error_set(err, EINVAL, "cannot exec in a stopped container");
  if (x->c.st.status == HK_STATUS_PAUSED && !o->ignore_paused)
    return hk_error_set(err, EINVAL,
                        "cannot exec in a paused container (use --ignore-paused to override)");
  r = hk_container_load_spec(&x->c, &x->spec, err);
  if (r == 0)
    r = build_process(o, x->spec, &x->process, err);
  if (r < 0)
    return r;
  /* in the foreground the terminal is ours to copy (term_proxy.c), as with runc */
  if (x->process->terminal && !o->console_socket && !x->term)
    return hk_error_set(err, EINVAL, "exec --tty --detach needs --console-socket");
  if (!x->process->terminal && o->console_socket)
    return hk_error_set(err, EINVAL, "--console-socket given without --tty: no terminal to send");
  const struct hk_namespace *user = hk_spec_namespace(x->spec, HK_NS_USER);
  r = hk_caps_from_spec_ex(x->process->capabilities, user ? HK_CAPS_NEW_USERNS : 0, &ch->caps, err);
  if (r < 0)
    return r;
  if (x->spec->linux_ && x->spec->linux_->seccomp) {
    r = hk_seccomp_compile(x->spec->linux_->seccomp, &x->seccomp, err);
    if (r < 0)
      return r;
    if (hk_seccomp_uses_notify(x->seccomp))
      return hk_error_set(err, ENOTSUP, "not supported yet: exec with a seccomp listener");
  }
  r = hk_container_load_cgroup(&x->c, &x->cgroup, err);
  if (r < 0)
    return r;
  if (o->n_cgroups) {
    if (!x->cgroup)
      return hk_error_set(err, EINVAL, "exec --cgroup %s: the container has no cgroup",
                          o->cgroups[0]);
    struct hk_cgroup *sub = NULL;
    r = hk_cgroup_sub(x->cgroup, o->cgroups, o->n_cgroups, &sub, err);
    if (r < 0)
      return r;
    hk_cgroup_free(x->cgroup);
    x->cgroup = sub;
  }
  x->pidfd = (int)syscall(SYS_pidfd_open, x->c.st.pid, 0);
  if (x->pidfd < 0 || !hk_state_pid_alive(x->c.st.pid, x->c.st.pid_start_time))
    return hk_error_set(err, ESRCH, "cannot exec in a stopped container");
  r = hk_exec_ns_flags(x->c.st.pid, &ch->ns_flags, err);
  if (r < 0)
    return r;
  if (o->console_socket) {
    x->console_fd = hk_console_connect(o->console_socket, err);
    if (x->console_fd < 0)
      return x->console_fd;
  } else if (x->process->terminal) {
    r = hk_term_proxy_open(x->term, &x->console_fd, err);
    if (r < 0)
      return r;
  }
  /* a user namespace that gave up setgroups (rootless, one gid) stays so */
  char sgpath[64];
  _cleanup_free_ char *sg = NULL;
  struct hk_error ignored = {0};
  snprintf(sgpath, sizeof sgpath, "/proc/%d/setgroups", (int)x->c.st.pid);
  ch->setgroups_denied =
      hk_read_file(sgpath, 64, &sg, NULL, &ignored) == 0 && strncmp(sg, "deny", 4) == 0;
  ch->pid = x->c.st.pid;
  ch->pidfd = x->pidfd;
  ch->process = x->process;
  ch->spec = x->spec;
  ch->seccomp = x->seccomp;
  ch->console_fd = x->console_fd;
  ch->preserve_fds = o->preserve_fds;
  return 0;
}

/* Start the chain; returns the process's pid once it has exec'd. */
static int launch(struct exec_ctx *x, const struct hk_exec_child *ch, pid_t *out,
                  struct hk_error *err) {
  int sv[2];
  int r = hk_sync_pair(sv, err);
  if (r < 0)
    return r;
  struct hk_cgroup_join join = {.clone_fd = -1};
  if (x->cgroup && (r = hk_cgroup_join_prepare(x->cgroup, &join, err)) < 0) {
    close(sv[0]);
    close(sv[1]);
    return r;
  }
  pid_t child = hk_clone_child(0, join.clone_fd);
  if (child < 0) {
    r = hk_error_sys(err, "clone the exec process");
    hk_cgroup_join_release(&join);
    close(sv[0]);
    close(sv[1]);
    return r;
  }
  if (child == 0) {
    close(sv[0]);
    if (x->c.dirfd >= 0)
      close(x->c.dirfd); /* never hold the container's lock */
    struct hk_exec_child mine = *ch;
    mine.cgroup_join = x->cgroup ? &join : NULL;
    hk_exec_child_main(&mine, sv[1]);
  }
  hk_cgroup_join_release(&join);
  close(sv[1]);
  x->sock = sv[0];
  struct hk_sync_msg msg;
  pid_t proc = -1;
  /* the child joined the cgroup by itself; it joins the namespaces and forks */
  if (hk_sync_send(x->sock, HK_SYNC_GO, 0, NULL, -1) < 0) {
    r = hk_error_set(err, EPIPE, "exec: the process exited before it started");
    hk_sync_prefer_peer_error(x->sock, err);
  }
  if (r == 0)
    r = hk_sync_expect(x->sock, HK_SYNC_INIT_PID, &msg, "exec", err);
  if (r == 0)
    proc = msg.value;
  if (r < 0) {
    if (proc > 0)
      hk_sync_prefer_peer_error(x->sock, err);
    /* EOF tells a waiting child or process to give up */
    close(x->sock);
    x->sock = -1;
  }
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
    ;
  if (r == 0) {
    /* the channel closes on a successful execve; otherwise the error comes */
    int fd;
    int rr = hk_sync_recv(x->sock, &msg, &fd);
    if (rr == 0 && msg.type == HK_SYNC_ERROR)
      r = hk_error_set(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
    else if (rr < 0 && rr != -EPIPE)
      r = hk_error_set(err, -rr, "exec: read the sync channel: %s", strerror(-rr));
  }
  if (r < 0)
    hk_kill_and_reap(proc);
  *out = proc;
  return r;
}

int hako_exec(const struct hako_exec_opts *o, int *exit_status, struct hk_error *err) {
  struct hk_term_proxy term = {.sock = -1, .master = -1};
  struct exec_ctx x = {.pidfd = -1, .console_fd = -1, .sock = -1, .term = o->detach ? NULL : &term};
  struct hk_exec_child ch = {0};
  /* the process is forked by a child that exits: be its reaper */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  pid_t pid = -1;
  int r = prepare(o, &x, &ch, err);
  if (r == 0 && !o->detach)
    hk_forward_signals(0);
  const struct hk_exec_cpu_affinity *aff = r == 0 ? x.process->exec_cpu_affinity : NULL;
  if (aff && aff->initial && *aff->initial)
    r = hk_set_cpu_affinity(aff->initial, "process.execCPUAffinity.initial", err);
  /* In a frozen cgroup the process stops before it reports back, until someone
   * resumes the container: which needs the lock. */
  if (r == 0 && x.c.st.status == HK_STATUS_PAUSED)
    hk_container_close(&x.c);
  if (r == 0)
    r = launch(&x, &ch, &pid, err);
  if (r == 0 && o->pid_file)
    r = hk_write_pid_file(o->pid_file, pid, err);
  ctx_free(&x); /* releases the lock before waiting */
  if (r < 0 || o->detach) {
    hk_term_proxy_close(&term);
    return r;
  }
  /* the process sent its terminal before it exec'd */
  if (term.sock >= 0 && hk_term_proxy_take(&term)) {
    hk_term_proxy_begin(&term);
    *exit_status = hk_term_proxy_wait(&term, pid);
  } else {
    *exit_status = hk_wait_exit(pid);
  }
  hk_term_proxy_close(&term);
  return 0;
}
