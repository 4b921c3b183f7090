/* Shared by the halves of the seccomp code: the rules the compiler collects from the config,
 * the BPF generator that turns them into a program, and the compiled filter init loads. */
#ifndef HAKO_SECURITY_SECCOMP_INTERNAL_H
#define HAKO_SECURITY_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "seccomp.h"

struct hk_seccomp_filter {
  unsigned long flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
  bool notify;         /* some rule uses SCMP_ACT_NOTIFY */
  unsigned short len;  /* instructions in prog */
  struct sock_filter prog[];
};

/* The arch blocks of a filter: what seccomp_data.arch says.  x32 syscalls arrive in the x86_64
 * block, with __X32_SYSCALL_BIT set in the number. */
enum hk_sc_block { HK_SC_BLOCK_X86_64, HK_SC_BLOCK_I386, HK_SC_BLOCKS };

/* libseccomp's comparison semantics, on the 64-bit argument (the low 32 bits for i386 and x32):
 * MASKED_EQ is (arg & a) == b, the others compare arg with a, unsigned. */
enum hk_sc_op { HK_SC_NE, HK_SC_LT, HK_SC_LE, HK_SC_EQ, HK_SC_GE, HK_SC_GT, HK_SC_MASKED_EQ };

struct hk_sc_cond {
  uint8_t arg; /* 0..5 */
  uint8_t op;  /* enum hk_sc_op */
  uint64_t a, b;
};

/* One rule: the action for syscall nr of a block when all its conditions hold. */
struct hk_sc_rule {
  uint32_t nr;
  uint32_t action; /* SECCOMP_RET_* with its data */
  uint32_t seq;    /* order of addition: the earlier of two conflicting rules wins */
  uint8_t block;   /* enum hk_sc_block */
  uint8_t n_conds;
  struct hk_sc_cond conds[6];
};

struct hk_sc_rules {
  struct hk_sc_rule *v;
  size_t n, cap;
  uint32_t default_action;
  bool i386; /* SCMP_ARCH_X86 listed: an i386 block */
  bool x32;  /* SCMP_ARCH_X32 listed: x32 numbers in the x86_64 block are not a bad arch */
};

/* Append a copy of r (its seq is set here); -ENOMEM on failure. */
int hk_sc_rules_add(struct hk_sc_rules *rs, const struct hk_sc_rule *r);
void hk_sc_rules_free(struct hk_sc_rules *rs);

/* The program for rs, with these semantics (libseccomp's, which runc and crun use):
 *   - an arch that is not in the filter gets SECCOMP_RET_KILL_THREAD;
 *   - in the x86_64 block, numbers with the x32 bit get that too unless x32 is listed; the
 *     number -1 (a tracer skipping a syscall) gets the default action;
 *   - a syscall with an unconditional rule gets that rule's action, whatever conditional rules
 *     it also has (the earliest unconditional rule wins);
 *   - otherwise the first conditional rule whose conditions all hold decides, else the default.
 * Syscall numbers are dispatched through a binary search over ranges of equal outcome.
 * *prog is malloc'ed; its length is at most BPF_MAXINSNS. */
int hk_seccomp_generate(struct hk_sc_rules *rs, struct sock_filter **prog, size_t *len,
                        struct hk_error *err);

#endif
