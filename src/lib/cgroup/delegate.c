/* Unprivileged callers: a container's cgroup only inside a delegated cgroup v2
 * subtree.  The kernel's rules decide what "delegated" means: mkdir needs write
 * access to the parent directory, enabling controllers needs the parent's
 * cgroup.subtree_control, and moving a process (CLONE_INTO_CGROUP) needs write
 * access to cgroup.procs of the common ancestor of the two cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Where the caller and the container's cgroup are on the cgroup2 hierarchy. */
struct placement {
  struct hk_cg_mounts m;
  const struct hk_cg_mount *v2; /* into m */
  char *own;                    /* the caller's cgroup, "/a/b" */
  char *base;                   /* its parent: what relative paths are resolved against */
  char *path;                   /* the container's cgroup */
};

static void placement_free(struct placement *p) {
  hk_cg_mounts_free(&p->m);
  free(p->own);
  free(p->base);
  free(p->path);
}

static void say(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, size, fmt, ap);
  va_end(ap);
}

static char *parent_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

/* 1 with why filled when the host cannot delegate at all; 0 with p filled. */
static int locate(const char *cgroups_path, const char *id, struct placement *p, char *why,
                  size_t why_size, struct hk_error *err) {
  int r = hk_cg_read_mounts(&p->m, err);
  if (r < 0)
    return r;
  if (hk_cg_layout_of(&p->m) != HK_CGROUP_V2) {
    say(why, why_size,
        "this host mounts cgroup v1 hierarchies; only a pure cgroup v2 host (one cgroup2 "
        "mount, systemd.unified_cgroup_hierarchy=1) can delegate a cgroup to a user");
    return 1;
  }
  for (size_t i = 0; i < p->m.n && !p->v2; i++)
    if (p->m.m[i].v2)
      p->v2 = &p->m.m[i];
  char *proc = NULL;
  r = hk_cg_read("/proc/self", "cgroup", &proc, err);
  if (r < 0)
    return r;
  p->own = hk_cg_own_path(proc, "");
  free(proc);
  if (!p->own) {
    say(why, why_size, "/proc/self/cgroup has no cgroup2 entry");
    return 1;
  }
  p->base = parent_of(p->own);
  if (!p->base)
    return hk_error_set(err, ENOMEM, "out of memory");
  return hk_cg_resolve_path(cgroups_path, id, p->base, &p->path, err);
}

static bool can_write(const char *dir, const char *file) {
  char *path = hk_cg_join(dir, file);
  bool ok = path && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
  free(path);
  return ok;
}

/* The longest common prefix of two cgroup paths, by whole components. */
static char *common_ancestor(const char *a, const char *b) {
  size_t last = 0, i = 0;
  for (; a[i] && a[i] == b[i]; i++)
    if (a[i] == '/')
      last = i;
  if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/'))
    last = i;
  return last == 0 ? strdup("/") : strndup(a, last);
}

static const char how[] =
    "a delegated cgroup is one the user owns: systemd makes one with Delegate=yes (e.g. "
    "`systemd-run --user --scope -p Delegate=yes`); by hand, root chowns the cgroup directory "
    "and its cgroup.procs, cgroup.subtree_control and cgroup.threads to the user and enables "
    "the controllers in its parent's cgroup.subtree_control";

/* Fill why and return false when the placement is not inside a delegated subtree. */
static bool check_delegated(const struct placement *p, const struct hk_resources *res, char *why,
                            size_t why_size) {
  struct hk_cg_hier h = {.mnt = *p->v2, .path = p->path};
  size_t top = hk_cg_depth(p->v2->root), depth = hk_cg_depth(p->path);
  char *target = hk_cg_prefix_dir(&h, depth), *existing = NULL;
  bool ok = false;
  for (size_t k = depth + 1; k-- > top && !existing;) {
    char *dir = hk_cg_prefix_dir(&h, k);
    if (dir && access(dir, F_OK) == 0)
      existing = dir;
    else
      free(dir);
  }
  char *common = common_ancestor(p->own, p->path);
  char *common_dir = common ? hk_cg_dir_of(p->v2->mount, p->v2->root, common) : NULL;
  uid_t uid = geteuid();
  if (!target || !existing || !common_dir) {
    say(why, why_size, "cannot place cgroup %s below %s", p->path, p->v2->mount);
    goto out;
  }
  bool is_target = strcmp(existing, target) == 0;
  if (!is_target && !can_write(existing, "")) {
    say(why, why_size, "cannot create the container's cgroup %s: %s is not writable by uid %u; %s",
        target, existing, (unsigned)uid, how);
    goto out;
  }
  if (!is_target && !can_write(existing, "cgroup.subtree_control")) {
    say(why, why_size, "%s/cgroup.subtree_control is not writable by uid %u; %s", existing,
        (unsigned)uid, how);
    goto out;
  }
  if (!can_write(existing, "cgroup.procs") || !can_write(common_dir, "cgroup.procs")) {
    say(why, why_size,
        "processes cannot move from your cgroup %s to %s: %s/cgroup.procs is not writable by uid "
        "%u; %s",
        p->own, p->path, can_write(existing, "cgroup.procs") ? common_dir : existing, (unsigned)uid,
        how);
    goto out;
  }
  char needed[128], *avail = NULL;
  struct hk_error ignore = {0};
  hk_cg_v2_needed(res, false, needed, sizeof needed);
  if (needed[0] && hk_cg_read(existing, "cgroup.controllers", &avail, &ignore) < 0) {
    say(why, why_size, "%s", ignore.msg);
    goto out;
  }
  for (const char *c = needed; *c;) {
    size_t n = strcspn(c, " ");
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)n, c);
    if (!hk_cg_list_has(avail, name)) {
      say(why, why_size,
          "the %s controller is not delegated: %s/cgroup.controllers lacks it (root enables it "
          "with \"+%s\" in the cgroup.subtree_control of %s's parent)",
          name, existing, name, existing);
      free(avail);
      goto out;
    }
    c += n;
    c += strspn(c, " ");
  }
  free(avail);
  ok = true;
out:
  free(target);
  free(existing);
  free(common);
  free(common_dir);
  return ok;
}

int hk_cgroup_rootless_probe(const char *cgroups_path, const char *id,
                             const struct hk_resources *res, bool *delegated, char *why,
                             size_t why_size, struct hk_error *err) {
  struct placement p = {0};
  *delegated = false;
  why[0] = 0;
  int r = locate(cgroups_path, id, &p, why, why_size, err);
  if (r == 0)
    *delegated = check_delegated(&p, res, why, why_size);
  placement_free(&p);
  if (r < 0)
    return r;
  hk_debug("cgroup: %s", *delegated ? "delegated, the container gets a cgroup" : why);
  return 0;
}

int hk_cgroup_create_rootless(const char *cgroups_path, const char *id,
                              const struct hk_resources *res, struct hk_cgroup **out,
                              struct hk_error *err) {
  struct placement p = {0};
  char why[64];
  int r = locate(cgroups_path, id, &p, why, sizeof why, err);
  if (r > 0)
    r = hk_error_set(err, ENOTSUP, "cgroup: no cgroup2 hierarchy to delegate");
  if (r == 0)
    r = hk_cg_create_at(cgroups_path, id, p.base, res, out, err);
  placement_free(&p);
  return r;
}
