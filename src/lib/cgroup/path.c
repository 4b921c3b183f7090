/* Placement: where the container's cgroup goes in each hierarchy, and the
 * state-dir text form of a struct hk_cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Same set of comma-separated names? */
static bool same_set(const char *a, const char *b, size_t blen) {
  char *bb = strndup(b, blen);
  if (!bb)
    return false;
  size_t na = 0, nb = 0;
  bool ok = true;
  for (const char *p = a; *p;) {
    size_t n = strcspn(p, ",");
    char name[64];
    if (n >= sizeof name) {
      ok = false;
      break;
    }
    memcpy(name, p, n);
    name[n] = 0;
    ok = ok && hk_cg_list_has(bb, name);
    na++;
    p += n;
    if (*p)
      p++;
  }
  for (const char *p = bb; *p;) {
    p += strcspn(p, ",");
    nb++;
    if (*p)
      p++;
  }
  free(bb);
  return ok && na == nb;
}

char *hk_cg_own_path(const char *proc_cgroup, const char *controllers) {
  for (const char *line = proc_cgroup; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    const char *c1 = memchr(line, ':', len);
    const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
    if (c2) {
      size_t clen = (size_t)(c2 - c1 - 1);
      bool match = *controllers ? clen > 0 && same_set(controllers, c1 + 1, clen)
                                : clen == 0 && c1 - line == 1 && line[0] == '0';
      if (match)
        return strndup(c2 + 1, len - (size_t)(c2 + 1 - line));
    }
    line = end ? end + 1 : NULL;
  }
  return NULL;
}

char *hk_cg_clean_path(const char *path) {
  size_t len = strlen(path);
  char *out = malloc(len + 2);
  if (!out)
    return NULL;
  size_t o = 0;
  out[o++] = '/';
  for (const char *p = path; *p;) {
    while (*p == '/')
      p++;
    size_t n = strcspn(p, "/");
    if (n == 0)
      break;
    if (n == 1 && p[0] == '.') {
      /* skip */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (o > 1 && out[o - 1] != '/')
        o--;
      if (o > 1)
        o--;
    } else {
      if (o > 1)
        out[o++] = '/';
      memcpy(out + o, p, n);
      o += n;
    }
    p += n;
  }
  out[o] = 0;
  return out;
}

static bool systemd_form(const char *p) {
  if (strchr(p, '/'))
    return false;
  size_t colons = 0;
  for (; *p; p++)
    colons += *p == ':';
  return colons == 2;
}

int hk_cg_resolve_path(const char *cgroups_path, const char *id, const char *own, char **out,
                       struct hk_error *err) {
  const char *rel = cgroups_path && *cgroups_path ? cgroups_path : id;
  if (!rel || !*rel)
    return hk_error_set(err, EINVAL, "cgroup: neither linux.cgroupsPath nor an id is given");
  if (cgroups_path && systemd_form(cgroups_path))
    return hk_error_set(err, ENOTSUP,
                        "linux.cgroupsPath: \"%s\" is in the systemd form (slice:prefix:name): "
                        "systemd cgroup driver not supported yet",
                        cgroups_path);
  char *joined = NULL;
  if (rel[0] == '/')
    joined = strdup(rel);
  else if (asprintf(&joined, "%s/%s", own && *own ? own : "/", rel) < 0)
    joined = NULL;
  char *clean = joined ? hk_cg_clean_path(joined) : NULL;
  free(joined);
  if (!clean)
    return hk_error_set(err, ENOMEM, "out of memory");
  if (strcmp(clean, "/") == 0) {
    free(clean);
    return hk_error_set(err, EINVAL, "linux.cgroupsPath: \"%s\" resolves to the root cgroup",
                        cgroups_path ? cgroups_path : "");
  }
  *out = clean;
  return 0;
}

char *hk_cg_dir_of(const char *mount, const char *root, const char *path) {
  size_t rl = strlen(root);
  while (rl > 1 && root[rl - 1] == '/')
    rl--;
  if (rl > 1) {
    if (strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != 0))
      return NULL;
    path += rl;
  }
  return hk_cg_join(mount, path);
}

