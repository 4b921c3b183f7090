/* The process chain of `create`: launcher -> (intermediate) -> init.
 *
 * The launcher is the hako CLI process.  When the config joins no namespace
 * by path and asks for no time namespace, the launcher clones init directly
 * with every new namespace flag (one process fewer).  Otherwise it clones an
 * intermediate that joins the given namespaces (user first), unshares the
 * rest, writes time offsets and forks init, which is then pid 1 of the new
 * pid namespace.  Init never re-execs hako: it is the forked child. */
#ifndef HAKO_PROCESS_H
#define HAKO_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "security/caps.h"
#include "cgroup.h"
#include "error.h"
#include "spec.h"
#include "state.h"

struct hk_cgroup;
struct hk_seccomp_filter;

struct hk_launch {
  const struct hk_spec *spec;
  const char *id;
  const char *bundle; /* absolute */
  const char *rootfs; /* absolute */
  int state_dirfd;    /* init blocks on <state dir>/exec.fifo through it */
  int lock_fd;        /* the launcher's locked state dir fd: closed in the child */
  const int *premounted; /* idmapped mounts built by the launcher (rootfs.h) */
  int console_fd;     /* connected --console-socket, or -1 */
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  bool setgroups_denied; /* /proc/<pid>/setgroups is "deny" (rootless user namespace) */
  struct hk_caps caps;
  struct hk_seccomp_filter *seccomp;
  struct hk_cgroup *cgroup;
  struct hk_cgroup_join cgroup_join; /* filled by hk_launch_create: init joins by itself */
  struct hk_state *state; /* rebuilt into hook_state_json once init's pid is known */
  char *hook_state_json;  /* container state for hooks' stdin; owned by hk_launch */
};

/* Start the chain and wait until init is ready (blocked until start).
 * On success *init_pid is init's pid as this process sees it.  On failure
 * every process of the chain is killed and reaped. */
int hk_launch_create(struct hk_launch *l, pid_t *init_pid, struct hk_error *err);

/* The container's process: everything from rootfs to waiting for start and
 * execve.  Runs in the cloned child; never returns. */
_Noreturn void hk_init_main(struct hk_launch *l, int sync_fd);

/* clone3 with a fork-like return (into the cgroup fd when >= 0), falling
 * back to clone(2). */
pid_t hk_clone_child(uint64_t flags, int cgroup_fd);
/* SIGKILL pid (our child, or reparented to us) and reap it; nothing for pid <= 0. */
void hk_kill_and_reap(pid_t pid);
/* Find args[0] the way execvp would, in PATH of env (or a default PATH).
 * Errors use runc's wording, which podman maps to exit codes 126/127. */
int hk_find_executable(const char *file, char *const *env, size_t n_env, char *out, size_t size,
                       struct hk_error *err);
/* setgroups/setresgid/setresuid, capabilities, umask, no_new_privs,
 * seccomp: the last steps before execve. */
int hk_finalize_process(const struct hk_process *p, const struct hk_caps *caps,
                        const struct hk_seccomp_filter *seccomp, bool setgroups_denied,
                        struct hk_error *err);
/* linux.sysctl: validate (launcher, before anything exists) and apply (init,
 * after pivot_root, through hako's procfs procfd: security/procfs.h). */
int hk_sysctl_validate(const struct hk_spec *spec, struct hk_error *err);
int hk_sysctl_apply(const struct hk_spec *spec, int procfd, struct hk_error *err);
/* process.env for execve, with HOME added from the container's /etc/passwd
 * when the config has none (runc does the same). */
char **hk_exec_env(const struct hk_process *p);
/* personality, memoryPolicy (of the config, NULL for none), scheduler and
 * ioPriority (of the process). */
int hk_apply_process_attrs(const struct hk_spec *spec, const struct hk_process *p,
                           struct hk_error *err);
/* sched_setaffinity from a "0-3,7" list; `where` names the field in errors. */
int hk_set_cpu_affinity(const char *list, const char *where, struct hk_error *err);
/* Before anything is created: nice and priority in the kernel's ranges. */
int hk_check_scheduler(const struct hk_scheduler *s, struct hk_error *err);
/* Before anything is created: the list parses and names only CPUs the host has. */
int hk_check_cpu_list(const char *list, const char *where, struct hk_error *err);
/* chdir, then make sure the cwd is inside the container's root. */
int hk_chdir_checked(const char *cwd, const char *what, struct hk_error *err);
/* Apply process.rlimits. */
int hk_apply_rlimits(const struct hk_process *p, struct hk_error *err);

#endif
