/* Namespace type names and lookup. */
#include <string.h>

#include "spec.h"

static const char *const names[HK_NS__COUNT] = {
    [HK_NS_PID] = "pid",       [HK_NS_NETWORK] = "network", [HK_NS_MOUNT] = "mount",
    [HK_NS_IPC] = "ipc",       [HK_NS_UTS] = "uts",         [HK_NS_USER] = "user",
    [HK_NS_CGROUP] = "cgroup", [HK_NS_TIME] = "time",
};

int hk_ns_type_from_name(const char *name) {
  if (!name)
    return -1;
  for (int i = 0; i < HK_NS__COUNT; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  return -1;
}

const char *hk_ns_type_name(enum hk_ns_type type) {
  if ((int)type < 0 || type >= HK_NS__COUNT)
    return NULL;
  return names[type];
}

const struct hk_namespace *hk_spec_namespace(const struct hk_spec *spec, enum hk_ns_type type) {
  if (!spec || !spec->linux_)
    return NULL;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    if (spec->linux_->namespaces[i].type == type)
      return &spec->linux_->namespaces[i];
  return NULL;
}
