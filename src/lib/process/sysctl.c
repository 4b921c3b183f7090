/* linux.sysctl: only keys that belong to a namespace the container owns may
 * be set, or a container could change the host's kernel.  Writes go through
 * hako's own procfs (security/procfs.h), so the container cannot redirect them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "process.h"
#include "security/procfs.h"
#include "util.h"

static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                       "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                       "kernel.shmmni", "kernel.shm_rmid_forced", NULL};

static bool in_list(const char *key, const char *const *list) {
  for (; *list; list++)
    if (strcmp(key, *list) == 0)
      return true;
  return false;
}

int hk_sysctl_validate(const struct hk_spec *spec, struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_sysctl; i++) {
    const char *key = lx->sysctl[i].key;
    enum hk_ns_type need;
    if (in_list(key, ipc_keys) || hk_str_has_prefix(key, "fs.mqueue."))
      need = HK_NS_IPC;
    else if (hk_str_has_prefix(key, "net."))
      need = HK_NS_NETWORK;
    else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
      need = HK_NS_UTS;
    else
      return hk_error_set(err, EPERM,
                          "config.json: linux.sysctl[\"%s\"]: not a namespaced sysctl; a "
                          "container may not change it for the whole host",
                          key);
    if (!hk_spec_namespace(spec, need))
      return hk_error_set(err, EPERM,
                          "config.json: linux.sysctl[\"%s\"]: needs a private %s namespace", key,
                          hk_ns_type_name(need));
    if (strstr(key, "..") || strchr(key, '/'))
      return hk_error_set(err, EINVAL, "config.json: linux.sysctl[\"%s\"]: invalid key", key);
  }
  return 0;
}

int hk_sysctl_apply(const struct hk_spec *spec, int procfd, struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  for (size_t i = 0; lx && i < lx->n_sysctl; i++) {
    char path[300], what[300];
    snprintf(path, sizeof path, "sys/%s", lx->sysctl[i].key);
    for (char *p = path; *p; p++)
      if (*p == '.')
        *p = '/';
    snprintf(what, sizeof what, "linux.sysctl[\"%s\"]", lx->sysctl[i].key);
    int r = hk_procfs_write(procfd, path, lx->sysctl[i].value, what, err);
    if (r < 0)
      return r;
  }
  return 0;
}
