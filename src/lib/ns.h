/* Namespaces: clone flags, joining by path (type-checked), uid/gid maps. */
#ifndef HAKO_NS_H
#define HAKO_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

int hk_ns_clone_flag(enum hk_ns_type type);
/* Open `path`, check with NS_GET_NSTYPE that it is a namespace of `type`, setns into it. */
int hk_ns_join_path(enum hk_ns_type type, const char *path, struct hk_error *err);
/* Open and type-check without joining (used to validate before anything is created). */
int hk_ns_open_checked(enum hk_ns_type type, const char *path, struct hk_error *err);
/* Write /proc/<pid>/{uid,gid}_map. `what` names the config field for errors. */
int hk_idmap_write(pid_t pid, const char *file, const struct hk_idmap *maps, size_t n,
                   const char *what, struct hk_error *err);
/* The maps of an unprivileged launcher: its own single id is written
 * directly (setgroups denied for gid), anything more through newuidmap /
 * newgidmap, with an error that says what to install or configure. */
int hk_idmap_write_unprivileged(pid_t pid, const struct hk_idmap *uid, size_t n_uid,
                                const struct hk_idmap *gid, size_t n_gid, struct hk_error *err);
bool hk_idmap_is_self(const struct hk_idmap *maps, size_t n, uint32_t self);
/* Is this process in a user namespace other than the initial one (its uid_map
 * is not the identity "0 0 4294967295")?  Root there (rootless podman runs the
 * runtime so) has no privileges over the host: no mknod, no host cgroups. */
bool hk_in_user_ns(void);
/* Map a container id to the host through `maps`; returns false when unmapped. */
bool hk_idmap_to_host(const struct hk_idmap *maps, size_t n, uint32_t id, uint32_t *host);

#endif
