/* linux.netDevices (config-linux.md "Network Devices"). */
#ifndef HAKO_NETDEV_H
#define HAKO_NETDEV_H

#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Before anything is created: a new network namespace, every interface exists. */
int hk_netdev_validate(const struct hk_spec *spec, struct hk_error *err);
/* Launcher, once init exists: move each interface into pid's network namespace. */
int hk_netdev_move(const struct hk_spec *spec, pid_t pid, struct hk_error *err);

#endif
