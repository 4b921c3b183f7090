/* AppArmor profiles and SELinux labels for the container's process, set
 * through the kernel's profile-on-exec interface: the next execve switches.
 * Written through hako's procfs (security/procfs.h). */
#ifndef HAKO_SECURITY_LSM_H
#define HAKO_SECURITY_LSM_H

#include <stdbool.h>

#include "error.h"

/* Whether an AppArmor profile or SELinux label is asked for (non-empty). */
bool hk_lsm_wanted(const char *apparmor_profile, const char *selinux_label);
/* AppArmor: "exec <profile>" to <pid>/attr/apparmor/exec (attr/exec on
 * kernels without per-LSM directories).  Like runc 1.1, a profile on a host
 * without AppArmor is not skipped: the write fails and so does the
 * container.  SELinux: the label to <pid>/attr/exec (the launcher refused a
 * label on a host without SELinux, as runc does).  Opens *procfd when
 * needed. */
int hk_lsm_apply_exec(int *procfd, const char *apparmor_profile, const char *selinux_label,
                      struct hk_error *err);
/* SELinux is enabled (selinuxfs is mounted). */
bool hk_selinux_enabled(void);

#endif
