/* tmpcopyup: a tmpfs mounted over a directory of the image starts with a
 * copy of that directory (podman asks for it on --tmpfs and --read-only). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

static int copy_file(int sfd, int ddir, const char *name, const struct stat *st) {
  _cleanup_close_ int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return -errno;
  _cleanup_close_ int out =
      openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return -errno;
  off_t left = st->st_size;
  while (left > 0) {
    ssize_t n = sendfile(out, in, NULL, (size_t)left);
    if (n < 0)
      return -errno;
    if (n == 0)
      break;
    left -= n;
  }
  return 0;
}

/* Copy the directory sfd into ddir, recursively, keeping modes and owners. */
static int copy_tree(int sfd, int ddir, int depth) {
  if (depth > 64)
    return -ELOOP;
  int dup_fd = dup(sfd);
  if (dup_fd < 0)
    return -errno;
  DIR *d = fdopendir(dup_fd);
  if (!d) {
    close(dup_fd);
    return -errno;
  }
  int r = 0;
  struct dirent *e;
  while (r == 0 && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      r = -errno;
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(ddir, e->d_name, st.st_mode & 07777) < 0) {
        r = -errno;
        break;
      }
      int s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int d2 = openat(ddir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      r = s2 < 0 || d2 < 0 ? -errno : copy_tree(s2, d2, depth + 1);
      if (s2 >= 0)
        close(s2);
      if (d2 >= 0)
        close(d2);
    } else if (S_ISREG(st.st_mode)) {
      r = copy_file(sfd, ddir, e->d_name, &st);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(sfd, e->d_name, target, sizeof target - 1);
      if (n < 0) {
        r = -errno;
        break;
      }
      target[n] = 0;
      if (symlinkat(target, ddir, e->d_name) < 0)
        r = -errno;
    } else {
      if (mknodat(ddir, e->d_name, st.st_mode, st.st_rdev) < 0)
        r = -errno;
    }
    if (r == 0 && fchownat(ddir, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
      r = -errno;
  }
  closedir(d);
  return r;
}

int hk_tmpcopyup(int dest, int mnt, const char *where, struct hk_error *err) {
  /* dest is the O_PATH fd of the directory in the image, mnt the new tmpfs */
  _cleanup_close_ int src = openat(dest, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (src < 0)
    return hk_error_sys(err, "%s: tmpcopyup: open the directory", where);
  _cleanup_close_ int dst = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dst < 0)
    return hk_error_sys(err, "%s: tmpcopyup: open the tmpfs", where);
  struct stat st;
  if (fstat(src, &st) == 0) {
    if (fchmod(dst, st.st_mode & 07777) < 0 || fchown(dst, st.st_uid, st.st_gid) < 0)
      return hk_error_sys(err, "%s: tmpcopyup: set the owner and mode", where);
  }
  int r = copy_tree(src, dst, 0);
  if (r < 0) {
    errno = -r;
    return hk_error_sys(err, "%s: tmpcopyup", where);
  }
  return 0;
}
