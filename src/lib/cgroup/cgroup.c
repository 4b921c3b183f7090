/* The container's cgroup: creation, placement of processes, listing, killing,
 * updating and removal, dispatching to the v1 or v2 code. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const struct hk_cg_hier *hk_cg_unified(const struct hk_cgroup *cg) {
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].mnt.v2)
      return &cg->h[i];
  return NULL;
}

const struct hk_cg_hier *hk_cg_find(const struct hk_cgroup *cg, const char *controller) {
  if (!*controller || cg->layout == HK_CGROUP_V2)
    return hk_cg_unified(cg);
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->h[i].mnt.v2 && hk_cg_list_has(cg->h[i].mnt.controllers, controller))
      return &cg->h[i];
  return NULL;
}

const char *hk_cgroup_dir(const struct hk_cgroup *cg, const char *controller) {
  const struct hk_cg_hier *h = hk_cg_find(cg, controller);
  return h ? h->dir : NULL;
}

size_t hk_cgroup_count(const struct hk_cgroup *cg) {
  return cg->n;
}

int hk_cgroup_get(const struct hk_cgroup *cg, size_t i, const char **controllers,
                  const char **mount, const char **path, const char **dir) {
  if (i >= cg->n)
    return -ENOENT;
  if (controllers)
    *controllers = cg->h[i].mnt.controllers;
  if (mount)
    *mount = cg->h[i].mnt.mount;
  if (path)
    *path = cg->h[i].path;
  if (dir)
    *dir = cg->h[i].dir;
  return 0;
}

int hk_cgroup_v2_fd(const struct hk_cgroup *cg) {
  return cg->v2_fd;
}
enum hk_cgroup_layout hk_cgroup_layout(const struct hk_cgroup *cg) {
  return cg->layout;
}

void hk_cgroup_free(struct hk_cgroup *cg) {
  if (!cg)
    return;
  for (size_t i = 0; i < cg->n; i++) {
    free(cg->h[i].mnt.controllers);
    free(cg->h[i].mnt.mount);
    free(cg->h[i].mnt.root);
    free(cg->h[i].path);
    free(cg->h[i].dir);
  }
  free(cg->h);
  if (cg->v2_fd >= 0)
    close(cg->v2_fd);
  free(cg);
}

/* ---- check ---- */

static int unavailable(struct hk_error *err, const char *what, const char *ctrl) {
  return hk_error_set(err, ENOTSUP, "%s: the %s controller is not available", what, ctrl);
}

static int check_with(enum hk_cgroup_layout layout, const char *v1, const char *v2,
                      const struct hk_resources *res, struct hk_error *err) {
  if (!res)
    return 0;
  bool pure = layout == HK_CGROUP_V2;
  const char *list = pure ? v2 : v1;
#define NEED(cond, what, c1, c2)                                                                   \
  do {                                                                                             \
    if ((cond) && !hk_cg_list_has(list, pure ? (c2) : (c1)))                                       \
      return unavailable(err, what, pure ? (c2) : (c1));                                           \
  } while (0)
  NEED(hk_cg_mem_set(res->memory), "linux.resources.memory", "memory", "memory");
  NEED(hk_cg_cpu_set(res->cpu), "linux.resources.cpu", "cpu", "cpu");
  NEED(hk_cg_cpuset_set(res->cpu), "linux.resources.cpu", "cpuset", "cpuset");
  NEED(res->has_pids_limit, "linux.resources.pids", "pids", "pids");
  NEED(hk_cg_blkio_set(res->block_io), "linux.resources.blockIO", "blkio", "io");
  NEED(res->n_rdma, "linux.resources.rdma", "rdma", "rdma");
  if (res->n_hugepage_limits && !hk_cg_list_has(list, "hugetlb") &&
      !(layout == HK_CGROUP_HYBRID && hk_cg_list_has(v2, "hugetlb")))
    return unavailable(err, "linux.resources.hugepageLimits", "hugetlb");
  if (!pure) {
    NEED(res->n_devices, "linux.resources.devices", "devices", "");
    NEED(res->network && res->network->has_class_id, "linux.resources.network.classID", "net_cls",
         "");
    NEED(res->network && res->network->n_priorities, "linux.resources.network.priorities",
         "net_prio", "");
    if (res->n_unified)
      return hk_error_set(err, ENOTSUP,
                          "linux.resources.unified: requires cgroup v2, this host is %s",
                          layout == HK_CGROUP_V1 ? "cgroup v1" : "hybrid (v1 controllers)");
  } else {
    if (hk_cg_net_set(res->network))
      return hk_error_set(err, ENOTSUP,
                          "linux.resources.network: net_cls/net_prio are cgroup v1 controllers, "
                          "not available on cgroup v2");
    if (res->cpu && (res->cpu->has_realtime_runtime || res->cpu->has_realtime_period))
      return hk_error_set(err, ENOTSUP,
                          "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on "
                          "cgroup v2");
    for (size_t i = 0; i < res->n_unified; i++) {
      const char *key = res->unified[i].key ? res->unified[i].key : "";
      size_t n = strcspn(key, ".");
      char name[32];
      if (!*key || !key[n] || strchr(key, '/'))
        return hk_error_set(err, EINVAL, "linux.resources.unified: invalid key \"%s\"", key);
      if (n >= sizeof name || strncmp(key, "cgroup.", 7) == 0)
        continue;
      memcpy(name, key, n);
      name[n] = 0;
      if (!hk_cg_list_has(v2, name))
        return hk_error_set(err, ENOTSUP,
                            "linux.resources.unified.%s: the %s controller is not available", key,
                            name);
    }
  }
#undef NEED
  return 0;
}

