/* hako: an OCI container runtime.  main() parses the global flags and
 * dispatches to src/cmd/<command>.c, which calls libhako. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hako.h"
#include "log.h"

static const struct cli_command commands[] = {
    {"create", "create a container",
     "  -b, --bundle DIR        bundle directory (default: .)\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "      --pid-file F        write the init pid to F\n"
     "      --preserve-fds N    pass N extra fds (from 3) to the container\n"
     "      --no-pivot          do not use pivot_root (MS_MOVE + chroot)\n"
     "      --no-new-keyring    keep the caller's session keyring\n",
     cmd_create},
    {"start", "start a created container", "", cmd_start},
    {"run", "create and start a container",
     "  -b, --bundle DIR        bundle directory (default: .)\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "  -d, --detach            do not wait for the container\n"
     "      --keep              do not delete the container after it exits\n"
     "      --pid-file F        write the init pid to F\n"
     "      --preserve-fds N    pass N extra fds (from 3) to the container\n"
     "      --no-pivot          do not use pivot_root\n"
     "      --no-new-keyring    keep the caller's session keyring\n",
     cmd_run},
    {"state", "print the state of a container", "", cmd_state},
    {"exec", "run a process in a running container",
     "  -p, --process FILE      process.json to run (instead of ARGS)\n"
     "  -t, --tty               allocate a terminal (needs --console-socket)\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "  -d, --detach            do not wait for the process\n"
     "      --pid-file F        write the process's pid to F\n"
     "      --cwd DIR           working directory\n"
     "  -e, --env KEY=VALUE     add an environment variable (repeatable)\n"
     "  -u, --user UID[:GID]    run as this user\n"
     "  -g, --additional-gids G additional groups (repeatable, comma lists)\n"
     "  -c, --cap CAP           add a capability (not inheritable; repeatable)\n"
     "      --no-new-privs      set no_new_privs\n"
     "      --apparmor P        AppArmor profile for the process\n"
     "      --process-label L   SELinux label for the process\n"
     "      --preserve-fds N    pass N extra fds (from 3)\n"
     "      --ignore-paused     exec even into a paused container\n"
     "      --cgroup [CTRL[,CTRL]:]PATH\n"
     "                          existing sub-cgroup of the container to join (repeatable)\n",
     cmd_exec},
    {"kill", "send a signal to a container",
     "  -a, --all               signal every process of the container\n"
     "  SIGNAL                  name or number, with or without SIG (default: TERM)\n",
     cmd_kill},
    {"delete", "delete a container", "  -f, --force             kill the container if running\n",
     cmd_delete},
    {"list", "list containers",
     "  -f, --format table|json output format (default: table)\n"
     "  -q, --quiet             print only the ids\n",
     cmd_list},
    {"spec", "write a default config.json",
     "  -b, --bundle DIR        where to write it\n"
     "      --rootless          a config for the calling unprivileged user\n",
     cmd_spec},
    {"features", "print the features this build supports", "", cmd_features},
    {"pause", "pause (freeze) every process of a container", "", cmd_pause},
    {"resume", "resume (thaw) a paused container", "", cmd_resume},
    {"ps", "list the processes of a container (ID [ps options])",
     "  -f, --format table|json output format (default: table; json: the pids)\n"
     "  PS OPTIONS              after the id: arguments for ps (default: -ef)\n",
     cmd_ps},
    {"update", "update a container's resource limits",
     "  -r, --resources FILE    a LinuxResources JSON file, - for stdin (other options\n"
     "                          are then ignored)\n"
     "      --memory N          memory limit (k, m, g... suffixes; -1: unlimited)\n"
     "      --memory-reservation N  soft limit\n"
     "      --memory-swap N     memory+swap limit (-1: unlimited)\n"
     "      --kernel-memory N   ignored (with a warning, as runc)\n"
     "      --kernel-memory-tcp N   ignored (with a warning, as runc)\n"
     "      --cpu-share N       CPU shares (also --cpu-shares)\n"
     "      --cpu-quota N       CFS quota (usecs)\n"
     "      --cpu-period N      CFS period (usecs)\n"
     "      --cpu-rt-runtime N  realtime runtime (usecs)\n"
     "      --cpu-rt-period N   realtime period (usecs)\n"
     "      --cpuset-cpus S     CPUs to use\n"
     "      --cpuset-mems S     memory nodes to use\n"
     "      --pids-limit N      maximum number of pids (-1: unlimited)\n"
     "      --blkio-weight N    block IO weight (10..1000)\n"
     "      --l3-cache-schema S Intel RDT L3 schema (not supported)\n"
     "      --mem-bw-schema S   Intel RDT memory bandwidth schema (not supported)\n",
     cmd_update},
    {"events", "print a container's OOM events and resource usage statistics",
     "      --stats             print the stats once and exit\n"
     "      --interval DUR      time between stats (Go duration, default: 5s)\n"
     "      --all               no ID: one stats event (a JSON line, as for one container)\n"
     "                          per running container of --root (sorted by id), every\n"
     "                          interval or once with --stats; streams until killed\n",
     cmd_events},
    {"checkpoint", "checkpoint a running container (criu)",
     "      --image-path DIR    where to write the images (default: ./checkpoint)\n"
     "      --work-path DIR     where criu writes its log (default: the image path)\n"
     "      --parent-path DIR   previous (pre-dump) images, relative to the image path\n"
     "      --leave-running     leave the container running after the checkpoint\n"
     "      --tcp-established   checkpoint established TCP connections\n"
     "      --ext-unix-sk       allow external unix sockets\n"
     "      --shell-job         allow shell jobs\n"
     "      --lazy-pages        use userfaultfd to restore memory pages lazily\n"
     "      --status-fd FD      criu writes \\0 to FD once lazy-pages is ready\n"
     "      --page-server ADDR:PORT  send the pages to this criu page server\n"
     "      --file-locks        handle file locks\n"
     "      --pre-dump          dump only the memory, for iterative migration\n"
     "      --manage-cgroups-mode M  soft (default), full, strict or ignore\n"
     "      --empty-ns NS       create the namespace but do not restore its properties\n"
     "                          (network only)\n"
     "      --auto-dedup        deduplicate the images against the parent's\n",
     cmd_checkpoint},
    {"restore", "restore a container from a checkpoint (criu)",
     "      --image-path DIR    where the images are (default: ./checkpoint)\n"
     "      --work-path DIR     where criu writes its log (default: the image path)\n"
     "  -b, --bundle DIR        bundle directory (default: .)\n"
     "      --console-socket S  unix socket that receives the pty master\n"
     "  -d, --detach            do not wait for the container\n"
     "      --pid-file F        write the restored init's pid to F\n"
     "      --no-subreaper      do not become the restored init's subreaper\n"
     "      --no-pivot          do not use pivot_root (accepted; criu chooses)\n"
     "      --tcp-established   restore established TCP connections\n"
     "      --ext-unix-sk       allow external unix sockets\n"
     "      --shell-job         allow shell jobs\n"
     "      --file-locks        handle file locks\n"
     "      --manage-cgroups-mode M  soft (default), full, strict or ignore\n"
     "      --empty-ns NS       create the namespace but do not restore its properties\n"
     "                          (network only)\n"
     "      --auto-dedup        punch restored pages out of the images\n"
     "      --lazy-pages        restore memory pages lazily (userfaultfd)\n"
     "      --lsm-profile TYPE:NAME  LSM profile for the restored process\n"
     "      --lsm-mount-context C    SELinux mount context for the restored mounts\n",
     cmd_restore},
};

const struct cli_command *cli_find(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int cli_fail(const struct hk_error *err) {
  const char *msg = err->msg[0] ? err->msg : strerror(err->code ? err->code : EIO);
  /* the log (when redirected) gets it in the requested format; the caller's
   * terminal always gets the plain line */
  if (hk_log_fd() != STDERR_FILENO || hk_log_is_json())
    hk_log(HK_LOG_ERROR, "%s", msg);
  if (hk_log_fd() != STDERR_FILENO || !hk_log_is_json())
    fprintf(stderr, "hako: %s\n", msg);
  return 1;
}

