/* The CLI's shared pieces: global options and the command table. */
#ifndef HAKO_CLI_H
#define HAKO_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include <string.h>

#include "error.h"
#include "hako.h"

struct cli_global {
  const char *root;
  const char *log;
  bool log_json;
  bool debug;
  bool systemd_cgroup;
  const char *rootless; /* --rootless auto|true|false (checked by main) */
  const char *criu;     /* --criu: the criu binary (default: criu in PATH) */
};

static inline enum hako_rootless cli_rootless_mode(const struct cli_global *g) {
  if (g->rootless && strcmp(g->rootless, "true") == 0)
    return HAKO_ROOTLESS_TRUE;
  if (g->rootless && strcmp(g->rootless, "false") == 0)
    return HAKO_ROOTLESS_FALSE;
  return HAKO_ROOTLESS_AUTO;
}

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

/* The flag parsers of create/run and exec, apart from what the commands do
 * (the CLI fuzzer drives them): 0 with the options filled, or -1 with the
 * exit code in *rc (help printed, usage error). */
struct hako_create_opts;
struct hako_exec_opts;
int cli_parse_create(const char *name, int argc, char **argv, struct hako_create_opts *o,
                     bool *detach, bool *keep, int *rc);
int cli_parse_exec(int argc, char **argv, struct hako_exec_opts *o, int *rc);
/* Frees what cli_parse_exec allocated (the strings stay argv's). */
void cli_exec_opts_free(struct hako_exec_opts *o);

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
