/* The new mount API (fsopen, fsmount, move_mount, open_tree, mount_setattr)
 * whatever the C library: glibc >= 2.36 declares it in <sys/mount.h>; with
 * musl the kernel's <linux/mount.h> gives the constants and the calls are
 * made through syscall(2). */
#ifndef HAKO_MOUNT_API_H
#define HAKO_MOUNT_API_H

#include <sys/mount.h>

#ifndef FSOPEN_CLOEXEC
#include <linux/mount.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int fsopen(const char *fs, unsigned int flags) {
  return (int)syscall(SYS_fsopen, fs, flags);
}
static inline int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux) {
  return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static inline int fsmount(int fd, unsigned int flags, unsigned int attrs) {
  return (int)syscall(SYS_fsmount, fd, flags, attrs);
}
static inline int move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                             unsigned int flags) {
  return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}
static inline int open_tree(int dfd, const char *path, unsigned int flags) {
  return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static inline int mount_setattr(int dfd, const char *path, unsigned int flags,
                                struct mount_attr *attr, size_t size) {
  return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}
#endif

#endif
