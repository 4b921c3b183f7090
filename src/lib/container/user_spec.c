/* exec --user UID[:GID] (numbers only, as runc).  Pure; fuzzed (tests/fuzz). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"

/* Digits only (strtoul would take " -1" as 2^64-1 and "4294967296"
 * would wrap to uid 0), at most 2^32-2: (uid_t)-1 means "unchanged". */
static bool parse_id(const char *s, const char **end, uint32_t *out) {
  uint64_t v = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (uint64_t)(*p - '0');
    if (v >= UINT32_MAX)
      return false;
  }
  *end = p;
  *out = (uint32_t)v;
  return p != s;
}

int hk_parse_user_spec(const char *s, struct hk_user *u, struct hk_error *err) {
  const char *end;
  uint32_t uid, gid = u->gid;
  if (!parse_id(s, &end, &uid) || (*end && *end != ':') ||
      (*end == ':' && (!parse_id(end + 1, &end, &gid) || *end)))
    return hk_error_set(err, EINVAL, "--user %s: expected UID[:GID] (numbers below 4294967295)", s);
  u->uid = uid;
  u->gid = gid;
  return 0;
}
