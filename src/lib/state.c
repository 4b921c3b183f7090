#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static bool id_char_ok(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '-' || c == '.';
}

int hk_state_validate_id(const char *id, struct hk_error *err) {
  size_t len = strlen(id);
  if (len == 0)
    return hk_error_set(err, EINVAL, "invalid container ID format: empty");
  if (len > 255)
    return hk_error_set(err, EINVAL, "invalid container ID format: longer than 255 characters");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
    return hk_error_set(err, EINVAL, "invalid container ID format: \"%s\"", id);
  /* runc's rule: letters, digits and _ + - . only; that also excludes '/' and control chars */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++)
    if (!id_char_ok(*p))
      return hk_error_set(err, EINVAL,
                          "invalid container ID format: character 0x%02x at offset %zu is not "
                          "allowed (use [a-zA-Z0-9_+.-])",
                          *p, (size_t)(p - (const unsigned char *)id));
  return 0;
}

static int open_root(const char *root, bool create, struct hk_error *err) {
  if (create) {
    if (mkdir(root, 0700) < 0 && errno != EEXIST) {
      if (errno != ENOENT)
        return hk_error_sys(err, "create state root %s", root);
      int r = hk_mkdir_p(root, 0700, err);
      if (r < 0)
        return r;
    }
  }
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "open state root %s", root);
  return fd;
}

int hk_state_create_dir(const char *root, const char *id, struct hk_error *err) {
  _cleanup_close_ int rootfd = open_root(root, true, err);
  if (rootfd < 0)
    return rootfd;
  if (mkdirat(rootfd, id, 0700) < 0) {
    if (errno == EEXIST)
      return hk_error_set(err, EEXIST, "container with given ID already exists: %s", id);
    return hk_error_sys(err, "create state dir %s/%s", root, id);
  }
  int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int r = hk_error_sys(err, "open state dir %s/%s", root, id);
    unlinkat(rootfd, id, AT_REMOVEDIR);
    return r;
  }
  return fd;
}

int hk_state_open_dir(const char *root, const char *id, struct hk_error *err) {
  /* one openat for <root>/<id> (O_NOFOLLOW still guards the id); a failure is
   * looked at again step by step below, for the error that names the part */
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", root, id) < sizeof path) {
    int dfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd >= 0)
      return dfd;
  }
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return hk_error_set(err, ENOENT, "container does not exist: %s", id);
    return hk_error_sys(err, "open state root %s", root);
  }
  int dfd = openat(fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  int saved = errno;
  close(fd);
  if (dfd < 0) {
    errno = saved;
    if (errno == ENOENT || errno == ENOTDIR)
      return hk_error_set(err, ENOENT, "container does not exist: %s", id);
    return hk_error_sys(err, "open state dir %s/%s", root, id);
  }
  return dfd;
}

int hk_state_lock(int dirfd, struct hk_error *err) {
  while (flock(dirfd, LOCK_EX) < 0) {
    if (errno != EINTR)
      return hk_error_sys(err, "lock state dir");
  }
  return 0;
}

int hk_state_remove_dir(const char *root, const char *id, struct hk_error *err) {
  _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return errno == ENOENT ? 0 : hk_error_sys(err, "open state root %s", root);
  _cleanup_close_ int dfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dfd < 0)
    return errno == ENOENT ? 0 : hk_error_sys(err, "open state dir %s/%s", root, id);
  /* The dir holds only flat files that hako itself wrote. */
  DIR *d = fdopendir(dup(dfd));
  if (!d)
    return hk_error_sys(err, "read state dir %s/%s", root, id);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (e->d_type == DT_DIR) {
      /* notify/: one level of hako's own files */
      int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      DIR *sd = sub >= 0 ? fdopendir(sub) : NULL;
      struct dirent *se;
      while (sd && (se = readdir(sd)))
        if (strcmp(se->d_name, ".") != 0 && strcmp(se->d_name, "..") != 0)
          unlinkat(sub, se->d_name, 0);
      if (sd)
        closedir(sd);
      else if (sub >= 0)
        close(sub);
      if (unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
        int r = hk_error_sys(err, "remove %s/%s/%s", root, id, e->d_name);
        closedir(d);
        return r;
      }
      continue;
    }
    if (unlinkat(dfd, e->d_name, 0) < 0 && errno != ENOENT) {
      int r = hk_error_sys(err, "remove %s/%s/%s", root, id, e->d_name);
      closedir(d);
      return r;
    }
  }
  closedir(d);
  if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return hk_error_sys(err, "remove state dir %s/%s", root, id);
  return 0;
}

const char *hk_status_name(enum hk_status status) {
  switch (status) {
  case HK_STATUS_CREATING:
    return "creating";
  case HK_STATUS_CREATED:
    return "created";
  case HK_STATUS_RUNNING:
    return "running";
  case HK_STATUS_PAUSED:
    return "paused";
  default:
    return "stopped";
  }
}

bool hk_state_pid_alive(pid_t pid, unsigned long long start_time) {
  if (pid <= 0)
    return false;
  char st = 0;
  unsigned long long t = hk_proc_stat(pid, &st);
  /* a zombie or dead init is a stopped container */
  return t && st != 'Z' && st != 'X' && t == start_time;
}

