#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hako.h"

enum { OPT_CONSOLE = 256, OPT_PIDFILE, OPT_PRESERVE, OPT_NOPIVOT, OPT_NOKEYRING, OPT_KEEP };

/* create and run share their flags; run adds --detach and --keep. */
int cli_parse_create(const char *name, int argc, char **argv, struct hako_create_opts *o,
                     bool *detach, bool *keep, int *rc) {
  static const struct option opts[] = {
      {"bundle", required_argument, NULL, 'b'},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
      {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
      {"no-new-keyring", no_argument, NULL, OPT_NOKEYRING},
      {"detach", no_argument, NULL, 'd'},
      {"keep", no_argument, NULL, OPT_KEEP},
      {0},
  };
  const struct cli_command *cmd = cli_find(name);
  int c;
  while ((c = cli_getopt(cmd, argc, argv, detach ? "b:d" : "b:", opts, rc)) != -1) {
    switch (c) {
    case -2:
      return -1;
    case 'b':
      o->bundle = optarg;
      break;
    case OPT_CONSOLE:
      o->console_socket = optarg;
      break;
    case OPT_PIDFILE:
      o->pid_file = optarg;
      break;
    case OPT_PRESERVE: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 0 || n > 65536) {
        *rc = cli_usage_error(name, "--preserve-fds: invalid number \"%s\"", optarg);
        return -1;
      }
      o->preserve_fds = (int)n;
      break;
    }
    case OPT_NOPIVOT:
      o->no_pivot = true;
      break;
    case OPT_NOKEYRING:
      o->no_new_keyring = true;
      break;
    case 'd':
      if (!detach) {
        *rc = cli_usage_error(name, "unknown option --detach");
        return -1;
      }
      *detach = true;
      break;
    case OPT_KEEP:
      if (!keep) {
        *rc = cli_usage_error(name, "unknown option --keep");
        return -1;
      }
      *keep = true;
      break;
    }
  }
  if ((*rc = cli_expect_args(name, argc, argv, optind, 1, 1)) != 0)
    return -1;
  o->id = argv[optind];
  return 0;
}

int cmd_create(struct cli_global *g, int argc, char **argv) {
  struct hako_create_opts o = {.root = g->root, .rootless = cli_rootless_mode(g)};
  int rc = 0;
  if (cli_parse_create("create", argc, argv, &o, NULL, NULL, &rc) < 0)
    return rc;
  struct hk_error err = {0};
  pid_t pid;
  if (hako_create(&o, &pid, &err) < 0)
    return cli_fail(&err);
  return 0;
}

int cmd_run(struct cli_global *g, int argc, char **argv) {
  struct hako_create_opts o = {.root = g->root, .rootless = cli_rootless_mode(g)};
  bool detach = false, keep = false;
  int rc = 0;
  if (cli_parse_create("run", argc, argv, &o, &detach, &keep, &rc) < 0)
    return rc;
  struct hk_error err = {0};
  int status = 0;
  if (hako_run(&o, detach, keep, &status, &err) < 0)
    return cli_fail(&err);
  return status;
}
