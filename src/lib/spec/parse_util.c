#include "parse_util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t push_fmt(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t push_fmt(struct pctx *c, const char *fmt, ...) {
  size_t old = c->len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
  va_end(ap);
  /* A path that does not fit is cut short: the message stays readable. */
  if (n > 0)
    c->len += (size_t)n < sizeof c->path - c->len ? (size_t)n : sizeof c->path - 1 - c->len;
  return old;
}

size_t pc_push_key(struct pctx *c, const char *key) {
  return push_fmt(c, c->len ? ".%s" : "%s", key);
}

size_t pc_push_index(struct pctx *c, size_t index) {
  return push_fmt(c, "[%zu]", index);
}

size_t pc_push_mapkey(struct pctx *c, const char *key) {
  return push_fmt(c, "[\"%s\"]", key);
}

void pc_pop(struct pctx *c, size_t old_len) {
  c->len = old_len;
  c->path[old_len] = 0;
}

int pc_fail(struct pctx *c, const char *fmt, ...) {
  char msg[HK_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->len)
    return hk_error_set(c->err, EINVAL, "%s: %s: %s", c->name, c->path, msg);
  return hk_error_set(c->err, EINVAL, "%s: %s", c->name, msg);
}

int pc_fail_at(struct pctx *c, const char *key, size_t index, const char *fmt, ...) {
  char msg[HK_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t old = c->len;
  if (key)
    pc_push_key(c, key);
  if (index != SIZE_MAX)
    pc_push_index(c, index);
  int r = pc_fail(c, "%s", msg);
  pc_pop(c, old);
  return r;
}

int pc_nomem(struct pctx *c) {
  return hk_error_set(c->err, ENOMEM, "%s: out of memory while parsing %s", c->name,
                      c->len ? c->path : "the config");
}

/* Big integers the JSON library cannot hold arrive as strings that start with
 * a NUL byte followed by the literal's digits (see parse.c). */
static bool is_bigint(const json_t *v) {
  return json_is_string(v) && json_string_length(v) > 1 && json_string_value(v)[0] == 0;
}

static void describe(const json_t *v, char *buf, size_t size) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    if (is_bigint(v)) {
      snprintf(buf, size, "%s", json_string_value(v) + 1);
    } else {
      const char *s = json_string_value(v);
      snprintf(buf, size, "\"%.64s%s\"", s, strlen(s) > 64 ? "..." : "");
    }
    break;
  case JSON_INTEGER:
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    break;
  case JSON_REAL:
    snprintf(buf, size, "%.17g", json_real_value(v));
    break;
  case JSON_TRUE:
    snprintf(buf, size, "true");
    break;
  case JSON_FALSE:
    snprintf(buf, size, "false");
    break;
  case JSON_NULL:
    snprintf(buf, size, "null");
    break;
  case JSON_OBJECT:
    snprintf(buf, size, "an object");
    break;
  case JSON_ARRAY:
    snprintf(buf, size, "an array");
    break;
  }
}

int pc_type_error(struct pctx *c, const char *what, const json_t *v) {
  char got[128];
  describe(v, got, sizeof got);
  return pc_fail(c, "expected %s, got %s", what, got);
}

int pc_enum(struct pctx *c, const char *s, const char *const *allowed) {
  for (int i = 0; allowed[i]; i++)
    if (strcmp(s, allowed[i]) == 0)
      return i;
  char list[HK_ERROR_MAX / 2];
  size_t len = 0;
  list[0] = 0;
  for (int i = 0; allowed[i] && len < sizeof list; i++) {
    int n = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", allowed[i]);
    if (n < 0)
      break;
    len += (size_t)n;
  }
  return pc_fail(c, "unknown value \"%.64s\" (expected one of: %s)", s, list);
}

/* Checks every element of an already parsed string array against `allowed`. */
int pc_check_strv(struct pctx *c, const char *key, char **v, size_t n, const char *const *allowed) {
  for (size_t i = 0; i < n; i++) {
    size_t old = pc_push_key(c, key);
    pc_push_index(c, i);
    int r = pc_enum(c, v[i], allowed);
    if (r < 0)
      return r;
    pc_pop(c, old);
  }
  return 0;
}

