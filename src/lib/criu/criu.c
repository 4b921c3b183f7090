#include "criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mount_api.h"
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

void hk_argv_add(struct hk_argv *a, const char *s) {
  if (a->oom)
    return;
  if (a->n + 2 > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 32;
    char **v = realloc(a->v, cap * sizeof *v);
    if (!v) {
      a->oom = true;
      return;
    }
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n] = strdup(s);
  if (!a->v[a->n]) {
    a->oom = true;
    return;
  }
  a->v[++a->n] = NULL;
}

void hk_argv_addf(struct hk_argv *a, const char *fmt, ...) {
  char buf[PATH_MAX * 2 + 64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof buf)
    a->oom = true; /* too long for any path criu takes: refuse rather than cut */
  else
    hk_argv_add(a, buf);
}

void hk_argv_free(struct hk_argv *a) {
  for (size_t i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  memset(a, 0, sizeof *a);
}

static bool executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int hk_criu_find(const char *criu, char *out, size_t size, struct hk_error *err) {
  if (criu && strchr(criu, '/')) {
    if (!executable(criu))
      return hk_error_set(err, ENOENT,
                          "checkpoint/restore needs criu: %s is not an executable file (--criu)",
                          criu);
    snprintf(out, size, "%s", criu);
    return 0;
  }
  const char *name = criu && *criu ? criu : "criu";
  const char *path = getenv("PATH");
  /* root's sbin directories are not in every caller's PATH */
  char dirs[8192];
  snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin", path && *path ? path : "/usr/bin:/bin");
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    char cand[PATH_MAX];
    if (snprintf(cand, sizeof cand, "%s/%s", *d ? d : ".", name) >= (int)sizeof cand)
      continue;
    if (executable(cand)) {
      snprintf(out, size, "%s", cand);
      return 0;
    }
  }
  return hk_error_set(err, ENOENT,
                      "checkpoint/restore needs criu: \"%s\" not found in PATH, /usr/sbin or "
                      "/sbin (install the criu package, or pass --criu PATH)",
                      name);
}

