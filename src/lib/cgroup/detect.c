/* Host layout detection: the cgroup mounts listed in /proc/self/mountinfo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

static const char *const v1_controllers[] = {
    "cpu",      "cpuacct", "cpuset",     "memory",  "devices", "freezer", "net_cls",
    "net_prio", "blkio",   "perf_event", "hugetlb", "pids",    "rdma",    "misc",
};

bool hk_cg_list_has(const char *list, const char *name) {
  size_t len = strlen(name);
  const char *p = list;
  while (p && *p) {
    size_t n = strcspn(p, ", ");
    if (n == len && strncmp(p, name, len) == 0)
      return true;
    p += n;
    p += strspn(p, ", ");
  }
  return false;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r;) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = 0;
}

/* The controller names among the super options of a v1 mount, comma-joined. */
static char *v1_names(const char *superopts) {
  char *out = calloc(1, strlen(superopts) + 1);
  if (!out)
    return NULL;
  const char *p = superopts;
  while (*p) {
    size_t n = strcspn(p, ",");
    bool keep = n > 5 && strncmp(p, "name=", 5) == 0;
    for (size_t i = 0; !keep && i < sizeof v1_controllers / sizeof *v1_controllers; i++)
      keep = strlen(v1_controllers[i]) == n && strncmp(p, v1_controllers[i], n) == 0;
    if (keep) {
      if (*out)
        strcat(out, ",");
      strncat(out, p, n);
    }
    p += n;
    if (*p == ',')
      p++;
  }
  return out;
}

void hk_cg_mounts_free(struct hk_cg_mounts *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->m[i].controllers);
    free(m->m[i].mount);
    free(m->m[i].root);
  }
  free(m->m);
  m->m = NULL;
  m->n = 0;
}

int hk_cg_parse_mountinfo(const char *text, struct hk_cg_mounts *out, struct hk_error *err) {
  out->m = NULL;
  out->n = 0;
  char *copy = strdup(text);
  if (!copy)
    return hk_error_set(err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[6] = {0}, *sp = NULL, *tok = strtok_r(line, " ", &sp);
    size_t nf = 0;
    for (; tok && nf < 6; tok = strtok_r(NULL, " ", &sp))
      f[nf++] = tok;
    if (nf < 6)
      continue;
    /* skip the optional fields up to "-" */
    for (; tok && strcmp(tok, "-") != 0; tok = strtok_r(NULL, " ", &sp)) {
    }
    char *fstype = strtok_r(NULL, " ", &sp);
    strtok_r(NULL, " ", &sp); /* source */
    char *superopts = strtok_r(NULL, " ", &sp);
    if (!fstype || !superopts)
      continue;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
      continue;
    char *names = v2 ? strdup("") : v1_names(superopts);
    if (!names)
      goto nomem;
    bool dup = false;
    for (size_t i = 0; i < out->n && !dup; i++)
      dup = out->m[i].v2 == v2 && strcmp(out->m[i].controllers, names) == 0;
    if (dup || (!v2 && !*names)) {
      free(names);
      continue;
    }
    struct hk_cg_mount *nm = realloc(out->m, (out->n + 1) * sizeof *nm);
    if (!nm) {
      free(names);
      goto nomem;
    }
    out->m = nm;
    unescape(f[3]);
    unescape(f[4]);
    struct hk_cg_mount *m = &out->m[out->n];
    m->controllers = names;
    m->root = strdup(f[3]);
    m->mount = strdup(f[4]);
    m->v2 = v2;
    out->n++;
    if (!m->root || !m->mount)
      goto nomem;
  }
  free(copy);
  return 0;
nomem:
  free(copy);
  hk_cg_mounts_free(out);
  return hk_error_set(err, ENOMEM, "out of memory");
}

/* create reads the cgroup mounts more than once (check, then create), and the kernel
 * formats the whole mount table each time: the text is kept for the process's life, per
 * mount namespace (a child that entered another one reads its own). */
static struct {
  char *text;
  dev_t dev;
  ino_t ino;
} mountinfo_cache;

const char *hk_cgroup_mountinfo_seen(void) {
  return mountinfo_cache.text;
}

int hk_cg_read_mounts(struct hk_cg_mounts *out, struct hk_error *err) {
  struct stat ns;
  bool known = stat("/proc/self/ns/mnt", &ns) == 0;
  bool hit = known && mountinfo_cache.text && mountinfo_cache.dev == ns.st_dev &&
             mountinfo_cache.ino == ns.st_ino;
  char *text = mountinfo_cache.text;
  int r = hit ? 0 : hk_cg_read("/proc/self", "mountinfo", &text, err);
  if (r < 0)
    return r;
  r = hk_cg_parse_mountinfo(text, out, err);
  if (!hit && known) {
    free(mountinfo_cache.text);
    mountinfo_cache.text = text;
    mountinfo_cache.dev = ns.st_dev;
    mountinfo_cache.ino = ns.st_ino;
  } else if (!hit) {
    free(text);
  }
  if (r == 0 && out->n == 0) {
    hk_cg_mounts_free(out);
    return hk_error_set(err, ENOENT, "no cgroup filesystem is mounted");
  }
  return r;
}

enum hk_cgroup_layout hk_cg_layout_of(const struct hk_cg_mounts *m) {
  bool v1 = false, v2 = false;
  for (size_t i = 0; i < m->n; i++) {
    if (m->m[i].v2)
      v2 = true;
    else
      v1 = true;
  }
  if (v2 && !v1)
    return HK_CGROUP_V2;
  return v2 ? HK_CGROUP_HYBRID : HK_CGROUP_V1;
}

int hk_cgroup_detect(enum hk_cgroup_layout *out, struct hk_error *err) {
  struct hk_cg_mounts m;
  int r = hk_cg_read_mounts(&m, err);
  if (r < 0)
    return r;
  *out = hk_cg_layout_of(&m);
  hk_cg_mounts_free(&m);
  return 0;
}

int hk_cg_available(const struct hk_cg_mounts *m, char **v1, char **v2, struct hk_error *err) {
  size_t cap = 1;
  for (size_t i = 0; i < m->n; i++)
    cap += strlen(m->m[i].controllers) + 1;
  *v1 = calloc(1, cap);
  *v2 = NULL;
  if (!*v1)
    return hk_error_set(err, ENOMEM, "out of memory");
  for (size_t i = 0; i < m->n; i++) {
    if (m->m[i].v2) {
      if (*v2)
        continue;
      char *text;
      int r = hk_cg_read(m->m[i].mount, "cgroup.controllers", &text, err);
      if (r < 0) {
        free(*v1);
        *v1 = NULL;
        return r;
      }
      text[strcspn(text, "\n")] = 0;
      *v2 = text;
      continue;
    }
    if (**v1)
      strcat(*v1, " ");
    strcat(*v1, m->m[i].controllers);
  }
  if (!*v2)
    *v2 = strdup("");
  if (!*v2) {
    free(*v1);
    *v1 = NULL;
    return hk_error_set(err, ENOMEM, "out of memory");
  }
  return 0;
}
