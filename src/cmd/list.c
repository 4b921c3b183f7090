#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hako.h"
#include "util.h"

static void print_json(const struct hako_list_entry *e, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    /* runc's fields and order */
    json_t *o = hk_jobj("ociVersion", json_string(e[i].oci_version), "id", json_string(e[i].id),
                        "pid", json_integer(e[i].pid), "status", json_string(e[i].status), "bundle",
                        json_string(e[i].bundle), "rootfs", json_string(e[i].rootfs), "created",
                        json_string(e[i].created), "owner", json_string(e[i].owner), NULL);
    json_t *ann = e[i].annotations_json ? json_loads(e[i].annotations_json, 0, NULL) : NULL;
    if (o && ann)
      json_object_set_new(o, "annotations", ann);
    json_array_append_new(a, o);
  }
  char *s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
  puts(s ? s : "[]");
  free(s);
  json_decref(a);
}

/* The table, built in one buffer and written at once: printf's formatting was
 * a quarter of `list`'s instructions once reading the states got cheap. */
struct table {
  char *p;
  size_t len, cap;
  bool oom;
};

static void put(struct table *t, const char *s, size_t n) {
  if (t->oom)
    return;
  if (t->len + n > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n)
      cap *= 2;
    char *np = realloc(t->p, cap);
    if (!np) {
      t->oom = true;
      return;
    }
    t->p = np;
    t->cap = cap;
  }
  memcpy(t->p + t->len, s, n);
  t->len += n;
}

/* printf's "%-<width>s " */
static void put_col(struct table *t, const char *s, size_t width) {
  static const char spaces[] = "                                         ";
  size_t n = strlen(s);
  put(t, s, n);
  put(t, spaces, (n < width ? width - n : 0) + 1);
}

static void put_int_col(struct table *t, int v, size_t width) {
  char digits[16];
  size_t i = sizeof digits;
  unsigned u = v < 0 ? 0U - (unsigned)v : (unsigned)v;
  digits[--i] = 0;
  do
    digits[--i] = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    digits[--i] = '-';
  put_col(t, digits + i, width);
}

static void print_table(const struct hako_list_entry *e, size_t n) {
  struct table t = {0};
  put_col(&t, "ID", 12);
  put_col(&t, "PID", 10);
  put_col(&t, "STATUS", 10);
  put_col(&t, "BUNDLE", 40);
  put_col(&t, "CREATED", 30);
  put(&t, "OWNER\n", 6);
  for (size_t i = 0; i < n; i++) {
    put_col(&t, e[i].id, 12);
    put_int_col(&t, (int)e[i].pid, 10);
    put_col(&t, e[i].status, 10);
    put_col(&t, e[i].bundle, 40);
    put_col(&t, e[i].created, 30);
    put(&t, e[i].owner, strlen(e[i].owner));
    put(&t, "\n", 1);
  }
  if (!t.oom) {
    fwrite(t.p, 1, t.len, stdout);
  } else {
    printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
    for (size_t i = 0; i < n; i++)
      printf("%-12s %-10d %-10s %-40s %-30s %s\n", e[i].id, (int)e[i].pid, e[i].status, e[i].bundle,
             e[i].created, e[i].owner);
  }
  free(t.p);
}

int cmd_list(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {
      {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {0}};
  const char *format = "table";
  bool quiet = false;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("list"), argc, argv, "f:q", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'f')
      format = optarg;
    else if (c == 'q')
      quiet = true;
  }
  if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
    return cli_usage_error("list", "--format: unknown format \"%s\" (table or json)", format);
  struct hk_error err = {0};
  struct hako_list_entry *e;
  size_t n;
  if (hako_list(g->root, &e, &n, &err) < 0)
    return cli_fail(&err);
  if (quiet) {
    for (size_t i = 0; i < n; i++)
      puts(e[i].id);
  } else if (strcmp(format, "json") == 0) {
    print_json(e, n);
  } else {
    print_table(e, n);
  }
  hako_list_free(e, n);
  return 0;
}