/* Run criu with argv, stdout+stderr into buf; returns the exit status or -errno. */
static int run_capture(const char *criu, char *const argv[], char *buf, size_t size) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return -errno;
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    return -e;
  }
  if (pid == 0) {
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0)
      dup2(nul, 0);
    dup2(p[1], 1);
    dup2(p[1], 2);
    execv(criu, argv);
    _exit(127);
  }
  close(p[1]);
  size_t len = 0;
  for (;;) {
    char tmp[4096];
    ssize_t n = read(p[0], tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    /* keep the tail: criu's last words are the useful ones */
    size_t k = (size_t)n;
    if (k >= size - 1) {
      memcpy(buf, tmp + k - (size - 1), size - 1);
      len = size - 1;
    } else {
      if (len + k > size - 1) {
        size_t drop = len + k - (size - 1);
        memmove(buf, buf + drop, len - drop);
        len -= drop;
      }
      memcpy(buf + len, tmp, k);
      len += k;
    }
  }
  buf[len] = 0;
  close(p[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The "Error (file:line): ..." lines of criu's output, timestamps dropped,
 * the last `max` of them joined with "; ". */
static void error_lines(const char *text, char *out, size_t size, int max) {
  const char *lines[64];
  size_t lens[64];
  int n = 0;
  for (const char *l = text; l && *l;) {
    const char *end = strchr(l, '\n');
    size_t len = end ? (size_t)(end - l) : strlen(l);
    const char *e = memmem(l, len, "Error (", 7);
    if (e) {
      lines[n % 64] = e;
      lens[n % 64] = len - (size_t)(e - l);
      n++;
    }
    l = end ? end + 1 : NULL;
  }
  out[0] = 0;
  int first = n > max ? n - max : 0;
  for (int i = first; i < n; i++) {
    size_t o = strlen(out);
    snprintf(out + o, size - o, "%s%.*s", o ? "; " : "", (int)lens[i % 64], lines[i % 64]);
  }
}

int hk_criu_check(const char *criu, struct hk_error *err) {
  char path[PATH_MAX];
  int r = hk_criu_find(criu, path, sizeof path, err);
  if (r < 0)
    return r;
  char *argv[] = {path, "check", NULL};
  char out[8192], why[2048];
  int st = run_capture(path, argv, out, sizeof out);
  if (st < 0)
    return hk_error_set(err, -st, "checkpoint/restore: run %s check: %s", path, strerror(-st));
  if (st == 0)
    return 0;
  error_lines(out, why, sizeof why, 3);
  if (!why[0]) {
    /* no Error line: quote the last line it printed */
    size_t len = strlen(out);
    while (len && out[len - 1] == '\n')
      out[--len] = 0;
    const char *last = strrchr(out, '\n');
    snprintf(why, sizeof why, "%s", last ? last + 1 : out);
  }
  return hk_error_set(err, ENOTSUP,
                      "checkpoint/restore: criu cannot work on this kernel: `%s check` failed "
                      "(exit %d): %s",
                      path, st, why[0] ? why : "no output");
}

bool hk_criu_has_feature(const char *criu, const char *feature) {
  char path[PATH_MAX], out[2048];
  struct hk_error ignored = {0};
  if (hk_criu_find(criu, path, sizeof path, &ignored) < 0)
    return false;
  char *argv[] = {path, "check", "--feature", (char *)feature, NULL};
  return run_capture(path, argv, out, sizeof out) == 0;
}

/* In the child: report a setup failure through the pipe and exit. */
static _Noreturn void child_fail(int fd, const char *what) {
  char msg[512];
  int n = snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  if (n > 0)
    hk_write_all(fd, msg, (size_t)n);
  _exit(127);
}

static _Noreturn void child(const struct hk_criu_run *r, int errfd) {
  for (size_t i = 0; i < r->n_keep_fds; i++)
    if (fcntl(r->keep_fds[i], F_SETFD, 0) < 0)
      child_fail(errfd, "keep an fd open for criu");
  if (r->cgroup) {
    struct hk_error e = {0};
    if (hk_cgroup_attach(r->cgroup, getpid(), &e) < 0) {
      hk_write_all(errfd, e.msg, strlen(e.msg));
      _exit(127);
    }
  }
  if (r->root_src) {
    /* the rootfs bind criu restores into lives only in criu's own mount
     * namespace: nothing is mounted on the host */
    if (unshare(CLONE_NEWNS) < 0)
      child_fail(errfd, "unshare the mount namespace for criu");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
      child_fail(errfd, "make / private for criu");
    if (mount(r->root_src, r->root_dst, NULL, MS_BIND | MS_REC, NULL) < 0)
      child_fail(errfd, "bind the rootfs for criu");
  }
  execv(r->criu, r->args->v);
  child_fail(errfd, "exec criu");
}

int hk_criu_exec(const struct hk_criu_run *r, struct hk_error *err) {
  if (r->args->oom)
    return hk_error_set(err, ENOMEM, "criu %s: building its arguments: out of memory", r->what);
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return hk_error_sys(err, "criu %s: pipe", r->what);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return hk_error_sys(err, "criu %s: fork", r->what);
  }
  if (pid == 0) {
    close(p[0]);
    child(r, p[1]);
  }
  close(p[1]);
  char setup[1024];
  ssize_t n = hk_read_all(p[0], setup, sizeof setup - 1);
  close(p[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR)
      return hk_error_sys(err, "criu %s: wait for criu", r->what);
  }
  if (n > 0) {
    setup[n] = 0;
    return hk_error_set(err, EIO, "criu %s: %s", r->what, setup);
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  char why[2048] = "";
  _cleanup_free_ char *log = NULL;
  struct hk_error ignored = {0};
  if (r->log_path && hk_read_file(r->log_path, 64 << 20, &log, NULL, &ignored) == 0)
    error_lines(log, why, sizeof why, 3);
  char status[32];
  if (WIFEXITED(st))
    snprintf(status, sizeof status, "exit %d", WEXITSTATUS(st));
  else
    snprintf(status, sizeof status, "signal %d", WTERMSIG(st));
  return hk_error_set(err, EIO, "criu %s failed (%s): %s (log: %s)", r->what, status,
                      why[0] ? why : "no error in its log", r->log_path ? r->log_path : "none");
}
