/* The layout of struct hk_seccomp_filter, shared by the compile and load halves. */
#ifndef HAKO_SECURITY_SECCOMP_INTERNAL_H
#define HAKO_SECURITY_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>

#include "seccomp.h"

struct hk_seccomp_filter {
  unsigned long flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
  bool notify;         /* some rule uses SCMP_ACT_NOTIFY */
  unsigned short len;  /* instructions in prog */
  struct sock_filter prog[];
};

#endif
