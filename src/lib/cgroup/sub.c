/* exec --cgroup: the container's cgroup moved down into existing sub-cgroups,
 * with runc 1.1's rules for the argument ([CONTROLLERS:]PATH, repeatable). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* One parsed --cgroup value: a comma list of controllers ("" = every hierarchy) and a path. */
struct sub_arg {
  const char *arg;
  char *controllers;
  char *path;
};

static void args_free(struct sub_arg *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(a[i].controllers);
    free(a[i].path);
  }
  free(a);
}

/* runc: "path" alone only when it is the only --cgroup; "ctrl[,ctrl]:path" otherwise;
 * a controller named twice is an error. */
static int parse_args(char *const *specs, size_t n, struct sub_arg **out, struct hk_error *err) {
  struct sub_arg *a = calloc(n, sizeof *a);
  char *seen = calloc(1, 1); /* comma list of the controllers named so far */
  int r = a && seen ? 0 : hk_error_set(err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n && r == 0; i++) {
    const char *s = specs[i];
    const char *colon = strchr(s, ':');
    a[i].arg = s;
    if (colon && strchr(colon + 1, ':')) {
      r = hk_error_set(err, EINVAL, "invalid --cgroup argument: %s", s);
    } else if (!colon) {
      if (n != 1)
        r = hk_error_set(err, EINVAL, "invalid --cgroup argument: %s (missing <controller>: prefix)",
                         s);
      else if (!(a[i].controllers = strdup("")) || !(a[i].path = strdup(s)))
        r = hk_error_set(err, ENOMEM, "out of memory");
    } else if (!(a[i].controllers = strndup(s, (size_t)(colon - s))) ||
               !(a[i].path = strdup(colon + 1))) {
      r = hk_error_set(err, ENOMEM, "out of memory");
    } else {
      for (const char *c = a[i].controllers; r == 0; c += strcspn(c, ",") + 1) {
        size_t len = strcspn(c, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, c);
        char *more = NULL;
        if (len == 0)
          r = hk_error_set(err, EINVAL,
                           "invalid --cgroup argument: %s (empty <controller> prefix)", s);
        else if (hk_cg_list_has(seen, name))
          r = hk_error_set(err, EINVAL,
                           "invalid --cgroup argument(s): controller %s specified multiple times",
                           name);
        else if (asprintf(&more, "%s,%s", seen, name) < 0)
          r = hk_error_set(err, ENOMEM, "out of memory");
        else {
          free(seen);
          seen = more;
        }
        if (!c[len])
          break;
      }
    }
  }
  free(seen);
  if (r < 0) {
    args_free(a, a ? n : 0);
    return r;
  }
  *out = a;
  return 0;
}

/* base + "/" + sub, normalized; NULL with err set when it climbs out of base. */
static char *below(const char *base, const struct sub_arg *a, struct hk_error *err) {
  char *joined = NULL;
  if (asprintf(&joined, "%s/%s", base, a->path) < 0) {
    hk_error_set(err, ENOMEM, "out of memory");
    return NULL;
  }
  char *clean = hk_cg_clean_path(joined);
  free(joined);
  if (!clean) {
    hk_error_set(err, ENOMEM, "out of memory");
    return NULL;
  }
  size_t bl = strlen(base);
  if (strcmp(base, "/") != 0 &&
      (strncmp(clean, base, bl) != 0 || (clean[bl] != 0 && clean[bl] != '/'))) {
    hk_error_set(err, EINVAL, "exec --cgroup %s: %s is not a sub cgroup path", a->arg, a->path);
    free(clean);
    return NULL;
  }
  return clean;
}

int hk_cgroup_sub(const struct hk_cgroup *cg, char *const *specs, size_t n,
                  struct hk_cgroup **out, struct hk_error *err) {
  struct sub_arg *a = NULL;
  int r = parse_args(specs, n, &a, err);
  if (r < 0)
    return r;
  const struct sub_arg **pick = calloc(cg->n, sizeof *pick);
  char *text = NULL;
  size_t size = 0;
  FILE *f = pick ? open_memstream(&text, &size) : NULL;
  if (!f) {
    r = hk_error_set(err, ENOMEM, "out of memory");
    goto out;
  }
  /* which argument moves which hierarchy */
  for (size_t i = 0; i < n && r == 0; i++) {
    if (!a[i].controllers[0]) {
      for (size_t k = 0; k < cg->n; k++)
        pick[k] = &a[i];
      continue;
    }
    const char *c = a[i].controllers;
    for (; r == 0; c += strcspn(c, ",") + 1) {
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)strcspn(c, ","), c);
      size_t k = 0;
      while (k < cg->n && !hk_cg_list_has(cg->h[k].mnt.controllers, name))
        k++;
      if (k == cg->n)
        r = hk_error_set(err, EINVAL,
                         "exec --cgroup %s: the container has no cgroup with the %s controller",
                         a[i].arg, name);
      else if (pick[k] && strcmp(pick[k]->path, a[i].path) != 0)
        r = hk_error_set(err, EINVAL,
                         "exec --cgroup: %s and %s name the same hierarchy (%s) with different "
                         "paths",
                         pick[k]->arg, a[i].arg, cg->h[k].mnt.controllers);
      else
        pick[k] = &a[i];
      if (!c[strcspn(c, ",")])
        break;
    }
  }
  fprintf(f, "layout %s\n",
          cg->layout == HK_CGROUP_V2 ? "v2" : cg->layout == HK_CGROUP_HYBRID ? "hybrid" : "v1");
  for (size_t k = 0; k < cg->n && r == 0; k++) {
    const struct hk_cg_hier *h = &cg->h[k];
    char *path = pick[k] ? below(h->path, pick[k], err) : strdup(h->path);
    if (!path) {
      r = pick[k] ? -EINVAL : hk_error_set(err, ENOMEM, "out of memory");
      break;
    }
    if (pick[k]) {
      char *dir = hk_cg_dir_of(h->mnt.mount, h->mnt.root, path);
      struct stat st;
      if (!dir)
        r = hk_error_set(err, ENOMEM, "out of memory");
      else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        r = hk_error_set(err, ENOENT,
                         "exec --cgroup %s: the sub-cgroup %s does not exist (create it first)",
                         pick[k]->arg, dir);
      free(dir);
    }
    fprintf(f, "%s\t%s\t%s\t%s\n", h->mnt.controllers, h->mnt.mount, h->mnt.root, path);
    free(path);
  }
  if (fclose(f) != 0 && r == 0)
    r = hk_error_set(err, ENOMEM, "out of memory");
  if (r == 0)
    r = hk_cgroup_deserialize(text, out, err);
out:
  free(text);
  free(pick);
  args_free(a, n);
  return r;
}
