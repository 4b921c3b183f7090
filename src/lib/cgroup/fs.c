/* Small file helpers for cgroup files: every write names the file in its error. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

char *hk_cg_join(const char *a, const char *b) {
  size_t la = strlen(a);
  bool slash = la > 0 && a[la - 1] == '/';
  while (*b == '/')
    b++;
  size_t lb = strlen(b);
  size_t sep = slash || !*b ? 0 : 1;
  /* by hand: asprintf was a third of `ps` */
  char *s = malloc(la + sep + lb + 1);
  if (!s)
    return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + sep, b, lb + 1);
  return s;
}

int hk_cg_open_w(const char *dir, const char *file, char **path, struct hk_error *err) {
  *path = hk_cg_join(dir, file);
  if (!*path)
    return hk_error_set(err, ENOMEM, "out of memory");
  int fd = open(*path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    fd = hk_error_sys(err, "open %s", *path);
    free(*path);
    *path = NULL;
  }
  return fd;
}

int hk_cg_write_fd(int fd, const char *path, const char *value, struct hk_error *err) {
  size_t len = strlen(value);
  ssize_t w = write(fd, value, len);
  if (w < 0)
    return hk_error_sys(err, "write \"%s\" to %s", value, path);
  if ((size_t)w != len)
    return hk_error_set(err, EIO, "write \"%s\" to %s: short write", value, path);
  hk_debug("cgroup: %s <- %s", path, value);
  return 0;
}

int hk_cg_write(const char *dir, const char *file, const char *value, struct hk_error *err) {
  char *path;
  int fd = hk_cg_open_w(dir, file, &path, err);
  if (fd < 0)
    return fd;
  int r = hk_cg_write_fd(fd, path, value, err);
  close(fd);
  free(path);
  return r;
}

int hk_cg_writef(const char *dir, const char *file, struct hk_error *err, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return hk_cg_write(dir, file, buf, err);
}

int hk_cg_read(const char *dir, const char *file, char **out, struct hk_error *err) {
  char *path = hk_cg_join(dir, file);
  if (!path)
    return hk_error_set(err, ENOMEM, "out of memory");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int r = hk_error_sys(err, "open %s", path);
    free(path);
    return r;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  int r = 0;
  for (;;) {
    if (!buf) {
      r = hk_error_set(err, ENOMEM, "out of memory");
      break;
    }
    if (cap - len < 2) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        continue;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r = hk_error_sys(err, "read %s", path);
      break;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  free(path);
  if (r < 0) {
    free(buf);
    return r;
  }
  buf[len] = 0;
  *out = buf;
  return 0;
}

bool hk_cg_exists(const char *dir, const char *file) {
  char *path = hk_cg_join(dir, file);
  bool ok = path && access(path, F_OK) == 0;
  free(path);
  return ok;
}

int hk_cg_read_i64(const char *dir, const char *file, int64_t *out, struct hk_error *err) {
  char *text;
  int r = hk_cg_read(dir, file, &text, err);
  if (r < 0)
    return r;
  if (strncmp(text, "max", 3) == 0) {
    *out = -1;
  } else {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text) {
      r = hk_error_set(err, EINVAL, "%s/%s: not a number: %.40s", dir, file, text);
      free(text);
      return r;
    }
    *out = v;
  }
  free(text);
  return 0;
}
