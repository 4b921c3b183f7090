/* The channel between the launcher and the processes it clones: a
 * SOCK_SEQPACKET socketpair, so every message arrives whole. An fd can travel
 * with a message (SCM_RIGHTS), e.g. the seccomp listener. */
#ifndef HAKO_SYNC_H
#define HAKO_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum hk_sync_type {
  HK_SYNC_NEED_MAPS = 1, /* child -> launcher: write uid/gid maps of pid `value` */
  HK_SYNC_MAPS_DONE,     /* launcher -> child */
  HK_SYNC_INIT_PID,      /* intermediate -> launcher: init's pid (host view) in `value` */
  HK_SYNC_GO,            /* launcher -> init: maps written, netdevs moved (value: pid) */
  HK_SYNC_RUN_HOOKS,     /* init -> launcher: run createRuntime/prestart hooks now */
  HK_SYNC_HOOKS_DONE,    /* launcher -> init */
  HK_SYNC_SECCOMP_FD,    /* init -> launcher: the seccomp notify fd travels with it */
  HK_SYNC_SECCOMP_DONE,  /* launcher -> init */
  HK_SYNC_READY,         /* init -> launcher: set up, waiting for start */
  HK_SYNC_ERROR,         /* any -> launcher: text holds the message */
};

struct hk_sync_msg {
  uint32_t type;
  int32_t value;
  char text[1024 - 8];
};

int hk_sync_pair(int fds[2], struct hk_error *err);
/* Send a message; fd >= 0 travels with it. */
int hk_sync_send(int sock, uint32_t type, int32_t value, const char *text, int fd);
/* Receive one message; *fd receives a passed fd or -1 (fd may be NULL).
 * Returns 0, -EPIPE when the peer went away, or -errno. */
int hk_sync_recv(int sock, struct hk_sync_msg *msg, int *fd);
/* Receive a message and require `type`; an HK_SYNC_ERROR from the peer is
 * copied into err; a closed channel is reported as `what` failing. */
int hk_sync_expect(int sock, uint32_t type, struct hk_sync_msg *msg, const char *what,
                   struct hk_error *err);
/* Report err to the launcher (child side), best effort. */
void hk_sync_send_error(int sock, const struct hk_error *err);
/* After a step of ours failed because the peer went away: when the peer left
 * an error message (it failed first), that one explains, so it replaces err. */
void hk_sync_prefer_peer_error(int sock, struct hk_error *err);

#endif
