/* The container's terminal: a pty from the container's own devpts, its
 * master sent to --console-socket, its slave the process's stdio. */
#ifndef HAKO_TTY_H
#define HAKO_TTY_H

#include <stdint.h>

#include "error.h"

/* Launcher side: connect to the console socket path. */
int hk_console_connect(const char *path, struct hk_error *err);
/* Init side (after pivot_root): open /dev/ptmx, verify the slave is a devpts
 * inode, set the size (0 = leave), send the master over console_fd (SCM_RIGHTS
 * with a non-empty body), make the slave the controlling terminal and stdio. */
int hk_console_setup(int console_fd, uint32_t rows, uint32_t cols, struct hk_error *err);
/* Send fd over a connected unix socket with a one-byte-or-more body. */
int hk_send_fd(int sock, int fd, const char *body, struct hk_error *err);

#endif