int hk_cgroup_check(const struct hk_resources *res, struct hk_error *err) {
  struct hk_cg_mounts m;
  int r = hk_cg_read_mounts(&m, err);
  if (r < 0)
    return r;
  char *v1 = NULL, *v2 = NULL;
  r = hk_cg_available(&m, &v1, &v2, err);
  if (r == 0)
    r = check_with(hk_cg_layout_of(&m), v1, v2, res, err);
  free(v1);
  free(v2);
  hk_cg_mounts_free(&m);
  return r;
}

/* ---- create / destroy ---- */

static void destroy_created(struct hk_cgroup *cg) {
  for (size_t i = 0; i < cg->n; i++) {
    struct hk_error ignore = {0};
    if (hk_cg_rmdir(&cg->h[i], true, &ignore) < 0)
      hk_warn("cgroup cleanup: %s", ignore.msg);
  }
}

int hk_cg_create_at(const char *cgroups_path, const char *id, const char *v2_base,
                    const struct hk_resources *res, struct hk_cgroup **out, struct hk_error *err) {
  struct hk_cg_mounts m = {0};
  char *proc = NULL;
  int r = hk_cg_read_mounts(&m, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = calloc(1, sizeof *cg);
  if (!cg) {
    hk_cg_mounts_free(&m);
    return hk_error_set(err, ENOMEM, "out of memory");
  }
  cg->v2_fd = -1;
  cg->layout = hk_cg_layout_of(&m);
  if ((r = hk_cgroup_check(res, err)) || (r = hk_cg_read("/proc/self", "cgroup", &proc, err)))
    goto fail;
  cg->h = calloc(m.n, sizeof *cg->h);
  if (!cg->h) {
    r = hk_error_set(err, ENOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < m.n; i++) {
    char *own = m.m[i].v2 && v2_base ? strdup(v2_base) : hk_cg_own_path(proc, m.m[i].controllers);
    if (!own) {
      hk_debug("cgroup: %s (%s) is not in /proc/self/cgroup, skipped", m.m[i].mount,
               m.m[i].controllers);
      continue;
    }
    struct hk_cg_hier *h = &cg->h[cg->n];
    r = hk_cg_resolve_path(cgroups_path, id, own, &h->path, err);
    free(own);
    if (r < 0)
      goto fail;
    h->mnt = m.m[i];
    memset(&m.m[i], 0, sizeof m.m[i]);
    h->created_from = -1;
    cg->n++;
    h->dir = hk_cg_dir_of(h->mnt.mount, h->mnt.root, h->path);
    if (!h->dir) {
      r = hk_error_set(err, EINVAL, "cgroup path %s is outside the mounted part of %s", h->path,
                       h->mnt.mount);
      goto fail;
    }
  }
  if (cg->n == 0) {
    r = hk_error_set(err, ENOENT, "cgroup: no usable hierarchy");
    goto fail;
  }
  char needed[128];
  hk_cg_v2_needed(res, cg->layout == HK_CGROUP_HYBRID, needed, sizeof needed);
  for (size_t i = 0; i < cg->n; i++) {
    struct hk_cg_hier *h = &cg->h[i];
    r = h->mnt.v2 ? hk_cg_v2_mkdir(h, needed, err) : hk_cg_v1_mkdir(h, err);
    if (r < 0)
      goto undo;
    hk_debug("cgroup: %s ready", h->dir);
  }
  if (cg->layout == HK_CGROUP_V2) {
    const char *dir = hk_cg_unified(cg)->dir;
    cg->v2_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->v2_fd < 0) {
      r = hk_error_sys(err, "open cgroup %s", dir);
      goto undo;
    }
    r = hk_cg_apply_v2(cg, dir, res, false, err);
  } else {
    r = hk_cg_apply_v1(cg, res, false, err);
  }
  if (r < 0)
    goto undo;
  free(proc);
  hk_cg_mounts_free(&m);
  *out = cg;
  return 0;
undo:
  destroy_created(cg);
fail:
  free(proc);
  hk_cg_mounts_free(&m);
  hk_cgroup_free(cg);
  return r;
}

int hk_cgroup_create(const char *cgroups_path, const char *id, const struct hk_resources *res,
                     struct hk_cgroup **out, struct hk_error *err) {
  return hk_cg_create_at(cgroups_path, id, NULL, res, out, err);
}

int hk_cgroup_destroy(struct hk_cgroup *cg, struct hk_error *err) {
  int first = 0;
  for (size_t i = 0; i < cg->n; i++) {
    int r = hk_cg_rmdir(&cg->h[i], true, err);
    if (r < 0 && !first)
      first = r;
  }
  return first;
}

int hk_cgroup_attach(const struct hk_cgroup *cg, pid_t pid, struct hk_error *err) {
  for (size_t i = 0; i < cg->n; i++) {
    int r = hk_cg_writef(cg->h[i].dir, "cgroup.procs", err, "%d", (int)pid);
    if (r < 0)
      return r;
  }
  return 0;
}

int hk_cgroup_update(const struct hk_cgroup *cg, const struct hk_resources *res,
                     struct hk_error *err) {
  int r = hk_cgroup_check(res, err);
  if (r < 0)
    return r;
  char needed[128];
  hk_cg_v2_needed(res, cg->layout == HK_CGROUP_HYBRID, needed, sizeof needed);
  const struct hk_cg_hier *u = hk_cg_unified(cg);
  if (u && needed[0] && (r = hk_cg_v2_enable(u, needed, err)))
    return r;
  if (cg->layout == HK_CGROUP_V2)
    return hk_cg_apply_v2(cg, u->dir, res, true, err);
  return hk_cg_apply_v1(cg, res, true, err);
}

/* ---- processes ---- */

struct pidvec {
  pid_t *v;
  size_t n, cap;
};

static int collect(const char *dir, struct pidvec *pv, int level, struct hk_error *err) {
  char *text;
  int r = hk_cg_read(dir, "cgroup.procs", &text, err);
  if (r < 0)
    return r;
  for (char *p = text; *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    if (pv->n == pv->cap) {
      size_t cap = pv->cap ? pv->cap * 2 : 32;
      pid_t *nv = realloc(pv->v, cap * sizeof *nv);
      if (!nv) {
        free(text);
        return hk_error_set(err, ENOMEM, "out of memory");
      }
      pv->v = nv;
      pv->cap = cap;
    }
    pv->v[pv->n++] = (pid_t)v;
    p = end;
  }
  free(text);
  DIR *d = opendir(dir);
  if (!d)
    return hk_error_sys(err, "open cgroup %s", dir);
  struct dirent *e;
  while (r == 0 && (e = readdir(d))) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.' || level > 64)
      continue;
    char *sub = hk_cg_join(dir, e->d_name);
    r = sub ? collect(sub, pv, level + 1, err) : hk_error_set(err, ENOMEM, "out of memory");
    free(sub);
  }
  closedir(d);
  return r;
}

