/* run = create + start (+ wait, forwarding signals, + delete). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "hako.h"
#include "ns.h"

int hako_run(const struct hako_create_opts *o, bool detach, bool keep, int *exit_status,
             struct hk_error *err) {
  pid_t pid;
  int r = hako_create(o, &pid, err);
  if (r < 0)
    return r;
  if (!detach)
    hk_forward_signals(pid);
  r = hako_start(o->root, o->id, err);
  if (r < 0) {
    struct hk_error ignored = {0};
    hako_delete(o->root, o->id, true, &ignored);
    return r;
  }
  if (detach)
    return 0;
  *exit_status = hk_wait_exit(pid);
  return keep ? 0 : hako_delete(o->root, o->id, true, err);
}

static const struct {
  const char *name;
  int sig;
} signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},         {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int hako_parse_signal(const char *s) {
  char *end;
  long n = strtol(s, &end, 10);
  if (*s && !*end)
    return n > 0 && n < NSIG ? (int)n : -1;
  const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp(name, signals[i].name) == 0)
      return signals[i].sig;
  if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
    bool min = strncasecmp(name, "RTMIN", 5) == 0;
    const char *off = name + 5;
    long k = 0;
    if (*off) {
      k = strtol(off, &end, 10);
      if (*end)
        return -1;
    }
    int sig = min ? SIGRTMIN + (int)k : SIGRTMAX + (int)k;
    return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
  }
  return -1;
}

bool hako_in_user_namespace(void) { return hk_in_user_ns(); }

char *hako_spec_json(bool rootless) {
  return hk_spec_default_json(rootless, geteuid(), getegid());
}
