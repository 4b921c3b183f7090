/* start, state, kill, delete, list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "hako.h"
#include "hooks.h"
#include "log.h"
#include "util.h"

/* Read init's byte from exec.fifo: init's blocked open returns, it writes
 * and goes on to execve.  Poll so that a dead init cannot hang us. */
static int release_init(struct hk_container *c, struct hk_error *err) {
  _cleanup_close_ int fd = openat(c->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open exec.fifo");
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, 50);
    if (n < 0 && errno != EINTR)
      return hk_error_sys(err, "poll exec.fifo");
    if (n > 0 && (p.revents & POLLIN)) {
      char b;
      if (read(fd, &b, 1) == 1)
        break;
    }
    if (!hk_state_pid_alive(c->st.pid, c->st.pid_start_time))
      return hk_error_set(err, ESRCH, "container \"%s\": init exited before start", c->st.id);
  }
  if (unlinkat(c->dirfd, "exec.fifo", 0) < 0)
    return hk_error_sys(err, "remove exec.fifo");
  return 0;
}

int hako_start(const char *root, const char *id, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  switch (c.st.status) {
  case HK_STATUS_CREATED:
    break;
  case HK_STATUS_STOPPED:
    r = hk_error_set(err, EINVAL, "cannot start a container that has stopped");
    goto out;
  case HK_STATUS_RUNNING:
  case HK_STATUS_PAUSED:
    r = hk_error_set(err, EINVAL, "cannot start an already running container");
    goto out;
  default:
    r = hk_error_set(err, EINVAL, "cannot start a container in the %s state",
                     hk_status_name(c.st.status));
    goto out;
  }
  r = hk_container_start(&c, err);
out:
  hk_container_close(&c);
  return r;
}

int hk_container_start(struct hk_container *c, struct hk_error *err) {
  char *notify_host = NULL;
  int notify = hk_notify_listen(c, &notify_host, err);
  if (notify < -1)
    return notify;
  int r = release_init(c, err);
  if (r == 0 && notify >= 0)
    r = hk_notify_wait(c, notify, notify_host, err);
  if (notify >= 0)
    close(notify);
  free(notify_host);
  if (r < 0)
    return r;
  /* state.json keeps "created": the status is computed, and with exec.fifo gone it is
   * running (state.c); one rewrite fewer */
  c->st.status = HK_STATUS_RUNNING;
  struct hk_spec *spec = NULL;
  if (!c->no_hooks && (r = hk_container_load_spec_for_hooks(c, &spec, err)) < 0)
    return r;
  if (spec && spec->hooks.poststart.n) {
    char *state = hk_state_to_json(&c->st, false);
    if (state)
      r = hk_hooks_run(&spec->hooks.poststart, "hooks.poststart", state, err);
    free(state);
  }
  hk_spec_free(spec);
  if (r < 0) {
    /* runtime.md: a failing poststart hook stops the container */
    struct hk_error ignored = {0};
    hk_container_signal_init(c, SIGKILL, &ignored);
    hk_container_wait_gone(c, 10000);
  }
  return r;
}

int hako_state(const char *root, const char *id, char **json, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open_ro(root, id, &c, err);
  if (r < 0)
    return r;
  *json = hk_state_to_json(&c.st, true);
  if (!*json)
    r = hk_error_set(err, ENOMEM, "encode state: out of memory");
  hk_container_close(&c);
  return r;
}

int hako_kill(const char *root, const char *id, int sig, bool all, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  if (c.st.status == HK_STATUS_STOPPED && !all) {
    r = hk_error_set(err, ESRCH, "container not running");
    goto out;
  }
  if (all && c.st.has_cgroup) {
    struct hk_cgroup *cg = NULL;
    r = hk_container_load_cgroup(&c, &cg, err);
    if (r == 0)
      r = hk_cgroup_kill_all(cg, sig, err);
    if (cg)
      hk_cgroup_free(cg);
  } else if (c.st.status != HK_STATUS_STOPPED) {
    r = hk_container_signal_init(&c, sig, err);
  }
out:
  hk_container_close(&c);
  return r;
}

