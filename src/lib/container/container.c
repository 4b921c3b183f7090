#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "log.h"
#include "util.h"

/* validate the id and open its state dir (c->dirfd) */
static int open_dir(const char *root, const char *id, struct hk_container *c,
                    struct hk_error *err) {
  *c = (struct hk_container){.dirfd = -1};
  int r = hk_state_validate_id(id, err);
  if (r < 0)
    return r;
  c->dirfd = hk_state_open_dir(root, id, err);
  return c->dirfd < 0 ? c->dirfd : 0;
}

/* Under the lock, a state dir with config.json but no state.json is a create that died
 * before its init was recorded (create holds the lock until state.json exists, and
 * removes the dir when it fails): a container in the creating state with no process,
 * which delete can clean up.  Without config.json (not even that far, or a dir that
 * delete just emptied) it does not exist. */
static int load_unfinished(struct hk_container *c, const char *id, struct hk_error *err) {
  if (faccessat(c->dirfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    return -ENOENT;
  hk_error_clear(err);
  c->st.id = strdup(id);
  if (!c->st.id)
    return hk_error_set(err, ENOMEM, "out of memory");
  c->st.status = HK_STATUS_CREATING;
  c->st.has_cgroup = faccessat(c->dirfd, "cgroup", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  return 0;
}

static int lock_and_load(struct hk_container *c, const char *id, struct hk_error *err) {
  int r = hk_state_lock(c->dirfd, err);
  if (r == 0)
    r = hk_state_load(c->dirfd, &c->st, err);
  if (r == -ENOENT)
    r = load_unfinished(c, id, err);
  if (r < 0) {
    close(c->dirfd);
    c->dirfd = -1;
  }
  return r;
}

int hk_container_open(const char *root, const char *id, struct hk_container *c,
                      struct hk_error *err) {
  int r = open_dir(root, id, c, err);
  return r < 0 ? r : lock_and_load(c, id, err);
}

int hk_container_open_ro(const char *root, const char *id, struct hk_container *c,
                         struct hk_error *err) {
  int r = open_dir(root, id, c, err);
  if (r < 0)
    return r;
  if (hk_state_read(c->dirfd, NULL, &c->st) == 0)
    return 0;
  return lock_and_load(c, id, err);
}

void hk_container_close(struct hk_container *c) {
  if (c->dirfd >= 0)
    close(c->dirfd);
  c->dirfd = -1;
  hk_state_clear(&c->st);
}

/* hooks_only: leave *spec NULL when the text cannot hold hooks (see container.h) */
static int load_spec(const struct hk_container *c, bool hooks_only, struct hk_spec **spec,
                     struct hk_error *err) {
  *spec = NULL;
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = hk_read_file_at(c->dirfd, "config.json", 64 << 20, &text, &len, err);
  if (r < 0)
    return r;
  if (hooks_only && !memmem(text, len, "hooks", 5) && !memmem(text, len, "\\u", 2))
    return 0;
  return hk_spec_parse(text, len, "config.json", spec, err);
}

int hk_container_load_spec(const struct hk_container *c, struct hk_spec **spec,
                           struct hk_error *err) {
  return load_spec(c, false, spec, err);
}

int hk_container_load_spec_for_hooks(const struct hk_container *c, struct hk_spec **spec,
                                     struct hk_error *err) {
  return load_spec(c, true, spec, err);
}

int hk_container_signal_init(const struct hk_container *c, int sig, struct hk_error *err) {
  /* no process recorded (a create that never finished): kill(0) would signal our own
   * process group */
  if (c->st.pid <= 0)
    return hk_error_set(err, ESRCH, "container \"%s\" is not running", c->st.id);
  int pidfd = (int)syscall(SYS_pidfd_open, c->st.pid, 0);
  if (pidfd < 0) {
    if (errno == ESRCH)
      return hk_error_set(err, ESRCH, "container \"%s\" is not running", c->st.id);
    if (kill(c->st.pid, sig) < 0)
      return hk_error_sys(err, "signal %d to pid %d", sig, (int)c->st.pid);
    return 0;
  }
  /* the pidfd pins the process: if it is still the one we recorded, the
   * signal cannot hit a recycled pid */
  int r = 0;
  if (!hk_state_pid_alive(c->st.pid, c->st.pid_start_time))
    r = hk_error_set(err, ESRCH, "container \"%s\" is not running", c->st.id);
  else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    r = hk_error_sys(err, "signal %d to pid %d", sig, (int)c->st.pid);
  close(pidfd);
  return r;
}

bool hk_container_wait_gone(const struct hk_container *c, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    if (!hk_state_pid_alive(c->st.pid, c->st.pid_start_time))
      return true;
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return false;
}

int hk_container_load_cgroup(const struct hk_container *c, struct hk_cgroup **cg,
                             struct hk_error *err) {
  *cg = NULL;
  if (!c->st.has_cgroup)
    return 0;
  _cleanup_free_ char *text = NULL;
  int r = hk_read_file_at(c->dirfd, "cgroup", 1 << 20, &text, NULL, err);
  return r < 0 ? r : hk_cgroup_deserialize(text, cg, err);
}

int hk_container_destroy(const char *root, struct hk_container *c, struct hk_error *err) {
  struct hk_spec *spec = NULL;
  struct hk_error hook_err = {0};
  if (hk_container_load_spec_for_hooks(c, &spec, &hook_err) == 0 && spec) {
    c->st.status = HK_STATUS_STOPPED;
    char *state = hk_state_to_json(&c->st, false);
    /* poststop failures are logged, not fatal: the container is gone anyway */
    if (state && hk_hooks_run(&spec->hooks.poststop, "hooks.poststop", state, &hook_err) < 0)
      hk_log(HK_LOG_WARN, "%s", hook_err.msg);
    free(state);
    hk_spec_free(spec);
  }
  struct hk_cgroup *cg = NULL;
  int r = hk_container_load_cgroup(c, &cg, err);
  if (r == -ENOENT) /* a create that failed before storing it */
    hk_error_clear(err);
  else if (r < 0)
    return r;
  if (cg) {
    struct hk_error ignored = {0};
    hk_cgroup_kill_all(cg, SIGKILL, &ignored);
    r = hk_cgroup_destroy(cg, err);
    hk_cgroup_free(cg);
    if (r < 0)
      return r;
  }
  return hk_state_remove_dir(root, c->st.id, err);
}
