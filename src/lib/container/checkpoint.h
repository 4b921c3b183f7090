/* What checkpoint and restore share: how a config's mounts and namespaces
 * are described to criu, and criu's common options. */
#ifndef HAKO_CHECKPOINT_H
#define HAKO_CHECKPOINT_H

#include <stdbool.h>

#include "criu.h"
#include "spec.h"

struct hako_criu_opts;
struct hk_cgroup;

bool hk_mount_is_bind(const struct hk_mount *m);
bool hk_mount_is_cgroup(const struct hk_mount *m);
/* The key of a namespace joined by path (network, pid), NULL for the others. */
const char *hk_criu_ns_key(enum hk_ns_type t);
/* --image-path (default ./checkpoint) and --work-path (default: the image
 * path), made absolute; created when create is set. */
int hk_criu_dirs(const struct hako_criu_opts *o, bool create, char *img, char *work,
                 struct hk_error *err);
/* --manage-cgroups and the flags dump and restore both pass on. */
void hk_criu_common_args(struct hk_argv *a, const struct hako_criu_opts *o);
/* fn(arg, destination, host dir) for each cgroup directory bound into the
 * container (none with a cgroup namespace: criu restores that mount itself). */
void hk_criu_cgroup_binds(const struct hk_spec *spec, const struct hk_cgroup *cg,
                          void (*fn)(void *, const char *, const char *), void *arg);

#endif
