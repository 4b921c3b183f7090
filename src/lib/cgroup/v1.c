/* Directory handling on v1 hierarchies (and the shared mkdir/rmdir helpers). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The depth of the mount root inside the hierarchy ("/" = 0, "/a/b" = 2). */
size_t hk_cg_depth(const char *p) {
  size_t d = 0;
  for (; *p; p++)
    if (p[0] == '/' && p[1] && p[1] != '/')
      d++;
  return d;
}

/* The host directory of the first `k` path components of h->path (k > hk_cg_depth(root)). */
char *hk_cg_prefix_dir(const struct hk_cg_hier *h, size_t k) {
  const char *p = h->path;
  size_t seen = 0;
  while (*p) {
    if (p[0] == '/' && p[1]) {
      if (seen == k)
        break;
      seen++;
    }
    p++;
  }
  char *sub = strndup(h->path, (size_t)(p - h->path));
  if (!sub)
    return NULL;
  char *dir = hk_cg_dir_of(h->mnt.mount, h->mnt.root, *sub ? sub : "/");
  free(sub);
  return dir;
}

/* Copy cpuset.cpus/mems from the parent when empty: a v1 cpuset without them takes no task. */
static int cpuset_fill(const char *dir, struct hk_error *err) {
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  char *parent = hk_cg_join(dir, "..");
  if (!parent)
    return hk_error_set(err, ENOMEM, "out of memory");
  int r = 0;
  for (size_t i = 0; i < 2 && r == 0; i++) {
    char *cur = NULL, *val = NULL;
    r = hk_cg_read(dir, files[i], &cur, err);
    if (r == 0 && strspn(cur, " \n") == strlen(cur)) {
      r = hk_cg_read(parent, files[i], &val, err);
      if (r == 0)
        r = hk_cg_write(dir, files[i], val, err);
    }
    free(cur);
    free(val);
  }
  free(parent);
  return r;
}

int hk_cg_mkdir_chain(struct hk_cg_hier *h, bool cpuset, struct hk_error *err) {
  size_t from = hk_cg_depth(h->mnt.root), to = hk_cg_depth(h->path);
  h->created_from = -1;
  for (size_t k = from + 1; k <= to; k++) {
    char *dir = hk_cg_prefix_dir(h, k);
    if (!dir)
      return hk_error_set(err, ENOMEM, "out of memory");
    int r = 0;
    if (mkdir(dir, 0755) == 0) {
      if (h->created_from < 0)
        h->created_from = (int)k;
    } else if (errno != EEXIST) {
      r = hk_error_sys(err, "create cgroup %s", dir);
    }
    if (r == 0 && cpuset)
      r = cpuset_fill(dir, err);
    free(dir);
    if (r < 0)
      return r;
  }
  return 0;
}

int hk_cg_v1_mkdir(struct hk_cg_hier *h, struct hk_error *err) {
  return hk_cg_mkdir_chain(h, hk_cg_list_has(h->mnt.controllers, "cpuset"), err);
}

static int rmdir_retry(const char *dir, struct hk_error *err) {
  struct timespec ts = {0, 10 * 1000 * 1000};
  for (int i = 0;; i++) {
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY || i >= 8)
      return hk_error_sys(err, "remove cgroup %s", dir);
    nanosleep(&ts, NULL);
    if (ts.tv_nsec < 200 * 1000 * 1000)
      ts.tv_nsec *= 2;
  }
}

/* Remove dir and every cgroup below it, deepest first. */
static int rmdir_tree(const char *dir, int level, struct hk_error *err) {
  /* the common case, a leaf with no process left, costs one syscall */
  if (rmdir(dir) == 0 || errno == ENOENT)
    return 0;
  if (errno != EBUSY && errno != ENOTEMPTY)
    return hk_error_sys(err, "remove cgroup %s", dir);
  DIR *d = opendir(dir);
  if (!d)
    return errno == ENOENT ? 0 : hk_error_sys(err, "open cgroup %s", dir);
  int r = 0;
  struct dirent *e;
  while (r == 0 && (e = readdir(d))) {
    if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (level > 64) {
      r = hk_error_set(err, ELOOP, "remove cgroup %s: too deep", dir);
      break;
    }
    char *sub = hk_cg_join(dir, e->d_name);
    r = sub ? rmdir_tree(sub, level + 1, err) : hk_error_set(err, ENOMEM, "out of memory");
    free(sub);
  }
  closedir(d);
  return r < 0 ? r : rmdir_retry(dir, err);
}

int hk_cg_rmdir(struct hk_cg_hier *h, bool created_too, struct hk_error *err) {
  int r = rmdir_tree(h->dir, 0, err);
  if (r < 0 || !created_too || h->created_from < 0)
    return r;
  for (size_t k = hk_cg_depth(h->path) - 1; k >= (size_t)h->created_from; k--) {
    char *dir = hk_cg_prefix_dir(h, k);
    if (!dir)
      return hk_error_set(err, ENOMEM, "out of memory");
    r = rmdir(dir) == 0 || errno == ENOENT ? 0 : hk_error_sys(err, "remove cgroup %s", dir);
    free(dir);
    if (r < 0)
      return r;
  }
  return 0;
}
