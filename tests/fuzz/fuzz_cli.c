/* libFuzzer target: the command-line parsers of create/run and exec (the
 * flag loops of src/cmd, without doing anything).  The input is the argument
 * vector, one argument per line; the first line picks the command. */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hako.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool quiet;
  if (!quiet) {
    hk_log_init("/dev/null", false, false);
    quiet = true;
  }
  char *buf = malloc(size + 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  buf[size] = 0;
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  for (char *save = NULL, *t = strtok_r(buf, "\n", &save); t && argc < MAX_ARGS;
       t = strtok_r(NULL, "\n", &save))
    argv[argc++] = t;
  argv[argc] = NULL;
  if (argc == 0) {
    free(buf);
    return 0;
  }
  optind = 0; /* glibc: a full reset of getopt's state */
  int rc = 0;
  const char *cmd = argv[0];
  if (strcmp(cmd, "exec") == 0) {
    struct hako_exec_opts o = {.root = "/nonexistent"};
    if (cli_parse_exec(argc, argv, &o, &rc) == 0 && (!o.id || (!o.process_file && !o.n_args)))
      abort(); /* success promises an id and something to run */
    cli_exec_opts_free(&o);
  } else {
    bool detach = false, keep = false;
    bool run = strcmp(cmd, "run") == 0;
    struct hako_create_opts o = {.root = "/nonexistent"};
    if (cli_parse_create(run ? "run" : "create", argc, argv, &o, run ? &detach : NULL,
                         run ? &keep : NULL, &rc) == 0 &&
        (!o.id || o.preserve_fds < 0))
      abort();
  }
  free(buf);
  return 0;
}
