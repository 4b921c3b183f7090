/* Capabilities and no_new_privs of the container process.
 *
 * Launcher (before fork): hk_caps_from_spec() turns process.capabilities into five bit masks,
 * checking every name.  Init (after fork): hk_caps_prepare_setuid(), the uid/gid change,
 * hk_caps_apply(), hk_set_no_new_privs(), then seccomp (see seccomp.h) and execve.  Nothing
 * here allocates in init.
 *
 * The order init follows (and why):
 *   1. close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) (fds to keep excepted) -- so that nothing
 *      remains to be done on fds after seccomp is loaded.
 *   2. setgroups(additionalGids) (skipped when the user namespace denies setgroups),
 *      setresgid(gid) -- both need CAP_SETGID, so before the uid change drops it.
 *   3. hk_caps_prepare_setuid(): PR_SET_KEEPCAPS, otherwise setresuid() to a non-zero uid
 *      empties the permitted set and nothing can be given back.
 *   4. setresuid(uid) -- the effective set is now empty for a non-root uid (permitted kept).
 *   5. Without noNewPrivileges and with linux.seccomp: hk_caps_apply_bounding(), then
 *      hk_seccomp_load() -- loading a filter without no_new_privs needs CAP_SYS_ADMIN in the
 *      effective set, which the final capset may take away (runc 1.1.5 loads it even earlier,
 *      before the uid change) -- then hk_caps_apply_final().
 *      Otherwise: hk_caps_apply() (bounding, then capset, then ambient).
 *      hk_caps_apply_bounding() first makes every permitted cap effective again (the uid change
 *      emptied the effective set): PR_CAPBSET_DROP needs CAP_SETPCAP, the load CAP_SYS_ADMIN.
 *   6. hk_set_no_new_privs() when process.noNewPrivileges (it needs no privilege).
 *   7. With noNewPrivileges and linux.seccomp: hk_seccomp_load(), the last step, so the user's
 *      filter has to allow as few of hako's own syscalls as possible.
 *   8. (seccomp notify fd handed to the launcher over the sync socket, ready, wait for start)
 *   9. execve().
 * Everything between the seccomp load and execve must be syscalls the filter allows: keep it to
 * sendmsg/write/read on the sync channel, the start fifo, capset/prctl (step 5 case) and execve.
 */
#ifndef HAKO_SECURITY_CAPS_H
#define HAKO_SECURITY_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

struct hk_caps {
  uint64_t bounding, effective, permitted, inheritable, ambient;
  bool has_caps; /* false: process.capabilities absent -> every set is emptied (as runc) */
  int last_cap;  /* the running kernel's last capability (cap_last_cap); 0: probe in apply */
  /* Names of the config that were left out (unknown name, unknown to the kernel or missing
   * from hako's bounding set), one bit per cap; unknown names are not counted here. */
  uint64_t unavailable;
};

/* Flags of hk_caps_from_spec_ex(). */
enum {
  /* The container gets a new user namespace: its bounding set starts full there, so the
   * launcher's bounding set does not limit what it can be given. */
  HK_CAPS_NEW_USERNS = 1 << 0,
  /* Fail instead of warning on a name that is unknown or cannot be granted. */
  HK_CAPS_STRICT = 1 << 1,
};

/* Validate the names ("CAP_SYS_ADMIN") and build the masks.  As the runtime spec asks
 * ("MUST be logged as a warning ... SHOULD NOT fail") and as runc 1.1.5 does for unknown names,
 * a name that is unknown, unknown to the running kernel (> cap_last_cap) or not in hako's own
 * bounding set is left out with a warning through hk_log, e.g.
 *   process.capabilities.bounding: CAP_SYS_RESOURCE is not in hako's bounding set, so it
 *   cannot be given to the container
 * With HK_CAPS_STRICT the same text is the error.  spec_caps NULL: has_caps = false. */
int hk_caps_from_spec(const struct hk_capabilities *spec_caps, struct hk_caps *out,
                      struct hk_error *err);
int hk_caps_from_spec_ex(const struct hk_capabilities *spec_caps, unsigned flags,
                         struct hk_caps *out, struct hk_error *err);

/* Init, before setresuid: PR_SET_KEEPCAPS so the permitted set survives the uid change. */
int hk_caps_prepare_setuid(struct hk_error *err);
/* Init, after setresgid/setresuid: hk_caps_apply_bounding() then hk_caps_apply_final(). */
int hk_caps_apply(const struct hk_caps *caps, struct hk_error *err);
/* PR_CAPBSET_DROP for every cap (up to last_cap) not in caps->bounding. */
int hk_caps_apply_bounding(const struct hk_caps *caps, struct hk_error *err);
/* capset(effective, permitted, inheritable), clear the ambient set and raise caps->ambient,
 * clear PR_SET_KEEPCAPS. */
int hk_caps_apply_final(const struct hk_caps *caps, struct hk_error *err);

/* Init: prctl(PR_SET_NO_NEW_PRIVS, 1). */
int hk_set_no_new_privs(struct hk_error *err);

/* The name table (this header's own, from <linux/capability.h> numbers). */
int hk_cap_from_name(const char *name); /* -1 if unknown; exact, upper case (as runc) */
const char *hk_cap_name(int cap);       /* NULL if unknown */
int hk_cap_last_known(void);            /* the highest number the table knows */
/* The running kernel's last capability (what /proc/sys/kernel/cap_last_cap says), found
 * with PR_CAPBSET_READ. */
int hk_cap_last_cap(void);

#endif
