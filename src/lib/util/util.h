/* Small helpers for fds, files and strings used across libhako. */
#ifndef HAKO_UTIL_H
#define HAKO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

struct open_how;

static inline void hk_closep(int *fd) {
  if (*fd >= 0)
    close(*fd);
}
static inline void hk_freep(void *p) { free(*(void **)p); }
#define _cleanup_close_ __attribute__((cleanup(hk_closep)))
#define _cleanup_free_ __attribute__((cleanup(hk_freep)))

/* Returns the fd and sets *fd to -1, for handing ownership out of a cleanup scope. */
static inline int hk_take_fd(int *fd) {
  int r = *fd;
  *fd = -1;
  return r;
}

/* Read a whole file (at most max bytes) into a NUL-terminated heap buffer. */
int hk_read_file(const char *path, size_t max, char **out, size_t *len, struct hk_error *err);
int hk_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                    struct hk_error *err);
/* Write data to dir/name atomically: temp file in the same dir, fsync-free, rename. */
int hk_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct hk_error *err);
/* Write data to a new file dir/name (O_EXCL), removed again when the write fails: for
 * files of a fresh state dir that readers only open under the lock (or, like
 * state.json, reject when incomplete), where a temp file and a rename would only add
 * journal work. */
int hk_write_file_new(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                      struct hk_error *err);
/* The same for a file whose writers all hold the state lock and whose lock-free readers
 * fall back to the lock when it is missing (state.json): the old file is removed first. */
int hk_write_file_locked(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct hk_error *err);
/* Write a string to an existing file (procfs, cgroupfs), reporting path on failure. */
int hk_write_string(const char *path, const char *data, struct hk_error *err);
int hk_write_string_at(int dirfd, const char *path, const char *data, struct hk_error *err);
/* Full-length read/write on a fd, retrying on EINTR and short counts. */
ssize_t hk_write_all(int fd, const void *buf, size_t len);
ssize_t hk_read_all(int fd, void *buf, size_t len);
int hk_mkdir_p(const char *path, mode_t mode, struct hk_error *err);
char *hk_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A NULL-terminated copy of n strings (NULL on ENOMEM). */
char **hk_strv_dup(const char *const *v, size_t n);
/* Parse a decimal integer, whole string only. */
int hk_parse_long(const char *s, long *out);
bool hk_str_has_prefix(const char *s, const char *prefix);
/* Process start time (field 22 of /proc/<pid>/stat), to detect pid reuse; 0 if gone. */
/* /proc/<pid>/stat in one read: the start time (0 when unreadable), and the
 * state letter in *state when not NULL. */
unsigned long long hk_proc_stat(pid_t pid, char *state);
unsigned long long hk_proc_start_time(pid_t pid);
/* One sendmsg of buf (len >= 1), with fd as SCM_RIGHTS when fd >= 0; retries
 * EINTR.  Returns the bytes sent or -errno. */
ssize_t hk_sendmsg_fd(int sock, const void *buf, size_t len, int fd);
/* One recvmsg into buf (flags added to MSG_CMSG_CLOEXEC), retrying EINTR; *fd is the fd
 * that came with it, or -1.  Returns the bytes received (0: the peer is gone) or -errno. */
ssize_t hk_recvmsg_fd(int sock, void *buf, size_t len, int flags, int *fd);
/* Make every fd >= from close-on-exec (close_range with CLOSE_RANGE_CLOEXEC, or a /proc walk). */
int hk_fds_cloexec_from(int from, struct hk_error *err);
/* openat2(2); -1 with errno ENOSYS on kernels without it and in builds
 * with -Dopenat2=disabled.  Callers fall back to a userspace walk. */
int hk_openat2(int dirfd, const char *path, struct open_how *how);

#include "utc.h"

/* JSON builders: hk_jobj("k1", v1, "k2", v2, ..., NULL) takes ownership of
 * the values (freed on failure, then NULL); hk_jstrs makes an array of a
 * NULL-terminated string list. */
#include <jansson.h>
json_t *hk_jobj(const char *key, ...);
json_t *hk_jstrs(const char *const *v);

#endif
