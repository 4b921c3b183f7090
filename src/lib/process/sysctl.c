/* linux.sysctl: only keys that belong to a namespace the container owns may
 * be set, or a container could change the host's kernel.  Writes go through
 * the container's procfs, checked to really be procfs (security rule 2). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "process.h"
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

int hk_sysctl_apply(const struct hk_spec *spec, struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  if (!lx || !lx->n_sysctl)
    return 0;
  _cleanup_close_ int sys = open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sys < 0)
    return hk_error_sys(err, "linux.sysctl: open /proc/sys (is /proc mounted?)");
  struct statfs sfs;
  if (fstatfs(sys, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    return hk_error_set(err, EPERM, "linux.sysctl: /proc/sys in the container is not procfs");
  for (size_t i = 0; i < lx->n_sysctl; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s", lx->sysctl[i].key);
    for (char *p = path; *p; p++)
      if (*p == '.')
        *p = '/';
    _cleanup_close_ int fd = openat(sys, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      return hk_error_sys(err, "linux.sysctl[\"%s\"]: open /proc/sys/%s", lx->sysctl[i].key,
                          path);
    const char *v = lx->sysctl[i].value;
    if (write(fd, v, strlen(v)) < 0)
      return hk_error_sys(err, "linux.sysctl[\"%s\"]: write \"%s\"", lx->sysctl[i].key, v);
  }
  return 0;
}
