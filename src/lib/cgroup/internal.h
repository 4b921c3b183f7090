/* Internals of the cgroup module, shared by its files and the unit tests.
 * The pure functions here (no system access) are what tests/unit exercises. */
#ifndef HAKO_CGROUP_INTERNAL_H
#define HAKO_CGROUP_INTERNAL_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "log.h"

/* One mounted hierarchy (from /proc/self/mountinfo). */
struct hk_cg_mount {
  char *controllers; /* comma list as mounted ("cpu,cpuacct", "name=systemd"); "" for cgroup2 */
  char *mount;       /* mount point */
  char *root;        /* the mount's root inside the hierarchy ("/" normally) */
  bool v2;
};

struct hk_cg_mounts {
  struct hk_cg_mount *m;
  size_t n;
};

/* The container's cgroup on one hierarchy. */
struct hk_cg_hier {
  struct hk_cg_mount mnt;
  char *path;       /* cgroup path inside the hierarchy, "/a/b" */
  char *dir;        /* host directory: mount point + (path below the mount root) */
  int created_from; /* index of the first path component this process created, -1 none */
};

struct hk_cgroup {
  enum hk_cgroup_layout layout;
  struct hk_cg_hier *h;
  size_t n;
  int v2_fd; /* pure v2 only */
};

/* ---- detect.c ---- */
/* Parse mountinfo text into the cgroup mounts it lists (first mount of each hierarchy wins). */
int hk_cg_parse_mountinfo(const char *text, struct hk_cg_mounts *out, struct hk_error *err);
void hk_cg_mounts_free(struct hk_cg_mounts *m);
int hk_cg_read_mounts(struct hk_cg_mounts *out, struct hk_error *err);
enum hk_cgroup_layout hk_cg_layout_of(const struct hk_cg_mounts *m);
/* Does the comma list `list` hold `name`? */
bool hk_cg_list_has(const char *list, const char *name);
/* The controllers that can be used on this host: v1 mounts, plus for cgroup2 the
 * root's cgroup.controllers.  Returns a malloc'd space-separated list. */
int hk_cg_available(const struct hk_cg_mounts *m, char **v1, char **v2, struct hk_error *err);

/* ---- path.c ---- */
/* Find the path of the calling process in the hierarchy with `controllers`
 * ("" = cgroup2) in /proc/self/cgroup text.  Returns malloc'd path or NULL. */
char *hk_cg_own_path(const char *proc_cgroup, const char *controllers);
/* Resolve the container's cgroup path (see hk_cgroup_create).  own: the caller's
 * path in this hierarchy.  Returns 0 and a malloc'd normalized absolute path. */
int hk_cg_resolve_path(const char *cgroups_path, const char *id, const char *own, char **out,
                       struct hk_error *err);
/* mount + (path with the mount root stripped); NULL when path is outside the mount root. */
char *hk_cg_dir_of(const char *mount, const char *root, const char *path);
/* Normalize an absolute path: collapse //, ".", ".." (never above /). */
char *hk_cg_clean_path(const char *path);

/* ---- fs.c: small file helpers (dir + "/" + file) ---- */
int hk_cg_write(const char *dir, const char *file, const char *value, struct hk_error *err);
/* One open file for several writes (each write one value: v1 device rules); *path
 * (malloc'd, NULL on failure) names the file in messages.  hk_cg_write is the two. */
int hk_cg_open_w(const char *dir, const char *file, char **path, struct hk_error *err);
int hk_cg_write_fd(int fd, const char *path, const char *value, struct hk_error *err);
int hk_cg_writef(const char *dir, const char *file, struct hk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read the whole file; malloc'd, NUL-terminated. */
int hk_cg_read(const char *dir, const char *file, char **out, struct hk_error *err);
bool hk_cg_exists(const char *dir, const char *file);
int hk_cg_read_i64(const char *dir, const char *file, int64_t *out, struct hk_error *err);
char *hk_cg_join(const char *a, const char *b);

/* ---- conv.c: pure conversions ---- */
/* cpu.shares -> cpu.weight as runc converts it (0 stays 0 = unset). */
uint64_t hk_cg_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) -> io.weight (1..10000); 0 stays 0. */
uint64_t hk_cg_blkio_to_io_weight(uint64_t weight);
/* cpu.max value from quota/period ("max 100000", "50000 100000"); buf empty when unset. */
void hk_cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period, char *buf,
                   size_t size);
