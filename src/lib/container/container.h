/* Internal helpers shared by the lifecycle commands. */
#ifndef HAKO_CONTAINER_H
#define HAKO_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "error.h"
#include "spec.h"
#include "state.h"

/* An open, locked container: its state dir fd and loaded state. */
struct hk_container {
  int dirfd;
  struct hk_state st;
  bool no_hooks; /* known to have no hooks (run's own create): config.json is not read */
};

int hk_container_open(const char *root, const char *id, struct hk_container *c,
                      struct hk_error *err);
/* The same for commands that only read (state, ps): without the lock while
 * state.json can be read whole (see hk_state_read), locked otherwise. */
int hk_container_open_ro(const char *root, const char *id, struct hk_container *c,
                         struct hk_error *err);
void hk_container_close(struct hk_container *c);
/* The config stored in the state dir at create time. */
int hk_container_load_spec(const struct hk_container *c, struct hk_spec **spec,
                           struct hk_error *err);
/* The same for start and delete, which want only its hooks: *spec stays NULL when the
 * text cannot hold any (no "hooks", and no \u escape that could spell it), and the
 * parse (three per `run`) is skipped. */
int hk_container_load_spec_for_hooks(const struct hk_container *c, struct hk_spec **spec,
                                     struct hk_error *err);
/* The container's cgroup from the serialized form create stored; *cg is
 * NULL (and 0 returned) for a container without one. */
struct hk_cgroup;
int hk_container_load_cgroup(const struct hk_container *c, struct hk_cgroup **cg,
                             struct hk_error *err);
/* Signal init (pidfd, after checking it is still the same process). */
int hk_container_signal_init(const struct hk_container *c, int sig, struct hk_error *err);
/* Wait (polling) until init is gone; false on timeout. */
bool hk_container_wait_gone(const struct hk_container *c, int timeout_ms);
/* Remove everything the container left: poststop hooks, cgroup, state dir. */
int hk_container_destroy(const char *root, struct hk_container *c, struct hk_error *err);
/* Refuse configs that ask for what this build does not do yet. */
int hk_check_supported(const struct hk_spec *spec, struct hk_error *err);
/* Device cgroup rules: deny all, the config's, runc's defaults, linux.devices.
 * The array borrows strings from spec; free only the array. */
int hk_device_rules_build(const struct hk_spec *spec, struct hk_device_rule **out, size_t *n,
                          struct hk_error *err);
/* Write pid to path atomically (temp file + rename in the same dir). */
int hk_write_pid_file(const char *path, pid_t pid, struct hk_error *err);
/* NOTIFY_SOCKET: create adds the socket's mount and env to spec; start binds
 * it (returns the fd, -1 when not asked for, or -errno) and then waits for
 * READY=1 and forwards it to the caller's socket. */
int hk_notify_prepare(struct hk_spec *spec, const char *root, const char *id, int dirfd,
                      struct hk_error *err);
int hk_notify_listen(const struct hk_container *c, char **host_path, struct hk_error *err);
int hk_notify_wait(const struct hk_container *c, int sock, const char *host_path,
                   struct hk_error *err);
/* Forward SIGINT, SIGTERM, ... to pid (0: hold them until pid is known). */
void hk_forward_signals(pid_t pid);
/* Reap until pid exits and stop forwarding; its exit status (128+N for a
 * signal, 255 when it cannot be waited for). */
int hk_wait_exit(pid_t pid);
/* restore's stand-in for launching init: create prepares the container as
 * usual (config, state dir, cgroup with its limits, state.json) and then
 * calls run, which brings the process tree back and sets *pid to its init. */
struct hk_cgroup;
struct hako_create_opts;
struct hk_restore_launch {
  int (*run)(void *arg, const struct hk_spec *spec, const char *rootfs, int dirfd,
             const struct hk_cgroup *cg, pid_t *pid, struct hk_error *err);
  void *arg;
  bool subreaper;
};
/* hako_create, or with restore set, the same container brought back by criu
 * (no exec.fifo: it is running). */
int hk_create_container(const struct hako_create_opts *o, const struct hk_restore_launch *restore,
                        pid_t *init_pid, struct hk_error *err);
/* create for run: the same, and on success *kept is the new container, still locked (its
 * state as saved), so that start follows without opening and reading it again.
 * With term (run in the foreground), a config that wants a terminal and has no
 * --console-socket gets one that term then holds the master of (term_proxy.c). */
struct hk_term_proxy;
int hk_create_container_kept(const struct hako_create_opts *o, struct hk_term_proxy *term,
                             pid_t *init_pid, struct hk_container *kept, struct hk_error *err);

/* The foreground terminal of run and exec without --console-socket (term_proxy.c). */
struct hk_term_proxy {
  int sock;   /* our end of the pair the container side sends the pty master on */
  int master; /* the pty master once taken, else -1 */
  bool raw;   /* the caller's terminal was made raw: close restores it */
  struct termios saved;
};
/* A socketpair: *child_end goes where a connected --console-socket would. */
int hk_term_proxy_open(struct hk_term_proxy *t, int *child_end, struct hk_error *err);
/* Once the process is ready (it sends its terminal before): false when it sent none. */
bool hk_term_proxy_take(struct hk_term_proxy *t);
/* Make the caller's terminal raw and give the pty its size (nothing when stdin is no tty). */
void hk_term_proxy_begin(struct hk_term_proxy *t);
/* Copy stdin to the pty and the pty to stdout until pid exits (window size changes passed
 * on); pid's exit status, as hk_wait_exit gives it. */
int hk_term_proxy_wait(struct hk_term_proxy *t, pid_t pid);
/* Restore the caller's terminal, close what is open. */
void hk_term_proxy_close(struct hk_term_proxy *t);
/* start of an open, locked container in the created state (hako_start after its checks). */
int hk_container_start(struct hk_container *c, struct hk_error *err);
/* RFC 3339 timestamp with nanoseconds, UTC. */
void hk_now_rfc3339(char *buf, size_t size);

/* exec --user UID[:GID]: fills u->uid (and u->gid when given); an error
 * names the flag. */
int hk_parse_user_spec(const char *s, struct hk_user *u, struct hk_error *err);

#endif
