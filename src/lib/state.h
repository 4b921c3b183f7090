/* <root>/<id>/: the container's state directory.
 *
 * Files: state.json (written atomically), config.json (the validated config as
 * create saw it, so a changed bundle cannot affect the container), exec.fifo
 * (exists from create until start: init blocks opening it for writing), and
 * cgroup (the cgroup driver's serialized placement).  The directory fd is
 * flock()ed so commands on one id serialize; readers (state, list, ps) skip
 * the lock when state.json reads whole (hk_state_read). */
#ifndef HAKO_STATE_H
#define HAKO_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum hk_status {
  HK_STATUS_CREATING,
  HK_STATUS_CREATED,
  HK_STATUS_RUNNING,
  HK_STATUS_PAUSED,
  HK_STATUS_STOPPED
};

struct hk_state {
  char *id;
  char *bundle;
  char *rootfs;
  char *oci_version;
  pid_t pid;
  unsigned long long pid_start_time;
  char *created; /* RFC 3339 */
  uid_t owner;
  char *annotations_json; /* a JSON object, "{}" when none */
  bool has_cgroup;
  bool paused;           /* set by pause/resume */
  enum hk_status status; /* computed on load from the pid and exec.fifo */
};

#define HK_STATE_ID_MAX 1024

/* Container ids: no '/', no "." or "..", no control characters, bounded length. */
int hk_state_validate_id(const char *id, struct hk_error *err);
/* Create <root> (0700) if missing, then <root>/<id> exclusively; returns its O_DIRECTORY fd. */
int hk_state_create_dir(const char *root, const char *id, struct hk_error *err);
/* Open an existing state dir; -ENOENT with "container \"id\" does not exist". */
int hk_state_open_dir(const char *root, const char *id, struct hk_error *err);
/* flock() the dir fd (exclusive), waiting. */
int hk_state_lock(int dirfd, struct hk_error *err);
int hk_state_remove_dir(const char *root, const char *id, struct hk_error *err);

int hk_state_save(int dirfd, const struct hk_state *st, struct hk_error *err);
/* The first state.json of a container, written once its init exists (create holds the
 * lock until then; a lock-free reader rejects a file still being written and waits on
 * the lock): a plain new file, no temp file and rename. */
int hk_state_save_first(int dirfd, const struct hk_state *st, struct hk_error *err);
int hk_state_load(int dirfd, struct hk_state *st, struct hk_error *err);
/* For readers (state, list, ps): state.json without the lock, at <dir>/ under
 * atfd (dir NULL: atfd is the state dir).  It is always replaced by rename, so
 * what is read is one whole version.  0, or -1 when the caller must take the
 * lock and hk_state_load instead (unreadable or unusual file, or a create in
 * progress); st is then cleared.  Reports no error itself. */
int hk_state_read(int atfd, const char *dir, struct hk_state *st);
/* st->status from the pid, its start time, st->paused, the status state.json
 * was saved with, and <fifo> under atfd. */
void hk_state_set_status(struct hk_state *st, bool creating, bool saved_running, int atfd,
                         const char *fifo);
void hk_state_clear(struct hk_state *st);
const char *hk_status_name(enum hk_status status);
/* The JSON that `state` prints and hooks read on stdin (state-schema.json). */
char *hk_state_to_json(const struct hk_state *st, bool pretty);
/* The live status of a pid recorded with its start time. */
bool hk_state_pid_alive(pid_t pid, unsigned long long start_time);

#endif
