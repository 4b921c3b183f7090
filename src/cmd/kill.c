#include <string.h>

#include "cli.h"
#include "hako.h"

int cmd_kill(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {0}};
  bool all = false;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("kill"), argc, argv, "a", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'a')
      all = true;
  }
  if ((rc = cli_expect_args("kill", argc, argv, optind, 1, 2)) != 0)
    return rc;
  const char *id = argv[optind];
  int sig = 15;
  if (argc - optind == 2) {
    sig = hako_parse_signal(argv[optind + 1]);
    if (sig < 0)
      return cli_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
  }
  struct hk_error err = {0};
  if (hako_kill(g->root, id, sig, all, &err) < 0)
    return cli_fail(&err);
  return 0;
}

int cmd_delete(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {0}};
  bool force = false;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("delete"), argc, argv, "f", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'f')
      force = true;
  }
  if ((rc = cli_expect_args("delete", argc, argv, optind, 1, 1)) != 0)
    return rc;
  struct hk_error err = {0};
  if (hako_delete(g->root, argv[optind], force, &err) < 0)
    return cli_fail(&err);
  return 0;
}
