#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mount_api.h"

#include "rootfs.h"


struct flag_opt {
  const char *name;
  bool clear; /* the option clears the flag ("rw", "suid", ...) */
  unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

static const struct {
  const char *name;
  unsigned long flags;
} propagation_opts[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive attributes applied with mount_setattr(AT_RECURSIVE).  The atime
 * modes are one field of the kernel's attributes, not bits: they are kept
 * apart in rec_atime. */
static const struct {
  const char *name;
  bool clear;
  uint64_t attr;
} rec_opts[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

static const struct {
  const char *name;
  int mode;
} rec_atime_opts[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},   {"rnorelatime", MOUNT_ATTR_RELATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},     {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

unsigned long hk_propagation_flags(const char *name) {
  for (size_t i = 0; i < N_OF(propagation_opts); i++)
    if (strcmp(name, propagation_opts[i].name) == 0)
      return propagation_opts[i].flags;
  return 0;
}

static int append_data(char **data, const char *opt) {
  size_t old = *data ? strlen(*data) : 0;
  char *nd = realloc(*data, old + strlen(opt) + 2);
  if (!nd)
    return -ENOMEM;
  if (old)
    nd[old++] = ',';
  strcpy(nd + old, opt);
  *data = nd;
  return 0;
}

static bool parse_flag(const char *opt, struct hk_mount_opts *out) {
  for (size_t i = 0; i < N_OF(flag_opts); i++) {
    if (strcmp(opt, flag_opts[i].name) != 0)
      continue;
    if (flag_opts[i].clear) {
      out->flags &= ~flag_opts[i].flag;
      out->clear |= flag_opts[i].flag;
    } else {
      out->flags |= flag_opts[i].flag;
      out->clear &= ~flag_opts[i].flag;
    }
    return true;
  }
  return false;
}

static bool parse_rec(const char *opt, struct hk_mount_opts *out) {
  for (size_t i = 0; i < N_OF(rec_opts); i++) {
    if (strcmp(opt, rec_opts[i].name) != 0)
      continue;
    if (rec_opts[i].clear) {
      out->rec_clear |= rec_opts[i].attr;
      out->rec_set &= ~rec_opts[i].attr;
    } else {
      out->rec_set |= rec_opts[i].attr;
      out->rec_clear &= ~rec_opts[i].attr;
    }
    return true;
  }
  for (size_t i = 0; i < N_OF(rec_atime_opts); i++) {
    if (strcmp(opt, rec_atime_opts[i].name) == 0) {
      out->rec_atime = rec_atime_opts[i].mode;
      return true;
    }
  }
  return false;
}

int hk_mount_opts_parse(char *const *options, size_t n, bool is_bind, const char *where,
                        struct hk_mount_opts *out, struct hk_error *err) {
  memset(out, 0, sizeof *out);
  out->rec_atime = -1;
  for (size_t i = 0; i < n; i++) {
    const char *opt = options[i];
    unsigned long prop;
    if (strcmp(opt, "bind") == 0) {
      out->bind = true;
    } else if (strcmp(opt, "rbind") == 0) {
      out->bind = out->rec = true;
    } else if (strcmp(opt, "idmap") == 0) {
      out->idmap = true;
    } else if (strcmp(opt, "ridmap") == 0) {
      out->idmap = out->ridmap = true;
    } else if (strcmp(opt, "defaults") == 0) {
      /* no-op, as in fstab */
    } else if ((prop = hk_propagation_flags(opt)) != 0) {
      out->propagation = prop;
    } else if (parse_flag(opt, out) || parse_rec(opt, out)) {
      /* handled */
    } else if (is_bind || out->bind) {
      hk_mount_opts_clear(out);
      return hk_error_set(err, EINVAL, "%s[%zu]: unknown mount option \"%s\"", where, i, opt);
    } else if (strcmp(opt, "tmpcopyup") == 0) {
      out->tmpcopyup = true;
    } else if (append_data(&out->data, opt) < 0) {
      hk_mount_opts_clear(out);
      return hk_error_set(err, ENOMEM, "%s: out of memory", where);
    }
  }
  return 0;
}

void hk_mount_opts_clear(struct hk_mount_opts *o) {
  free(o->data);
  o->data = NULL;
}
