#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

char *hk_strdup_printf(const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  return n < 0 ? NULL : s;
}

char **hk_strv_dup(const char *const *v, size_t n) {
  char **out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; out && i < n; i++) {
    if (!(out[i] = strdup(v[i]))) {
      while (i--)
        free(out[i]);
      free(out);
      return NULL;
    }
  }
  return out;
}

int hk_parse_long(const char *s, long *out) {
  if (!s || !*s)
    return -EINVAL;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end)
    return -EINVAL;
  *out = v;
  return 0;
}

bool hk_str_has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

unsigned long long hk_proc_stat(pid_t pid, char *state) {
  char path[32], buf[1024];
  if (state)
    *state = 0;
  if (pid <= 0)
    return 0;
  /* "/proc/<pid>/stat" by hand: snprintf was a tenth of `list` */
  char digits[12];
  size_t nd = 0;
  for (unsigned v = (unsigned)pid; nd == 0 || v; v /= 10)
    digits[nd++] = (char)('0' + v % 10);
  char *w = memcpy(path, "/proc/", 6);
  w += 6;
  while (nd)
    *w++ = digits[--nd];
  memcpy(w, "/stat", sizeof "/stat");
  /* openat, not open: musl's open() adds an fcntl(FD_CLOEXEC) for old kernels,
   * one more syscall per container in `list` */
  int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = 0;
  /* comm may hold spaces and parentheses: fields are counted after the last
   * ')'.  No later field can hold one, and comm (at most 64 bytes, for a
   * kernel worker) ends within the first 128 bytes: no need to search all. */
  char *p = memrchr(buf, ')', n < 128 ? (size_t)n : 128);
  if (!p || p[1] != ' ')
    return 0;
  if (state)
    *state = p[2];
  /* after ") " comes field 3 (state); starttime, field 22, follows the 19th
   * space from there */
  const char *end = buf + n;
  int spaces = 0;
  for (p += 2; p < end && spaces < 19; p++)
    if (*p == ' ')
      spaces++;
  if (spaces < 19)
    return 0;
  return strtoull(p, NULL, 10);
}

unsigned long long hk_proc_start_time(pid_t pid) {
  return hk_proc_stat(pid, NULL);
}

int hk_fds_cloexec_from(int from, struct hk_error *err) {
  if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return hk_error_sys(err, "open /proc/self/fd");
  int self = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d))) {
    long fd;
    if (hk_parse_long(e->d_name, &fd) < 0 || fd < from || fd == self)
      continue;
    int flags = fcntl((int)fd, F_GETFD);
    if (flags >= 0)
      fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
  }
  closedir(d);
  return 0;
}
