/* Capabilities: spec names -> masks (launcher), masks -> kernel (init). */
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

int hk_cap_last_cap(void) {
  /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability: a binary search
   * is six prctl calls, cheaper than /proc/sys/kernel/cap_last_cap (a sysctl read) and it
   * needs no procfs (init, before /proc is mounted) */
  int lo = 0, hi = 64; /* CAP 0 always exists; the answer is in [lo, hi) */
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    if (prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) < 0 && errno == EINVAL)
      hi = mid;
    else
      lo = mid;
  }
  return lo;
}

/* The bounding set of this process (the launcher's: what init inherits). */
static uint64_t own_bounding_set(int last_cap) {
  uint64_t set = 0;
  for (int c = 0; c <= last_cap; c++)
    if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 1)
      set |= CAP_BIT(c);
  return set;
}

/* Report a capability that is left out: with HK_CAPS_STRICT the error;
 * otherwise a warning, or only a debug line for what runc drops silently
 * (configs from `runc spec` list ambient caps that are not inheritable). */
static int leave_out_as(bool quiet, unsigned flags, struct hk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int leave_out_as(bool quiet, unsigned flags, struct hk_error *err, const char *fmt, ...) {
  char msg[HK_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (flags & HK_CAPS_STRICT)
    return hk_error_set(err, EINVAL, "%s", msg);
  if (quiet)
    hk_debug("%s; leaving it out", msg);
  else
    hk_warn("%s; leaving it out", msg);
  return 0;
}
#define leave_out(...) leave_out_as(false, __VA_ARGS__)
#define leave_out_quietly(...) leave_out_as(true, __VA_ARGS__)

static int names_to_mask(const char *set_name, char *const *names, size_t n, uint64_t granted,
                         unsigned flags, struct hk_caps *out, uint64_t *mask,
                         struct hk_error *err) {
  for (size_t i = 0; i < n; i++) {
    const char *name = names[i];
    int cap = hk_cap_from_name(name);
    int r = 0;
    if (cap < 0) {
      r = leave_out(flags, err, "process.capabilities.%s: unknown capability \"%s\"", set_name,
                    name ? name : "(null)");
    } else if (cap > out->last_cap) {
      out->unavailable |= CAP_BIT(cap);
      r = leave_out(flags, err,
                    "process.capabilities.%s: %s is not known to the running kernel "
                    "(cap_last_cap is %d)",
                    set_name, name, out->last_cap);
    } else if (!(granted & CAP_BIT(cap))) {
      out->unavailable |= CAP_BIT(cap);
      r = leave_out(flags, err,
                    "process.capabilities.%s: %s is not in hako's bounding set, so it cannot "
                    "be given to the container",
                    set_name, name);
    } else {
      *mask |= CAP_BIT(cap);
    }
    if (r < 0)
      return r;
  }
  return 0;
}

/* The first capability in mask, for messages. */
static const char *first_cap_name(uint64_t mask) {
  for (int c = 0; c < 64; c++)
    if (mask & CAP_BIT(c))
      return hk_cap_name(c) ? hk_cap_name(c) : "(unknown capability)";
  return "(none)";
}

int hk_caps_from_spec_ex(const struct hk_capabilities *spec_caps, unsigned flags,
                         struct hk_caps *out, struct hk_error *err) {
  memset(out, 0, sizeof *out);
  out->last_cap = hk_cap_last_cap();
  if (!spec_caps)
    return 0;
  out->has_caps = true;

  uint64_t granted;
  if (flags & HK_CAPS_NEW_USERNS) /* a new user namespace starts with a full bounding set */
    granted = out->last_cap >= 63 ? ~UINT64_C(0) : CAP_BIT(out->last_cap + 1) - 1;
  else
    granted = own_bounding_set(out->last_cap);

  const struct {
    const char *name;
    char *const *names;
    size_t n;
    uint64_t *mask;
  } sets[] = {
      {"bounding", spec_caps->bounding, spec_caps->n_bounding, &out->bounding},
      {"effective", spec_caps->effective, spec_caps->n_effective, &out->effective},
      {"permitted", spec_caps->permitted, spec_caps->n_permitted, &out->permitted},
      {"inheritable", spec_caps->inheritable, spec_caps->n_inheritable, &out->inheritable},
      {"ambient", spec_caps->ambient, spec_caps->n_ambient, &out->ambient},
  };
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    int r = names_to_mask(sets[i].name, sets[i].names, sets[i].n, granted, flags, out, sets[i].mask,
                          err);
    if (r < 0)
      return r;
  }

  /* capset(2) refuses an effective cap that is not permitted: a mistake in the config. */
  uint64_t extra = out->effective & ~out->permitted;
  if (extra)
    return hk_error_set(err, EINVAL,
                        "process.capabilities.effective: %s is not in the permitted set, so it "
                        "cannot be effective",
                        first_cap_name(extra));
  /* capset(2) refuses a new inheritable cap outside the bounding set. */
  extra = out->inheritable & ~out->bounding;
  if (extra) {
    int r = leave_out_quietly(flags, err,
                      "process.capabilities.inheritable: %s is not in the bounding set, so it "
                      "cannot be inheritable",
                      first_cap_name(extra));
    if (r < 0)
      return r;
    out->inheritable &= out->bounding;
  }
  /* The kernel raises an ambient cap only when it is permitted and inheritable. */
  extra = out->ambient & ~(out->permitted & out->inheritable);
  if (extra) {
    int r = leave_out_quietly(flags, err,
                      "process.capabilities.ambient: %s is not both permitted and inheritable, "
                      "so it cannot be ambient",
                      first_cap_name(extra));
    if (r < 0)
      return r;
    out->ambient &= out->permitted & out->inheritable;
  }
  return 0;
}

int hk_caps_from_spec(const struct hk_capabilities *spec_caps, struct hk_caps *out,
                      struct hk_error *err) {
  return hk_caps_from_spec_ex(spec_caps, 0, out, err);
}

/* ---- init side: raw syscalls, no allocation ---- */

static int caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh) {
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &hdr, data) < 0)
    return -1;
  *eff = data[0].effective | (uint64_t)data[1].effective << 32;
  *prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
  *inh = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
  return 0;
}

