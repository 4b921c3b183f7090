/* The foreground side of run and exec: forward the caller's signals to the
 * container process and reap until it exits. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "container.h"

/* The one piece of mutable state besides the log sink: a signal handler can
 * reach nothing else. */
static volatile sig_atomic_t forward_to;

static void forward(int sig) {
  if (forward_to > 0)
    kill(forward_to, sig);
}

void hk_forward_signals(pid_t pid) {
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  forward_to = pid;
  struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction(sigs[i], &sa, NULL);
}

int hk_wait_exit(pid_t pid) {
  forward_to = pid;
  int status = 255;
  /* pid is our child or reparented to us (child subreaper); other orphans
   * of the chain may be reaped on the way */
  for (;;) {
    int st;
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      break;
    if (w == pid) {
      status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
  }
  forward_to = 0;
  return status;
}
