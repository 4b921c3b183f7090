/* Init side: load the compiled filter with seccomp(2).  One syscall, no allocation. */
#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_internal.h"

int hk_seccomp_load(const struct hk_seccomp_filter *f, int *notify_fd, struct hk_error *err) {
  if (notify_fd)
    *notify_fd = -1;
  if (!f)
    return 0;
  if (f->notify && !notify_fd)
    return hk_error_set(err, EINVAL, "linux.seccomp: the filter notifies but nobody takes the fd");
  struct sock_fprog prog = {.len = f->len, .filter = (struct sock_filter *)f->prog};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
  if (r < 0) {
    if (errno == EACCES)
      return hk_error_sys(err, "linux.seccomp: loading the filter needs no_new_privs or "
                               "CAP_SYS_ADMIN");
    return hk_error_sys(err, "linux.seccomp: seccomp(SECCOMP_SET_MODE_FILTER, flags %#lx)",
                        f->flags);
  }
  if (f->notify)
    *notify_fd = (int)r;
  return 0;
}
