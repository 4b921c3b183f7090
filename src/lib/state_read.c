/* The lock-free read of state.json for state, list and ps.
 *
 * state.json is written once by create, under the lock, as one write of less
 * than a page (a reader sees it empty or whole), and then only replaced by
 * rename (hk_state_save), so a reader that opens it sees one complete version:
 * no lock is needed to never print a half-written state.  The file is read into a stack buffer and scanned by a
 * small parser that accepts exactly the shape hk_state_save writes (string,
 * integer and boolean members, and an annotations object of strings).  Anything
 * else -- a file this scanner does not accept, a state being created, a read
 * error -- returns -1 and the caller takes the locked hk_state_load path, which
 * gives the same result and the same errors as before.  On `list` with 50
 * containers jansson's parse was two thirds of the instructions. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

/* hk_state_save's files are a few hundred bytes; a bigger one (many
 * annotations) takes the jansson path */
#define STATE_BUF 16384

struct scan {
  const char *p, *end;
};

static void skip_ws(struct scan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static bool eat(struct scan *s, char c) {
  skip_ws(s);
  if (s->p < s->end && *s->p == c) {
    s->p++;
    return true;
  }
  return false;
}

static int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when it is not one
 * that jansson accepts (overlong forms, surrogates, beyond U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  size_t len;
  unsigned cp;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* The escape at e (its backslash, before end): its character, and its length
 * in *len.  0 for one that this scanner leaves to jansson (and for a broken
 * one). */
static char unescape(const char *e, const char *end, size_t *len) {
  *len = 2;
  if (end - e < 2)
    return 0;
  switch (e[1]) {
  case '"':
  case '\\':
  case '/':
    return e[1];
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  case 'u': {
    if (end - e < 6)
      return 0;
    int v = 0;
    for (int k = 2; k < 6; k++) {
      int h = hex(e[k]);
      if (h < 0)
        return 0;
      v = v * 16 + h;
    }
    *len = 6;
    return v > 0 && v <= 0x7f ? (char)v : 0;
  }
  default:
    return 0;
  }
}

/* A string at s->p (the opening quote), checked whole; with out, its decoded
 * value is malloc'ed there.  Escapes: the ones jansson writes for ASCII (\"
 * \\ \/ \b \f \n \r \t \u0001-\u007f); any other one is left to jansson. */
static bool scan_string(struct scan *s, char **out) {
  skip_ws(s);
  if (s->p >= s->end || *s->p != '"')
    return false;
  const char *start = ++s->p;
  bool escaped = false;
  while (s->p < s->end && *s->p != '"') {
    unsigned char c = (unsigned char)*s->p;
    size_t len = 1;
    if (c < 0x20)
      return false;
    if (c == '\\') {
      escaped = true;
      if (!unescape(s->p, s->end, &len))
        return false;
    } else if (c >= 0x80) {
      len = utf8_len((const unsigned char *)s->p, (size_t)(s->end - s->p));
      if (!len)
        return false;
    }
    s->p += len;
  }
  if (s->p >= s->end)
    return false;
  const char *stop = s->p++;
  if (!out)
    return true;
  size_t n = (size_t)(stop - start);
  char *d = malloc(n + 1);
  if (!d)
    return false;
  if (!escaped) {
    memcpy(d, start, n);
    d[n] = 0;
  } else {
    size_t j = 0, len;
    for (const char *q = start; q < stop; q += len) {
      len = 1;
      d[j++] = *q == '\\' ? unescape(q, stop, &len) : *q;
    }
    d[j] = 0;
  }
  *out = d;
  return true;
}

/* A JSON integer as jansson reads it; reals, exponents and values past 18
 * digits are left to jansson. */
static bool scan_int(struct scan *s, long long *v) {
  skip_ws(s);
  bool neg = s->p < s->end && *s->p == '-';
  if (neg)
    s->p++;
  const char *start = s->p;
  unsigned long long x = 0;
  while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
    x = x * 10 + (unsigned)(*s->p++ - '0');
  size_t digits = (size_t)(s->p - start);
  if (digits == 0 || digits > 18 || (digits > 1 && *start == '0'))
    return false;
  if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
    return false;
  *v = neg ? -(long long)x : (long long)x;
  return true;
}

static bool scan_bool(struct scan *s, bool *v) {
  skip_ws(s);
  size_t left = (size_t)(s->end - s->p);
  if (left >= 4 && memcmp(s->p, "true", 4) == 0) {
    s->p += 4;
    *v = true;
    return true;
  }
  if (left >= 5 && memcmp(s->p, "false", 5) == 0) {
    s->p += 5;
    *v = false;
    return true;
  }
  return false;
}

/* The annotations object, kept as its text: every reader hands it to jansson
 * again.  An empty one is stored as "{}", as the jansson path stores it. */
static bool scan_annotations(struct scan *s, char **out) {
  if (!eat(s, '{'))
    return false;
  const char *start = s->p - 1;
  bool empty = eat(s, '}');
  if (!empty) {
    do {
      if (!scan_string(s, NULL) || !eat(s, ':') || !scan_string(s, NULL))
        return false;
    } while (eat(s, ','));
    if (!eat(s, '}'))
      return false;
  }
  char *t = empty ? strdup("{}") : strndup(start, (size_t)(s->p - start));
  if (!t)
    return false;
  free(*out);
  *out = t;
  return true;
}

/* A string member as hk_state_load keeps it: NULL when empty. */
static bool scan_field(struct scan *s, char **field) {
  char *v = NULL;
  if (!scan_string(s, &v))
    return false;
  free(*field);
  *field = *v ? v : NULL;
  if (!*v)
    free(v);
  return true;
}

/* k (n bytes) is the string literal name */
#define key_is(k, n, name) ((n) == sizeof(name) - 1 && memcmp((k), (name), (n)) == 0)

static bool scan_member(struct scan *s, struct hk_state *st, bool *creating, bool *running) {
  skip_ws(s);
  if (s->p >= s->end || *s->p != '"')
    return false;
  const char *k = s->p + 1, *q = k;
  /* keys are short: a byte loop beats memchr; keys with escapes (or control
   * characters, or bytes jansson would check as UTF-8) are left to jansson */
  while (q < s->end && *q != '"') {
    if (*q == '\\' || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80)
      return false;
    q++;
  }
  if (q >= s->end)
    return false;
  size_t kn = (size_t)(q - k);
  s->p = q + 1;
  if (!eat(s, ':'))
    return false;
  long long v;
  if (key_is(k, kn, "id"))
    return scan_field(s, &st->id);
  if (key_is(k, kn, "bundle"))
    return scan_field(s, &st->bundle);
  if (key_is(k, kn, "rootfs"))
    return scan_field(s, &st->rootfs);
  if (key_is(k, kn, "ociVersion"))
    return scan_field(s, &st->oci_version);
  if (key_is(k, kn, "created"))
    return scan_field(s, &st->created);
  if (key_is(k, kn, "pid")) {
    if (!scan_int(s, &v))
      return false;
    st->pid = (pid_t)v;
    return true;
  }
  if (key_is(k, kn, "pidStartTime")) {
    if (!scan_int(s, &v))
      return false;
    st->pid_start_time = (unsigned long long)v;
    return true;
  }
  if (key_is(k, kn, "owner")) {
    if (!scan_int(s, &v))
      return false;
    st->owner = (uid_t)v;
    return true;
  }
  if (key_is(k, kn, "cgroup"))
    return scan_bool(s, &st->has_cgroup);
  if (key_is(k, kn, "paused"))
    return scan_bool(s, &st->paused);
  if (key_is(k, kn, "annotations"))
    return scan_annotations(s, &st->annotations_json);
  if (key_is(k, kn, "status")) {
    char *status = NULL;
    if (!scan_string(s, &status))
      return false;
    *creating = strcmp(status, "creating") == 0;
    *running = strcmp(status, "running") == 0;
    free(status);
    return true;
  }
  /* hk_state_save writes no other member: let jansson judge it */
  return false;
}

static bool scan_state(const char *text, size_t len, struct hk_state *st, bool *creating,
                       bool *running) {
  struct scan s = {text, text + len};
  if (!eat(&s, '{'))
    return false;
  if (!eat(&s, '}')) {
    do {
      if (!scan_member(&s, st, creating, running))
        return false;
    } while (eat(&s, ','));
    if (!eat(&s, '}'))
      return false;
  }
  skip_ws(&s);
  return s.p == s.end && st->id;
}

/* Read the file whole into buf; false when it does not fit or on an error. */
static bool read_small(int atfd, const char *path, char *buf, size_t size, size_t *len) {
  int fd = openat(atfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  size_t used = 0;
  bool ok = false;
  for (;;) {
    ssize_t n = read(fd, buf + used, size - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    used += (size_t)n;
    /* hk_state_save's file ends with its closing brace: a short read that ends
     * there is the whole file, and saves the read that would return 0.  A short
     * read that stopped at an inner brace fails the scan, and the caller then
     * reads the file again through jansson. */
    if (n == 0 || (used < size && used > 0 && buf[used - 1] == '}')) {
      ok = true;
      break;
    }
    if (used == size)
      break;
  }
  close(fd);
  *len = used;
  return ok;
}

int hk_state_read(int atfd, const char *dir, struct hk_state *st) {
  memset(st, 0, sizeof *st);
  /* <dir>/state.json and <dir>/exec.fifo: dir is an id, at most 255 bytes */
  char state_path[HK_STATE_ID_MAX + sizeof "/state.json"];
  char fifo_path[HK_STATE_ID_MAX + sizeof "/exec.fifo"];
  size_t dn = dir ? strlen(dir) : 0;
  if (dn >= HK_STATE_ID_MAX)
    return -1;
  if (dn) {
    memcpy(state_path, dir, dn);
    state_path[dn] = '/';
    memcpy(fifo_path, state_path, dn + 1);
    dn++;
  }
  memcpy(state_path + dn, "state.json", sizeof "state.json");
  memcpy(fifo_path + dn, "exec.fifo", sizeof "exec.fifo");
  char buf[STATE_BUF];
  size_t len;
  bool creating = false, running = false;
  if (!read_small(atfd, state_path, buf, sizeof buf, &len) ||
      !scan_state(buf, len, st, &creating, &running) || creating) {
    /* a create in progress holds the lock until its state is final: wait on it
     * as the locked path does */
    hk_state_clear(st);
    return -1;
  }
  hk_state_set_status(st, false, running, atfd, fifo_path);
  return 0;
}
