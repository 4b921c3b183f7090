/* Small builders for JSON objects: jansson's json_pack would pull in its
 * format interpreter (about 9 KB) for the handful of objects hako writes. */
#include <stdarg.h>

#include "util.h"

json_t *hk_jobj(const char *key, ...) {
  json_t *o = json_object();
  va_list ap;
  va_start(ap, key);
  for (const char *k = key; k; k = va_arg(ap, const char *)) {
    json_t *v = va_arg(ap, json_t *);
    if (!o || !v) {
      json_decref(v);
      json_decref(o);
      o = NULL;
    } else if (json_object_set_new(o, k, v) < 0) { /* it takes v even then */
      json_decref(o);
      o = NULL;
    }
  }
  va_end(ap);
  return o;
}

json_t *hk_jstrs(const char *const *v) {
  json_t *a = json_array();
  for (; a && *v; v++)
    if (json_array_append_new(a, json_string(*v)) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}