static const struct hk_cg_hier *procs_hier(const struct hk_cgroup *cg) {
  static const char *const prefer[] = {"pids", "freezer", "memory", "devices", "cpu"};
  if (cg->layout == HK_CGROUP_V2)
    return hk_cg_unified(cg);
  for (size_t i = 0; i < sizeof prefer / sizeof *prefer; i++) {
    const struct hk_cg_hier *h = hk_cg_find(cg, prefer[i]);
    if (h)
      return h;
  }
  return &cg->h[0];
}

int hk_cgroup_pids(const struct hk_cgroup *cg, pid_t **pids, size_t *n, struct hk_error *err) {
  struct pidvec pv = {0};
  int r = collect(procs_hier(cg)->dir, &pv, 0, err);
  if (r < 0) {
    free(pv.v);
    return r;
  }
  *pids = pv.v;
  *n = pv.n;
  return 0;
}

int hk_cgroup_kill_all(const struct hk_cgroup *cg, int sig, struct hk_error *err) {
  int r;
  const struct hk_cg_hier *u = hk_cg_unified(cg);
  if (sig == SIGKILL && cg->layout == HK_CGROUP_V2 && hk_cg_exists(u->dir, "cgroup.kill"))
    return hk_cg_write(u->dir, "cgroup.kill", "1", err);
  pid_t *pids = NULL;
  size_t n = 0;
  /* an empty cgroup (the usual `delete` after the container exited) needs no
   * freezing: with no process in it, nothing can fork into it either */
  r = hk_cgroup_pids(cg, &pids, &n, err);
  free(pids);
  pids = NULL;
  if (r < 0 || n == 0)
    return r;
  /* freeze first so nothing forks between listing and signalling */
  struct hk_error ferr = {0};
  bool frozen = false;
  if (cg->layout == HK_CGROUP_V2 || hk_cg_find(cg, "freezer"))
    frozen = hk_cgroup_freeze(cg, true, &ferr) == 0;
  if (!frozen)
    hk_debug("cgroup kill: not frozen first: %s", ferr.msg[0] ? ferr.msg : "no freezer");
  n = 0;
  r = hk_cgroup_pids(cg, &pids, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    if (pids[i] > 0 && kill(pids[i], sig) < 0 && errno != ESRCH)
      r = hk_error_sys(err, "kill %d", (int)pids[i]);
  free(pids);
  if (frozen) {
    int t = hk_cgroup_freeze(cg, false, err);
    if (r == 0)
      r = t;
  }
  return r;
}