int cli_help(const struct cli_command *cmd) {
  printf("Usage: hako [global options] %s [options]%s\n\n%s\n\n", cmd->name,
         strcmp(cmd->name, "list") == 0 || strcmp(cmd->name, "spec") == 0 ||
                 strcmp(cmd->name, "features") == 0
             ? ""
             : " <container-id>",
         cmd->summary);
  if (*cmd->usage)
    printf("Options:\n%s", cmd->usage);
  printf("  -h, --help              show this help\n");
  return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct hk_error err = {0};
  hk_error_set(&err, EINVAL, "%s: %s (see hako %s --help)", cmd, msg, cmd);
  return cli_fail(&err);
}

int cli_expect_args(const char *cmd, int argc, char **argv, int first, int min, int max) {
  int n = argc - first;
  /* runc's wording, which scripts and engines may match on */
  if (n < min || (max >= 0 && n > max)) {
    struct hk_error err = {0};
    if (min == max)
      hk_error_set(&err, EINVAL, "\"%s\" requires exactly %d argument(s)", cmd, min);
    else if (n < min)
      hk_error_set(&err, EINVAL, "\"%s\" requires a minimum of %d argument(s)", cmd, min);
    else
      hk_error_set(&err, EINVAL, "\"%s\" requires a maximum of %d argument(s) (got \"%s\")", cmd,
                   max, argv[first + max]);
    return cli_fail(&err);
  }
  return 0;
}

