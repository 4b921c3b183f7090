/* Pure helpers of src/lib/util: the UTC formatter against glibc's gmtime_r. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util.h"

static void expect_same_as_gmtime(time_t t) {
  struct tm tm;
  assert_non_null(gmtime_r(&t, &tm));
  char want[64], got[64];
  snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.000000042Z", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  struct timespec ts = {.tv_sec = t, .tv_nsec = 42};
  hk_utc_format(&ts, got, sizeof got, true);
  assert_string_equal(got, want);
}

static void utc_format_matches_gmtime(void **state) {
  (void)state;
  static const time_t fixed[] = {0,          -1,         59,         86399,      86400,
                                 951782400,  951868800,  1709164800, 4107542400, -86401,
                                 -62135596800LL, 253402300799LL};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    expect_same_as_gmtime(fixed[i]);
  /* every day over a few centuries, at an odd second of the day */
  for (time_t t = -4102444800LL; t < 7258118400LL; t += 86400 + 3607)
    expect_same_as_gmtime(t);
}

static void utc_format_without_nanos_and_short_buffer(void **state) {
  (void)state;
  struct timespec ts = {.tv_sec = 1795928654, .tv_nsec = 5};
  char buf[64];
  hk_utc_format(&ts, buf, sizeof buf, false);
  assert_string_equal(buf, "2026-11-29T05:04:14");
  char small[8];
  hk_utc_format(&ts, small, sizeof small, true);
  assert_string_equal(small, "2026-11");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(utc_format_matches_gmtime),
      cmocka_unit_test(utc_format_without_nanos_and_short_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
