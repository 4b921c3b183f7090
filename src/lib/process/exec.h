/* The container process of `exec`. */
#ifndef HAKO_EXEC_H
#define HAKO_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "process.h"
#include "security/caps.h"
#include "spec.h"

struct hk_exec_child {
  pid_t pid;  /* the container's init */
  int pidfd;  /* its pidfd, for setns */
  int ns_flags;
  const struct hk_spec *spec; /* the container's config (personality, memoryPolicy) */
  const struct hk_process *process;
  struct hk_caps caps;
  const struct hk_seccomp_filter *seccomp;
  int console_fd;
  int preserve_fds;
  bool setgroups_denied;
  struct hk_cgroup_join *cgroup_join; /* NULL: no cgroup; else the child joins by itself */
};

/* CLONE_NEW* of every namespace of pid that differs from ours. */
int hk_exec_ns_flags(pid_t pid, int *flags, struct hk_error *err);
/* Child of the launcher: wait for GO, join, fork, report the pid (HK_SYNC_INIT_PID)
 * and exit; the grandchild sets up and execs. */
_Noreturn void hk_exec_child_main(const struct hk_exec_child *x, int sync_fd);

#endif
