#include "security/lsm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "security/procfs.h"

#define SELINUX_MAGIC 0xf97cff8c

bool hk_lsm_wanted(const char *apparmor_profile, const char *selinux_label) {
  return (apparmor_profile && *apparmor_profile) || (selinux_label && *selinux_label);
}

bool hk_selinux_enabled(void) {
  struct statfs sfs;
  return statfs("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}

static int apply_apparmor(int procfd, const char *profile, struct hk_error *err) {
  char rel[64], self[32], val[4200];
  snprintf(self, sizeof self, "%d", (int)getpid());
  /* per-LSM files first: with stacked LSMs attr/exec may belong to another */
  snprintf(rel, sizeof rel, "%s/attr/apparmor/exec", self);
  if (!hk_procfs_exists(procfd, rel))
    snprintf(rel, sizeof rel, "%s/attr/exec", self);
  snprintf(val, sizeof val, "exec %s", profile);
  int r = hk_procfs_write(procfd, rel, val, "process.apparmorProfile", err);
  if (r < 0 && access("/sys/module/apparmor", F_OK) < 0)
    hk_error_prefix(err, "apply apparmor profile \"%s\" (AppArmor is not enabled on this host)",
                    profile);
  return r;
}

int hk_lsm_apply_exec(int *procfd, const char *apparmor_profile, const char *selinux_label,
                      struct hk_error *err) {
  if (!hk_lsm_wanted(apparmor_profile, selinux_label))
    return 0;
  int r = hk_procfs_open(procfd, err);
  if (r == 0 && apparmor_profile && *apparmor_profile)
    r = apply_apparmor(*procfd, apparmor_profile, err);
  if (r == 0 && selinux_label && *selinux_label)
    r = hk_procfs_write_self(*procfd, "attr/exec", selinux_label, "process.selinuxLabel", err);
  return r;
}
