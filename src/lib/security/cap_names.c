/* The capability name table: names from capabilities(7), numbers from <linux/capability.h>. */
#include <linux/capability.h>
#include <stddef.h>
#include <string.h>

#include "caps.h"

#define CAP_ENTRY(n) [CAP_##n] = "CAP_" #n

static const char *const cap_names[] = {
    CAP_ENTRY(CHOWN),
    CAP_ENTRY(DAC_OVERRIDE),
    CAP_ENTRY(DAC_READ_SEARCH),
    CAP_ENTRY(FOWNER),
    CAP_ENTRY(FSETID),
    CAP_ENTRY(KILL),
    CAP_ENTRY(SETGID),
    CAP_ENTRY(SETUID),
    CAP_ENTRY(SETPCAP),
    CAP_ENTRY(LINUX_IMMUTABLE),
    CAP_ENTRY(NET_BIND_SERVICE),
    CAP_ENTRY(NET_BROADCAST),
    CAP_ENTRY(NET_ADMIN),
    CAP_ENTRY(NET_RAW),
    CAP_ENTRY(IPC_LOCK),
    CAP_ENTRY(IPC_OWNER),
    CAP_ENTRY(SYS_MODULE),
    CAP_ENTRY(SYS_RAWIO),
    CAP_ENTRY(SYS_CHROOT),
    CAP_ENTRY(SYS_PTRACE),
    CAP_ENTRY(SYS_PACCT),
    CAP_ENTRY(SYS_ADMIN),
    CAP_ENTRY(SYS_BOOT),
    CAP_ENTRY(SYS_NICE),
    CAP_ENTRY(SYS_RESOURCE),
    CAP_ENTRY(SYS_TIME),
    CAP_ENTRY(SYS_TTY_CONFIG),
    CAP_ENTRY(MKNOD),
    CAP_ENTRY(LEASE),
    CAP_ENTRY(AUDIT_WRITE),
    CAP_ENTRY(AUDIT_CONTROL),
    CAP_ENTRY(SETFCAP),
    CAP_ENTRY(MAC_OVERRIDE),
    CAP_ENTRY(MAC_ADMIN),
    CAP_ENTRY(SYSLOG),
    CAP_ENTRY(WAKE_ALARM),
    CAP_ENTRY(BLOCK_SUSPEND),
    CAP_ENTRY(AUDIT_READ),
    CAP_ENTRY(PERFMON),
    CAP_ENTRY(BPF),
    CAP_ENTRY(CHECKPOINT_RESTORE),
};

#define N_CAP_NAMES ((int)(sizeof cap_names / sizeof cap_names[0]))

_Static_assert(N_CAP_NAMES <= 64, "capability masks are 64 bits");

int hk_cap_from_name(const char *name) {
  if (!name || strncmp(name, "CAP_", 4) != 0)
    return -1;
  for (int i = 0; i < N_CAP_NAMES; i++)
    if (cap_names[i] && strcmp(name, cap_names[i]) == 0)
      return i;
  return -1;
}

const char *hk_cap_name(int cap) {
  if (cap < 0 || cap >= N_CAP_NAMES)
    return NULL;
  return cap_names[cap];
}

int hk_cap_last_known(void) {
  return N_CAP_NAMES - 1;
}
