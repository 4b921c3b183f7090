/* Launcher side of linux.seccomp.listenerPath: the container process state plus the notify fd,
 * over one AF_UNIX SOCK_STREAM connection (config-linux.md "The Container Process State"). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "seccomp.h"
#include "util.h"

char *hk_seccomp_process_state_json(const char *oci_version, pid_t pid, const char *metadata,
                                    const char *state_json, struct hk_error *err) {
  json_error_t jerr;
  json_t *state = json_loads(state_json ? state_json : "", JSON_REJECT_DUPLICATES, &jerr);
  if (!state || !json_is_object(state)) {
    json_decref(state);
    hk_error_set(err, EINVAL, "seccomp listener: the container state is not a JSON object: %s",
                 state ? "not an object" : jerr.text);
    return NULL;
  }
  json_t *root = json_object();
  json_t *fds = json_array();
  int bad = !root || !fds;
  bad = bad ||
        json_object_set_new(root, "ociVersion", json_string(oci_version ? oci_version : "1.0.2"));
  bad = bad || json_array_append_new(fds, json_string("seccompFd"));
  bad = bad || json_object_set(root, "fds", fds);
  bad = bad || json_object_set_new(root, "pid", json_integer(pid));
  if (metadata)
    bad = bad || json_object_set_new(root, "metadata", json_string(metadata));
  bad = bad || json_object_set(root, "state", state);
  char *text = bad ? NULL : json_dumps(root, JSON_COMPACT);
  json_decref(fds);
  json_decref(state);
  json_decref(root);
  if (!text)
    hk_error_set(err, ENOMEM, "seccomp listener: building the container process state");
  return text;
}

int hk_seccomp_send_notify_fd(const char *listener_path, int notify_fd, const char *state_json,
                              struct hk_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t plen = listener_path ? strlen(listener_path) : 0;
  if (plen == 0 || plen >= sizeof addr.sun_path)
    return hk_error_set(err, ENAMETOOLONG,
                        "linux.seccomp.listenerPath: \"%s\" is empty or longer than %zu bytes",
                        listener_path ? listener_path : "", sizeof addr.sun_path - 1);
  memcpy(addr.sun_path, listener_path, plen);

  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hk_error_sys(err, "linux.seccomp.listenerPath: socket");
  int r;
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
    r = hk_error_sys(err, "linux.seccomp.listenerPath: connecting to %s", listener_path);
    close(sock);
    return r;
  }

  const char *data = state_json && *state_json ? state_json : "{}";
  size_t len = strlen(data), sent = 0;
  /* the fd goes with the first sendmsg only (the spec allows several calls) */
  while (sent < len) {
    ssize_t n = hk_sendmsg_fd(sock, data + sent, len - sent, sent == 0 ? notify_fd : -1);
    if (n < 0) {
      errno = (int)-n;
      r = hk_error_sys(err, "linux.seccomp.listenerPath: sending the seccomp fd to %s",
                       listener_path);
      close(sock);
      return r;
    }
    sent += (size_t)n;
  }
  close(sock);
  return 0;
}
