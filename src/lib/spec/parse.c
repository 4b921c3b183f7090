/* Entry points of the config parser and the top-level keys (root, mounts,
 * hooks, annotations); process and linux live in their own files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse_util.h"
#include "spec.h"

/* Accepts MAJOR.MINOR.PATCH with an optional -prerelease and +build (semver)
 * and checks the range hako implements. */
static bool version_supported(const char *v) {
  unsigned long part[3];
  const char *p = v;
  for (int i = 0; i < 3; i++) {
    if (*p < '0' || *p > '9')
      return false;
    char *end;
    errno = 0;
    part[i] = strtoul(p, &end, 10);
    if (errno)
      return false;
    p = end;
    if (i < 2 && *p++ != '.')
      return false;
  }
  if (*p == '-' || *p == '+') {
    const char *suffix = p + 1;
    if (!*suffix)
      return false;
    for (; *suffix; suffix++) {
      char ch = *suffix;
      bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                ch == '.' || ch == '-' || ch == '+';
      if (!ok)
        return false;
    }
  } else if (*p) {
    return false;
  }
  return part[0] == 1 && part[1] <= 3;
}

static int parse_root(struct pctx *c, json_t *obj, void *dst) {
  struct hk_spec *s = dst;
  int r = f_str(c, obj, "path", true, &s->root_path);
  if (r == 0 && !*s->root_path) {
    size_t old = pc_push_key(c, "path");
    r = pc_fail(c, "must not be empty");
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_bool(c, obj, "readonly", NULL, &s->root_readonly);
  return r;
}

static int parse_mount(struct pctx *c, json_t *obj, void *dst) {
  struct hk_mount *m = dst;
  /* The spec says destination MUST be absolute, but runc and crun take a
   * relative one (relative to the rootfs) and real configs rely on it, so it
   * is kept as written and resolved by the mount code. */
  int r = f_str(c, obj, "destination", true, &m->destination);
  if (r == 0 && !*m->destination) {
    size_t old = pc_push_key(c, "destination");
    r = pc_fail(c, "must not be empty");
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_str(c, obj, "type", false, &m->type);
  if (r == 0)
    r = f_str(c, obj, "source", false, &m->source);
  if (r == 0)
    r = f_strv(c, obj, "options", false, &m->options, &m->n_options);
  if (r == 0)
    r = f_objarr(c, obj, "uidMappings", sizeof *m->uid_mappings, (void **)&m->uid_mappings,
                 &m->n_uid_mappings, parse_idmap);
  if (r == 0)
    r = f_objarr(c, obj, "gidMappings", sizeof *m->gid_mappings, (void **)&m->gid_mappings,
                 &m->n_gid_mappings, parse_idmap);
  return r;
}

static int parse_hook(struct pctx *c, json_t *obj, void *dst) {
  struct hk_hook *h = dst;
  int r = f_str(c, obj, "path", true, &h->path);
  if (r == 0 && h->path[0] != '/') {
    size_t old = pc_push_key(c, "path");
    r = pc_fail(c, "must be an absolute path, got \"%s\"", h->path);
    pc_pop(c, old);
  }
  if (r == 0)
    r = f_strv(c, obj, "args", false, &h->args, &h->n_args);
  if (r == 0)
    r = f_strv(c, obj, "env", false, &h->env, &h->n_env);
  if (r == 0)
    r = f_int(c, obj, "timeout", false, &h->has_timeout, &h->timeout);
  if (r == 0 && h->has_timeout && h->timeout <= 0) {
    size_t old = pc_push_key(c, "timeout");
    r = pc_fail(c, "must be greater than 0, got %d", h->timeout);
    pc_pop(c, old);
  }
  return r;
}

static int hook_list(struct pctx *c, json_t *obj, const char *key, struct hk_hook_list *l) {
  return f_objarr(c, obj, key, sizeof *l->hooks, (void **)&l->hooks, &l->n, parse_hook);
}

static int parse_hooks(struct pctx *c, json_t *obj, void *dst) {
  struct hk_hooks *h = dst;
  int r = hook_list(c, obj, "prestart", &h->prestart);
  if (r == 0)
    r = hook_list(c, obj, "createRuntime", &h->create_runtime);
  if (r == 0)
    r = hook_list(c, obj, "createContainer", &h->create_container);
  if (r == 0)
    r = hook_list(c, obj, "startContainer", &h->start_container);
  if (r == 0)
    r = hook_list(c, obj, "poststart", &h->poststart);
  if (r == 0)
    r = hook_list(c, obj, "poststop", &h->poststop);
  return r;
}

static int parse_top(struct pctx *c, json_t *root, struct hk_spec *s) {
  int r = f_str(c, root, "ociVersion", true, &s->oci_version);
  if (r < 0)
    return r;
  if (!version_supported(s->oci_version)) {
    size_t old = pc_push_key(c, "ociVersion");
    r = pc_fail(c, "unsupported version \"%.64s\" (hako supports 1.0.0 to 1.3.x)", s->oci_version);
    pc_pop(c, old);
    return r;
  }
  r = f_sub(c, root, "root", false, parse_root, s);
  if (r == 0)
    r = f_objarr(c, root, "mounts", sizeof *s->mounts, (void **)&s->mounts, &s->n_mounts,
                 parse_mount);
  if (r == 0)
    r = f_subnew(c, root, "process", false, sizeof *s->process, (void **)&s->process,
                 parse_process);
  if (r == 0)
    r = f_str(c, root, "hostname", false, &s->hostname);
  if (r == 0)
    r = f_str(c, root, "domainname", false, &s->domainname);
  if (r == 0)
    r = f_sub(c, root, "hooks", false, parse_hooks, &s->hooks);
  if (r == 0)
    r = f_kvmap(c, root, "annotations", &s->annotations, &s->n_annotations);
  if (r == 0)
    r = f_subnew(c, root, "linux", false, sizeof *s->linux_, (void **)&s->linux_, parse_linux);
  return r;
}

/* Whether the integer literal text[0..n) lies outside int64. */
static bool beyond_int64(const char *t, size_t n) {
  bool neg = *t == '-';
  const char *d = t + neg;
  size_t nd = n - neg;
  const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
  if (nd == 0 || (d[0] == '0' && nd > 1))
    return false; /* not a valid literal: leave the error to the JSON parser */
  if (nd != 19)
    return nd > 19;
  return memcmp(d, lim, 19) > 0;
}

/* jansson holds integers in int64 and refuses longer ones, yet uint64 fields
 * (rlimits, seccomp values, hugepage limits) legitimately reach 2^64-1.
 * Instead of parsing every integer as a lossy double (JSON_DECODE_INT_AS_REAL),
 * such literals are rewritten into strings "\u0000<digits>" and re-parsed with
 * JSON_ALLOW_NUL: the integer readers decode them exactly and range-check them,
 * and string readers reject them (no C string holds a NUL).  The marker cannot
 * be forged because user text with \u0000 is refused here (the JSON parser
 * refuses it too without the rewrite).  Returns NULL when the text has a
 * \u0000 of its own or on ENOMEM (*nomem set). */
static char *rewrite_big_ints(const char *text, size_t len, size_t *out_len, bool *nomem) {
  *nomem = false;
  /* A rewritten literal is at least 20 bytes and grows by 8. */
  char *out = malloc(len + len / 2 + 16);
  if (!out) {
    *nomem = true;
    return NULL;
  }
  size_t o = 0;
  bool in_string = false;
  for (size_t i = 0; i < len;) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\' && i + 1 < len) {
        if (text[i + 1] == 'u' && i + 5 < len && memcmp(text + i + 2, "0000", 4) == 0) {
          free(out);
          return NULL;
        }
        out[o++] = text[i++];
      } else if (ch == '"') {
        in_string = false;
      }
      out[o++] = text[i++];
      continue;
    }
    if (ch == '"') {
      in_string = true;
      out[o++] = text[i++];
      continue;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
      size_t j = i + 1;
      bool integral = true;
      while (j < len && strchr("0123456789+-.eE", text[j]) && text[j]) {
        if (text[j] < '0' || text[j] > '9')
          integral = false;
        j++;
      }
      if (integral && beyond_int64(text + i, j - i)) {
        memcpy(out + o, "\"\\u0000", 7);
        o += 7;
        memcpy(out + o, text + i, j - i);
        o += j - i;
        out[o++] = '"';
      } else {
        memcpy(out + o, text + i, j - i);
        o += j - i;
      }
      i = j;
      continue;
    }
    out[o++] = text[i++];
  }
  *out_len = o;
  return out;
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static json_t *load_json(const char *text, size_t len, const char *name, struct hk_error *err) {
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root && (starts_with(je.text, "too big integer") ||
                starts_with(je.text, "too big negative integer"))) {
    size_t new_len;
    bool nomem;
    char *copy = rewrite_big_ints(text, len, &new_len, &nomem);
    if (nomem) {
      hk_error_set(err, ENOMEM, "%s: out of memory", name);
      return NULL;
    }
    if (copy) {
      json_error_t je2;
      root = json_loadb(copy, new_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je2);
      free(copy);
      /* The error, if any, is about the rewritten text: its line is right,
       * its column may be off by the added quotes on that line. */
      if (!root)
        je = je2;
    }
  }
  if (!root) {
    hk_error_set(err, EINVAL, "%s: invalid JSON at line %d column %d: %s", name, je.line, je.column,
                 je.text);
    return NULL;
  }
  return root;
}

