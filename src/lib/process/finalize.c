/* The last steps of a container process before execve; shared by init and
 * (later) exec.  The order is the one caps.h explains. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"
#include "security/seccomp.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int check_executable(const char *path, const char *name, struct hk_error *err) {
  struct stat st;
  if (stat(path, &st) < 0)
    return -errno;
  if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
    return hk_error_set(err, EACCES, "exec: \"%s\": permission denied", name);
  return 0;
}

int hk_find_executable(const char *file, char *const *env, size_t n_env, char *out, size_t size,
                       struct hk_error *err) {
  if (strchr(file, '/')) {
    int r = check_executable(file, file, err);
    if (r == -ENOENT || r == -ENOTDIR)
      return hk_error_set(err, ENOENT, "exec: \"%s\": stat %s: no such file or directory", file,
                          file);
    if (r < 0 && !hk_error_is_set(err))
      return hk_error_set(err, -r, "exec: \"%s\": %s", file, strerror(-r));
    if (r < 0)
      return r;
    snprintf(out, size, "%s", file);
    return 0;
  }
  const char *path = DEFAULT_PATH;
  for (size_t i = 0; i < n_env; i++)
    if (strncmp(env[i], "PATH=", 5) == 0)
      path = env[i] + 5;
  bool denied = false;
  for (const char *p = path;; p++) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    int n = snprintf(out, size, "%.*s%s%s", (int)len, len ? p : ".", "/", file);
    if (n > 0 && (size_t)n < size) {
      struct hk_error tmp = {0};
      int r = check_executable(out, file, &tmp);
      if (r == 0)
        return 0;
      if (r == -EACCES)
        denied = true;
    }
    if (!colon)
      break;
    p = colon;
  }
  if (denied)
    return hk_error_set(err, EACCES, "exec: \"%s\": permission denied", file);
  return hk_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
}

int hk_apply_rlimits(const struct hk_process *p, struct hk_error *err) {
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct hk_rlimit *rl = &p->rlimits[i];
    struct rlimit v = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
    if (setrlimit(rl->resource, &v) < 0) {
      if (errno == EPERM)
        return hk_error_sys(err,
                            "process.rlimits[%zu]: set %s to %llu:%llu (raising a hard limit "
                            "needs CAP_SYS_RESOURCE)",
                            i, rl->type, (unsigned long long)rl->soft,
                            (unsigned long long)rl->hard);
      return hk_error_sys(err, "process.rlimits[%zu]: set %s", i, rl->type);
    }
  }
  return 0;
}

int hk_finalize_process(const struct hk_process *p, const struct hk_caps *caps,
                        const struct hk_seccomp_filter *seccomp, bool setgroups_denied,
                        struct hk_error *err) {
  const struct hk_user *u = &p->user;
  if (!setgroups_denied) {
    gid_t groups[256];
    size_t n = u->n_additional_gids < 256 ? u->n_additional_gids : 256;
    for (size_t i = 0; i < n; i++)
      groups[i] = u->additional_gids[i];
    if (setgroups(n, groups) < 0)
      return hk_error_sys(err, "process.user.additionalGids: setgroups");
  }
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return hk_error_sys(err, "process.user.gid: setresgid(%u)", u->gid);
  int r = hk_caps_prepare_setuid(err);
  if (r < 0)
    return r;
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return hk_error_sys(err, "process.user.uid: setresuid(%u)", u->uid);
  umask(u->has_umask ? u->umask : 022);
  if (seccomp && !p->no_new_privileges) {
    r = hk_caps_apply_bounding(caps, err);
    if (r == 0)
      r = hk_seccomp_load(seccomp, NULL, err);
    if (r == 0)
      r = hk_caps_apply_final(caps, err);
    return r;
  }
  r = hk_caps_apply(caps, err);
  if (r == 0 && p->no_new_privileges)
    r = hk_set_no_new_privs(err);
  if (r == 0 && seccomp)
    r = hk_seccomp_load(seccomp, NULL, err);
  return r;
}

/* The home directory of uid in the container's /etc/passwd, or "/". */
static void home_of(uid_t uid, char *out, size_t size) {
  snprintf(out, size, "/");
  FILE *f = fopen("/etc/passwd", "re");
  if (!f)
    return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    /* name:pw:uid:gid:gecos:home:shell */
    char *fields[7] = {0};
    char *p = line;
    for (int i = 0; i < 7 && p; i++) {
      fields[i] = p;
      p = strchr(p, ':');
      if (p)
        *p++ = 0;
    }
    if (!fields[5] || !fields[2])
      continue;
    char *end;
    unsigned long id = strtoul(fields[2], &end, 10);
    if (*end || id != uid)
      continue;
    if (*fields[5])
      snprintf(out, size, "%s", fields[5]);
    break;
  }
  fclose(f);
}

static size_t key_len(const char *kv) {
  const char *eq = strchr(kv, '=');
  return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* A later KEY= wins over an earlier one, as runc's init does by setenv() in
 * order.  Quadratic, so only for environments of a sane size. */
static bool overridden_later(char *const *env, size_t n, size_t i) {
  size_t kl = key_len(env[i]);
  for (size_t j = i + 1; j < n; j++)
    if (key_len(env[j]) == kl && strncmp(env[i], env[j], kl) == 0)
      return true;
  return false;
}

char **hk_exec_env(const struct hk_process *p) {
  bool has_home = false;
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp(p->env[i], "HOME=", 5) == 0)
      has_home = true;
  bool dedup = p->n_env <= 1024;
  char **env = calloc(p->n_env + 2, sizeof *env);
  if (!env)
    return p->env;
  size_t k = 0;
  for (size_t i = 0; i < p->n_env; i++)
    if (!dedup || !overridden_later(p->env, p->n_env, i))
      env[k++] = p->env[i];
  if (!has_home) {
    /* like runc: a process without HOME gets its user's home directory */
    char home[512];
    home_of(p->user.uid, home, sizeof home);
    env[k] = hk_strdup_printf("HOME=%s", home);
  }
  return env;
}

int hk_chdir_checked(const char *cwd, const char *what, struct hk_error *err) {
  if (chdir(cwd) < 0)
    return hk_error_sys(err, "%s: chdir to %s", what, cwd);
  /* a cwd reached through a leaked fd or a magic link (/proc/self/fd/N) can
   * lie outside the container's root; getcwd() then fails or says
   * "(unreachable)" (CVE-2024-21626) */
  char buf[4096];
  if (!getcwd(buf, sizeof buf) || buf[0] != '/')
    return hk_error_set(err, EPERM, "%s: %s is outside the container's root", what, cwd);
  return 0;
}
