/* run and exec in the foreground with process.terminal and no --console-socket, as runc
 * does: the container's pty master comes back to us over a socketpair (the container
 * side sends it exactly as it would to a console socket), the caller's terminal goes
 * raw, and bytes are copied both ways until the process exits; a window size change of
 * the caller's terminal is passed on to the pty. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "container.h"
#include "log.h"
#include "util.h"

int hk_term_proxy_open(struct hk_term_proxy *t, int *child_end, struct hk_error *err) {
  *t = (struct hk_term_proxy){.sock = -1, .master = -1};
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return hk_error_sys(err, "terminal: socketpair");
  t->sock = sv[0];
  *child_end = sv[1];
  return 0;
}

bool hk_term_proxy_take(struct hk_term_proxy *t) {
  char body[256];
  /* sent before the container process reported ready: there now, or never */
  hk_recvmsg_fd(t->sock, body, sizeof body, MSG_DONTWAIT, &t->master);
  close(t->sock);
  t->sock = -1;
  return t->master >= 0;
}

static void copy_size(int master) {
  struct winsize ws;
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ioctl(master, TIOCSWINSZ, &ws) < 0)
    hk_debug("terminal: set the size: %m");
}

void hk_term_proxy_begin(struct hk_term_proxy *t) {
  if (!isatty(STDIN_FILENO))
    return;
  copy_size(t->master);
  if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
    return;
  struct termios raw = t->saved;
  cfmakeraw(&raw);
  if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
    t->raw = true;
}

/* 0 when everything was written, -1 when the peer is gone */
static int write_all_to(int fd, const char *buf, size_t len) {
  while (len) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    buf += w;
    len -= (size_t)w;
  }
  return 0;
}

static volatile sig_atomic_t resized;

static void on_winch(int sig) {
  (void)sig;
  resized = 1;
}

int hk_term_proxy_wait(struct hk_term_proxy *t, pid_t pid) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  /* SIGWINCH resizes the pty (the kernel then signals the container's foreground group);
   * it is blocked except inside ppoll, so that none is lost between checks */
  struct sigaction sa = {.sa_handler = on_winch}, old, old_pipe;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGWINCH, &sa, &old);
  /* a closed stdout (`| head`) is EPIPE here, not our death with the container left
   * running: the pty is drained to the end and the container deleted as usual */
  struct sigaction ign = {.sa_handler = SIG_IGN};
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigset_t block, during;
  sigemptyset(&block);
  sigaddset(&block, SIGWINCH);
  sigprocmask(SIG_BLOCK, &block, &during);
  sigdelset(&during, SIGWINCH);
  /* out_open: the pty still has a reader side to read; sink_ok: our stdout still takes
   * bytes (when it stops, the pty is still drained, so that the process never blocks) */
  bool in_open = true, out_open = true, sink_ok = true;
  char buf[16384];
  while (out_open && pidfd >= 0) {
    struct pollfd p[3] = {{.fd = t->master, .events = POLLIN},
                          {.fd = pidfd, .events = POLLIN},
                          {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN}};
    int n = ppoll(p, 3, NULL, &during);
    if (resized) {
      resized = 0;
      copy_size(t->master);
    }
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (p[0].revents) {
      ssize_t r = read(t->master, buf, sizeof buf);
      /* EIO: every holder of the pty's slave side is gone */
      if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN)))
        out_open = false;
      else if (r > 0 && sink_ok && write_all_to(STDOUT_FILENO, buf, (size_t)r) < 0)
        sink_ok = false;
    }
    if (p[2].revents) {
      ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
      if (r <= 0 && !(r < 0 && errno == EINTR))
        in_open = false;
      else if (r > 0 && write_all_to(t->master, buf, (size_t)r) < 0)
        in_open = false;
    }
    if (p[1].revents && !p[0].revents)
      break; /* exited, and nothing (more) to read right now */
  }
  /* whatever the process wrote last */
  for (;;) {
    struct pollfd p = {.fd = t->master, .events = POLLIN};
    if (!out_open || !sink_ok || poll(&p, 1, 0) != 1)
      break;
    ssize_t r = read(t->master, buf, sizeof buf);
    if (r <= 0 || write_all_to(STDOUT_FILENO, buf, (size_t)r) < 0)
      break;
  }
  if (pidfd >= 0)
    close(pidfd);
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  sigaction(SIGWINCH, &old, NULL);
  sigaction(SIGPIPE, &old_pipe, NULL);
  return hk_wait_exit(pid);
}

void hk_term_proxy_close(struct hk_term_proxy *t) {
  if (t->raw)
    tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
  if (t->sock >= 0)
    close(t->sock);
  if (t->master >= 0)
    close(t->master);
  *t = (struct hk_term_proxy){.sock = -1, .master = -1};
}
