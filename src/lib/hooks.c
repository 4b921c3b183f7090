#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int wait_hook(pid_t pid, int timeout_s, int *status) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0 && timeout_s > 0) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n;
    do
      n = poll(&p, 1, timeout_s * 1000);
    while (n < 0 && errno == EINTR);
    if (n == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, status, 0);
      close(pidfd);
      return -ETIMEDOUT;
    }
  }
  if (pidfd >= 0)
    close(pidfd);
  while (waitpid(pid, status, 0) < 0) {
    if (errno != EINTR)
      return -errno;
  }
  return 0;
}

static int run_one(const struct hk_hook *h, const char *where, const char *state_json,
                   struct hk_error *err) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0)
    return hk_error_sys(err, "%s: pipe", where);
  char *const empty[] = {NULL};
  char *default_argv[] = {h->path, NULL};
  pid_t pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return hk_error_sys(err, "%s: fork", where);
  }
  if (pid == 0) {
    if (dup2(pfd[0], 0) < 0)
      _exit(127);
    execve(h->path, h->n_args ? h->args : default_argv, h->env ? h->env : empty);
    dprintf(2, "hako: %s: exec %s: %s\n", where, h->path, strerror(errno));
    _exit(127);
  }
  close(pfd[0]);
  /* a hook that never reads stdin must not block us: ignore EPIPE */
  struct sigaction ign = {.sa_handler = SIG_IGN}, old;
  sigaction(SIGPIPE, &ign, &old);
  hk_write_all(pfd[1], state_json, strlen(state_json));
  sigaction(SIGPIPE, &old, NULL);
  close(pfd[1]);
  int status = 0;
  int r = wait_hook(pid, h->has_timeout ? h->timeout : 0, &status);
  if (r == -ETIMEDOUT)
    return hk_error_set(err, ETIMEDOUT, "%s: hook %s timed out after %d s", where, h->path,
                        h->timeout);
  if (r < 0)
    return hk_error_set(err, -r, "%s: wait for hook %s: %s", where, h->path, strerror(-r));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (WIFSIGNALED(status))
    return hk_error_set(err, EIO, "%s: hook %s killed by signal %d", where, h->path,
                        WTERMSIG(status));
  return hk_error_set(err, EIO, "%s: hook %s failed with exit status %d", where, h->path,
                      WEXITSTATUS(status));
}

int hk_hooks_run(const struct hk_hook_list *list, const char *kind, const char *state_json,
                 struct hk_error *err) {
  for (size_t i = 0; i < list->n; i++) {
    char where[64];
    snprintf(where, sizeof where, "%s[%zu]", kind, i);
    int r = run_one(&list->hooks[i], where, state_json, err);
    if (r < 0)
      return r;
  }
  return 0;
}