static const char *layout_name(enum hk_cgroup_layout l) {
  return l == HK_CGROUP_V2 ? "v2" : l == HK_CGROUP_HYBRID ? "hybrid" : "v1";
}

char *hk_cgroup_serialize(const struct hk_cgroup *cg) {
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  if (!f)
    return NULL;
  fprintf(f, "layout %s\n", layout_name(cg->layout));
  for (size_t i = 0; i < cg->n; i++) {
    const struct hk_cg_hier *h = &cg->h[i];
    fprintf(f, "%s\t%s\t%s\t%s\n", h->mnt.controllers, h->mnt.mount, h->mnt.root, h->path);
  }
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

int hk_cgroup_deserialize(const char *text, struct hk_cgroup **out, struct hk_error *err) {
  struct hk_cgroup *cg = calloc(1, sizeof *cg);
  char *copy = strdup(text);
  int r = 0;
  if (!cg || !copy) {
    r = hk_error_set(err, ENOMEM, "out of memory");
    goto fail;
  }
  cg->v2_fd = -1;
  char *save = NULL;
  char *line = strtok_r(copy, "\n", &save);
  if (!line || strncmp(line, "layout ", 7) != 0) {
    r = hk_error_set(err, EINVAL, "cgroup state: missing \"layout\" line");
    goto fail;
  }
  if (strcmp(line + 7, "v1") == 0)
    cg->layout = HK_CGROUP_V1;
  else if (strcmp(line + 7, "hybrid") == 0)
    cg->layout = HK_CGROUP_HYBRID;
  else if (strcmp(line + 7, "v2") == 0)
    cg->layout = HK_CGROUP_V2;
  else {
    r = hk_error_set(err, EINVAL, "cgroup state: unknown layout \"%s\"", line + 7);
    goto fail;
  }
  while ((line = strtok_r(NULL, "\n", &save))) {
    char *f[4];
    char *p = line;
    for (int k = 0; k < 4; k++) {
      f[k] = p;
      if (k < 3) {
        p = strchr(p, '\t');
        if (!p) {
          r = hk_error_set(err, EINVAL, "cgroup state: malformed line \"%s\"", line);
          goto fail;
        }
        *p++ = 0;
      }
    }
    struct hk_cg_hier *nh = realloc(cg->h, (cg->n + 1) * sizeof *nh);
    if (!nh) {
      r = hk_error_set(err, ENOMEM, "out of memory");
      goto fail;
    }
    cg->h = nh;
    struct hk_cg_hier *h = &cg->h[cg->n++];
    memset(h, 0, sizeof *h);
    h->created_from = -1;
    h->mnt.v2 = f[0][0] == 0;
    h->mnt.controllers = strdup(f[0]);
    h->mnt.mount = strdup(f[1]);
    h->mnt.root = strdup(f[2]);
    h->path = strdup(f[3]);
    if (!h->mnt.controllers || !h->mnt.mount || !h->mnt.root || !h->path) {
      r = hk_error_set(err, ENOMEM, "out of memory");
      goto fail;
    }
    h->dir = hk_cg_dir_of(f[1], f[2], f[3]);
    if (!h->dir) {
      r = hk_error_set(err, EINVAL, "cgroup state: %s is not below the mount root %s", f[3], f[2]);
      goto fail;
    }
  }
  if (cg->n == 0) {
    r = hk_error_set(err, EINVAL, "cgroup state: no hierarchy listed");
    goto fail;
  }
  if (cg->layout == HK_CGROUP_V2) {
    const struct hk_cg_hier *u = hk_cg_unified(cg);
    if (u)
      cg->v2_fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->v2_fd < 0) {
      r = hk_error_sys(err, "open cgroup %s", u ? u->dir : "(none)");
      goto fail;
    }
  }
  free(copy);
  *out = cg;
  return 0;
fail:
  free(copy);
  hk_cgroup_free(cg);
  return r;
}
