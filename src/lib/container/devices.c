/* The device cgroup rules hako applies: deny everything, then the config's
 * rules, then the devices every container needs (runc's list), then the
 * config's linux.devices.  The last matching rule wins, so the defaults can
 * never be taken away by a config, as with runc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

struct default_rule {
  char type;
  int64_t major, minor; /* -1: any */
  const char *access;
};

static const struct default_rule defaults[] = {
    {'c', -1, -1, "m"},  {'b', -1, -1, "m"}, /* mknod of any node; access is checked */
    {'c', 1, 3, "rwm"},  {'c', 1, 5, "rwm"},   {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"},
    {'c', 1, 9, "rwm"},  {'c', 5, 0, "rwm"},   {'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"},
    {'c', 136, -1, "rwm"}, {'c', 10, 200, "rwm"},
};

static char *type_str(char t) {
  return t == 'b' ? "b" : t == 'c' ? "c" : "a";
}

int hk_device_rules_build(const struct hk_spec *spec, struct hk_device_rule **out, size_t *n,
                          struct hk_error *err) {
  const struct hk_linux *lx = spec->linux_;
  const struct hk_resources *res = lx ? lx->resources : NULL;
  size_t n_spec = res ? res->n_devices : 0, n_dev = lx ? lx->n_devices : 0;
  size_t n_def = sizeof defaults / sizeof defaults[0];
  struct hk_device_rule *r = calloc(1 + n_spec + n_def + n_dev, sizeof *r);
  if (!r)
    return hk_error_set(err, ENOMEM, "device rules: out of memory");
  size_t k = 0;
  r[k++] = (struct hk_device_rule){.allow = false, .type = "a", .access = "rwm"};
  for (size_t i = 0; i < n_spec; i++)
    r[k++] = res->devices[i]; /* borrows the strings */
  for (size_t i = 0; i < n_def; i++)
    r[k++] = (struct hk_device_rule){.allow = true,
                                     .type = type_str(defaults[i].type),
                                     .has_major = defaults[i].major >= 0,
                                     .major = defaults[i].major,
                                     .has_minor = defaults[i].minor >= 0,
                                     .minor = defaults[i].minor,
                                     .access = (char *)defaults[i].access};
  for (size_t i = 0; i < n_dev; i++) {
    const struct hk_device *d = &lx->devices[i];
    if (d->type == 'p')
      continue;
    r[k++] = (struct hk_device_rule){.allow = true,
                                     .type = type_str(d->type == 'u' ? 'c' : d->type),
                                     .has_major = true,
                                     .major = d->major,
                                     .has_minor = true,
                                     .minor = d->minor,
                                     .access = "rwm"};
  }
  *out = r;
  *n = k;
  return 0;
}
