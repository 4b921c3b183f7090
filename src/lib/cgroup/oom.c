/* OOM notifications for `events`: on v1 (and hybrid hosts, where memory is a v1
 * hierarchy) an eventfd registered for memory.oom_control through
 * cgroup.event_control; on pure v2 inotify on memory.events (the oom and
 * oom_kill counters) and cgroup.events (populated 0: the container is done). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "internal.h"

struct hk_cgroup_oom {
  bool v2;
  int fd;         /* eventfd (v1) or inotify fd (v2) */
  int control_fd; /* v1: memory.oom_control, kept open while registered */
  char *dir;      /* the memory cgroup's directory */
  int wd_events, wd_cgroup;
  uint64_t oom, oom_kill; /* v2: the counters last seen */
};

/* A "key value" line of dir/file; false when the file or the key is not there. */
static bool counter(const char *dir, const char *file, const char *key, uint64_t *v) {
  char *text = NULL;
  struct hk_error ignore = {0};
  if (hk_cg_read(dir, file, &text, &ignore) < 0)
    return false;
  size_t kl = strlen(key);
  bool found = false;
  for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
      *v = strtoull(p + kl + 1, NULL, 10);
      found = true;
      break;
    }
  free(text);
  return found;
}

static int open_v1(struct hk_cgroup_oom *w, struct hk_error *err) {
  char *path = hk_cg_join(w->dir, "memory.oom_control");
  if (!path)
    return hk_error_set(err, ENOMEM, "out of memory");
  w->control_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (w->control_fd < 0) {
    int r = hk_error_sys(err, "open %s", path);
    free(path);
    return r;
  }
  free(path);
  w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    return hk_error_sys(err, "eventfd");
  return hk_cg_writef(w->dir, "cgroup.event_control", err, "%d %d", w->fd, w->control_fd);
}

static int open_v2(struct hk_cgroup_oom *w, struct hk_error *err) {
  if (!hk_cg_exists(w->dir, "memory.events"))
    return hk_error_set(err, ENOTSUP,
                        "%s/memory.events: no such file (the memory controller is not enabled "
                        "for this cgroup)",
                        w->dir);
  w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (w->fd < 0)
    return hk_error_sys(err, "inotify_init1");
  const char *files[] = {"memory.events", "cgroup.events"};
  int *wds[] = {&w->wd_events, &w->wd_cgroup};
  for (size_t i = 0; i < 2; i++) {
    char *path = hk_cg_join(w->dir, files[i]);
    if (!path)
      return hk_error_set(err, ENOMEM, "out of memory");
    *wds[i] = inotify_add_watch(w->fd, path, IN_MODIFY);
    if (*wds[i] < 0) {
      int r = hk_error_sys(err, "inotify_add_watch %s", path);
      free(path);
      return r;
    }
    free(path);
  }
  /* the baseline: only OOMs from now on are events */
  counter(w->dir, "memory.events", "oom", &w->oom);
  counter(w->dir, "memory.events", "oom_kill", &w->oom_kill);
  return 0;
}

int hk_cgroup_oom_open(const struct hk_cgroup *cg, struct hk_cgroup_oom **out,
                       struct hk_error *err) {
  *out = NULL;
  const struct hk_cg_hier *h = hk_cg_find(cg, cg->layout == HK_CGROUP_V2 ? "" : "memory");
  if (!h)
    return hk_error_set(err, ENOTSUP, "oom notifications: the memory controller is not available");
  struct hk_cgroup_oom *w = calloc(1, sizeof *w);
  if (!w || !(w->dir = strdup(h->dir))) {
    free(w);
    return hk_error_set(err, ENOMEM, "out of memory");
  }
  w->v2 = cg->layout == HK_CGROUP_V2;
  w->fd = w->control_fd = w->wd_events = w->wd_cgroup = -1;
  int r = w->v2 ? open_v2(w, err) : open_v1(w, err);
  if (r < 0) {
    hk_cgroup_oom_close(w);
    return r;
  }
  *out = w;
  return 0;
}

int hk_cgroup_oom_fd(const struct hk_cgroup_oom *w) {
  return w->fd;
}

static int read_v1(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err) {
  uint64_t n;
  ssize_t k = read(w->fd, &n, sizeof n);
  if (k < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (k != (ssize_t)sizeof n)
    return k < 0 ? hk_error_sys(err, "read oom eventfd")
                 : hk_error_set(err, EIO, "read oom eventfd: short read");
  /* the kernel also signals the eventfd when the cgroup is removed */
  if (!hk_cg_exists(w->dir, "cgroup.event_control")) {
    *gone = true;
    return 0;
  }
  *ooms = 1;
  return 0;
}

static int read_v2(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err) {
  char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
      __attribute__((aligned(__alignof__(struct inotify_event))));
  bool events = false, cgroup = false;
  for (;;) {
    ssize_t k = read(w->fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0 && errno == EAGAIN)
      break;
    if (k <= 0)
      return k < 0 ? hk_error_sys(err, "read inotify (%s)", w->dir)
                   : hk_error_set(err, EIO, "read inotify (%s): end of file", w->dir);
    for (char *p = buf; p < buf + k;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      if (ev->mask & IN_IGNORED)
        *gone = true; /* the cgroup was removed */
      else if (ev->wd == w->wd_events)
        events = true;
      else if (ev->wd == w->wd_cgroup)
        cgroup = true;
      p += sizeof *ev + ev->len;
    }
  }
  if (events) {
    uint64_t oom = w->oom, oom_kill = w->oom_kill;
    counter(w->dir, "memory.events", "oom", &oom);
    counter(w->dir, "memory.events", "oom_kill", &oom_kill);
    /* one OOM shows as oom then oom_kill, in two modifications: an event when
     * the larger of the two grows (a kill by the global OOM killer has no oom) */
    if ((oom > oom_kill ? oom : oom_kill) > (w->oom > w->oom_kill ? w->oom : w->oom_kill))
      *ooms = 1;
    w->oom = oom;
    w->oom_kill = oom_kill;
  }
  uint64_t populated = 1;
  if (cgroup && (!counter(w->dir, "cgroup.events", "populated", &populated) || populated == 0))
    *gone = true;
  return 0;
}

int hk_cgroup_oom_read(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err) {
  *ooms = 0;
  *gone = false;
  return w->v2 ? read_v2(w, ooms, gone, err) : read_v1(w, ooms, gone, err);
}

void hk_cgroup_oom_close(struct hk_cgroup_oom *w) {
  if (!w)
    return;
  if (w->fd >= 0)
    close(w->fd);
  if (w->control_fd >= 0)
    close(w->control_fd);
  free(w->dir);
  free(w);
}
