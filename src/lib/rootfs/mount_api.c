/* Thin, error-reporting wrappers over the new mount API: every mount is
 * built detached and then attached onto an fd, so no path is re-resolved. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "mount_api.h"
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

uint64_t hk_ms_to_mount_attr(unsigned long ms) {
  uint64_t a = 0;
  if (ms & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (ms & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (ms & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (ms & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (ms & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  if (ms & MS_NOSYMFOLLOW)
    a |= MOUNT_ATTR_NOSYMFOLLOW;
  if (ms & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (ms & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  return a;
}

int hk_move_mount_to(int mnt, int dest, const char *what, struct hk_error *err) {
  if (move_mount(mnt, "", dest, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hk_error_sys(err, "%s: attach mount", what);
  return 0;
}

/* The kernel explains fsconfig failures in the fs context's log. */
static void read_fs_log(int fsfd, char *buf, size_t size) {
  buf[0] = 0;
  ssize_t n = read(fsfd, buf, size - 1);
  if (n > 2) {
    buf[n] = 0;
    if (buf[n - 1] == '\n')
      buf[n - 1] = 0;
    memmove(buf, buf + 2, (size_t)n - 1); /* drop the "e " prefix */
  } else {
    buf[0] = 0;
  }
}

int hk_fs_mount_fd(const char *type, const char *source, const char *data, uint64_t attrs,
                   const char *where, struct hk_error *err) {
  return hk_fs_mount_fd_label(type, source, data, NULL, attrs, where, err);
}

int hk_fs_mount_fd_label(const char *type, const char *source, const char *data,
                         const char *selinux_context, uint64_t attrs, const char *where,
                         struct hk_error *err) {
  _cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return hk_error_sys(err, "%s.type: filesystem type \"%s\"", where, type);
  char log[512];
  /* set as one value: an MLS label has commas, which the data split would cut */
  if (selinux_context &&
      fsconfig(fsfd, FSCONFIG_SET_STRING, "context", selinux_context, 0) < 0) {
    int saved = errno;
    read_fs_log(fsfd, log, sizeof log);
    errno = saved;
    return hk_error_sys(err, "%s: linux.mountLabel \"%s\"%s%s", where, selinux_context,
                        *log ? ": " : "", log);
  }
  if (source && *source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0) {
    read_fs_log(fsfd, log, sizeof log);
    return hk_error_sys(err, "%s.source: %s source \"%s\"%s%s", where, type, source, *log ? ": " : "",
                        log);
  }
  if (data) {
    char *copy = strdup(data), *save = NULL;
    if (!copy)
      return hk_error_set(err, ENOMEM, "%s: out of memory", where);
    for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
      char *eq = strchr(opt, '=');
      int r;
      if (eq) {
        *eq = 0;
        r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
      } else {
        r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
      }
      if (r < 0) {
        int saved = errno;
        read_fs_log(fsfd, log, sizeof log);
        errno = saved;
        if (eq)
          *eq = '=';
        r = hk_error_sys(err, "%s.options: %s option \"%s\"%s%s", where, type, opt, *log ? " (" : "",
                         *log ? log : "");
        if (*log)
          strncat(err->msg, ")", sizeof err->msg - strlen(err->msg) - 1);
        free(copy);
        return r;
      }
    }
    free(copy);
  }
  if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    int saved = errno;
    read_fs_log(fsfd, log, sizeof log);
    errno = saved;
    return hk_error_sys(err, "%s: create %s filesystem%s%s", where, type, *log ? ": " : "", log);
  }
  int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attrs);
  if (mnt < 0)
    return hk_error_sys(err, "%s: mount %s", where, type);
  return mnt;
}
