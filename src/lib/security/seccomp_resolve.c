/* Name lookups in the generated syscall table, and i386's multiplexed calls. */
#include <linux/ipc.h>
#include <linux/net.h>
#include <stddef.h>
#include <string.h>

#include "security/seccomp_syscalls.h"

#define I386_SOCKETCALL 102
#define I386_IPC 117

const struct hk_syscall_row *hk_syscall_lookup(const char *name) {
  unsigned lo = 0, hi = hk_syscall_count;
  while (lo < hi) {
    unsigned mid = lo + (hi - lo) / 2;
    int c = strcmp(name, hk_syscall_names + hk_syscall_rows[mid].name);
    if (c == 0)
      return &hk_syscall_rows[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

int hk_syscall_multiplexed(const char *name, uint32_t *mux_nr, uint32_t *call) {
  static const struct {
    const char *name;
    uint8_t ipc; /* 0: socketcall(2), 1: ipc(2) */
    uint8_t call;
  } calls[] = {
      {"accept", 0, SYS_ACCEPT},
      {"accept4", 0, SYS_ACCEPT4},
      {"bind", 0, SYS_BIND},
      {"connect", 0, SYS_CONNECT},
      {"getpeername", 0, SYS_GETPEERNAME},
      {"getsockname", 0, SYS_GETSOCKNAME},
      {"getsockopt", 0, SYS_GETSOCKOPT},
      {"listen", 0, SYS_LISTEN},
      {"msgctl", 1, MSGCTL},
      {"msgget", 1, MSGGET},
      {"msgrcv", 1, MSGRCV},
      {"msgsnd", 1, MSGSND},
      {"recv", 0, SYS_RECV},
      {"recvfrom", 0, SYS_RECVFROM},
      {"recvmmsg", 0, SYS_RECVMMSG},
      {"recvmsg", 0, SYS_RECVMSG},
      {"semctl", 1, SEMCTL},
      {"semget", 1, SEMGET},
      {"semop", 1, SEMOP},
      {"semtimedop", 1, SEMTIMEDOP},
      {"send", 0, SYS_SEND},
      {"sendmmsg", 0, SYS_SENDMMSG},
      {"sendmsg", 0, SYS_SENDMSG},
      {"sendto", 0, SYS_SENDTO},
      {"setsockopt", 0, SYS_SETSOCKOPT},
      {"shmat", 1, SHMAT},
      {"shmctl", 1, SHMCTL},
      {"shmdt", 1, SHMDT},
      {"shmget", 1, SHMGET},
      {"shutdown", 0, SYS_SHUTDOWN},
      {"socket", 0, SYS_SOCKET},
      {"socketpair", 0, SYS_SOCKETPAIR},
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (strcmp(name, calls[i].name) == 0) {
      *mux_nr = calls[i].ipc ? I386_IPC : I386_SOCKETCALL;
      *call = calls[i].call;
      return 1;
    }
  return 0;
}
