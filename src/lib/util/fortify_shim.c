/* jansson and libseccomp come as glibc-built static archives compiled with
 * _FORTIFY_SOURCE; when hako links them against musl, these four checked
 * entry points are missing.  They keep the checks: a destination smaller than
 * the length the caller claims aborts, as glibc's would. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen);

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap) {
  (void)flag;
  if (slen < maxlen)
    abort();
  return vsnprintf(s, maxlen, fmt, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = __vsnprintf_chk(s, maxlen, flag, slen, fmt, ap);
  va_end(ap);
  return n;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...) {
  (void)flag;
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}

char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen) {
  if (dstlen < n)
    abort();
  return strncpy(dst, src, n);
}
