#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hako.h"

enum {
  OPT_PROCESS = 256,
  OPT_CONSOLE,
  OPT_PIDFILE,
  OPT_CWD,
  OPT_ADDGIDS,
  OPT_CAP,
  OPT_NNP,
  OPT_APPARMOR,
  OPT_LABEL,
  OPT_PRESERVE,
  OPT_IGNORE_PAUSED,
  OPT_CGROUP,
};

static int push(char ***v, size_t *n, char *s) {
  char **nv = realloc(*v, (*n + 2) * sizeof *nv);
  if (!nv)
    return -1;
  nv[(*n)++] = s;
  nv[*n] = NULL;
  *v = nv;
  return 0;
}

static int parse_gids(const char *s, struct hako_exec_opts *o) {
  char *copy = strdup(s), *save = NULL;
  if (!copy)
    return -1;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char *end;
    unsigned long g = strtoul(t, &end, 10);
    if (*end || end == t) {
      free(copy);
      return -1;
    }
    uint32_t *ng = realloc(o->additional_gids, (o->n_additional_gids + 1) * sizeof *ng);
    if (!ng) {
      free(copy);
      return -1;
    }
    ng[o->n_additional_gids++] = (uint32_t)g;
    o->additional_gids = ng;
  }
  free(copy);
  return 0;
}

int cli_parse_exec(int argc, char **argv, struct hako_exec_opts *out, int *rcp) {
  static const struct option opts[] = {
      {"process", required_argument, NULL, 'p'},
      {"tty", no_argument, NULL, 't'},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"cwd", required_argument, NULL, OPT_CWD},
      {"env", required_argument, NULL, 'e'},
      {"user", required_argument, NULL, 'u'},
      {"additional-gids", required_argument, NULL, 'g'},
      {"cap", required_argument, NULL, 'c'},
      {"no-new-privs", no_argument, NULL, OPT_NNP},
      {"apparmor", required_argument, NULL, OPT_APPARMOR},
      {"process-label", required_argument, NULL, OPT_LABEL},
      {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
      {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
      {"cgroup", required_argument, NULL, OPT_CGROUP},
      {0},
  };
  struct hako_exec_opts o = *out;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("exec"), argc, argv, "p:tde:u:g:c:", opts, &rc)) != -1) {
    switch (c) {
    case -2:
      goto stop;
    case 'p':
      o.process_file = optarg;
      break;
    case 't':
      o.tty = o.tty_set = true;
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
    case OPT_CWD:
      o.cwd = optarg;
      break;
    case 'e':
      if (!strchr(optarg, '=')) {
        rc = cli_usage_error("exec", "--env %s: expected KEY=VALUE", optarg);
        goto stop;
      }
      push(&o.env, &o.n_env, optarg);
      break;
    case 'u':
      o.user = optarg;
      break;
    case 'g':
      if (parse_gids(optarg, &o) < 0) {
        rc = cli_usage_error("exec", "--additional-gids %s: expected numbers", optarg);
        goto stop;
      }
      break;
    case 'c':
      push(&o.caps, &o.n_caps, optarg);
      break;
    case OPT_NNP:
      o.no_new_privs = true;
      break;
    case OPT_APPARMOR:
      o.apparmor = optarg;
      break;
    case OPT_LABEL:
      o.process_label = optarg;
      break;
    case OPT_PRESERVE: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 0 || n > 65536) {
        rc = cli_usage_error("exec", "--preserve-fds: invalid number \"%s\"", optarg);
        goto stop;
      }
      o.preserve_fds = (int)n;
      break;
    }
    case OPT_IGNORE_PAUSED:
      o.ignore_paused = true;
      break;
    case OPT_CGROUP:
      push(&o.cgroups, &o.n_cgroups, optarg);
      break;
    }
  }
  if ((rc = cli_expect_args("exec", argc, argv, optind, o.process_file ? 1 : 2, -1)) != 0)
    goto stop;
  o.id = argv[optind];
  o.args = argv + optind + 1;
  o.n_args = (size_t)(argc - optind - 1);
  *out = o;
  return 0;
stop:
  *out = o;
  *rcp = rc;
  return -1;
}

void cli_exec_opts_free(struct hako_exec_opts *o) {
  free(o->env);
  free(o->caps);
  free(o->cgroups);
  free(o->additional_gids);
}

int cmd_exec(struct cli_global *g, int argc, char **argv) {
  struct hako_exec_opts o = {.root = g->root};
  int rc = 0;
  if (cli_parse_exec(argc, argv, &o, &rc) < 0)
    goto out;
  struct hk_error err = {0};
  int status = 0;
  if (hako_exec(&o, &status, &err) < 0) {
    cli_fail(&err);
    rc = 255; /* runc's exit code for an exec that could not start */
  } else {
    rc = status;
  }
out:
  cli_exec_opts_free(&o);
  return rc;
}
