#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hako.h"

int cmd_spec(struct cli_global *g, int argc, char **argv) {
  (void)g;
  enum { OPT_ROOTLESS = 256 };
  static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
                                       {"rootless", no_argument, NULL, OPT_ROOTLESS},
                                       {0}};
  const char *bundle = ".";
  bool rootless = false;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("spec"), argc, argv, "b:", opts, &rc)) != -1) {
    if (c == -2)
      return rc;
    if (c == 'b')
      bundle = optarg;
    else if (c == OPT_ROOTLESS)
      rootless = true;
  }
  struct hk_error err = {0};
  char path[4096];
  snprintf(path, sizeof path, "%s/config.json", bundle);
  char *json = hako_spec_json(rootless);
  if (!json) {
    hk_error_set(&err, ENOMEM, "spec: out of memory");
    return cli_fail(&err);
  }
  /* like runc, never overwrite an existing config */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST)
      hk_error_set(&err, EEXIST, "File %s exists. Remove it first", path);
    else
      hk_error_sys(&err, "create %s", path);
    free(json);
    return cli_fail(&err);
  }
  size_t len = strlen(json);
  ssize_t n = write(fd, json, len);
  int w = n == (ssize_t)len ? (int)write(fd, "\n", 1) : -1;
  if (n != (ssize_t)len || w != 1 || close(fd) < 0) {
    hk_error_sys(&err, "write %s", path);
    free(json);
    return cli_fail(&err);
  }
  free(json);
  return 0;
}

int cmd_features(struct cli_global *g, int argc, char **argv) {
  (void)g;
  int rc = 0, c;
  while ((c = cli_getopt(cli_find("features"), argc, argv, "", NULL, &rc)) != -1)
    if (c == -2)
      return rc;
  char *json = hako_features_json();
  if (!json)
    return 1;
  puts(json);
  free(json);
  return 0;
}
