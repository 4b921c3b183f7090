/* openat2(2), or ENOSYS when the kernel (or -Dopenat2=disabled) has none. */
#include <errno.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int hk_openat2(int dirfd, const char *path, struct open_how *how) {
#ifdef HAKO_NO_OPENAT2
  (void)dirfd, (void)path, (void)how;
  errno = ENOSYS;
  return -1;
#else
  long fd = syscall(SYS_openat2, dirfd, path, how, sizeof *how);
  return fd < 0 ? -1 : (int)fd;
#endif
}
