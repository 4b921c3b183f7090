/* run = create + start (+ wait, forwarding signals, + delete). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "hako.h"
#include "ns.h"

int hako_run(const struct hako_create_opts *o, bool detach, bool keep, int *exit_status,
             struct hk_error *err) {
  /* in the foreground without --console-socket a terminal, if the config asks for one, is
   * ours to copy to and from (runc does the same) */
  struct hk_term_proxy term = {.sock = -1, .master = -1};
  pid_t pid;
  struct hk_container c;
  int r = hk_create_container_kept(o, detach ? NULL : &term, &pid, &c, err);
  if (r < 0) {
    hk_term_proxy_close(&term);
    return r;
  }
  bool tty = term.sock >= 0 && hk_term_proxy_take(&term);
  if (!detach)
    hk_forward_signals(pid);
  if (tty)
    hk_term_proxy_begin(&term);
  /* still locked since create: nothing can have changed it */
  r = hk_container_start(&c, err);
  hk_container_close(&c);
  if (r < 0) {
    hk_term_proxy_close(&term);
    struct hk_error ignored = {0};
    hako_delete(o->root, o->id, true, &ignored);
    return r;
  }
  if (detach)
    return 0;
  *exit_status = tty ? hk_term_proxy_wait(&term, pid) : hk_wait_exit(pid);
  hk_term_proxy_close(&term);
  return keep ? 0 : hako_delete(o->root, o->id, true, err);
}

bool hako_in_user_namespace(void) {
  return hk_in_user_ns();
}

char *hako_spec_json(bool rootless) {
  return hk_spec_default_json(rootless, geteuid(), getegid());
}
