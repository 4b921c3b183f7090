/* The only place libhako writes text: a sink set by the CLI.
 * Text lines go to stderr (or --log FILE); with --log-format json each line is
 * {"level":"...","msg":"...","time":"..."} as runc writes them, which podman and
 * containerd read back. */
#ifndef HAKO_LOG_H
#define HAKO_LOG_H

#include <stdbool.h>

enum hk_log_level { HK_LOG_ERROR, HK_LOG_WARN, HK_LOG_INFO, HK_LOG_DEBUG };

/* path: NULL for stderr; json: JSON lines; debug: also emit debug level.
 * Returns 0 or -errno (the file could not be opened). */
int hk_log_init(const char *path, bool json, bool debug);
/* Redirect to an already-open fd (used for the container's log pipe). */
void hk_log_set_fd(int fd);
int hk_log_fd(void);
bool hk_log_is_json(void);
void hk_log(enum hk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hk_debug(...) hk_log(HK_LOG_DEBUG, __VA_ARGS__)
#define hk_warn(...) hk_log(HK_LOG_WARN, __VA_ARGS__)

#endif
