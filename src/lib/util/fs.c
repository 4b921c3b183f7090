#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

ssize_t hk_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, p + done, len - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    done += (size_t)n;
  }
  return (ssize_t)done;
}

ssize_t hk_read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, p + done, len - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      break;
    done += (size_t)n;
  }
  return (ssize_t)done;
}

int hk_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                    struct hk_error *err) {
  _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open %s", path);
  size_t cap = 4096, used = 0;
  char *buf = malloc(cap + 1);
  if (!buf)
    return hk_error_set(err, ENOMEM, "read %s: out of memory", path);
  for (;;) {
    if (used == cap) {
      if (cap >= max) {
        free(buf);
        return hk_error_set(err, EFBIG, "read %s: file larger than %zu bytes", path, max);
      }
      cap = cap * 2 > max ? max : cap * 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        free(buf);
        return hk_error_set(err, ENOMEM, "read %s: out of memory", path);
      }
      buf = nb;
    }
    ssize_t n = read(fd, buf + used, cap - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int r = hk_error_sys(err, "read %s", path);
      free(buf);
      return r;
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  buf[used] = 0;
  *out = buf;
  if (len)
    *len = used;
  return 0;
}

int hk_read_file(const char *path, size_t max, char **out, size_t *len, struct hk_error *err) {
  return hk_read_file_at(AT_FDCWD, path, max, out, len, err);
}

/* Create dir/name with the extra open flags and write data; on a failed write the file is
 * removed again. */
static int create_and_write(int dirfd, const char *name, int flags, const char *data, size_t len,
                            mode_t mode, struct hk_error *err) {
  _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode);
  if (fd < 0)
    return hk_error_sys(err, "create %s", name);
  if (hk_write_all(fd, data, len) < 0) {
    int r = hk_error_sys(err, "write %s", name);
    unlinkat(dirfd, name, 0);
    return r;
  }
  return 0;
}

int hk_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct hk_error *err) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, ".%s.tmp.%d", name, (int)getpid());
  int r = create_and_write(dirfd, tmp, O_TRUNC, data, len, mode, err);
  if (r < 0)
    return r;
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    r = hk_error_sys(err, "rename %s to %s", tmp, name);
    unlinkat(dirfd, tmp, 0);
    return r;
  }
  return 0;
}

int hk_write_file_new(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                      struct hk_error *err) {
  return create_and_write(dirfd, name, O_EXCL, data, len, mode, err);
}

int hk_write_file_locked(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct hk_error *err) {
  /* ext4 (auto_da_alloc) flushes a file renamed over another: 0.1-0.2 ms each time the
   * state changes.  Unlinking the old one first avoids that; a lock-free reader that
   * finds no file in between waits on the lock the writer holds. */
  if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
    return hk_error_sys(err, "remove the old %s", name);
  return hk_write_file_atomic(dirfd, name, data, len, mode, err);
}

int hk_write_string_at(int dirfd, const char *path, const char *data, struct hk_error *err) {
  _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open %s", path);
  size_t len = strlen(data);
  ssize_t n = write(fd, data, len);
  if (n < 0)
    return hk_error_sys(err, "write \"%s\" to %s", data, path);
  if ((size_t)n != len)
    return hk_error_set(err, EIO, "write \"%s\" to %s: short write", data, path);
  return 0;
}

int hk_write_string(const char *path, const char *data, struct hk_error *err) {
  return hk_write_string_at(AT_FDCWD, path, data, err);
}

int hk_mkdir_p(const char *path, mode_t mode, struct hk_error *err) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return hk_error_set(err, ENAMETOOLONG, "mkdir %s: path too long", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
      return hk_error_sys(err, "mkdir %s", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST)
    return hk_error_sys(err, "mkdir %s", buf);
  return 0;
}
