/* The error object every library function fills on failure.
 * Functions return 0 or a negative errno-style code; the message says what
 * failed, on which path or field, and why. The CLI prints it once. */
#ifndef HAKO_ERROR_H
#define HAKO_ERROR_H

#include <stddef.h>

#define HK_ERROR_MAX 1024

struct hk_error {
  int code;               /* positive errno, 0 when unset */
  char msg[HK_ERROR_MAX]; /* empty when unset */
};

/* Set the error (printf-style) and return -code (or -EINVAL when code is 0).
 * A message is only set once: the first, innermost failure wins, so callers
 * can add context with hk_error_prefix(). */
int hk_error_set(struct hk_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like hk_error_set() with code = errno and ": strerror(errno)" appended. */
int hk_error_sys(struct hk_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend "<context>: " to an existing message. Returns -err->code. */
int hk_error_prefix(struct hk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int hk_error_is_set(const struct hk_error *err) { return err->msg[0] != 0; }
void hk_error_clear(struct hk_error *err);

#endif
