/* Getting a new process into the container's cgroup without anyone writing its pid.
 *
 * Writing a pid to cgroup.procs takes the kernel's global threadgroup lock for writing,
 * and when the system was quiet for a few milliseconds that waits for an RCU grace period:
 * 5-15 ms on this class of machine, the largest single cost of `create` and `exec` on
 * cgroup v1.  A thread that moves only itself (v1: "0" written to `tasks`) skips that lock.
 * So the launcher opens each v1 hierarchy's `tasks` file before it forks, and the child,
 * single-threaded, writes "0" to each: the whole process is then in.  A cgroup2 hierarchy
 * (pure v2, or the hybrid's unified one) is entered at clone3 with CLONE_INTO_CGROUP, which
 * needs no lock either. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int fail_prepare(struct hk_cgroup_join *j, const char *dir, struct hk_error *err) {
  int r = hk_error_sys(err, "cgroup: open %s for the new process to join it", dir);
  hk_cgroup_join_release(j);
  return r;
}

int hk_cgroup_join_prepare(const struct hk_cgroup *cg, struct hk_cgroup_join *j,
                           struct hk_error *err) {
  *j = (struct hk_cgroup_join){.cg = cg, .clone_fd = -1, .freezer = SIZE_MAX};
  j->tasks_fds = malloc((cg->n ? cg->n : 1) * sizeof *j->tasks_fds);
  if (!j->tasks_fds)
    return hk_error_set(err, ENOMEM, "cgroup: out of memory");
  j->n = cg->n;
  for (size_t i = 0; i < cg->n; i++)
    j->tasks_fds[i] = -1;
  for (size_t i = 0; i < cg->n; i++) {
    const struct hk_cg_hier *h = &cg->h[i];
    if (h->mnt.v2) {
      /* pure v2 keeps one open; a hybrid's unified hierarchy gets its own */
      j->clone_fd = cg->v2_fd >= 0 ? fcntl(cg->v2_fd, F_DUPFD_CLOEXEC, 3)
                                   : open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (j->clone_fd < 0)
        return fail_prepare(j, h->dir, err);
      continue;
    }
    if (hk_cg_list_has(h->mnt.controllers, "freezer"))
      j->freezer = i;
    char tasks[PATH_MAX];
    if (snprintf(tasks, sizeof tasks, "%s/tasks", h->dir) >= (int)sizeof tasks) {
      errno = ENAMETOOLONG;
      return fail_prepare(j, h->dir, err);
    }
    j->tasks_fds[i] = open(tasks, O_WRONLY | O_CLOEXEC);
    if (j->tasks_fds[i] < 0)
      return fail_prepare(j, h->dir, err);
  }
  return 0;
}

int hk_cgroup_join_self(struct hk_cgroup_join *j, struct hk_error *err) {
  int r = 0;
  /* the freezer hierarchy last: a frozen cgroup (exec --ignore-paused) stops us as soon as
   * we are in it, and by then we must be in all the others */
  for (size_t k = 0; k < j->n; k++) {
    size_t i = k;
    size_t freezer = j->freezer < j->n ? j->freezer : j->n - 1;
    if (k == freezer)
      i = j->n - 1;
    else if (k == j->n - 1)
      i = freezer;
    if (j->tasks_fds[i] < 0)
      continue;
    if (r == 0 && write(j->tasks_fds[i], "0", 1) != 1)
      r = hk_error_sys(err, "cgroup: join %s (write 0 to tasks)", j->cg->h[i].dir);
    close(j->tasks_fds[i]);
    j->tasks_fds[i] = -1;
  }
  return r;
}

void hk_cgroup_join_release(struct hk_cgroup_join *j) {
  for (size_t i = 0; i < j->n; i++)
    if (j->tasks_fds && j->tasks_fds[i] >= 0)
      close(j->tasks_fds[i]);
  if (j->clone_fd >= 0)
    close(j->clone_fd);
  free(j->tasks_fds);
  *j = (struct hk_cgroup_join){.clone_fd = -1};
}
