/* NOTIFY_SOCKET (sd_notify) as runc does it: the container gets a socket of
 * hako's at /run/notify/notify.sock; `start` listens on it and passes the
 * container's READY=1 on to the caller's socket before it returns. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "container.h"
#include "util.h"

#define IN_CONTAINER "/run/notify/notify.sock"

int hk_notify_prepare(struct hk_spec *spec, const char *root, const char *id, int dirfd,
                      struct hk_error *err) {
  const char *host = getenv("NOTIFY_SOCKET");
  if (!host || host[0] != '/')
    return 0; /* unset, or abstract: nothing to pass on */
  if (mkdirat(dirfd, "notify", 0755) < 0 && errno != EEXIST)
    return hk_error_sys(err, "NOTIFY_SOCKET: create the notify dir");
  int r = hk_write_file_atomic(dirfd, "notify_socket", host, strlen(host), 0600, err);
  if (r < 0)
    return r;
  struct hk_mount *m = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof *m);
  if (!m)
    return hk_error_set(err, ENOMEM, "NOTIFY_SOCKET: out of memory");
  spec->mounts = m;
  static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
  m = &spec->mounts[spec->n_mounts++];
  *m = (struct hk_mount){.destination = strdup("/run/notify"),
                         .type = strdup("bind"),
                         .source = hk_strdup_printf("%s/%s/notify", root, id),
                         .options = hk_strv_dup(opts, 5),
                         .n_options = 5};
  struct hk_process *p = spec->process;
  char **env = realloc(p->env, (p->n_env + 2) * sizeof *env);
  if (!env)
    return hk_error_set(err, ENOMEM, "NOTIFY_SOCKET: out of memory");
  p->env = env;
  env[p->n_env++] = strdup("NOTIFY_SOCKET=" IN_CONTAINER);
  env[p->n_env] = NULL;
  if (!m->destination || !m->type || !m->source || !m->options || !env[p->n_env - 1])
    return hk_error_set(err, ENOMEM, "NOTIFY_SOCKET: out of memory");
  return 0;
}

int hk_notify_listen(const struct hk_container *c, char **host_path, struct hk_error *err) {
  *host_path = NULL;
  char *host = NULL;
  if (hk_read_file_at(c->dirfd, "notify_socket", 4096, &host, NULL, err) < 0) {
    hk_error_clear(err);
    return -1; /* not asked for */
  }
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  /* bind through the dirfd: the state dir path may not fit sun_path */
  _cleanup_close_ int nd = openat(c->dirfd, "notify", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (nd < 0) {
    free(host);
    return hk_error_sys(err, "NOTIFY_SOCKET: open the notify dir");
  }
  snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/notify.sock", nd);
  unlinkat(nd, "notify.sock", 0);
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
      fchmodat(nd, "notify.sock", 0777, 0) < 0) {
    int r = hk_error_sys(err, "NOTIFY_SOCKET: bind notify/notify.sock in the state dir");
    if (s >= 0)
      close(s);
    free(host);
    return r;
  }
  *host_path = host;
  return s;
}

int hk_notify_wait(const struct hk_container *c, int sock, const char *host_path,
                   struct hk_error *err) {
  char buf[4096];
  for (;;) {
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int n = poll(&p, 1, 100);
    if (n < 0 && errno != EINTR)
      return hk_error_sys(err, "NOTIFY_SOCKET: poll");
    if (n > 0) {
      ssize_t got = recv(sock, buf, sizeof buf - 1, 0);
      if (got < 0)
        return hk_error_sys(err, "NOTIFY_SOCKET: receive");
      buf[got] = 0;
      if (strstr(buf, "READY=1"))
        break;
      continue;
    }
    if (!hk_state_pid_alive(c->st.pid, c->st.pid_start_time))
      return hk_error_set(err, ESRCH, "NOTIFY_SOCKET: the container exited before READY=1");
  }
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(host_path) >= sizeof a.sun_path)
    return hk_error_set(err, ENAMETOOLONG, "NOTIFY_SOCKET %s: path too long", host_path);
  strcpy(a.sun_path, host_path);
  _cleanup_close_ int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  char msg[64];
  int len = snprintf(msg, sizeof msg, "READY=1\nMAINPID=%d\n", (int)c->st.pid);
  if (out < 0 || sendto(out, msg, (size_t)len, 0, (struct sockaddr *)&a, sizeof a) < 0)
    return hk_error_sys(err, "NOTIFY_SOCKET: forward READY=1 to %s", host_path);
  return 0;
}
