/* The "linux" object, except resources and seccomp. */
#include <stdlib.h>
#include <string.h>

#include "parse_util.h"

static const char *const ns_names[] = {"pid",  "network", "mount", "ipc", "uts",
                                       "user", "cgroup",  "time",  NULL};

static int parse_namespace(struct pctx *c, json_t *obj, void *dst) {
  struct hk_namespace *ns = dst;
  char *type = NULL;
  int r = f_str(c, obj, "type", true, &type);
  if (r == 0)
    r = pc_check_enum(c, "type", type, ns_names);
  if (r == 0)
    ns->type = (enum hk_ns_type)hk_ns_type_from_name(type);
  free(type);
  if (r == 0)
    r = f_str(c, obj, "path", false, &ns->path);
  if (r == 0 && ns->path && *ns->path && ns->path[0] != '/')
    r = pc_fail_at(c, "path", SIZE_MAX, "must be an absolute path, got \"%.200s\"", ns->path);
  return r;
}

static int check_ns_dups(struct pctx *c, const struct hk_linux *l) {
  for (size_t i = 0; i < l->n_namespaces; i++)
    for (size_t j = 0; j < i; j++)
      if (l->namespaces[i].type == l->namespaces[j].type) {
        size_t old = pc_push_key(c, "namespaces");
        pc_push_index(c, i);
        int r = pc_fail(c, "duplicate namespace type \"%s\" (already in namespaces[%zu])",
                        hk_ns_type_name(l->namespaces[i].type), j);
        pc_pop(c, old);
        return r;
      }
  return 0;
}

static int parse_time_offset(struct pctx *c, const char *key, json_t *val, void *dst, size_t i) {
  (void)i;
  struct hk_time_offset *t = dst;
  static const char *const clocks[] = {"monotonic", "boottime", NULL};
  /* The key is the clock: the path already names it, so check it in place. */
  int r = pc_enum(c, key, clocks);
  if (r < 0)
    return r;
  t->clock = strdup(key);
  if (!t->clock)
    return pc_nomem(c);
  if (!json_is_object(val))
    return pc_type_error(c, "object", val);
  r = f_i64(c, val, "secs", false, NULL, &t->secs);
  if (r == 0)
    r = f_u32(c, val, "nanosecs", false, NULL, &t->nanosecs);
  return r;
}

static int parse_device(struct pctx *c, json_t *obj, void *dst) {
  struct hk_device *d = dst;
  char *type = NULL;
  int r = f_str(c, obj, "path", true, &d->path);
  if (r == 0 && d->path[0] != '/') {
    size_t old = pc_push_key(c, "path");
    r = pc_fail(c, "must be an absolute path, got \"%.200s\"", d->path);
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_str(c, obj, "type", true, &type);
  if (r == 0) {
    static const char *const types[] = {"c", "b", "u", "p", NULL};
    r = pc_check_enum(c, "type", type, types);
    if (r == 0)
      d->type = type[0];
  }
  free(type);
  if (r == 0)
    r = f_i64(c, obj, "major", d->type != 'p', &d->has_major, &d->major);
  if (r == 0)
    r = f_i64(c, obj, "minor", d->type != 'p', &d->has_minor, &d->minor);
  if (r == 0 && d->has_major && d->major < 0)
    r = pc_fail_at(c, "major", SIZE_MAX, "must not be negative, got %lld", (long long)d->major);
  if (r == 0 && d->has_minor && d->minor < 0)
    r = pc_fail_at(c, "minor", SIZE_MAX, "must not be negative, got %lld", (long long)d->minor);
  if (r == 0)
    r = f_u32(c, obj, "fileMode", false, &d->has_file_mode, &d->file_mode);
  /* the type comes from "type": only permission bits belong here */
  if (r == 0 && d->has_file_mode && d->file_mode > 07777)
    r = pc_fail_at(c, "fileMode", SIZE_MAX, "%u (0%o) has bits beyond the permissions 07777",
                   d->file_mode, d->file_mode);
  if (r == 0)
    r = f_u32(c, obj, "uid", false, &d->has_uid, &d->uid);
  if (r == 0)
    r = f_u32(c, obj, "gid", false, &d->has_gid, &d->gid);
  return r;
}

static int parse_net_device(struct pctx *c, const char *key, json_t *val, void *dst, size_t i) {
  (void)i;
  struct hk_net_device *n = dst;
  if (!*key)
    return pc_fail(c, "empty network device name");
  n->host_name = strdup(key);
  if (!n->host_name)
    return pc_nomem(c);
  if (!json_is_object(val))
    return pc_type_error(c, "object", val);
  int r = f_str(c, val, "name", false, &n->name);
  if (r < 0 || !n->name)
    return r;
  /* the kernel's rules for an interface name (dev_valid_name) */
  const char *s = n->name;
  if (!*s || strlen(s) >= 16 || !strcmp(s, ".") || !strcmp(s, "..") || s[strcspn(s, "/: \t\n")])
    return pc_fail_at(c, "name", SIZE_MAX,
                      "\"%.64s\" is not a valid interface name (1-15 characters, no '/', ':' "
                      "or spaces)",
                      s);
  return 0;
}

static int parse_intel_rdt(struct pctx *c, json_t *obj, void *dst) {
  struct hk_intel_rdt *t = dst;
  int r = f_str(c, obj, "closID", false, &t->clos_id);
  if (r == 0)
    r = f_str(c, obj, "l3CacheSchema", false, &t->l3_cache_schema);
  if (r == 0)
    r = f_str(c, obj, "memBwSchema", false, &t->mem_bw_schema);
  if (r == 0 && t->mem_bw_schema &&
      (strncmp(t->mem_bw_schema, "MB:", 3) != 0 || strchr(t->mem_bw_schema, '\n'))) {
    size_t old = pc_push_key(c, "memBwSchema");
    r = pc_fail(c, "must be one line starting with \"MB:\"");
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_strv(c, obj, "schemata", false, &t->schemata, &t->n_schemata);
  if (r == 0)
    r = f_bool(c, obj, "enableMonitoring", &t->has_enable_monitoring, &t->enable_monitoring);
  return r;
}

static int parse_memory_policy(struct pctx *c, json_t *obj, void *dst) {
  static const char *const modes[] = {
      "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
      "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL};
  static const char *const flags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
                                      "MPOL_F_STATIC_NODES", NULL};
  struct hk_memory_policy *m = dst;
  int r = f_str(c, obj, "mode", true, &m->mode);
  if (r == 0)
    r = pc_check_enum(c, "mode", m->mode, modes);
  if (r == 0)
    r = f_str(c, obj, "nodes", false, &m->nodes);
  if (r == 0)
    r = f_strv(c, obj, "flags", false, &m->flags, &m->n_flags);
  if (r == 0)
    r = pc_check_strv(c, "flags", m->flags, m->n_flags, flags);
  return r;
}

static int parse_personality(struct pctx *c, json_t *obj, void *dst) {
  static const char *const domains[] = {"LINUX", "LINUX32", NULL};
  struct hk_personality *p = dst;
  int r = f_str(c, obj, "domain", true, &p->domain);
  if (r == 0)
    r = pc_check_enum(c, "domain", p->domain, domains);
  if (r == 0)
    r = f_strv(c, obj, "flags", false, &p->flags, &p->n_flags);
  return r;
}

/* config.md: maskedPaths and readonlyPaths "MUST be absolute paths". */
static int check_absolute(struct pctx *c, const char *key, char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i][0] != '/')
      return pc_fail_at(c, key, i, "must be an absolute path, got \"%.200s\"", v[i]);
  return 0;
}