int pc_check_enum(struct pctx *c, const char *key, const char *v, const char *const *allowed) {
  if (!v)
    return 0;
  size_t old = pc_push_key(c, key);
  int r = pc_enum(c, v, allowed);
  if (r < 0)
    return r;
  pc_pop(c, old);
  return 0;
}

int v_str(struct pctx *c, const json_t *v, char **out) {
  /* An embedded NUL (only possible through a big-integer marker, as the
   * loader rejects \u0000) cannot be a C string. */
  if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
    return pc_type_error(c, "string", v);
  char *s = strdup(json_string_value(v));
  if (!s)
    return pc_nomem(c);
  free(*out);
  *out = s;
  return 0;
}

int v_bool(struct pctx *c, const json_t *v, bool *out) {
  if (!json_is_boolean(v))
    return pc_type_error(c, "boolean", v);
  *out = json_is_true(v);
  return 0;
}

typedef __int128 wide;

static void wide_str(wide w, char *buf, size_t size) {
  char tmp[48];
  size_t i = sizeof tmp;
  bool neg = w < 0;
  unsigned __int128 u = neg ? -(unsigned __int128)w : (unsigned __int128)w;
  tmp[--i] = 0;
  do {
    tmp[--i] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u && i > 1);
  if (neg)
    tmp[--i] = '-';
  snprintf(buf, size, "%s", tmp + i);
}

/* Reads any JSON integer into `out` and checks it lies in [min, max]. */
static int v_range(struct pctx *c, const json_t *v, wide min, wide max, wide *out) {
  const char *what = min < 0 ? "integer" : "unsigned integer";
  wide w;
  if (json_is_integer(v)) {
    w = json_integer_value(v);
  } else if (is_bigint(v)) {
    const char *s = json_string_value(v) + 1;
    bool neg = *s == '-';
    unsigned __int128 u = 0;
    if (neg)
      s++;
    /* The loader only hands over literals beyond int64; anything beyond
     * 2^100 is out of every range we check, so saturate there. */
    for (; *s >= '0' && *s <= '9'; s++)
      if (u < ((unsigned __int128)1 << 100))
        u = u * 10 + (unsigned)(*s - '0');
    w = neg ? -(wide)u : (wide)u;
  } else if (json_is_real(v)) {
    /* 5.0 is an integer in JSON's number model; 5.5 is not. */
    double d = json_real_value(v);
    bool in_range = d >= (double)min && d < (double)max + 1.0;
    /* The cast is only defined in range, hence the order of the checks. */
    if (in_range && (double)(wide)d != d)
      return pc_type_error(c, what, v);
    if (!in_range) {
      char got[128];
      describe(v, got, sizeof got);
      char lo[48], hi[48];
      wide_str(min, lo, sizeof lo);
      wide_str(max, hi, sizeof hi);
      return pc_fail(c, "value %s is out of range [%s, %s]", got, lo, hi);
    }
    w = (wide)d;
  } else {
    return pc_type_error(c, what, v);
  }
  if (w < min || w > max) {
    /* describe() prints a big literal as written, not as saturated. */
    char got[128], lo[48], hi[48];
    describe(v, got, sizeof got);
    wide_str(min, lo, sizeof lo);
    wide_str(max, hi, sizeof hi);
    return pc_fail(c, "value %s is out of range [%s, %s]", got, lo, hi);
  }
  *out = w;
  return 0;
}

#define DEFINE_V_NUM(fn, type, lo, hi)                                                             \
  int fn(struct pctx *c, const json_t *v, type *out) {                                             \
    wide w;                                                                                        \
    int r = v_range(c, v, (lo), (hi), &w);                                                         \
    if (r == 0)                                                                                    \
      *out = (type)w;                                                                              \
    return r;                                                                                      \
  }