int cli_getopt(const struct cli_command *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, int *rc) {
  static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {0}};
  struct option merged[32];
  size_t n = 0;
  for (const struct option *o = longopts; o && o->name && n < 30; o++)
    merged[n++] = *o;
  merged[n++] = help_only[0];
  merged[n] = help_only[1];
  char so[64];
  snprintf(so, sizeof so, "+:%sh", shortopts);
  opterr = 0;
  int c = getopt_long(argc, argv, so, merged, NULL);
  if (c == 'h') {
    *rc = cli_help(cmd);
    return -2;
  }
  if (c == '?') {
    *rc = cli_usage_error(cmd->name, "unknown option %s", argv[optind - 1]);
    return -2;
  }
  if (c == ':') {
    *rc = cli_usage_error(cmd->name, "option %s needs a value", argv[optind - 1]);
    return -2;
  }
  return c;
}

int cli_id_only(const char *name, int argc, char **argv, const char **id) {
  int rc = 0, c;
  while ((c = cli_getopt(cli_find(name), argc, argv, "", NULL, &rc)) != -1)
    if (c == -2)
      return rc;
  if ((rc = cli_expect_args(name, argc, argv, optind, 1, 1)) != 0)
    return rc;
  *id = argv[optind];
  return -1;
}

static void usage(FILE *f) {
  fprintf(f, "Usage: hako [global options] <command> [options] [args]\n\n"
             "hako is an OCI container runtime (runtime-spec 1.0.0 to 1.3.x).\n\n"
             "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nGlobal options:\n"
             "  --root DIR              state directory (default: " HAKO_DEFAULT_ROOT ")\n"
             "  --log FILE              log file (default: stderr)\n"
             "  --log-format text|json  log format (default: text)\n"
             "  --debug                 debug logging\n"
             "  --systemd-cgroup        use the systemd cgroup driver (not supported yet)\n"
             "  --rootless auto|true|false\n"
             "  --criu PATH             the criu binary for checkpoint/restore (default: criu)\n"
             "  -v, --version           print the version\n"
             "  -h, --help              show this help\n");
}

