/* UTC timestamps (RFC 3339) for state.json and the JSON log. */
#include <stdio.h>

#include "utc.h"

/* glibc's gmtime_r loads the time zone file on first use; UTC needs none of
 * it.  Days since the epoch to a proleptic Gregorian date, by 400-year eras. */
void hk_utc_format(const struct timespec *ts, char *buf, size_t size, bool nanos) {
  long long secs = ts->tv_sec;
  long long days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  days += 719468; /* shift the epoch to 0000-03-01 */
  long long era = (days >= 0 ? days : days - 146096) / 146097;
  long long doe = days - era * 146097;                                   /* [0, 146096] */
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  long long mp = (5 * doy + 2) / 153;                                    /* March = 0 */
  int day = (int)(doy - (153 * mp + 2) / 5 + 1);
  int month = (int)(mp < 10 ? mp + 3 : mp - 9);
  long long year = yoe + era * 400 + (month <= 2);
  int n = snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d", year, month, day,
                   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
  if (nanos && n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, ".%09ldZ", ts->tv_nsec);
}