int hk_spec_parse(const char *text, size_t len, const char *name, struct hk_spec **out,
                  struct hk_error *err) {
  *out = NULL;
  if (!name)
    name = "config.json";
  size_t i = 0;
  while (i < len && strchr(" \t\r\n", text[i]) && text[i])
    i++;
  if (i == len)
    return hk_error_set(err, EINVAL, "%s: file is empty", name);
  json_t *root = load_json(text, len, name, err);
  if (!root)
    return -(err->code ? err->code : EINVAL);
  struct pctx c = {.name = name, .err = err};
  int r;
  if (!json_is_object(root)) {
    r = pc_type_error(&c, "a JSON object at the top level", root);
    json_decref(root);
    return r;
  }
  struct hk_spec *s = calloc(1, sizeof *s);
  if (!s) {
    json_decref(root);
    return pc_nomem(&c);
  }
  r = parse_top(&c, root, s);
  json_decref(root);
  if (r < 0) {
    hk_spec_free(s);
    return r;
  }
  *out = s;
  return 0;
}

int hk_spec_load(const char *path, const char *name, struct hk_spec **out, struct hk_error *err) {
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_sys(err, "cannot open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int r = hk_error_sys(err, "cannot stat %s", path);
    close(fd);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return hk_error_set(err, EINVAL, "%s: not a regular file", path);
  }
  /* Read until EOF rather than trusting st_size: the file may change. */
  size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return hk_error_set(err, ENOMEM, "%s: out of memory", path);
  }
  for (;;) {
    if (len == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        close(fd);
        return hk_error_set(err, ENOMEM, "%s: out of memory", path);
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int r = hk_error_sys(err, "cannot read %s", path);
      free(buf);
      close(fd);
      return r;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  int r = hk_spec_parse(buf, len, name ? name : path, out, err);
  free(buf);
  return r;
}

int hk_spec_parse_process(const char *text, size_t len, const char *name,
                          struct hk_process **out, struct hk_error *err) {
  *out = NULL;
  json_t *root = load_json(text, len, name, err);
  if (!root)
    return -(err->code ? err->code : EINVAL);
  struct pctx c = {.name = name, .err = err};
  int r;
  struct hk_process *p = NULL;
  if (!json_is_object(root)) {
    r = pc_type_error(&c, "a JSON object at the top level", root);
  } else if (!(p = calloc(1, sizeof *p))) {
    r = pc_nomem(&c);
  } else {
    r = parse_process(&c, root, p);
  }
  json_decref(root);
  if (r < 0) {
    hk_process_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int hk_spec_parse_resources(const char *text, size_t len, const char *name,
                            struct hk_resources **out, struct hk_error *err) {
  *out = NULL;
  json_t *root = load_json(text, len, name, err);
  if (!root)
    return -(err->code ? err->code : EINVAL);
  struct pctx c = {.name = name, .err = err};
  int r;
  struct hk_resources *res = NULL;
  if (!json_is_object(root)) {
    r = pc_type_error(&c, "a JSON object at the top level", root);
  } else if (!(res = calloc(1, sizeof *res))) {
    r = pc_nomem(&c);
  } else {
    r = parse_resources(&c, root, res);
  }
  json_decref(root);
  if (r < 0) {
    hk_resources_free(res);
    return r;
  }
  *out = res;
  return 0;
}
