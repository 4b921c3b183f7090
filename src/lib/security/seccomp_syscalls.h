/* Syscall names -> numbers for the seccomp compiler, per ABI the filter can meet on x86_64:
 * x86_64 itself, i386 (AUDIT_ARCH_I386) and x32 (AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT).
 * The table (seccomp_syscalls.c in the build dir) is generated from the kernel UAPI headers by
 * tools/gen_seccomp_syscalls.py. */
#ifndef HAKO_SECURITY_SECCOMP_SYSCALLS_H
#define HAKO_SECURITY_SECCOMP_SYSCALLS_H

#include <stdint.h>

enum hk_abi { HK_ABI_X86_64, HK_ABI_I386, HK_ABI_X32, HK_ABI_COUNT };

struct hk_syscall_row {
  uint16_t name;            /* offset into hk_syscall_names */
  int16_t nr[HK_ABI_COUNT]; /* -1: the ABI has no such syscall; x32 without the x32 bit */
};

extern const char hk_syscall_names[];
extern const struct hk_syscall_row hk_syscall_rows[];
extern const unsigned hk_syscall_count;

/* The row of name, or NULL when no ABI knows it. */
const struct hk_syscall_row *hk_syscall_lookup(const char *name);

/* i386 reaches the socket and SysV IPC calls through socketcall(2) and ipc(2) too: the
 * multiplexer's syscall number on i386 and the call number its first argument carries, or
 * 0 when name is not one of them. */
int hk_syscall_multiplexed(const char *name, uint32_t *mux_nr, uint32_t *call);

#endif
