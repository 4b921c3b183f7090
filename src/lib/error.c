#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void format_into(char *buf, size_t size, const char *fmt, va_list ap) {
  int n = vsnprintf(buf, size, fmt, ap);
  if (n < 0)
    buf[0] = 0;
}

int hk_error_set(struct hk_error *err, int code, const char *fmt, ...) {
  if (code <= 0)
    code = EINVAL;
  if (err && !hk_error_is_set(err)) {
    va_list ap;
    va_start(ap, fmt);
    format_into(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return err && err->code ? -err->code : -code;
}

int hk_error_sys(struct hk_error *err, const char *fmt, ...) {
  int code = errno ? errno : EIO;
  if (err && !hk_error_is_set(err)) {
    va_list ap;
    va_start(ap, fmt);
    format_into(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(code));
    err->code = code;
  }
  return err && err->code ? -err->code : -code;
}

int hk_error_prefix(struct hk_error *err, const char *fmt, ...) {
  char prefix[HK_ERROR_MAX], old[HK_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  format_into(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
  if (!err->code)
    err->code = EINVAL;
  return -err->code;
}

void hk_error_clear(struct hk_error *err) {
  err->code = 0;
  err->msg[0] = 0;
}
