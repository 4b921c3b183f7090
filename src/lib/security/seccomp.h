/* linux.seccomp: compiled to classic BPF by hako itself (seccomp_compile.c, seccomp_bpf.c) in the
 * launcher, loaded with seccomp(2) in init.
 *
 * Launcher, before fork: hk_seccomp_compile() checks the whole section (errors name the JSON
 * path, e.g. linux.seccomp.syscalls[3].action) and turns it into a classic BPF program kept in
 * memory.  Init inherits it through fork and only calls hk_seccomp_load(): one syscall, no
 * allocation.
 *
 * When init loads it (see caps.h for the whole order):
 *   - seccomp(2) needs no_new_privs or CAP_SYS_ADMIN in the effective set.
 *   - process.noNewPrivileges true: load it last, after the uid change, the capabilities and
 *     no_new_privs, so the user's filter sees as few of hako's own syscalls as possible.
 *   - noNewPrivileges false: load it after setresuid() and the bounding-set drop but before the
 *     final capset (hk_caps_apply_bounding() leaves the permitted caps effective), because the
 *     final capset may take CAP_SYS_ADMIN away.  The filter then also sees capset, prctl
 *     (ambient, keepcaps) and what init does before execve.  runc 1.1.5 loads it even earlier
 *     (before the uid change) in that case.
 *   - Every syscall between the load and execve must be allowed by the user's filter: mark fds
 *     CLOEXEC with close_range before the load, not after.
 *   - With SCMP_ACT_NOTIFY the load returns a listener fd: init passes it to the launcher over
 *     the sync socket (init cannot reach listenerPath after pivot_root), and the launcher calls
 *     hk_seccomp_send_notify_fd() and closes its copy.  A filter that notifies on sendmsg
 *     would deadlock this; that is the user's problem, as with runc.
 */
#ifndef HAKO_SECURITY_SECCOMP_H
#define HAKO_SECURITY_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* The compiled classic-BPF program, the seccomp(2) flags and whether it uses NOTIFY. */
struct hk_seccomp_filter;

/* Compile spec into *out (free with hk_seccomp_free()).  Unknown syscall names are ignored (as
 * runc); unknown actions, operators, architectures or flags, and errnoRet on an action that
 * takes none, are errors naming the JSON path. */
int hk_seccomp_compile(const struct hk_seccomp *spec, struct hk_seccomp_filter **out,
                       struct hk_error *err);
/* Init: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog); with NOTIFY also
 * SECCOMP_FILTER_FLAG_NEW_LISTENER and *notify_fd gets the listener fd (else -1).  notify_fd
 * may be NULL only when the filter does not notify. */
int hk_seccomp_load(const struct hk_seccomp_filter *f, int *notify_fd, struct hk_error *err);
bool hk_seccomp_uses_notify(const struct hk_seccomp_filter *f);
/* The seccomp(2) flags the load uses (SECCOMP_FILTER_FLAG_*), and the program length. */
unsigned long hk_seccomp_flags(const struct hk_seccomp_filter *f);
size_t hk_seccomp_len(const struct hk_seccomp_filter *f);
void hk_seccomp_free(struct hk_seccomp_filter *f);

/* The "container process state" of config-linux.md that goes to listenerPath:
 *   {"ociVersion":..., "fds":["seccompFd"], "pid":pid, "metadata":..., "state":<state>}
 * state_json is the runtime state (runtime.md: ociVersion, id, status, pid, bundle,
 * annotations) as JSON text; metadata is linux.seccomp.listenerMetadata (NULL: left out).
 * Returns a malloc'ed string, NULL with err filled on failure. */
char *hk_seccomp_process_state_json(const char *oci_version, pid_t pid, const char *metadata,
                                    const char *state_json, struct hk_error *err);
/* Launcher: connect to listener_path (AF_UNIX, SOCK_STREAM), send state_json (the process
 * state above) with notify_fd as SCM_RIGHTS on the first sendmsg, then close the connection.
 * notify_fd stays open (the caller closes it). */
int hk_seccomp_send_notify_fd(const char *listener_path, int notify_fd, const char *state_json,
                              struct hk_error *err);

#endif