DEFINE_V_NUM(v_i32, int32_t, INT32_MIN, INT32_MAX)
DEFINE_V_NUM(v_int, int, INT_MIN, INT_MAX)
DEFINE_V_NUM(v_i64, int64_t, INT64_MIN, INT64_MAX)
DEFINE_V_NUM(v_u16, uint16_t, 0, UINT16_MAX)
DEFINE_V_NUM(v_u32, uint32_t, 0, UINT32_MAX)
DEFINE_V_NUM(v_u64, uint64_t, 0, (wide)UINT64_MAX)

int v_strv(struct pctx *c, const json_t *v, char ***out, size_t *n) {
  if (!json_is_array(v))
    return pc_type_error(c, "array of strings", v);
  size_t count = json_array_size(v);
  /* One spare slot: the NULL terminator, and a non-NULL result for []. */
  char **arr = calloc(count + 1, sizeof *arr);
  if (!arr)
    return pc_nomem(c);
  *out = arr;
  *n = count;
  for (size_t i = 0; i < count; i++) {
    size_t old = pc_push_index(c, i);
    int r = v_str(c, json_array_get(v, i), &arr[i]);
    if (r < 0)
      return r;
    pc_pop(c, old);
  }
  return 0;
}

/* Looks up obj[key]; NULL when absent (an error when required). */
static int lookup(struct pctx *c, json_t *obj, const char *key, bool req, json_t **v) {
  *v = json_object_get(obj, key);
  if (!*v && req) {
    size_t old = pc_push_key(c, key);
    int r = pc_fail(c, "required field is missing");
    pc_pop(c, old);
    return r;
  }
  return 0;
}