static json_t *state_object(const struct hk_state *st) {
  json_t *annotations = NULL;
  if (st->annotations_json)
    annotations = json_loads(st->annotations_json, 0, NULL);
  if (!annotations)
    annotations = json_object();
  json_t *o = hk_jobj("ociVersion", json_string(st->oci_version ? st->oci_version : "1.3.0"), "id",
                      json_string(st->id), "status", json_string(hk_status_name(st->status)), "pid",
                      json_integer(st->status == HK_STATUS_STOPPED ? 0 : st->pid), "bundle",
                      json_string(st->bundle ? st->bundle : ""), NULL);
  if (!o) {
    json_decref(annotations);
    return NULL;
  }
  /* like runc, an empty annotations object is left out */
  if (json_object_size(annotations))
    json_object_set_new(o, "annotations", annotations);
  else
    json_decref(annotations);
  return o;
}

char *hk_state_to_json(const struct hk_state *st, bool pretty) {
  json_t *o = state_object(st);
  if (!o)
    return NULL;
  if (st->rootfs)
    json_object_set_new(o, "rootfs", json_string(st->rootfs));
  if (st->created)
    json_object_set_new(o, "created", json_string(st->created));
  json_object_set_new(o, "owner", json_string(st->owner == 0 ? "" : "user"));
  char *s = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER
                                 : JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return s;
}

static char *state_file_json(const struct hk_state *st) {
  json_t *o =
      hk_jobj("id", json_string(st->id), "bundle", json_string(st->bundle ? st->bundle : ""),
              "rootfs", json_string(st->rootfs ? st->rootfs : ""), "ociVersion",
              json_string(st->oci_version ? st->oci_version : "1.3.0"), "pid",
              json_integer(st->pid), "pidStartTime", json_integer((json_int_t)st->pid_start_time),
              "created", json_string(st->created ? st->created : ""), "owner",
              json_integer((json_int_t)st->owner), "cgroup", json_boolean(st->has_cgroup), "paused",
              json_boolean(st->paused), "status", json_string(hk_status_name(st->status)), NULL);
  if (!o)
    return NULL;
  json_t *ann = st->annotations_json ? json_loads(st->annotations_json, 0, NULL) : NULL;
  json_object_set_new(o, "annotations", ann ? ann : json_object());
  char *s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return s;
}

static int state_write(int dirfd, const struct hk_state *st, bool first, struct hk_error *err) {
  char *s = state_file_json(st);
  if (!s)
    return hk_error_set(err, ENOMEM, "encode state.json: out of memory");
  int r = first ? hk_write_file_new(dirfd, "state.json", s, strlen(s), 0600, err)
                : hk_write_file_locked(dirfd, "state.json", s, strlen(s), 0600, err);
  free(s);
  return r;
}

int hk_state_save(int dirfd, const struct hk_state *st, struct hk_error *err) {
  return state_write(dirfd, st, false, err);
}

int hk_state_save_first(int dirfd, const struct hk_state *st, struct hk_error *err) {
  return state_write(dirfd, st, true, err);
}

static char *dup_field(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s && *s ? strdup(s) : NULL;
}

int hk_state_load(int dirfd, struct hk_state *st, struct hk_error *err) {
  memset(st, 0, sizeof *st);
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = hk_read_file_at(dirfd, "state.json", 1 << 20, &text, &len, err);
  if (r < 0)
    return r;
  json_error_t jerr;
  json_t *o = json_loadb(text, len, 0, &jerr);
  if (!o || !json_is_object(o)) {
    json_decref(o);
    return hk_error_set(err, EINVAL, "state.json is corrupt: %s", jerr.text);
  }
  st->id = dup_field(o, "id");
  st->bundle = dup_field(o, "bundle");
  st->rootfs = dup_field(o, "rootfs");
  st->oci_version = dup_field(o, "ociVersion");
  st->created = dup_field(o, "created");
  st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
  st->pid_start_time = (unsigned long long)json_integer_value(json_object_get(o, "pidStartTime"));
  st->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
  st->has_cgroup = json_is_true(json_object_get(o, "cgroup"));
  st->paused = json_is_true(json_object_get(o, "paused"));
  json_t *ann = json_object_get(o, "annotations");
  st->annotations_json = ann ? json_dumps(ann, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  const char *stored = json_string_value(json_object_get(o, "status"));
  bool creating = stored && strcmp(stored, "creating") == 0;
  bool saved_running = stored && strcmp(stored, "running") == 0;
  json_decref(o);
  if (!st->id) {
    hk_state_clear(st);
    return hk_error_set(err, EINVAL, "state.json is corrupt: no id");
  }
  hk_state_set_status(st, creating, saved_running, dirfd, "exec.fifo");
  return 0;
}

void hk_state_set_status(struct hk_state *st, bool creating, bool saved_running, int atfd,
                         const char *fifo) {
  if (!hk_state_pid_alive(st->pid, st->pid_start_time))
    st->status = creating ? HK_STATUS_CREATING : HK_STATUS_STOPPED;
  else if (creating)
    st->status = HK_STATUS_CREATING;
  else if (st->paused)
    st->status = HK_STATUS_PAUSED;
  /* only create makes exec.fifo, and a state is saved as running only by restore
   * (which makes none) or by pause/resume of a started one: no need to look */
  else if (saved_running)
    st->status = HK_STATUS_RUNNING;
  else if (faccessat(atfd, fifo, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    st->status = HK_STATUS_CREATED;
  else
    st->status = HK_STATUS_RUNNING;
}

void hk_state_clear(struct hk_state *st) {
  free(st->id);
  free(st->bundle);
  free(st->rootfs);
  free(st->oci_version);
  free(st->created);
  free(st->annotations_json);
  memset(st, 0, sizeof *st);
}
