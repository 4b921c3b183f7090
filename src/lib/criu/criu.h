/* Driving the criu binary (Debian packages no libcriu): find it, check that it
 * works on this kernel, and run one dump/pre-dump/restore with its command line.
 *
 * Errors name criu and what it said: the "Error" lines of its log. */
#ifndef HAKO_CRIU_H
#define HAKO_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct hk_cgroup;

/* Resolve `criu` (NULL: "criu" in PATH, then /usr/sbin and /sbin) into out. */
int hk_criu_find(const char *criu, char *out, size_t size, struct hk_error *err);
/* `criu check`: 0 when criu can checkpoint on this kernel, else an error that
 * quotes criu's own complaint. */
int hk_criu_check(const char *criu, struct hk_error *err);
/* `criu check --feature NAME`. */
bool hk_criu_has_feature(const char *criu, const char *feature);

/* An argument vector that grows (NULL-terminated). */
struct hk_argv {
  char **v;
  size_t n, cap;
  bool oom;
};
void hk_argv_add(struct hk_argv *a, const char *s);
void hk_argv_addf(struct hk_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hk_argv_free(struct hk_argv *a);

struct hk_criu_run {
  const char *criu;     /* resolved path */
  struct hk_argv *args; /* after argv[0]: "dump", "-t", ... */
  const char *log_path; /* criu's -o file, quoted on failure */
  const int *keep_fds;  /* fds the child must keep across exec (status fd, inherit-fd) */
  size_t n_keep_fds;
  /* restore: the child joins this cgroup (the restored tasks are born in it) */
  const struct hk_cgroup *cgroup;
  /* restore: in a private mount namespace, bind root_src (rec) on root_dst */
  const char *root_src, *root_dst;
  const char *what; /* "dump", "restore", ... for messages */
};
/* Fork, set up the child and exec criu; wait for it.  0 when it exited 0. */
int hk_criu_exec(const struct hk_criu_run *r, struct hk_error *err);

#endif
