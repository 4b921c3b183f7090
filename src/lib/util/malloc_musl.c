/* The static musl binary's malloc family is alloc.c (which says why).  musl lets a
 * static program replace malloc: these strong definitions win over libc.a's weak
 * ones, and musl's internal users of its own allocator (locales, atexit) call
 * __libc_malloc/__libc_free, which stay musl's and stay paired. */
#include <errno.h>
#include <stdlib.h>

#include "alloc.h"

void *malloc(size_t n) {
  return hk_alloc_malloc(n);
}
void free(void *p) {
  hk_alloc_free(p);
}
void *calloc(size_t count, size_t size) {
  return hk_alloc_calloc(count, size);
}
void *realloc(void *p, size_t n) {
  return hk_alloc_realloc(p, n);
}
void *aligned_alloc(size_t align, size_t n) {
  return hk_alloc_aligned(align, n);
}
void *memalign(size_t align, size_t n) {
  return hk_alloc_aligned(align, n);
}
size_t malloc_usable_size(void *p) {
  return hk_alloc_usable_size(p);
}

int posix_memalign(void **out, size_t align, size_t n) {
  if (align < sizeof(void *) || (align & (align - 1)))
    return EINVAL;
  void *p = hk_alloc_aligned(align, n);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}