static void thaw(const struct hk_container *c) {
  struct hk_cgroup *cg = NULL;
  struct hk_error ignored = {0};
  if (hk_container_load_cgroup(c, &cg, &ignored) == 0 && cg)
    hk_cgroup_freeze(cg, false, &ignored);
  if (cg)
    hk_cgroup_free(cg);
}

int hako_delete(const char *root, const char *id, bool force, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0) {
    /* like runc: deleting a container that is not there is fine with --force */
    if (force && r == -ENOENT) {
      hk_error_clear(err);
      return 0;
    }
    return r;
  }
  switch (c.st.status) {
  case HK_STATUS_RUNNING:
  case HK_STATUS_PAUSED:
    if (!force) {
      r = hk_error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                       hk_status_name(c.st.status));
      goto out;
    }
    /* fall through */
  case HK_STATUS_CREATED:
  case HK_STATUS_CREATING:
    hk_container_signal_init(&c, SIGKILL, err);
    hk_error_clear(err);
    if (c.st.paused)
      thaw(&c); /* frozen v1 tasks cannot die until thawed */
    if (!hk_container_wait_gone(&c, 10000)) {
      r = hk_error_set(err, EBUSY, "container %s: init (pid %d) did not exit after SIGKILL", id,
                       (int)c.st.pid);
      goto out;
    }
    break;
  default:
    break;
  }
  r = hk_container_destroy(root, &c, err);
out:
  hk_container_close(&c);
  return r;
}

/* s, or "" when it is NULL; st gives its strings away */
static char *take(char **s) {
  char *v = *s ? *s : strdup("");
  *s = NULL;
  return v;
}

static int add_entry(struct hako_list_entry **out, size_t *n, size_t *cap, struct hk_state *st) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    struct hako_list_entry *ne = realloc(*out, nc * sizeof **out);
    if (!ne)
      return -ENOMEM;
    *out = ne;
    *cap = nc;
  }
  struct hako_list_entry *le = &(*out)[*n];
  le->pid = st->status == HK_STATUS_STOPPED ? 0 : st->pid;
  le->status = strdup(hk_status_name(st->status));
  le->owner = st->owner == 0 ? strdup("root") : hk_strdup_printf("%u", st->owner);
  le->id = take(&st->id);
  le->bundle = take(&st->bundle);
  le->created = take(&st->created);
  le->oci_version = take(&st->oci_version);
  le->rootfs = take(&st->rootfs);
  le->annotations_json = NULL;
  if (st->annotations_json && strcmp(st->annotations_json, "{}") != 0)
    le->annotations_json = take(&st->annotations_json);
  (*n)++;
  return 0;
}

int hako_list(const char *root, struct hako_list_entry **out, size_t *n, struct hk_error *err) {
  *out = NULL;
  *n = 0;
  DIR *d = opendir(root);
  if (!d)
    return errno == ENOENT ? 0 : hk_error_sys(err, "open state root %s", root);
  int rootfd = dirfd(d);
  size_t cap = 0;
  int r = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    struct hk_error ignored = {0};
    struct hk_state st;
    /* Without the lock, through the root's fd: a plain directory whose
     * state.json reads whole.  Anything else (a link, a create in progress,
     * an odd file) takes the locked path, and is skipped when that fails too:
     * a container deleted meanwhile is simply not listed. */
    if (e->d_type != DT_DIR || hk_state_validate_id(e->d_name, &ignored) < 0 ||
        hk_state_read(rootfd, e->d_name, &st) < 0) {
      struct hk_container c;
      if (hk_container_open(root, e->d_name, &c, &ignored) < 0)
        continue;
      st = c.st;
      memset(&c.st, 0, sizeof c.st);
      hk_container_close(&c);
    }
    r = add_entry(out, n, &cap, &st);
    hk_state_clear(&st);
    if (r < 0) {
      r = hk_error_set(err, ENOMEM, "list: out of memory");
      break;
    }
  }
  closedir(d);
  if (r < 0) {
    hako_list_free(*out, *n);
    *out = NULL;
    *n = 0;
  }
  return r;
}

void hako_list_free(struct hako_list_entry *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].id);
    free(e[i].status);
    free(e[i].bundle);
    free(e[i].created);
    free(e[i].owner);
    free(e[i].oci_version);
    free(e[i].rootfs);
    free(e[i].annotations_json);
  }
  free(e);
}