/* memory.swap.max from the v1-shaped swap (memory+swap) and limit; -1 = max.
 * Returns 0 and sets *out, *set (false when nothing is to be written) or -EINVAL. */
int hk_cg_swap_v2(const struct hk_memory *m, int64_t *out, bool *set, struct hk_error *err);
/* "max" for negative values, else the number. */
void hk_cg_max_str(int64_t v, char *buf, size_t size);
/* v1 device rule: "c 1:3 rwm", "a *:* rwm". */
int hk_cg_device_rule_v1(const struct hk_device_rule *r, char *buf, size_t size,
                         struct hk_error *err);
/* The cgroup controller a resource needs on v1 / on v2 (NULL for none). */

/* ---- devices_bpf.c ---- */
/* Build a BPF_PROG_TYPE_CGROUP_DEVICE program from rules (last match wins,
 * default deny).  *insns is malloc'd. */
int hk_cg_devices_bpf(const struct hk_device_rule *rules, size_t n, struct bpf_insn **insns,
                      size_t *n_insns, struct hk_error *err);
/* Load the program for rules and attach it to the cgroup dir fd, replacing the
 * device programs attached before. */
int hk_cg_devices_bpf_apply(int dirfd, const struct hk_device_rule *rules, size_t n,
                            struct hk_error *err);

/* ---- resources_v1.c / resources_v2.c ---- */
int hk_cg_apply_v1(const struct hk_cgroup *cg, const struct hk_resources *res, bool update,
                   struct hk_error *err);
int hk_cg_apply_v2(const struct hk_cgroup *cg, const char *dir, const struct hk_resources *res,
                   bool update, struct hk_error *err);
/* The v2 controllers res needs, space-separated in buf ("memory pids"). */
void hk_cg_v2_needed(const struct hk_resources *res, bool hybrid, char *buf, size_t size);

/* ---- cgroup.c ---- */
/* hk_cgroup_create, with relative paths on the cgroup2 hierarchy resolved against
 * v2_base instead of the caller's own cgroup (NULL: the caller's own). */
int hk_cg_create_at(const char *cgroups_path, const char *id, const char *v2_base,
                    const struct hk_resources *res, struct hk_cgroup **out, struct hk_error *err);

/* ---- v1.c / v2.c ---- */
/* Make the directory chain of h (mkdir -p, recording what was created). */
int hk_cg_v1_mkdir(struct hk_cg_hier *h, struct hk_error *err);
int hk_cg_v2_mkdir(struct hk_cg_hier *h, const char *controllers, struct hk_error *err);
/* Enable controllers (space-separated) in each ancestor's subtree_control, from the root down. */
int hk_cg_v2_enable(const struct hk_cg_hier *h, const char *controllers, struct hk_error *err);
/* Path helpers: the number of components of a cgroup path, and the host directory of
 * the first k components of h->path; mkdir -p of h->dir recording what was created
 * (copying the parent's cpuset.cpus/mems on the way down when cpuset is true). */
size_t hk_cg_depth(const char *path);
char *hk_cg_prefix_dir(const struct hk_cg_hier *h, size_t k);
int hk_cg_mkdir_chain(struct hk_cg_hier *h, bool cpuset, struct hk_error *err);
/* rmdir the cgroup's subtree, then the components this process created. */
int hk_cg_rmdir(struct hk_cg_hier *h, bool created_too, struct hk_error *err);

/* The hierarchy of cg holding `controller` ("" = cgroup2), or NULL. */
const struct hk_cg_hier *hk_cg_find(const struct hk_cgroup *cg, const char *controller);
const struct hk_cg_hier *hk_cg_unified(const struct hk_cgroup *cg);

/* Resource presence tests shared by check and apply. */
bool hk_cg_mem_set(const struct hk_memory *m);
bool hk_cg_cpu_set(const struct hk_cpu *c);
bool hk_cg_cpuset_set(const struct hk_cpu *c);
bool hk_cg_blkio_set(const struct hk_blkio *b);
bool hk_cg_net_set(const struct hk_network *n);

#endif
