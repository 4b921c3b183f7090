/* checkpoint and restore: runc's flags, libhako's criu driver. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hako.h"

enum {
  OPT_IMAGE = 256,
  OPT_WORK,
  OPT_PARENT,
  OPT_LEAVE,
  OPT_TCP,
  OPT_EXTUNIX,
  OPT_SHELL,
  OPT_LOCKS,
  OPT_PREDUMP,
  OPT_CGMODE,
  OPT_EMPTYNS,
  OPT_DEDUP,
  OPT_LAZY,
  OPT_PAGESRV,
  OPT_STATUSFD,
  OPT_CONSOLE,
  OPT_PIDFILE,
  OPT_NOSUBREAPER,
  OPT_NOPIVOT,
  OPT_LSMPROFILE,
  OPT_LSMMOUNT
};

/* Help exits 0 only when criu works here: podman probes `checkpoint --help`
 * to learn whether the runtime can checkpoint. */
static int help_or_usage(const struct cli_global *g, int rc) {
  if (rc != 0)
    return rc;
  struct hk_error err = {0};
  if (hako_criu_usable(g->criu, &err) < 0)
    return cli_fail(&err);
  return 0;
}

/* The options both commands take; 1 when handled, 0 when not one of them, -1 on error. */
static int common_opt(const char *cmd, int c, struct hako_criu_opts *o, int *rc) {
  switch (c) {
  case OPT_IMAGE:
    o->image_path = optarg;
    return 1;
  case OPT_WORK:
    o->work_path = optarg;
    return 1;
  case OPT_TCP:
    o->tcp_established = true;
    return 1;
  case OPT_EXTUNIX:
    o->ext_unix_sk = true;
    return 1;
  case OPT_SHELL:
    o->shell_job = true;
    return 1;
  case OPT_LOCKS:
    o->file_locks = true;
    return 1;
  case OPT_DEDUP:
    o->auto_dedup = true;
    return 1;
  case OPT_LAZY:
    o->lazy_pages = true;
    return 1;
  case OPT_CGMODE:
    if (strcmp(optarg, "soft") && strcmp(optarg, "full") && strcmp(optarg, "strict") &&
        strcmp(optarg, "ignore")) {
      *rc = cli_usage_error(cmd,
                            "invalid --manage-cgroups-mode value \"%s\" (soft, full, "
                            "strict or ignore)",
                            optarg);
      return -1;
    }
    o->manage_cgroups_mode = optarg;
    return 1;
  case OPT_EMPTYNS:
    /* criu can leave only the network namespace empty */
    if (strcmp(optarg, "network") != 0) {
      *rc = cli_usage_error(cmd,
                            "--empty-ns \"%s\": namespace is not supported (criu can "
                            "only leave \"network\" empty)",
                            optarg);
      return -1;
    }
    o->empty_ns |= CLONE_NEWNET;
    return 1;
  }
  return 0;
}

#define COMMON_OPTS                                                                                \
  {"image-path", required_argument, NULL, OPT_IMAGE},                                              \
      {"work-path", required_argument, NULL, OPT_WORK},                                            \
      {"tcp-established", no_argument, NULL, OPT_TCP},                                             \
      {"ext-unix-sk", no_argument, NULL, OPT_EXTUNIX},                                             \
      {"shell-job", no_argument, NULL, OPT_SHELL}, {"file-locks", no_argument, NULL, OPT_LOCKS},   \
      {"manage-cgroups-mode", required_argument, NULL, OPT_CGMODE},                                \
      {"empty-ns", required_argument, NULL, OPT_EMPTYNS},                                          \
      {"auto-dedup", no_argument, NULL, OPT_DEDUP}, {                                              \
    "lazy-pages", no_argument, NULL, OPT_LAZY                                                      \
  }

int cmd_checkpoint(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {
      COMMON_OPTS,
      {"parent-path", required_argument, NULL, OPT_PARENT},
      {"leave-running", no_argument, NULL, OPT_LEAVE},
      {"pre-dump", no_argument, NULL, OPT_PREDUMP},
      {"page-server", required_argument, NULL, OPT_PAGESRV},
      {"status-fd", required_argument, NULL, OPT_STATUSFD},
      {0},
  };
  struct hako_criu_opts o = {.root = g->root, .criu = g->criu, .status_fd = -1};
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("checkpoint"), argc, argv, "", opts, &rc)) != -1) {
    if (c == -2)
      return help_or_usage(g, rc);
    int h = common_opt("checkpoint", c, &o, &rc);
    if (h < 0)
      return rc;
    if (h)
      continue;
    switch (c) {
    case OPT_PARENT:
      o.parent_path = optarg;
      break;
    case OPT_LEAVE:
      o.leave_running = true;
      break;
    case OPT_PREDUMP:
      o.pre_dump = true;
      break;
    case OPT_PAGESRV:
      o.page_server = optarg;
      break;
    case OPT_STATUSFD: {
      char *end;
      long fd = strtol(optarg, &end, 10);
      if (!*optarg || *end || fd < 0 || fd > 1 << 20)
        return cli_usage_error("checkpoint", "--status-fd: invalid fd \"%s\"", optarg);
      o.status_fd = (int)fd;
      break;
    }
    }
  }
  if ((rc = cli_expect_args("checkpoint", argc, argv, optind, 1, 1)) != 0)
    return rc;
  o.id = argv[optind];
  struct hk_error err = {0};
  if (hako_checkpoint(&o, &err) < 0)
    return cli_fail(&err);
  return 0;
}

int cmd_restore(struct cli_global *g, int argc, char **argv) {
  static const struct option opts[] = {
      COMMON_OPTS,
      {"bundle", required_argument, NULL, 'b'},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"no-subreaper", no_argument, NULL, OPT_NOSUBREAPER},
      {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
      {"lsm-profile", required_argument, NULL, OPT_LSMPROFILE},
      {"lsm-mount-context", required_argument, NULL, OPT_LSMMOUNT},
      {0},
  };
  struct hako_criu_opts o = {.root = g->root, .criu = g->criu, .status_fd = -1};
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("restore"), argc, argv, "b:d", opts, &rc)) != -1) {
    if (c == -2)
      return help_or_usage(g, rc);
    int h = common_opt("restore", c, &o, &rc);
    if (h < 0)
      return rc;
    if (h)
      continue;
    switch (c) {
    case 'b':
      o.bundle = optarg;
      break;
    case OPT_CONSOLE:
      o.console_socket = optarg;
      break;
    case 'd':
      o.detach = true;
      break;
    case OPT_PIDFILE:
      o.pid_file = optarg;
      break;
    case OPT_NOSUBREAPER:
      o.no_subreaper = true;
      break;
    case OPT_NOPIVOT:
      o.no_pivot = true;
      break;
    case OPT_LSMPROFILE:
      o.lsm_profile = optarg;
      break;
    case OPT_LSMMOUNT:
      o.lsm_mount_context = optarg;
      break;
    }
  }
  if ((rc = cli_expect_args("restore", argc, argv, optind, 1, 1)) != 0)
    return rc;
  o.id = argv[optind];
  struct hk_error err = {0};
  int status = 0;
  if (hako_restore(&o, &status, &err) < 0)
    return cli_fail(&err);
  return status;
}
