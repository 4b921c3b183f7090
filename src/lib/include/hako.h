/* libhako: the public API of the hako OCI runtime.
 *
 * Every function returns 0 or a negative errno and fills `err` with one
 * message that names what failed (file, JSON path, syscall and path). */
#ifndef HAKO_H
#define HAKO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define HAKO_DEFAULT_ROOT "/run/hako"

/* --rootless: auto (unprivileged, or root of a user namespace), or forced.  It
 * decides how cgroups are handled (runc's meaning): rootless uses only a delegated
 * cgroup v2 subtree, and without one runs without a cgroup unless limits are set. */
enum hako_rootless { HAKO_ROOTLESS_AUTO = 0, HAKO_ROOTLESS_TRUE, HAKO_ROOTLESS_FALSE };

struct hako_create_opts {
  const char *root; /* state root, e.g. /run/hako */
  const char *id;
  const char *bundle; /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  enum hako_rootless rootless;
};

/* create: the container is set up and waits for start. */
int hako_create(const struct hako_create_opts *o, pid_t *init_pid, struct hk_error *err);
int hako_start(const char *root, const char *id, struct hk_error *err);
/* run: create + start; with detach it returns once started (*exit_status
 * untouched), else it waits and forwards signals, *exit_status being the
 * container's (128+N for a signal); unless keep, the container is deleted. */
int hako_run(const struct hako_create_opts *o, bool detach, bool keep, int *exit_status,
             struct hk_error *err);
/* The state JSON (state-schema.json), malloc'd. */
int hako_state(const char *root, const char *id, char **json, struct hk_error *err);
int hako_kill(const char *root, const char *id, int sig, bool all, struct hk_error *err);
int hako_delete(const char *root, const char *id, bool force, struct hk_error *err);

struct hako_list_entry {
  char *id;
  pid_t pid;
  char *status;
  char *bundle;
  char *created;
  char *owner;
  char *oci_version;
  char *rootfs;
  char *annotations_json; /* NULL when there are none */
};
int hako_list(const char *root, struct hako_list_entry **out, size_t *n, struct hk_error *err);
void hako_list_free(struct hako_list_entry *e, size_t n);

struct hako_exec_opts {
  const char *root;
  const char *id;
  const char *process_file; /* --process: a process.json replaces the rest */
  bool tty, tty_set;
  const char *console_socket;
  bool detach;
  const char *pid_file;
  const char *cwd;
  char **env;
  size_t n_env;
  const char *user; /* UID[:GID] */
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char **caps;
  size_t n_caps;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  char **cgroups; /* --cgroup [CONTROLLERS:]PATH, repeatable (runc 1.1) */
  size_t n_cgroups;
  int preserve_fds;
  bool ignore_paused;
  char **args;
  size_t n_args;
};
/* exec: without detach, waits and sets *exit_status (128+N for a signal). */
int hako_exec(const struct hako_exec_opts *o, int *exit_status, struct hk_error *err);

/* pause/resume: freeze/thaw the container's cgroup and record it in the state. */
int hako_pause(const char *root, const char *id, struct hk_error *err);
int hako_resume(const char *root, const char *id, struct hk_error *err);
/* The pids in the container's cgroup (malloc'd; none for a stopped container
 * whose cgroup is gone). */
int hako_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct hk_error *err);
/* update: resources_json is a LinuxResources object (errors call it `name`); its
 * non-zero memory/cpu/blockIO.weight/pids values and unified keys are merged into
 * the stored linux.resources, the result applied to the cgroup and stored. */
int hako_update(const char *root, const char *id, const char *resources_json, size_t len,
                const char *name, struct hk_error *err);
/* One stats event as runc's `events --stats` prints it: {"type":"stats","id":..,"data":..},
 * malloc'd.  -ESRCH ("container with id X is not running") once the container stopped. */
int hako_stats(const char *root, const char *id, char **json, struct hk_error *err);
/* OOM notifications of a running container (`events`), see hk_cgroup_oom_* in
 * cgroup/cgroup.h: poll hako_oom_fd, then hako_oom_read says whether an OOM
 * happened and whether the cgroup is gone (no process left). */
struct hk_cgroup_oom;
int hako_oom_watch(const char *root, const char *id, struct hk_cgroup_oom **w,
                   struct hk_error *err);
int hako_oom_fd(const struct hk_cgroup_oom *w);
int hako_oom_read(struct hk_cgroup_oom *w, unsigned *ooms, bool *gone, struct hk_error *err);
void hako_oom_close(struct hk_cgroup_oom *w);

/* checkpoint and restore (criu), with runc's options. */
struct hako_criu_opts {
  const char *root;
  const char *id;
  const char *criu;        /* criu binary (--criu); NULL: "criu" in PATH */
  const char *image_path;  /* NULL: ./checkpoint */
  const char *work_path;   /* NULL: the image path */
  const char *parent_path; /* checkpoint: previous images, relative to image_path */
  const char *manage_cgroups_mode; /* soft|full|strict|ignore, NULL: criu's default */
  const char *page_server;         /* ADDR:PORT */
  int status_fd;                   /* -1: none */
  unsigned empty_ns;               /* CLONE_NEWNET: --empty-ns network */
  bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump,
      auto_dedup, lazy_pages;
  /* restore */
  const char *bundle;
  const char *console_socket;
  const char *pid_file;
  const char *lsm_profile;
  const char *lsm_mount_context;
  bool detach, no_subreaper, no_pivot;
};
/* checkpoint: dump the container's process tree into image_path; unless
 * leave_running or pre_dump, the container is then gone (as runc). */
int hako_checkpoint(const struct hako_criu_opts *o, struct hk_error *err);
/* restore: create the container `id` from the bundle's config (state dir,
 * cgroup with its limits) and let criu bring the process tree back into it.
 * Without detach, waits like run and returns the exit status in *exit_status. */
int hako_restore(const struct hako_criu_opts *o, int *exit_status, struct hk_error *err);
/* 0 when criu is usable on this kernel, else why not. */
int hako_criu_usable(const char *criu, struct hk_error *err);

/* The default config (`hako spec`), malloc'd JSON text. */
char *hako_spec_json(bool rootless);
/* Running in a user namespace other than the initial one (runc's RunningInUserNS)? */
bool hako_in_user_namespace(void);
/* features.json of this build, malloc'd. */
char *hako_features_json(void);
/* For the commands that put processes into a container (create, run,
 * exec): re-execute this binary (same argv, environ) from a read-only bind
 * mount of itself, so no container process can write it through
 * /proc/<pid>/exe.  Returns 0 without doing anything when already running
 * from a read-only mount, or when no mount can be made (unprivileged);
 * otherwise only returns on failure. */
int hako_protect_exe(char **argv, struct hk_error *err);
/* Signal name or number ("KILL", "SIGKILL", "9") -> number; -1 if unknown. */
int hako_parse_signal(const char *s);

#endif
