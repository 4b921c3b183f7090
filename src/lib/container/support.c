/* Fields hako parses but does not apply yet.  Nothing that changes isolation
 * or security may be silently ignored, so each one fails `create`. */
#include <errno.h>
#include <string.h>
#include <sys/vfs.h>

#ifndef RDTGROUP_SUPER_MAGIC
#define RDTGROUP_SUPER_MAGIC 0x7655821
#endif

#include "container.h"
#include "security/lsm.h"

#define UNSUPPORTED(cond, path)                                                                   \
  do {                                                                                            \
    if (cond)                                                                                     \
      return hk_error_set(err, ENOTSUP, "not supported yet: %s", path);                         \
  } while (0)


int hk_check_supported(const struct hk_spec *spec, struct hk_error *err) {
  const struct hk_process *p = spec->process;
  if (p) {
    /* runc refuses a label it cannot apply: so do we, with the same words */
    if (p->selinux_label && *p->selinux_label && !hk_selinux_enabled())
      return hk_error_set(err, ENOTSUP,
                          "process.selinuxLabel: selinux label is specified in config, but "
                          "selinux is disabled or not supported");
  }
  const struct hk_linux *lx = spec->linux_;
  if (lx) {
    if (lx->intel_rdt) {
      /* what a user can act on first: resctrl is not even there */
      struct statfs sfs;
      if (statfs("/sys/fs/resctrl", &sfs) < 0 || sfs.f_type != RDTGROUP_SUPER_MAGIC)
        return hk_error_set(err, ENOTSUP,
                            "linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl (Intel "
                            "RDT unavailable on this host)");
      UNSUPPORTED(true, "linux.intelRdt");
    }
    if (lx->mount_label && *lx->mount_label && !hk_selinux_enabled())
      return hk_error_set(err, ENOTSUP,
                          "linux.mountLabel: selinux label is specified in config, but selinux "
                          "is disabled or not supported");
  }
  return 0;
}
