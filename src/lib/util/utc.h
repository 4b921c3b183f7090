/* UTC timestamps without the C library's time zone machinery. Depends on
 * nothing else of libhako (log.c uses it). */
#ifndef HAKO_UTC_H
#define HAKO_UTC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* "YYYY-MM-DDTHH:MM:SS" in UTC, plus ".nnnnnnnnnZ" when nanos. */
void hk_utc_format(const struct timespec *ts, char *buf, size_t size, bool nanos);

#endif
