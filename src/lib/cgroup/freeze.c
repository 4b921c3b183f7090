/* Freezing: cgroup.freeze on pure v2, the v1 freezer otherwise (also on hybrid hosts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define FREEZE_TRIES 1000 /* x 5 ms */

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

/* cgroup.events "frozen 0|1" */
static int v2_frozen(const char *dir, bool *frozen, struct hk_error *err) {
  char *text;
  int r = hk_cg_read(dir, "cgroup.events", &text, err);
  if (r < 0)
    return r;
  const char *p = strstr(text, "frozen ");
  *frozen = p && p[7] == '1';
  free(text);
  return 0;
}

static const char *v1_freezer(const struct hk_cgroup *cg, struct hk_error *err, int *r) {
  const struct hk_cg_hier *h = hk_cg_find(cg, "freezer");
  if (!h)
    *r = hk_error_set(err, ENOTSUP, "the freezer controller is not available");
  return h ? h->dir : NULL;
}

int hk_cgroup_freeze(const struct hk_cgroup *cg, bool frozen, struct hk_error *err) {
  int r = 0;
  if (cg->layout == HK_CGROUP_V2) {
    const char *dir = hk_cg_unified(cg)->dir;
    if ((r = hk_cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", err)))
      return r;
    for (int i = 0; i < FREEZE_TRIES; i++) {
      bool now;
      if ((r = v2_frozen(dir, &now, err)))
        return r;
      if (now == frozen)
        return 0;
      pause_ms(5);
    }
    return hk_error_set(err, ETIMEDOUT, "cgroup %s: timed out waiting to be %s", dir,
                        frozen ? "frozen" : "thawed");
  }
  const char *dir = v1_freezer(cg, err, &r);
  if (!dir)
    return r;
  const char *want = frozen ? "FROZEN" : "THAWED";
  for (int i = 0; i < FREEZE_TRIES; i++) {
    /* writing again matters: tasks forked while FREEZING can leave it stuck there */
    if ((r = hk_cg_write(dir, "freezer.state", want, err)))
      return r;
    char *state;
    if ((r = hk_cg_read(dir, "freezer.state", &state, err)))
      return r;
    bool done = strncmp(state, want, strlen(want)) == 0;
    free(state);
    if (done)
      return 0;
    pause_ms(5);
  }
  if (frozen) {
    struct hk_error ignore = {0};
    hk_cg_write(dir, "freezer.state", "THAWED", &ignore);
  }
  return hk_error_set(err, ETIMEDOUT, "cgroup %s: timed out waiting to be %s", dir,
                      frozen ? "frozen" : "thawed");
}

int hk_cgroup_is_frozen(const struct hk_cgroup *cg, bool *frozen, struct hk_error *err) {
  int r = 0;
  if (cg->layout == HK_CGROUP_V2)
    return v2_frozen(hk_cg_unified(cg)->dir, frozen, err);
  const char *dir = v1_freezer(cg, err, &r);
  if (!dir)
    return r;
  char *state;
  if ((r = hk_cg_read(dir, "freezer.state", &state, err)))
    return r;
  *frozen = strncmp(state, "FROZEN", 6) == 0;
  free(state);
  return 0;
}
