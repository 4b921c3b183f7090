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
                        "pid", json_integer(e[i].pid), "status", json_string(e[i].status),
                        "bundle", json_string(e[i].bundle), "rootfs", json_string(e[i].rootfs),
                        "created", json_string(e[i].created), "owner", json_string(e[i].owner),
                        NULL);
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
    printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
    for (size_t i = 0; i < n; i++)
      printf("%-12s %-10d %-10s %-40s %-30s %s\n", e[i].id, (int)e[i].pid, e[i].status,
             e[i].bundle, e[i].created, e[i].owner);
  }
  hako_list_free(e, n);
  return 0;
}
