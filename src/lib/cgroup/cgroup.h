/* The container's control groups: one interface over every host layout.
 *
 * A struct hk_cgroup is the container's cgroup on each hierarchy it lives in:
 * every mounted v1 hierarchy (plus the cgroup2 one on a hybrid host), or the
 * single cgroup2 hierarchy.  Functions return 0 or -errno and fill err.
 *
 * This module depends on nothing from libhako but error.h, log.h and spec.h. */
#ifndef HAKO_CGROUP_H
#define HAKO_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct hk_cgroup; /* opaque: the container's cgroup on every hierarchy */

enum hk_cgroup_layout { HK_CGROUP_V1, HK_CGROUP_HYBRID, HK_CGROUP_V2 };

int hk_cgroup_detect(enum hk_cgroup_layout *out, struct hk_error *err);

/* The /proc/self/mountinfo text this process (or the launcher it was forked from) last
 * read to find the cgroup mounts, or NULL: init, in a fresh copy of the launcher's mount
 * namespace, finds the same cgroup hierarchies there without asking the kernel again. */
const char *hk_cgroup_mountinfo_seen(void);

/* Validate resources against the host before anything is created: a resource
 * whose controller is not mounted/enabled is an error naming it
 * ("linux.resources.rdma: the rdma controller is not available"); `unified`
 * is an error unless the host is pure cgroup v2. */
int hk_cgroup_check(const struct hk_resources *res, struct hk_error *err);

/* Create the container's cgroup(s) and apply res (may be NULL).
 * cgroups_path (linux.cgroupsPath, or NULL), as runc's cgroupfs driver reads it:
 *   absolute -> relative to each hierarchy's root;
 *   relative -> relative to the calling process's cgroup in that hierarchy;
 *   NULL     -> "<id>" relative to the calling process's cgroup (runc's default).
 * The systemd form "slice:prefix:name" is rejected.  On failure everything
 * created is removed again. */
int hk_cgroup_create(const char *cgroups_path, const char *id, const struct hk_resources *res,
                     struct hk_cgroup **out, struct hk_error *err);

/* Unprivileged callers (euid != 0).  They may only use a delegated cgroup v2
 * subtree: on a pure v2 host, relative paths (and the default "<id>") resolve
 * against the PARENT of the caller's cgroup, as runc's v2 driver does (the
 * caller's own cgroup has processes, so it cannot give controllers to a child),
 * and the caller must be able to write the deepest existing ancestor of the
 * container's cgroup (the directory, cgroup.procs, cgroup.subtree_control), the
 * cgroup.procs of the common ancestor of its own cgroup and the container's,
 * and find every controller res needs in that ancestor's cgroup.controllers.
 * probe: 0 with *delegated, and when false a sentence in why saying what is
 * missing and how to fix it; <0 only for real errors (bad cgroupsPath...).
 * create_rootless: hk_cgroup_create with those placement rules (no device
 * rules: they need privileges a user does not have). */
int hk_cgroup_rootless_probe(const char *cgroups_path, const char *id,
                             const struct hk_resources *res, bool *delegated, char *why,
                             size_t why_size, struct hk_error *err);
int hk_cgroup_create_rootless(const char *cgroups_path, const char *id,
                              const struct hk_resources *res, struct hk_cgroup **out,
                              struct hk_error *err);

/* Pure v2: an O_DIRECTORY fd of the cgroup (owned by cg), for clone3(CLONE_INTO_CGROUP);
 * -1 on v1 and hybrid hosts. */
int hk_cgroup_v2_fd(const struct hk_cgroup *cg);
enum hk_cgroup_layout hk_cgroup_layout(const struct hk_cgroup *cg);

/* A new process's way into the cgroup on every hierarchy (join.c says why): the launcher
 * prepares before forking and passes clone_fd (-1 or a cgroup2 directory) to clone3's
 * CLONE_INTO_CGROUP; the child, single-threaded, calls hk_cgroup_join_self (no allocation;
 * closes the files), its children inherit the cgroup; the launcher releases after the fork.
 * The child must not have other threads. */
struct hk_cgroup_join {
  const struct hk_cgroup *cg;
  int *tasks_fds; /* per hierarchy: its `tasks` file, or -1 (cgroup2) */
  size_t n;
  size_t freezer; /* index of the freezer hierarchy, joined last; SIZE_MAX: none */
  int clone_fd;
};
int hk_cgroup_join_prepare(const struct hk_cgroup *cg, struct hk_cgroup_join *j,
                           struct hk_error *err);
