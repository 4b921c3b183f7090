/* /proc writes a container cannot redirect (security rule 2; CVE-2019-16884,
 * CVE-2025-52881 classes).
 *
 * hako mounts its own procfs instance, detached (fsopen/fsmount): it exists
 * only as hako's fd, so nothing in the container, no hook and no fake /proc
 * in the rootfs can cover, replace or bind-mount over any of its files.
 * Where the kernel refuses a new instance (a user namespace without a
 * visible /proc), the container's /proc is used instead, checked with
 * fstatfs.  Either way every file is opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) (by hand,
 * component by component, without openat2) and the opened fd is checked
 * with fstatfs to be procfs before anything is written. */
#ifndef HAKO_SECURITY_PROCFS_H
#define HAKO_SECURITY_PROCFS_H

#include <stdbool.h>

#include "error.h"

/* Set *fd to a procfs root for the calling process's pid namespace (a
 * private instance, else the checked /proc of the current root).  No-op
 * when *fd >= 0 already. */
int hk_procfs_open(int *fd, struct hk_error *err);
/* Only a private instance (no fallback): for callers whose /proc is still
 * the host's (init before pivot_root).  -errno, *fd untouched, when the
 * kernel refuses one; err is not filled. */
int hk_procfs_open_private(int *fd);
/* Write value to `rel` (e.g. "sys/net/ipv4/ip_forward") of the procfs root
 * procfd, through the checks above; `what` names the config field. */
int hk_procfs_write(int procfd, const char *rel, const char *value, const char *what,
                    struct hk_error *err);
/* The same for a file of the calling process: "<pid>/<file>", the pid as
 * that procfs sees it (no /proc/self: it is a symlink). */
int hk_procfs_write_self(int procfd, const char *file, const char *value, const char *what,
                         struct hk_error *err);
/* Whether `rel` exists in procfd (checked the same way), e.g. an LSM's
 * attr directory. */
bool hk_procfs_exists(int procfd, const char *rel);

#endif
