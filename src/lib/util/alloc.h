/* hako's heap for the released (static musl) binary: alloc.c says why and how;
 * malloc_musl.c installs it as malloc.  The unit test calls it by these names. */
#ifndef HAKO_ALLOC_H
#define HAKO_ALLOC_H

#include <stddef.h>

void *hk_alloc_malloc(size_t n);
void hk_alloc_free(void *p);
void *hk_alloc_calloc(size_t count, size_t size);
void *hk_alloc_realloc(void *p, size_t n);
/* align: a power of two (EINVAL otherwise) */
void *hk_alloc_aligned(size_t align, size_t n);
size_t hk_alloc_usable_size(void *p);

#endif
