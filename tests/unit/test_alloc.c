/* The released binary's heap (src/lib/util/alloc.c), called by its own names so that it
 * runs here under glibc, ASan and valgrind: sizes, alignment, reuse, zeroing, growth
 * across classes and into mappings of their own, and a long random run in which every
 * live block keeps its own byte pattern. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"

static void fill(unsigned char *p, size_t n, unsigned char seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (unsigned char)(seed + i * 7);
}

static void check(const unsigned char *p, size_t n, unsigned char seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(seed + i * 7))
      fail_msg("byte %zu of %zu changed", i, n);
}

static void sizes_alignment_and_usable_size(void **state) {
  (void)state;
  static const size_t sizes[] = {0,     1,     15,    16,    17,      31,           32,
                                 33,    100,   1000,  4095,  4096,    4097,         32768,
                                 65535, 65536, 65537, 70000, 1 << 20, (1 << 20) + 3};
  void *p[sizeof sizes / sizeof *sizes];
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    p[i] = hk_alloc_malloc(sizes[i]);
    assert_non_null(p[i]);
    assert_int_equal((uintptr_t)p[i] % 16, 0);
    assert_true(hk_alloc_usable_size(p[i]) >= sizes[i]);
    fill(p[i], sizes[i], (unsigned char)i);
  }
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    check(p[i], sizes[i], (unsigned char)i);
    hk_alloc_free(p[i]);
  }
  hk_alloc_free(NULL);
  assert_int_equal(hk_alloc_usable_size(NULL), 0);
}

static void freed_blocks_are_reused_by_their_class(void **state) {
  (void)state;
  void *a = hk_alloc_malloc(40);
  hk_alloc_free(a);
  assert_ptr_equal(hk_alloc_malloc(64), a); /* 40 and 64 share the 64-byte class */
  void *b = hk_alloc_malloc(65);
  assert_ptr_not_equal(b, a);
  hk_alloc_free(b);
  hk_alloc_free(a);
}

static void calloc_zeroes_reused_memory_and_checks_overflow(void **state) {
  (void)state;
  unsigned char *a = hk_alloc_malloc(200);
  memset(a, 0xAB, 200);
  hk_alloc_free(a);
  unsigned char *z = hk_alloc_calloc(25, 8);
  assert_ptr_equal(z, a);
  for (size_t i = 0; i < 200; i++)
    assert_int_equal(z[i], 0);
  hk_alloc_free(z);
  unsigned char *big = hk_alloc_calloc(1, 300000);
  assert_non_null(big);
  assert_int_equal(big[0] | big[299999], 0);
  hk_alloc_free(big);
  errno = 0;
  assert_null(hk_alloc_calloc(SIZE_MAX / 2, 3));
  assert_int_equal(errno, ENOMEM);
}

static void realloc_keeps_the_contents(void **state) {
  (void)state;
  unsigned char *p = hk_alloc_realloc(NULL, 10);
  fill(p, 10, 1);
  /* within the class: the same block */
  assert_ptr_equal(hk_alloc_realloc(p, 16), p);
  /* class to class, class to its own mapping, then a larger mapping (mremap) */
  static const size_t steps[] = {16, 100, 5000, 65536, 100000, 3 << 20, 5 << 20};
  size_t have = 10;
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    p = hk_alloc_realloc(p, steps[i]);
    assert_non_null(p);
    check(p, have, 1);
    fill(p, steps[i], 1);
    have = steps[i];
  }
  /* shrinking keeps the block */
  assert_ptr_equal(hk_alloc_realloc(p, 10), p);
  check(p, 10, 1);
  hk_alloc_free(p);
}

static void aligned_allocations(void **state) {
  (void)state;
  static const size_t aligns[] = {1, 8, 16, 32, 64, 4096, 8192, 65536};
  for (size_t i = 0; i < sizeof aligns / sizeof *aligns; i++) {
    void *p = hk_alloc_aligned(aligns[i], 1000);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % aligns[i], 0);
    assert_true(hk_alloc_usable_size(p) >= 1000);
    fill(p, 1000, 3);
    check(p, 1000, 3);
    hk_alloc_free(p);
  }
  errno = 0;
  assert_null(hk_alloc_aligned(24, 10));
  assert_int_equal(errno, EINVAL);
}

/* Blocks of every class and a few mappings, allocated, resized and freed at random. */
static void random_run_keeps_every_block_intact(void **state) {
  (void)state;
  enum { SLOTS = 512, OPS = 200000 };
  unsigned char *p[SLOTS] = {0};
  size_t n[SLOTS] = {0};
  unsigned seed = 12345;
  for (int op = 0; op < OPS; op++) {
    seed = seed * 1103515245u + 12345u;
    size_t i = (seed >> 8) % SLOTS;
    size_t size = (seed >> 4) % 97 == 0 ? 70000 + (seed % 200000) : (seed >> 3) % 3000;
    if (p[i])
      check(p[i], n[i], (unsigned char)i);
    switch ((seed >> 20) % 3) {
    case 0:
      hk_alloc_free(p[i]);
      p[i] = hk_alloc_malloc(size);
      break;
    case 1: {
      unsigned char *q = hk_alloc_realloc(p[i], size);
      assert_non_null(q);
      if (p[i])
        check(q, n[i] < size ? n[i] : size, (unsigned char)i);
      p[i] = q;
      break;
    }
    default:
      hk_alloc_free(p[i]);
      p[i] = NULL;
      size = 0;
    }
    if (p[i]) {
      assert_int_equal((uintptr_t)p[i] % 16, 0);
      fill(p[i], size, (unsigned char)i);
    }
    n[i] = p[i] ? size : 0;
  }
  for (size_t i = 0; i < SLOTS; i++) {
    if (p[i])
      check(p[i], n[i], (unsigned char)i);
    hk_alloc_free(p[i]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sizes_alignment_and_usable_size),
      cmocka_unit_test(freed_blocks_are_reused_by_their_class),
      cmocka_unit_test(calloc_zeroes_reused_memory_and_checks_overflow),
      cmocka_unit_test(realloc_keeps_the_contents),
      cmocka_unit_test(aligned_allocations),
      cmocka_unit_test(random_run_keeps_every_block_intact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
