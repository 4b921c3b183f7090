#include "sync.h"

#include "util.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int hk_sync_pair(int fds[2], struct hk_error *err) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return hk_error_sys(err, "create sync socketpair");
  return 0;
}

int hk_sync_send(int sock, uint32_t type, int32_t value, const char *text, int fd) {
  struct hk_sync_msg msg = {.type = type, .value = value};
  size_t len = 8;
  if (text) {
    size_t tl = strnlen(text, sizeof msg.text - 1);
    memcpy(msg.text, text, tl);
    len += tl + 1;
  }
  ssize_t n = hk_sendmsg_fd(sock, &msg, len, fd);
  return n < 0 ? (int)n : 0;
}

int hk_sync_recv(int sock, struct hk_sync_msg *msg, int *fd) {
  memset(msg, 0, sizeof *msg);
  int got;
  ssize_t n = hk_recvmsg_fd(sock, msg, sizeof *msg, 0, &got);
  if (fd)
    *fd = got;
  else if (got >= 0)
    close(got);
  if (n < 0)
    return (int)n;
  if (n == 0)
    return -EPIPE;
  msg->text[sizeof msg->text - 1] = 0;
  return 0;
}

int hk_sync_expect(int sock, uint32_t type, struct hk_sync_msg *msg, const char *what,
                   struct hk_error *err) {
  int r = hk_sync_recv(sock, msg, NULL);
  if (r == -EPIPE)
    return hk_error_set(err, EPIPE, "%s: the container process exited unexpectedly", what);
  if (r < 0)
    return hk_error_set(err, -r, "%s: read sync channel: %s", what, strerror(-r));
  if (msg->type == HK_SYNC_ERROR)
    return hk_error_set(err, msg->value > 0 ? msg->value : EIO, "%s", msg->text);
  if (msg->type != type)
    return hk_error_set(err, EPROTO, "%s: unexpected sync message %u (wanted %u)", what, msg->type,
                        type);
  return 0;
}

void hk_sync_send_error(int sock, const struct hk_error *err) {
  hk_sync_send(sock, HK_SYNC_ERROR, err->code ? err->code : EIO,
               err->msg[0] ? err->msg : "unknown error", -1);
}

void hk_sync_prefer_peer_error(int sock, struct hk_error *err) {
  struct pollfd pfd = {.fd = sock, .events = POLLIN};
  struct hk_sync_msg msg;
  if (sock >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) &&
      hk_sync_recv(sock, &msg, NULL) == 0 && msg.type == HK_SYNC_ERROR) {
    hk_error_clear(err); /* the first error set would otherwise stay */
    hk_error_set(err, msg.value > 0 ? msg.value : EIO, "%s", msg.text);
  }
}