int parse_linux(struct pctx *c, json_t *obj, void *dst) {
  /* runc also takes the recursive forms, which the spec's list omits. */
  static const char *const propagations[] = {"private",    "rprivate",    "slave",
                                             "rslave",     "shared",      "rshared",
                                             "unbindable", "runbindable", NULL};
  struct hk_linux *l = dst;
  int r = f_objarr(c, obj, "namespaces", sizeof *l->namespaces, (void **)&l->namespaces,
                   &l->n_namespaces, parse_namespace);
  if (r == 0)
    r = check_ns_dups(c, l);
  if (r == 0)
    r = f_objarr(c, obj, "uidMappings", sizeof *l->uid_mappings, (void **)&l->uid_mappings,
                 &l->n_uid_mappings, parse_idmap);
  if (r == 0)
    r = f_objarr(c, obj, "gidMappings", sizeof *l->gid_mappings, (void **)&l->gid_mappings,
                 &l->n_gid_mappings, parse_idmap);
  if (r == 0)
    r = f_map(c, obj, "timeOffsets", sizeof *l->time_offsets, (void **)&l->time_offsets,
              &l->n_time_offsets, parse_time_offset);
  if (r == 0)
    r = f_objarr(c, obj, "devices", sizeof *l->devices, (void **)&l->devices, &l->n_devices,
                 parse_device);
  if (r == 0)
    r = f_map(c, obj, "netDevices", sizeof *l->net_devices, (void **)&l->net_devices,
              &l->n_net_devices, parse_net_device);
  if (r == 0)
    r = f_str(c, obj, "cgroupsPath", false, &l->cgroups_path);
  if (r == 0)
    r = f_subnew(c, obj, "resources", false, sizeof *l->resources, (void **)&l->resources,
                 parse_resources);
  if (r == 0)
    r = f_subnew(c, obj, "intelRdt", false, sizeof *l->intel_rdt, (void **)&l->intel_rdt,
                 parse_intel_rdt);
  if (r == 0)
    r = f_subnew(c, obj, "memoryPolicy", false, sizeof *l->memory_policy,
                 (void **)&l->memory_policy, parse_memory_policy);
  if (r == 0)
    r = f_kvmap(c, obj, "sysctl", &l->sysctl, &l->n_sysctl);
  if (r == 0)
    r = f_subnew(c, obj, "seccomp", false, sizeof *l->seccomp, (void **)&l->seccomp, parse_seccomp);
  if (r == 0)
    r = f_str(c, obj, "rootfsPropagation", false, &l->rootfs_propagation);
  if (r == 0)
    r = pc_check_enum(c, "rootfsPropagation", l->rootfs_propagation, propagations);
  if (r == 0)
    r = f_strv(c, obj, "maskedPaths", false, &l->masked_paths, &l->n_masked_paths);
  if (r == 0)
    r = check_absolute(c, "maskedPaths", l->masked_paths, l->n_masked_paths);
  if (r == 0)
    r = f_strv(c, obj, "readonlyPaths", false, &l->readonly_paths, &l->n_readonly_paths);
  if (r == 0)
    r = check_absolute(c, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
  if (r == 0)
    r = f_str(c, obj, "mountLabel", false, &l->mount_label);
  if (r == 0)
    r = f_subnew(c, obj, "personality", false, sizeof *l->personality, (void **)&l->personality,
                 parse_personality);
  return r;
}