int hk_cgroup_join_self(struct hk_cgroup_join *j, struct hk_error *err);
void hk_cgroup_join_release(struct hk_cgroup_join *j);

/* Move pid into the cgroup on every hierarchy (a process that is not our child-to-be:
 * criu's restored tree). */
int hk_cgroup_attach(const struct hk_cgroup *cg, pid_t pid, struct hk_error *err);

/* exec --cgroup, as runc 1.1 reads it: specs are "PATH" (alone: every
 * hierarchy) or "CONTROLLER[,CONTROLLER]:PATH" (repeatable; other hierarchies
 * stay).  PATH is below the container's cgroup (never above it) and must
 * exist.  *out is a new cgroup (open v2 fd on pure v2) for hk_cgroup_attach
 * or CLONE_INTO_CGROUP; nothing is created. */
int hk_cgroup_sub(const struct hk_cgroup *cg, char *const *specs, size_t n,
                  struct hk_cgroup **out, struct hk_error *err);

/* rmdir the cgroup (and any sub-cgroups the container made) on every hierarchy,
 * retrying a little on EBUSY; killing the processes first is the caller's job.
 * Already-gone cgroups are fine.  cg stays valid (free it with hk_cgroup_free). */
int hk_cgroup_destroy(struct hk_cgroup *cg, struct hk_error *err);
void hk_cgroup_free(struct hk_cgroup *cg);

/* A JSON-free text form for the state dir: a "layout <v1|hybrid|v2>" line, then
 * one "<controllers>\t<mount point>\t<mount root>\t<cgroup path>" line per
 * hierarchy (controllers "" for cgroup2).  Returns malloc'd text, NULL on ENOMEM. */
char *hk_cgroup_serialize(const struct hk_cgroup *cg);
int hk_cgroup_deserialize(const char *text, struct hk_cgroup **out, struct hk_error *err);

/* Freeze or thaw; returns once the kernel reports FROZEN / THAWED. */
int hk_cgroup_freeze(const struct hk_cgroup *cg, bool frozen, struct hk_error *err);
int hk_cgroup_is_frozen(const struct hk_cgroup *cg, bool *frozen, struct hk_error *err);

/* Every pid in the cgroup and its descendants (malloc'd array in *pids). */
int hk_cgroup_pids(const struct hk_cgroup *cg, pid_t **pids, size_t *n, struct hk_error *err);

/* Signal every process: cgroup.kill for SIGKILL where the kernel has it, else
 * freeze (when possible), signal each pid, thaw. */
int hk_cgroup_kill_all(const struct hk_cgroup *cg, int sig, struct hk_error *err);

/* Apply res to an existing cgroup (`hako update`). */
int hk_cgroup_update(const struct hk_cgroup *cg, const struct hk_resources *res,
                     struct hk_error *err);

/* OOM notifications (`events`): a watcher whose fd (hk_cgroup_oom_fd) polls readable
 * when something happened.  v1/hybrid: an eventfd on memory.oom_control registered
 * in cgroup.event_control; v2: inotify on memory.events and cgroup.events.
 * hk_cgroup_oom_read (after a poll) sets *ooms to 1 when the cgroup hit an OOM
 * since the last call (v2: the larger of the oom and oom_kill counters grew), and *gone once the
 * cgroup is removed (v1) or has no process left (v2, cgroup.events populated 0). */
struct hk_cgroup_oom;
int hk_cgroup_oom_open(const struct hk_cgroup *cg, struct hk_cgroup_oom **out,
                       struct hk_error *err);
int hk_cgroup_oom_fd(const struct hk_cgroup_oom *w);
int hk_cgroup_oom_read(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err);
void hk_cgroup_oom_close(struct hk_cgroup_oom *w);

/* The hierarchies of cg, for mounting the cgroup fs inside the container.
 * controllers: "memory", "cpu,cpuacct", "name=systemd", or "" for cgroup2;
 * mount: where the hierarchy is mounted on the host (/sys/fs/cgroup/memory);
 * path: the cgroup's path inside the hierarchy ("/a/b"), which is what the
 * container sees under /sys/fs/cgroup/<controllers> (or /sys/fs/cgroup on v2);
 * dir: the full host directory of the cgroup. */
size_t hk_cgroup_count(const struct hk_cgroup *cg);
int hk_cgroup_get(const struct hk_cgroup *cg, size_t i, const char **controllers,
                  const char **mount, const char **path, const char **dir);
/* The full host directory of cg in the hierarchy holding `controller` ("memory",
 * "" for the cgroup2 one); NULL when cg has none. */
const char *hk_cgroup_dir(const struct hk_cgroup *cg, const char *controller);

#endif
