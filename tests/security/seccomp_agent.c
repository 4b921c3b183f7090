/* A small seccomp agent for the integration tests.
 *
 *   seccomp_agent SOCKET_PATH [STATE_LOG]
 *
 * Listens on SOCKET_PATH (AF_UNIX, SOCK_STREAM).  Each connection carries one container process
 * state (config-linux.md "The Container Process State"): JSON text, with the fds named in its
 * "fds" array passed as SCM_RIGHTS on the first message; the runtime closes the connection after
 * it.  The state is appended to STATE_LOG (one line each) when given.  Then every notification
 * of the "seccompFd" is answered: mkdir and mkdirat succeed without creating anything (val 0),
 * every other syscall continues as if not filtered (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 * Prints "ready" on stdout once listening; runs until SIGTERM/SIGINT, then removes the socket. */
#include <errno.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64
#define MAX_STATE (64 * 1024)

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

/* Read one connection: the JSON text until EOF and the fds of the first message. */
static int read_state(int conn, char *buf, size_t size, int *fds, int max_fds, int *n_fds) {
  size_t got = 0;
  *n_fds = 0;
  for (;;) {
    union {
      char b[CMSG_SPACE(sizeof(int) * 8)];
      struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = buf + got, .iov_len = size - 1 - got};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < k; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (*n_fds < max_fds)
          fds[(*n_fds)++] = fd;
        else
          close(fd);
      }
    }
    if (n == 0 || got + (size_t)n >= size - 1) {
      got += (size_t)n;
      break;
    }
    got += (size_t)n;
  }
  buf[got] = 0;
  return 0;
}

/* Pick the fd named "seccompFd" out of what came; close the others. */
static int take_seccomp_fd(const char *text, int *fds, int n_fds) {
  json_error_t jerr;
  json_t *st = json_loads(text, 0, &jerr);
  int want = -1;
  if (!st) {
    fprintf(stderr, "seccomp_agent: bad state JSON: %s\n", jerr.text);
  } else {
    json_t *names = json_object_get(st, "fds");
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), "seccompFd") == 0)
        want = (int)i;
    }
    json_decref(st);
  }
  int fd = -1;
  for (int i = 0; i < n_fds; i++) {
    if (i == want)
      fd = fds[i];
    else
      close(fds[i]);
  }
  if (fd < 0)
    fprintf(stderr, "seccomp_agent: no seccompFd in the message\n");
  return fd;
}

static bool is_mkdir(const struct seccomp_notif *req) {
  char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
  bool yes = name && (strcmp(name, "mkdir") == 0 || strcmp(name, "mkdirat") == 0);
  free(name);
  return yes;
}

/* Answer one notification; returns -1 when the fd is done (all its processes gone). */
static int handle(int nfd, struct seccomp_notif *req, size_t req_size) {
  memset(req, 0, req_size);
  if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
    return errno == EINTR || errno == ENOENT ? 0 : -1;
  struct seccomp_notif_resp resp = {.id = req->id};
  if (is_mkdir(req))
    resp.val = 0;
  else
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
    fprintf(stderr, "seccomp_agent: NOTIF_SEND: %s\n", strerror(errno));
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s SOCKET_PATH [STATE_LOG]\n", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  FILE *log = NULL;
  if (argc == 3 && !(log = fopen(argv[2], "ae"))) {
    perror(argv[2]);
    return 1;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    fprintf(stderr, "seccomp_agent: socket path too long\n");
    return 2;
  }
  strcpy(addr.sun_path, path);
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(path);
  if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 16) < 0) {
    perror("seccomp_agent: listen");
    return 1;
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct seccomp_notif_sizes sizes = {0};
  if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    sizes.seccomp_notif = sizeof(struct seccomp_notif);
  size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
                        ? sizes.seccomp_notif
                        : sizeof(struct seccomp_notif);
  struct seccomp_notif *req = calloc(1, req_size);
  char *text = malloc(MAX_STATE);
  if (!req || !text)
    return 1;

  struct pollfd pfds[1 + MAX_FDS];
  int n_notify = 0;
  pfds[0] = (struct pollfd){.fd = ls, .events = POLLIN};
  printf("ready\n");
  fflush(stdout);
  while (!stop) {
    int n = poll(pfds, (nfds_t)(1 + n_notify), -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      perror("seccomp_agent: poll");
      break;
    }
    if (pfds[0].revents & POLLIN) {
      int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) {
        int fds[8], n_fds = 0;
        if (read_state(conn, text, MAX_STATE, fds, 8, &n_fds) == 0) {
          if (log) {
            fprintf(log, "%s\n", text);
            fflush(log);
          }
          int fd = take_seccomp_fd(text, fds, n_fds);
          if (fd >= 0 && n_notify < MAX_FDS)
            pfds[1 + n_notify++] = (struct pollfd){.fd = fd, .events = POLLIN};
          else if (fd >= 0)
            close(fd);
        }
        close(conn);
      }
    }
    for (int i = 0; i < n_notify; i++) {
      struct pollfd *p = &pfds[1 + i];
      bool done = false;
      if (p->revents & POLLIN)
        done = handle(p->fd, req, req_size) < 0;
      if (p->revents & (POLLHUP | POLLERR | POLLNVAL))
        done = true;
      if (done) {
        close(p->fd);
        pfds[1 + i] = pfds[n_notify];
        n_notify--;
        i--;
      }
    }
  }
  for (int i = 0; i < n_notify; i++)
    close(pfds[1 + i].fd);
  close(ls);
  unlink(path);
  free(req);
  free(text);
  if (log)
    fclose(log);
  return 0;
}
