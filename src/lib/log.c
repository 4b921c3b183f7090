#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utc.h"

/* The log sink is the one piece of global mutable state the library has. */
static int log_fd = STDERR_FILENO;
static bool log_json;
static bool log_debug;

int hk_log_init(const char *path, bool json, bool debug) {
  log_json = json;
  log_debug = debug;
  if (path && *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
      return -errno;
    log_fd = fd;
  }
  return 0;
}

void hk_log_set_fd(int fd) { log_fd = fd; }
int hk_log_fd(void) { return log_fd; }
bool hk_log_is_json(void) { return log_json; }

static const char *level_name(enum hk_log_level level) {
  switch (level) {
  case HK_LOG_ERROR:
    return "error";
  case HK_LOG_WARN:
    return "warning";
  case HK_LOG_INFO:
    return "info";
  default:
    return "debug";
  }
}

/* JSON string escaping for the message; control characters become \u00XX. */
static size_t json_escape(char *out, size_t size, const char *in) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 7 < size; p++) {
    if (*p == '"' || *p == '\\') {
      out[o++] = '\\';
      out[o++] = (char)*p;
    } else if (*p == '\n') {
      out[o++] = '\\';
      out[o++] = 'n';
    } else if (*p < 0x20) {
      o += (size_t)snprintf(out + o, size - o, "\\u%04x", *p);
    } else {
      out[o++] = (char)*p;
    }
  }
  out[o] = 0;
  return o;
}

void hk_log(enum hk_log_level level, const char *fmt, ...) {
  if (level == HK_LOG_DEBUG && !log_debug)
    return;
  int saved = errno;
  char msg[2048], line[4608];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int n;
  if (log_json) {
    char esc[4200];
    char stamp[64];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    hk_utc_format(&ts, stamp, sizeof stamp, false);
    json_escape(esc, sizeof esc, msg);
    n = snprintf(line, sizeof line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
                 level_name(level), esc, stamp, ts.tv_nsec);
  } else if (level == HK_LOG_ERROR) {
    n = snprintf(line, sizeof line, "hako: %s\n", msg);
  } else {
    n = snprintf(line, sizeof line, "hako[%s]: %s\n", level_name(level), msg);
  }
  if (n > (int)sizeof line - 1)
    n = sizeof line - 1;
  if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
    /* nowhere left to report a failing log sink */
  }
  errno = saved;
}
