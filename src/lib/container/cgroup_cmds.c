/* The commands that work on a running container's cgroup: pause, resume,
 * ps (the pids) and update (resources); events is stats.c. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "hako.h"
#include "log.h"
#include "util.h"

/* The container's cgroup, from the serialized form create stored. */
static int load_cgroup(const struct hk_container *c, struct hk_cgroup **cg, struct hk_error *err) {
  *cg = NULL;
  if (!c->st.has_cgroup && c->st.owner != 0)
    return hk_error_set(err, ENOENT,
                        "container \"%s\" has no cgroup: an unprivileged user's container gets "
                        "one only inside a delegated cgroup v2 subtree (see hako's README)",
                        c->st.id);
  if (!c->st.has_cgroup)
    return hk_error_set(err, ENOENT, "container \"%s\" has no cgroup", c->st.id);
  return hk_container_load_cgroup(c, cg, err);
}

static int set_paused(const char *root, const char *id, bool pause, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (pause) {
    /* runc pauses created and running containers, nothing else */
    if (c.st.paused || (c.st.status != HK_STATUS_RUNNING && c.st.status != HK_STATUS_CREATED)) {
      r = hk_error_set(err, EINVAL, "container not running");
      goto out;
    }
  } else if (!c.st.paused || c.st.status == HK_STATUS_STOPPED ||
             c.st.status == HK_STATUS_CREATING) {
    r = hk_error_set(err, EINVAL, "container not paused");
    goto out;
  }
  if ((r = load_cgroup(&c, &cg, err)) < 0)
    goto out;
  if ((r = hk_cgroup_freeze(cg, pause, err)) < 0)
    goto out;
  c.st.paused = pause;
  r = hk_state_save(c.dirfd, &c.st, err);
  if (r < 0 && pause) {
    /* do not leave a frozen container that the state does not call paused */
    struct hk_error ignore = {0};
    hk_cgroup_freeze(cg, false, &ignore);
  }
out:
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

int hako_pause(const char *root, const char *id, struct hk_error *err) {
  return set_paused(root, id, true, err);
}

int hako_resume(const char *root, const char *id, struct hk_error *err) {
  return set_paused(root, id, false, err);
}

int hako_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct hk_error *err) {
  *pids = NULL;
  *n = 0;
  struct hk_container c;
  int r = hk_container_open_ro(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_cgroup *cg = NULL;
  if (c.st.has_cgroup && (r = load_cgroup(&c, &cg, err)) == 0) {
    r = hk_cgroup_pids(cg, pids, n, err);
    /* a stopped container's cgroup may be gone already: no processes */
    if (r == -ENOENT && c.st.status == HK_STATUS_STOPPED) {
      hk_error_clear(err);
      r = 0;
    }
  }
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}

/* ---- update ---- */

static bool nonzero(json_t *v) {
  if (json_is_integer(v))
    return json_integer_value(v) != 0;
  if (json_is_string(v))
    return json_string_length(v) > 0;
  return v && !json_is_null(v);
}

/* Copy the keys of upd[area] that runc's update honours into cur[area], skipping
 * zero values (runc's "unchanged"). */
static int merge_area(json_t *cur, json_t *upd, const char *area, const char *const *keys) {
  json_t *u = json_object_get(upd, area);
  if (!json_is_object(u))
    return 0;
  json_t *dst = json_object_get(cur, area);
  if (!json_is_object(dst)) {
    dst = json_object();
    if (!dst || json_object_set_new(cur, area, dst) < 0)
      return -ENOMEM;
  }
  for (size_t i = 0; keys[i]; i++) {
    json_t *v = json_object_get(u, keys[i]);
    if (nonzero(v) && json_object_set(dst, keys[i], v) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int merge_resources(json_t *cur, json_t *upd) {
  static const char *const mem[] = {"limit", "reservation", "swap", "checkBeforeUpdate", NULL};
  static const char *const cpu[] = {"shares",         "quota", "burst", "period", "realtimeRuntime",
                                    "realtimePeriod", "cpus",  "mems",  "idle",   NULL};
  static const char *const blkio[] = {"weight", NULL};
  static const char *const pids[] = {"limit", NULL};
  int r = merge_area(cur, upd, "memory", mem);
  if (r == 0)
    r = merge_area(cur, upd, "cpu", cpu);
  if (r == 0)
    r = merge_area(cur, upd, "blockIO", blkio);
  if (r == 0)
    r = merge_area(cur, upd, "pids", pids);
  json_t *uni = json_object_get(upd, "unified");
  if (r == 0 && json_is_object(uni) && json_object_size(uni)) {
    json_t *dst = json_object_get(cur, "unified");
    if (!json_is_object(dst)) {
      dst = json_object();
      if (!dst || json_object_set_new(cur, "unified", dst) < 0)
        return -ENOMEM;
    }
    if (json_object_update(dst, uni) < 0)
      return -ENOMEM;
  }
  return r;
}

int hako_update(const char *root, const char *id, const char *resources_json, size_t len,
                const char *name, struct hk_error *err) {
  struct hk_container c;
  int r = hk_container_open(root, id, &c, err);
  if (r < 0)
    return r;
  struct hk_resources *upd_res = NULL, *res = NULL;
  struct hk_cgroup *cg = NULL;
  json_t *upd = NULL, *cfg = NULL, *apply = NULL;
  char *cfg_text = NULL, *apply_text = NULL, *out_text = NULL;
  size_t cfg_len = 0;
  if (c.st.status != HK_STATUS_RUNNING && c.st.status != HK_STATUS_CREATED &&
      c.st.status != HK_STATUS_PAUSED) {
    r = hk_error_set(err, EINVAL, "container not running");
    goto out;
  }
  /* the update alone first: its errors name its own paths */
  if ((r = hk_spec_parse_resources(resources_json, len, name, &upd_res, err)) < 0)
    goto out;
  if (upd_res->memory && ((upd_res->memory->has_kernel && upd_res->memory->kernel) ||
                          (upd_res->memory->has_kernel_tcp && upd_res->memory->kernel_tcp)))
    hk_warn("Kernel memory settings are ignored and will be removed");
  upd = json_loadb(resources_json, len, 0, NULL);
  if ((r = hk_read_file_at(c.dirfd, "config.json", 64 << 20, &cfg_text, &cfg_len, err)) < 0)
    goto out;
  json_error_t jerr;
  cfg = json_loadb(cfg_text, cfg_len, 0, &jerr);
  if (!upd || !json_is_object(cfg)) {
    r = hk_error_set(err, EINVAL, "stored config.json: %s", cfg ? "not an object" : jerr.text);
    goto out;
  }
  json_t *lnx = json_object_get(cfg, "linux");
  if (!json_is_object(lnx)) {
    lnx = json_object();
    if (!lnx || json_object_set_new(cfg, "linux", lnx) < 0)
      goto nomem;
  }
  json_t *cur = json_object_get(lnx, "resources");
  if (!json_is_object(cur)) {
    cur = json_object();
    if (!cur || json_object_set_new(lnx, "resources", cur) < 0)
      goto nomem;
  }
  if (merge_resources(cur, upd) < 0)
    goto nomem;
  /* apply everything but the device rules, which update never changes */
  apply = json_deep_copy(cur);
  if (!apply)
    goto nomem;
  json_object_del(apply, "devices");
  if (!(apply_text = json_dumps(apply, JSON_COMPACT)))
    goto nomem;
  r = hk_spec_parse_resources(apply_text, strlen(apply_text), "config.json: linux.resources", &res,
                              err);
  if (r == 0)
    r = load_cgroup(&c, &cg, err);
  if (r == 0)
    r = hk_cgroup_update(cg, res, err);
  if (r < 0)
    goto out;
  /* keep the result, so that the next update starts from it */
  if (!(out_text = json_dumps(cfg, JSON_COMPACT)))
    goto nomem;
  r = hk_write_file_atomic(c.dirfd, "config.json", out_text, strlen(out_text), 0644, err);
  goto out;
nomem:
  r = hk_error_set(err, ENOMEM, "update: out of memory");
out:
  json_decref(upd);
  json_decref(cfg);
  json_decref(apply);
  free(cfg_text);
  free(apply_text);
  free(out_text);
  hk_resources_free(upd_res);
  hk_resources_free(res);
  if (cg)
    hk_cgroup_free(cg);
  hk_container_close(&c);
  return r;
}