int f_str(struct pctx *c, json_t *obj, const char *key, bool req, char **out) {
  json_t *v;
  int r = lookup(c, obj, key, req, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  r = v_str(c, v, out);
  if (r == 0)
    pc_pop(c, old);
  return r;
}

int f_bool(struct pctx *c, json_t *obj, const char *key, bool *has, bool *out) {
  json_t *v;
  if (has)
    *has = false;
  int r = lookup(c, obj, key, false, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  r = v_bool(c, v, out);
  if (r < 0)
    return r;
  pc_pop(c, old);
  if (has)
    *has = true;
  return 0;
}

#define DEFINE_F_NUM(fn, vfn, type)                                                                \
  int fn(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, type *out) {           \
    json_t *v;                                                                                     \
    if (has)                                                                                       \
      *has = false;                                                                                \
    int r = lookup(c, obj, key, req, &v);                                                          \
    if (r < 0 || !v)                                                                               \
      return r;                                                                                    \
    size_t old = pc_push_key(c, key);                                                              \
    r = vfn(c, v, out);                                                                            \
    if (r < 0)                                                                                     \
      return r;                                                                                    \
    pc_pop(c, old);                                                                                \
    if (has)                                                                                       \
      *has = true;                                                                                 \
    return 0;                                                                                      \
  }

DEFINE_F_NUM(f_i32, v_i32, int32_t)
DEFINE_F_NUM(f_int, v_int, int)
DEFINE_F_NUM(f_i64, v_i64, int64_t)
DEFINE_F_NUM(f_u16, v_u16, uint16_t)
DEFINE_F_NUM(f_u32, v_u32, uint32_t)
DEFINE_F_NUM(f_u64, v_u64, uint64_t)

int f_strv(struct pctx *c, json_t *obj, const char *key, bool req, char ***out, size_t *n) {
  json_t *v;
  int r = lookup(c, obj, key, req, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  r = v_strv(c, v, out, n);
  if (r == 0)
    pc_pop(c, old);
  return r;
}

int f_u32v(struct pctx *c, json_t *obj, const char *key, uint32_t **out, size_t *n) {
  json_t *v;
  int r = lookup(c, obj, key, false, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  if (!json_is_array(v))
    return pc_type_error(c, "array of unsigned integers", v);
  size_t count = json_array_size(v);
  uint32_t *arr = calloc(count + 1, sizeof *arr);
  if (!arr)
    return pc_nomem(c);
  *out = arr;
  *n = count;
  for (size_t i = 0; i < count; i++) {
    size_t o2 = pc_push_index(c, i);
    r = v_u32(c, json_array_get(v, i), &arr[i]);
    if (r < 0)
      return r;
    pc_pop(c, o2);
  }
  pc_pop(c, old);
  return 0;
}

int f_sub(struct pctx *c, json_t *obj, const char *key, bool req, pc_obj_fn fn, void *dst) {
  json_t *v;
  int r = lookup(c, obj, key, req, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  if (!json_is_object(v))
    return pc_type_error(c, "object", v);
  r = fn(c, v, dst);
  if (r == 0)
    pc_pop(c, old);
  return r;
}

int f_subnew(struct pctx *c, json_t *obj, const char *key, bool req, size_t size, void **dst,
             pc_obj_fn fn) {
  json_t *v;
  int r = lookup(c, obj, key, req, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  if (!json_is_object(v))
    return pc_type_error(c, "object", v);
  void *p = calloc(1, size);
  if (!p)
    return pc_nomem(c);
  *dst = p;
  r = fn(c, v, p);
  if (r == 0)
    pc_pop(c, old);
  return r;
}

int f_objarr(struct pctx *c, json_t *obj, const char *key, size_t size, void **arr, size_t *n,
             pc_obj_fn fn) {
  json_t *v;
  int r = lookup(c, obj, key, false, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  if (!json_is_array(v))
    return pc_type_error(c, "array of objects", v);
  size_t count = json_array_size(v);
  char *mem = calloc(count + 1, size);
  if (!mem)
    return pc_nomem(c);
  *arr = mem;
  *n = count;
  for (size_t i = 0; i < count; i++) {
    size_t o2 = pc_push_index(c, i);
    json_t *e = json_array_get(v, i);
    if (!json_is_object(e))
      return pc_type_error(c, "object", e);
    r = fn(c, e, mem + i * size);
    if (r < 0)
      return r;
    pc_pop(c, o2);
  }
  pc_pop(c, old);
  return 0;
}

int f_map(struct pctx *c, json_t *obj, const char *key, size_t size, void **arr, size_t *n,
          pc_entry_fn fn) {
  json_t *v;
  int r = lookup(c, obj, key, false, &v);
  if (r < 0 || !v)
    return r;
  size_t old = pc_push_key(c, key);
  if (!json_is_object(v))
    return pc_type_error(c, "object", v);
  size_t count = json_object_size(v);
  char *mem = calloc(count + 1, size);
  if (!mem)
    return pc_nomem(c);
  *arr = mem;
  *n = count;
  size_t i = 0;
  const char *k;
  json_t *val;
  json_object_foreach(v, k, val) {
    size_t o2 = pc_push_mapkey(c, k);
    r = fn(c, k, val, mem + i * size, i);
    if (r < 0)
      return r;
    pc_pop(c, o2);
    i++;
  }
  pc_pop(c, old);
  return 0;
}

static int kv_entry(struct pctx *c, const char *key, json_t *val, void *dst, size_t i) {
  (void)i;
  struct hk_kv *kv = dst;
  /* Keys may hold a NUL through \u0000 only with JSON_ALLOW_NUL, which the
   * loader never passes for user text; an empty key is legal JSON but no
   * annotation, sysctl or cgroup file can be called "". */
  if (!*key)
    return pc_fail(c, "empty key");
  kv->key = strdup(key);
  if (!kv->key)
    return pc_nomem(c);
  return v_str(c, val, &kv->value);
}

int f_kvmap(struct pctx *c, json_t *obj, const char *key, struct hk_kv **out, size_t *n) {
  return f_map(c, obj, key, sizeof **out, (void **)out, n, kv_entry);
}

int parse_idmap(struct pctx *c, json_t *obj, void *dst) {
  struct hk_idmap *m = dst;
  int r = f_u32(c, obj, "containerID", true, NULL, &m->container_id);
  if (r == 0)
    r = f_u32(c, obj, "hostID", true, NULL, &m->host_id);
  if (r == 0)
    r = f_u32(c, obj, "size", true, NULL, &m->size);
  if (r == 0 && m->size == 0)
    r = pc_fail_at(c, "size", SIZE_MAX, "must be greater than 0");
  return r;
}