int main(int argc, char **argv) {
  struct cli_global g = {.root = HAKO_DEFAULT_ROOT};
  const char *log_format = "text";
  bool root_given = false;
  enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU };
  static const struct option opts[] = {
      {"root", required_argument, NULL, OPT_ROOT},
      {"log", required_argument, NULL, OPT_LOG},
      {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
      {"debug", no_argument, NULL, OPT_DEBUG},
      {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
      {"rootless", required_argument, NULL, OPT_ROOTLESS},
      {"criu", required_argument, NULL, OPT_CRIU},
      {"version", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {0},
  };
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
    switch (c) {
    case OPT_ROOT:
      g.root = optarg;
      root_given = true;
      break;
    case OPT_LOG:
      g.log = optarg;
      break;
    case OPT_LOG_FORMAT:
      log_format = optarg;
      break;
    case OPT_DEBUG:
      g.debug = true;
      break;
    case OPT_SYSTEMD:
      g.systemd_cgroup = true;
      break;
    case OPT_ROOTLESS:
      g.rootless = optarg;
      break;
    case OPT_CRIU:
      g.criu = optarg;
      break;
    case 'v':
      printf("hako version %s\nspec: 1.3.0\n", HAKO_VERSION);
      return 0;
    case 'h':
      usage(stdout);
      return 0;
    default:
      fprintf(stderr, "hako: unknown global option %s\n", argv[optind - 1]);
      usage(stderr);
      return 1;
    }
  }
  if (g.rootless && strcmp(g.rootless, "auto") != 0 && strcmp(g.rootless, "true") != 0 &&
      strcmp(g.rootless, "false") != 0) {
    fprintf(stderr, "hako: --rootless: invalid value \"%s\" (auto, true or false)\n", g.rootless);
    return 1;
  }
  if (strcmp(log_format, "json") == 0)
    g.log_json = true;
  else if (strcmp(log_format, "text") != 0) {
    fprintf(stderr, "hako: --log-format: unknown format \"%s\" (text or json)\n", log_format);
    return 1;
  }
  char root_buf[4096];
  if (!root_given) {
    /* runc's choice: an unprivileged user's root is under $XDG_RUNTIME_DIR, and so
     * is that of root in a user namespace (rootless podman runs us so) unless
     * $USER is root; the real root keeps /run/hako */
    const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
    bool in_userns = geteuid() == 0 && hako_in_user_namespace();
    if (xdg && *xdg && (geteuid() != 0 || (in_userns && (!user || strcmp(user, "root") != 0)))) {
      snprintf(root_buf, sizeof root_buf, "%s/hako", xdg);
      g.root = root_buf;
    } else if (geteuid() != 0) {
      snprintf(root_buf, sizeof root_buf, "/tmp/hako-%u", (unsigned)geteuid());
      g.root = root_buf;
    }
  }
  int r = hk_log_init(g.log, g.log_json, g.debug);
  if (r < 0) {
    fprintf(stderr, "hako: --log %s: %s\n", g.log, strerror(-r));
    return 1;
  }
  if (optind >= argc) {
    usage(stderr);
    return 1;
  }
  if (strcmp(argv[optind], "help") == 0 || strcmp(argv[optind], "h") == 0) {
    const struct cli_command *about = optind + 1 < argc ? cli_find(argv[optind + 1]) : NULL;
    if (about)
      return cli_help(about);
    usage(stdout);
    return 0;
  }
  const struct cli_command *cmd = cli_find(argv[optind]);
  if (!cmd) {
    struct hk_error err = {0};
    hk_error_set(&err, EINVAL, "unknown command \"%s\" (see hako --help)", argv[optind]);
    return cli_fail(&err);
  }
  if (strcmp(cmd->name, "create") == 0 || strcmp(cmd->name, "run") == 0 ||
      strcmp(cmd->name, "exec") == 0) {
    struct hk_error err = {0};
    if (hako_protect_exe(argv, &err) < 0)
      return cli_fail(&err);
  }
  if (g.systemd_cgroup) {
    struct hk_error err = {0};
    hk_error_set(&err, ENOTSUP, "not supported yet: --systemd-cgroup");
    return cli_fail(&err);
  }
  int sub_argc = argc - optind;
  char **sub_argv = argv + optind;
  optind = 0; /* reset getopt for the command's own flags */
  return cmd->run(&g, sub_argc, sub_argv);
}
