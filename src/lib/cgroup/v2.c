/* Directory handling on the cgroup2 hierarchy: creation and enabling the
 * controllers the container needs in each ancestor's cgroup.subtree_control. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int hk_cg_v2_mkdir(struct hk_cg_hier *h, const char *controllers, struct hk_error *err) {
  int r = hk_cg_mkdir_chain(h, false, err);
  if (r == 0 && controllers && *controllers)
    r = hk_cg_v2_enable(h, controllers, err);
  return r;
}

int hk_cg_v2_enable(const struct hk_cg_hier *h, const char *controllers, struct hk_error *err) {
  size_t from = hk_cg_depth(h->mnt.root), to = hk_cg_depth(h->path);
  for (size_t k = from; k < to; k++) {
    char *dir = hk_cg_prefix_dir(h, k), *cur = NULL;
    if (!dir)
      return hk_error_set(err, ENOMEM, "out of memory");
    int r = hk_cg_read(dir, "cgroup.subtree_control", &cur, err);
    for (const char *p = controllers; r == 0 && *p;) {
      size_t n = strcspn(p, " ");
      char name[64];
      if (n > 0 && n < sizeof name) {
        memcpy(name, p, n);
        name[n] = 0;
        if (!hk_cg_list_has(cur, name)) {
          r = hk_cg_writef(dir, "cgroup.subtree_control", err, "+%s", name);
          if (r < 0)
            hk_error_prefix(err, "enable the %s controller", name);
        }
      }
      p += n;
      p += strspn(p, " ");
    }
    free(cur);
    free(dir);
    if (r < 0)
      return r;
  }
  return 0;
}
