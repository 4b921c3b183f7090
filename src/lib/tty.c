#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

int hk_console_connect(const char *path, struct hk_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path)
    return hk_error_set(err, ENAMETOOLONG, "--console-socket %s: path too long", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return hk_error_sys(err, "--console-socket: socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int r = hk_error_sys(err, "--console-socket: connect to %s", path);
    close(fd);
    return r;
  }
  return fd;
}

int hk_send_fd(int sock, int fd, const char *body, struct hk_error *err) {
  /* consumers such as containerd's console reader require a body */
  size_t len = strlen(body);
  if (hk_sendmsg_fd(sock, len ? body : "x", len ? len : 1, fd) < 0) {
    errno = EPIPE;
    return hk_error_sys(err, "send the terminal to the console socket");
  }
  return 0;
}

int hk_console_setup(int console_fd, uint32_t rows, uint32_t cols, struct hk_error *err) {
  _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return hk_error_sys(err, "open /dev/ptmx in the container");
  if (unlockpt(master) < 0)
    return hk_error_sys(err, "unlockpt");
  char name[64];
  if (ptsname_r(master, name, sizeof name) != 0)
    return hk_error_sys(err, "ptsname");
  _cleanup_close_ int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return hk_error_sys(err, "open %s", name);
  struct statfs sfs;
  if (fstatfs(slave, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
    return hk_error_set(err, EPERM, "%s is not a devpts terminal", name);
  if (rows || cols) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
      return hk_error_sys(err, "set the terminal size");
  }
  int r = hk_send_fd(console_fd, master, name, err);
  if (r < 0)
    return r;
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return hk_error_sys(err, "make %s the controlling terminal", name);
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0)
      return hk_error_sys(err, "dup the terminal to fd %d", i);
  return 0;
}
