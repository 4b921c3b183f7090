/* The commands that take only an id: start, state. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "hako.h"

int cmd_start(struct cli_global *g, int argc, char **argv) {
  const char *id = NULL;
  int rc = cli_id_only("start", argc, argv, &id);
  if (rc >= 0)
    return rc;
  struct hk_error err = {0};
  if (hako_start(g->root, id, &err) < 0)
    return cli_fail(&err);
  return 0;
}

int cmd_state(struct cli_global *g, int argc, char **argv) {
  const char *id = NULL;
  int rc = cli_id_only("state", argc, argv, &id);
  if (rc >= 0)
    return rc;
  struct hk_error err = {0};
  char *json;
  if (hako_state(g->root, id, &json, &err) < 0)
    return cli_fail(&err);
  puts(json);
  free(json);
  return 0;
}
