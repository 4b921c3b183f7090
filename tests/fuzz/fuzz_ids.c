/* libFuzzer target: the small parsers of ids and names.  The first byte
 * picks one, the rest is its input:
 *   0  signal names/numbers (kill): hako_parse_signal
 *   1  exec --user UID[:GID]: hk_parse_user_spec
 *   2  linux.uidMappings/gidMappings (JSON array) through the config parser,
 *      then the id translation the launcher does with them */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "hako.h"
#include "ns.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_user(const char *s) {
  struct hk_user u = {.uid = 7, .gid = 7};
  struct hk_error err = {0};
  if (hk_parse_user_spec(s, &u, &err) < 0)
    return;
  /* accepted means digits[:digits], each below (uint32_t)-1 */
  char again[64];
  const char *colon = strchr(s, ':');
  if (colon)
    snprintf(again, sizeof again, "%u:%u", u.uid, u.gid);
  else
    snprintf(again, sizeof again, "%u", u.uid);
  if (u.uid == UINT32_MAX || u.gid == UINT32_MAX || strspn(s, "0123456789:") != strlen(s))
    abort();
  /* leading zeros aside, the text must be the numbers it gave */
  const char *a = s, *b = again;
  bool number_start = true;
  while (*a || *b) {
    while (number_start && *a == '0' && a[1] >= '0' && a[1] <= '9')
      a++;
    if (*a != *b)
      abort();
    number_start = *a == ':';
    if (*a)
      a++, b++;
  }
}

static void check_idmap(const char *json, size_t len) {
  static const char head[] =
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
      "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}},"
      "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":";
  static const char tail[] = ",\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}]}}";
  size_t n = sizeof head - 1 + len + sizeof tail - 1;
  char *text = malloc(n + 1);
  if (!text)
    return;
  memcpy(text, head, sizeof head - 1);
  memcpy(text + sizeof head - 1, json, len);
  memcpy(text + sizeof head - 1 + len, tail, sizeof tail);
  struct hk_spec *spec = NULL;
  struct hk_error err = {0};
  if (hk_spec_parse(text, n, "config.json", &spec, &err) == 0) {
    const struct hk_linux *lx = spec->linux_;
    uint32_t probe[] = {0, 1, 65535, 65536, UINT32_MAX - 1, UINT32_MAX};
    for (size_t i = 0; lx && i < sizeof probe / sizeof probe[0]; i++) {
      uint32_t host;
      if (hk_idmap_to_host(lx->uid_mappings, lx->n_uid_mappings, probe[i], &host)) {
        /* a translated id lies in the range of the mapping that took it */
        bool inside = false;
        for (size_t j = 0; j < lx->n_uid_mappings; j++) {
          const struct hk_idmap *m = &lx->uid_mappings[j];
          if (probe[i] >= m->container_id && probe[i] - m->container_id < m->size &&
              host - m->host_id == probe[i] - m->container_id)
            inside = true;
        }
        if (!inside)
          abort();
      }
    }
    hk_idmap_is_self(lx->uid_mappings, lx->n_uid_mappings, 0);
    hk_spec_free(spec);
  }
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  char *s = malloc(size);
  if (!s)
    return 0;
  memcpy(s, data + 1, size - 1);
  s[size - 1] = 0;
  switch (data[0] % 3) {
  case 0: {
    int sig = hako_parse_signal(s);
    if (sig != -1 && (sig < 1 || sig >= NSIG))
      abort();
    break;
  }
  case 1:
    check_user(s);
    break;
  default:
    check_idmap((const char *)data + 1, size - 1);
    break;
  }
  free(s);
  return 0;
}
