/* Private helpers of the config parser: a cursor that knows the JSON path of
 * the value being read (for error messages) and typed readers on top of it.
 *
 * Every reader stores what it allocated into the destination before it can
 * fail, so a half-parsed spec is always safe to hand to hk_spec_free(). */
#ifndef HAKO_SPEC_PARSE_UTIL_H
#define HAKO_SPEC_PARSE_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

#define PC_PATH_MAX 512

struct pctx {
  const char *name; /* what errors call the file */
  struct hk_error *err;
  size_t len; /* strlen(path) */
  char path[PC_PATH_MAX];
};

/* Path building.  Each push returns the old length to hand to pc_pop(). */
size_t pc_push_key(struct pctx *c, const char *key);
size_t pc_push_index(struct pctx *c, size_t index);
size_t pc_push_mapkey(struct pctx *c, const char *key);
void pc_pop(struct pctx *c, size_t old_len);

/* "<name>: <path>: <message>"; returns -EINVAL. */
int pc_fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* pc_fail at "<path>.key" (key may be NULL) and then "[index]" (index SIZE_MAX: none). */
int pc_fail_at(struct pctx *c, const char *key, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "<name>: <path>: expected <what>, got <value>". */
int pc_type_error(struct pctx *c, const char *what, const json_t *v);
int pc_nomem(struct pctx *c);
/* Fails when `s` is not one of the NULL-terminated `allowed`; returns its index. */
int pc_enum(struct pctx *c, const char *s, const char *const *allowed);

/* Enum checks of already parsed values at path "<current>.key" (NULL skips). */
int pc_check_enum(struct pctx *c, const char *key, const char *v, const char *const *allowed);
int pc_check_strv(struct pctx *c, const char *key, char **v, size_t n, const char *const *allowed);

/* Readers of a value at the current path. */
int v_str(struct pctx *c, const json_t *v, char **out);
int v_bool(struct pctx *c, const json_t *v, bool *out);
int v_i32(struct pctx *c, const json_t *v, int32_t *out);
int v_int(struct pctx *c, const json_t *v, int *out);
int v_i64(struct pctx *c, const json_t *v, int64_t *out);
int v_u16(struct pctx *c, const json_t *v, uint16_t *out);
int v_u32(struct pctx *c, const json_t *v, uint32_t *out);
int v_u64(struct pctx *c, const json_t *v, uint64_t *out);
/* String arrays are NULL-terminated as well as counted (handy for execve). */
int v_strv(struct pctx *c, const json_t *v, char ***out, size_t *n);

/* Readers of obj[key].  An absent key leaves the output alone (and *has
 * false); with `req` it is an error instead. `has` may be NULL. */
int f_str(struct pctx *c, json_t *obj, const char *key, bool req, char **out);
int f_bool(struct pctx *c, json_t *obj, const char *key, bool *has, bool *out);
int f_i32(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, int32_t *out);
int f_int(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, int *out);
int f_i64(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, int64_t *out);
int f_u16(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, uint16_t *out);
int f_u32(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, uint32_t *out);
int f_u64(struct pctx *c, json_t *obj, const char *key, bool req, bool *has, uint64_t *out);
int f_strv(struct pctx *c, json_t *obj, const char *key, bool req, char ***out, size_t *n);
int f_u32v(struct pctx *c, json_t *obj, const char *key, uint32_t **out, size_t *n);

typedef int (*pc_obj_fn)(struct pctx *c, json_t *obj, void *dst);
typedef int (*pc_entry_fn)(struct pctx *c, const char *key, json_t *val, void *dst, size_t i);

/* obj[key] must be an object; fn parses it into dst. */
int f_sub(struct pctx *c, json_t *obj, const char *key, bool req, pc_obj_fn fn, void *dst);
/* Like f_sub, but first allocates a zeroed `size` bytes into *dst. */
int f_subnew(struct pctx *c, json_t *obj, const char *key, bool req, size_t size, void **dst,
             pc_obj_fn fn);
/* obj[key] must be an array of objects; allocates *arr (n zeroed elements
 * of `size`) and runs fn on each. */
int f_objarr(struct pctx *c, json_t *obj, const char *key, size_t size, void **arr, size_t *n,
             pc_obj_fn fn);
/* obj[key] must be an object used as a map; allocates *arr with one zeroed
 * element per entry and runs fn(key, value, &arr[i]) on each. */
int f_map(struct pctx *c, json_t *obj, const char *key, size_t size, void **arr, size_t *n,
          pc_entry_fn fn);
/* A map of string to string. */
int f_kvmap(struct pctx *c, json_t *obj, const char *key, struct hk_kv **out, size_t *n);

int parse_idmap(struct pctx *c, json_t *obj, void *dst);

/* Per-area parsers (parse_process.c, parse_linux.c, ...). */
int parse_process(struct pctx *c, json_t *obj, void *dst);
int parse_linux(struct pctx *c, json_t *obj, void *dst);
int parse_resources(struct pctx *c, json_t *obj, void *dst);
int parse_seccomp(struct pctx *c, json_t *obj, void *dst);

#endif
