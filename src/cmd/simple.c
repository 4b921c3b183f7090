/* The commands that take only an id: start, state. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "hako.h"

static int parse_id_only(const char *name, int argc, char **argv, const char **id) {
  int rc = 0, c;
  while ((c = cli_getopt(cli_find(name), argc, argv, "", NULL, &rc)) != -1)
    if (c == -2)
      return rc ? rc : -1;
  if ((rc = cli_expect_args(name, argc, argv, optind, 1, 1)) != 0)
    return rc;
  *id = argv[optind];
  return 0;
}

int cmd_start(struct cli_global *g, int argc, char **argv) {
  const char *id;
  int rc = parse_id_only("start", argc, argv, &id);
  if (rc)
    return rc < 0 ? 0 : rc;
  struct hk_error err = {0};
  if (hako_start(g->root, id, &err) < 0)
    return cli_fail(&err);
  return 0;
}

int cmd_state(struct cli_global *g, int argc, char **argv) {
  const char *id;
  int rc = parse_id_only("state", argc, argv, &id);
  if (rc)
    return rc < 0 ? 0 : rc;
  struct hk_error err = {0};
  char *json;
  if (hako_state(g->root, id, &json, &err) < 0)
    return cli_fail(&err);
  puts(json);
  free(json);
  return 0;
}
