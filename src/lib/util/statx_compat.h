/* statx(2) whatever the C library: glibc declares it in <sys/stat.h>; musl
 * 1.2.3 does not, so the kernel's <linux/stat.h> gives the struct and the
 * call goes through syscall(2). */
#ifndef HAKO_STATX_COMPAT_H
#define HAKO_STATX_COMPAT_H

#include <sys/stat.h>

#ifndef __GLIBC__
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int statx(int dfd, const char *path, int flags, unsigned int mask,
                        struct statx *buf) {
  return (int)syscall(SYS_statx, dfd, path, flags, mask, buf);
}
#endif

#endif
