/* Security rule 5 (CVE-2019-5736 class): the hako binary cannot be
 * overwritten through /proc/<pid>/exe of a hako process in the container.
 *
 * Processes that enter a container (init before its execve, exec's process)
 * are forks of the command that made them, so their exe is that command's
 * exe.  Before create, run and exec do anything, hako re-executes itself
 * from a detached, read-only bind mount of its own binary (open_tree +
 * mount_setattr + execveat): every hako process of the container then has
 * an exe on a read-only mount, and opening it for writing, directly or by
 * reopening an O_PATH fd after hako exited, fails with EROFS.  The mount
 * has no path in any mount namespace and vanishes with the last process
 * that runs from it.  Cost: one execve of the static binary, no copy (a
 * sealed memfd would copy the whole binary per command); ARCHITECTURE.md
 * has the numbers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hako.h"
#include "log.h"
#include "util.h"

extern char **environ;

static bool exe_on_readonly_mount(void) {
  struct statvfs sv;
  return statvfs("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

int hako_protect_exe(char **argv, struct hk_error *err) {
  /* the re-executed copy, or a binary installed on a read-only filesystem */
  if (exe_on_readonly_mount()) {
    /* execveat(fd, "") named the process after the fd ("3"); ps, pgrep and
     * tools that look for the runtime by name expect its own name */
    const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
    prctl(PR_SET_NAME, base ? base + 1 : argv[0] ? argv[0] : "hako", 0, 0, 0);
    return 0;
  }
  _cleanup_close_ int mnt =
      (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (mnt < 0) {
    /* without CAP_SYS_ADMIN (rootless) no mount can be made; the binary is
     * then not writable by the caller's containers' root either unless the
     * caller owns it */
    hk_log(HK_LOG_DEBUG, "binary protection: open_tree(/proc/self/exe): %s", strerror(errno));
    return 0;
  }
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
  if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return hk_error_sys(err, "protect the hako binary: make its bind mount read-only");
  syscall(SYS_execveat, mnt, "", argv, environ, AT_EMPTY_PATH);
  return hk_error_sys(err, "protect the hako binary: re-execute it from a read-only bind mount");
}