static int caps_set(uint64_t eff, uint64_t prm, uint64_t inh) {
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {
      {.effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh},
      {.effective = (uint32_t)(eff >> 32),
       .permitted = (uint32_t)(prm >> 32),
       .inheritable = (uint32_t)(inh >> 32)},
  };
  return (int)syscall(SYS_capset, &hdr, data);
}

int hk_caps_prepare_setuid(struct hk_error *err) {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return hk_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
  return 0;
}

int hk_caps_apply_bounding(const struct hk_caps *caps, struct hk_error *err) {
  int last = caps->last_cap > 0 ? caps->last_cap : hk_cap_last_cap();
  uint64_t eff, prm, inh;
  if (caps_get(&eff, &prm, &inh) < 0)
    return hk_error_sys(err, "capget");
  /* After setresuid() to a non-root uid the effective set is empty even with keepcaps: make
   * the permitted caps effective again so CAP_SETPCAP (and CAP_SYS_ADMIN for seccomp) work. */
  if ((prm & ~eff) && caps_set(prm, prm, inh) < 0)
    return hk_error_sys(err, "capset: raising the effective capabilities");
  for (int c = 0; c <= last; c++) {
    if (caps->bounding & CAP_BIT(c))
      continue;
    int in = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);
    if (in == 0 || (in < 0 && errno == EINVAL))
      continue;
    if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0) {
      if (errno == EINVAL)
        continue;
      const char *name = hk_cap_name(c);
      return name ? hk_error_sys(err, "dropping %s from the bounding set", name)
                  : hk_error_sys(err, "dropping capability %d from the bounding set", c);
    }
  }
  return 0;
}

int hk_caps_apply_final(const struct hk_caps *caps, struct hk_error *err) {
  if (caps_set(caps->effective, caps->permitted, caps->inheritable) < 0) {
    int saved = errno;
    uint64_t eff = 0, prm = 0, inh = 0;
    if (saved == EPERM && caps_get(&eff, &prm, &inh) == 0 && (caps->permitted & ~prm)) {
      errno = saved;
      return hk_error_sys(err, "process.capabilities.permitted: cannot grant %s",
                          first_cap_name(caps->permitted & ~prm));
    }
    errno = saved;
    return hk_error_sys(err, "capset(effective=%#llx, permitted=%#llx, inheritable=%#llx)",
                        (unsigned long long)caps->effective, (unsigned long long)caps->permitted,
                        (unsigned long long)caps->inheritable);
  }
  /* Ambient: clear, then raise.  EINVAL on the clear means a kernel without ambient caps
   * (< 4.3): nothing to do there, as runc. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
    if (errno != EINVAL)
      return hk_error_sys(err, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  } else {
    for (int c = 0; c < 64; c++) {
      if (!(caps->ambient & CAP_BIT(c)))
        continue;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0) {
        const char *name = hk_cap_name(c);
        return hk_error_sys(err, "process.capabilities.ambient: raising %s",
                            name ? name : "capability");
      }
    }
  }
  /* execve() clears it too; clear it now so nothing in between relies on it. */
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return hk_error_sys(err, "prctl(PR_SET_KEEPCAPS, 0)");
  return 0;
}

int hk_caps_apply(const struct hk_caps *caps, struct hk_error *err) {
  int r = hk_caps_apply_bounding(caps, err);
  if (r < 0)
    return r;
  return hk_caps_apply_final(caps, err);
}
