/* The CLI's shared pieces: global options and the command table. */
#ifndef HAKO_CLI_H
#define HAKO_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "error.h"

struct cli_global {
  const char *root;
  const char *log;
  bool log_json;
  bool debug;
  bool systemd_cgroup;
  const char *rootless;
  const char *criu; /* --criu: the criu binary (default: criu in PATH) */
};

struct cli_command {
  const char *name;
  const char *summary;
  const char *usage; /* the option lines of `hako <cmd> --help` */
  int (*run)(struct cli_global *g, int argc, char **argv);
};

/* Print err once (to stderr, and to --log in the chosen format) and return 1. */
int cli_fail(const struct hk_error *err);
/* "hako <cmd> --help" text; returns 0. */
int cli_help(const struct cli_command *cmd);
/* An argument error: message + hint, returns 1 (runc's exit code for usage errors). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Require exactly `n` positional args after options. */
int cli_expect_args(const char *cmd, int argc, char **argv, int first, int min, int max);
/* getopt_long over a command's options; -h/--help prints the command's help.
 * Returns the option, -1 at the end, or -2 after printing help/usage (the
 * command then returns *rc). */
int cli_getopt(const struct cli_command *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, int *rc);
const struct cli_command *cli_find(const char *name);
/* A command with no options and exactly one argument, the container id:
 * -1 with *id set, or the exit code to return (help printed, usage error). */
int cli_id_only(const char *name, int argc, char **argv, const char **id);

#define CLI_DECLARE(fn) int fn(struct cli_global *g, int argc, char **argv)
CLI_DECLARE(cmd_create);
CLI_DECLARE(cmd_start);
CLI_DECLARE(cmd_run);
CLI_DECLARE(cmd_state);
CLI_DECLARE(cmd_kill);
CLI_DECLARE(cmd_delete);
CLI_DECLARE(cmd_list);
CLI_DECLARE(cmd_spec);
CLI_DECLARE(cmd_features);
CLI_DECLARE(cmd_exec);
CLI_DECLARE(cmd_pause);
CLI_DECLARE(cmd_resume);
CLI_DECLARE(cmd_ps);
CLI_DECLARE(cmd_update);
CLI_DECLARE(cmd_events);
CLI_DECLARE(cmd_checkpoint);
CLI_DECLARE(cmd_restore);

#endif
