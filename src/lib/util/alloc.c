/* The heap of the released binary (malloc_musl.c makes these musl's malloc & co).
 *
 * musl's mallocng gives freed memory back to the kernel eagerly: one `run` made about
 * forty mmap/munmap pairs and the page faults behind them for the same few hundred
 * KiB, about 8% of its CPU time (perf record on bench/lifecycle's loop).  A hako
 * process lives for one command, or waits with a small heap that no longer changes
 * (init, `run` waiting for its container), so this heap takes memory from the kernel
 * in chunks and keeps it: power-of-two size classes from 16 bytes to 64 KiB, one free
 * list each, carved from 256 KiB mappings; a larger request gets a mapping of its own,
 * unmapped on free (mremap on realloc).
 *
 * Not thread-safe: hako has no threads (a forked child gets its own copy, as with any
 * allocator).  No checks for double or foreign frees: the sanitizer and valgrind builds
 * use glibc's malloc, and tests/unit/test_alloc.c runs this one under ASan. */
#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_SHIFT 4  /* 16 bytes: the smallest class, and the alignment */
#define MAX_SHIFT 16 /* 64 KiB: the largest class */
#define N_CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK_SIZE ((size_t)256 << 10)
#define PAGE ((size_t)4096)
#define OWN_MAPPING ((size_t)1) /* in size: the block is a mapping of its own */

/* 16 bytes before every block, so that payloads stay 16-aligned */
struct block {
  size_t size;   /* class size, or the mapping's length | OWN_MAPPING */
  size_t offset; /* own mappings: how far the block starts into its mapping */
};

static struct {
  char *cur, *end;            /* the unused rest of the current chunk */
  void *free_list[N_CLASSES]; /* freed payloads; the next one's address is stored in each */
} heap;

static unsigned class_of(size_t n) {
  if (n <= ((size_t)1 << MIN_SHIFT))
    return 0;
  return (unsigned)(64 - __builtin_clzl(n - 1)) - MIN_SHIFT;
}

static size_t class_size(unsigned c) {
  return (size_t)1 << (c + MIN_SHIFT);
}

static struct block *block_of(void *p) {
  return (struct block *)p - 1;
}

static void push_free(unsigned c, void *payload) {
  *(void **)payload = heap.free_list[c];
  heap.free_list[c] = payload;
}

/* A new chunk; what is left of the old one becomes free blocks, largest first. */
static int grow(void) {
  for (unsigned c = N_CLASSES; c-- > 0;) {
    size_t need = sizeof(struct block) + class_size(c);
    while ((size_t)(heap.end - heap.cur) >= need) {
      struct block *b = (struct block *)heap.cur;
      b->size = class_size(c);
      heap.cur += need;
      push_free(c, b + 1);
    }
  }
  void *m = mmap(NULL, CHUNK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return -1;
  heap.cur = m;
  heap.end = heap.cur + CHUNK_SIZE;
  return 0;
}

/* A mapping of its own for n bytes, the payload aligned to `align` (a power of two). */
static void *own_mapping(size_t n, size_t align) {
  size_t extra = sizeof(struct block) + (align > 16 ? align : 0);
  if (n > SIZE_MAX - extra - PAGE) {
    errno = ENOMEM;
    return NULL;
  }
  size_t len = (n + extra + PAGE - 1) & ~(PAGE - 1);
  char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    errno = ENOMEM;
    return NULL;
  }
  uintptr_t payload = (uintptr_t)base + sizeof(struct block);
  if (align > 16)
    payload = (payload + align - 1) & ~(uintptr_t)(align - 1);
  struct block *b = (struct block *)payload - 1;
  b->size = len | OWN_MAPPING;
  b->offset = (size_t)((char *)b - base);
  return (void *)payload;
}

void *hk_alloc_malloc(size_t n) {
  if (n > class_size(N_CLASSES - 1))
    return own_mapping(n, 16);
  unsigned c = class_of(n);
  void *p = heap.free_list[c];
  if (p) {
    heap.free_list[c] = *(void **)p;
    return p;
  }
  size_t need = sizeof(struct block) + class_size(c);
  if ((size_t)(heap.end - heap.cur) < need && grow() < 0) {
    errno = ENOMEM;
    return NULL;
  }
  struct block *b = (struct block *)heap.cur;
  heap.cur += need;
  b->size = class_size(c);
  return b + 1;
}

void hk_alloc_free(void *p) {
  if (!p)
    return;
  struct block *b = block_of(p);
  if (b->size & OWN_MAPPING) {
    munmap((char *)b - b->offset, b->size & ~OWN_MAPPING);
    return;
  }
  push_free(class_of(b->size), p);
}

size_t hk_alloc_usable_size(void *p) {
  if (!p)
    return 0;
  struct block *b = block_of(p);
  if (b->size & OWN_MAPPING)
    return (b->size & ~OWN_MAPPING) - b->offset - sizeof(struct block);
  return b->size;
}

void *hk_alloc_calloc(size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  void *p = hk_alloc_malloc(n);
  /* a fresh mapping is zero already; a block from a chunk may have been used */
  if (p && !(block_of(p)->size & OWN_MAPPING))
    memset(p, 0, n);
  return p;
}

void *hk_alloc_realloc(void *p, size_t n) {
  if (!p)
    return hk_alloc_malloc(n);
  struct block *b = block_of(p);
  size_t have = hk_alloc_usable_size(p);
  if (n <= have)
    return p;
  if ((b->size & OWN_MAPPING) && b->offset == 0 && n <= SIZE_MAX - sizeof(struct block) - PAGE) {
    size_t len = (n + sizeof(struct block) + PAGE - 1) & ~(PAGE - 1);
    void *m = mremap(b, b->size & ~OWN_MAPPING, len, MREMAP_MAYMOVE);
    if (m == MAP_FAILED) {
      errno = ENOMEM;
      return NULL;
    }
    b = m;
    b->size = len | OWN_MAPPING;
    return b + 1;
  }
  void *q = hk_alloc_malloc(n);
  if (!q)
    return NULL;
  memcpy(q, p, have);
  hk_alloc_free(p);
  return q;
}

void *hk_alloc_aligned(size_t align, size_t n) {
  if (!align || (align & (align - 1))) {
    errno = EINVAL;
    return NULL;
  }
  return align <= 16 ? hk_alloc_malloc(n) : own_mapping(n, align);
}
