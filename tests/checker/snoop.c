/*
 * checker snoop DIR: play a process inside the container that tries to spy on
 * a runtime process joining it (`hako exec` between setns and execve).
 *
 * Until DIR/stop exists, it scans /proc; for every process whose comm is
 * "hako" it tries to read /proc/PID/environ, open /proc/PID/mem, readlink
 * /proc/PID/fd/0..2 and PTRACE_SEIZE it.  A success while the comm is still
 * "hako" (so before execve) is a leak.  For the first process named "sleep"
 * (a dumpable exec'd process of the same uid) it does the same as a control:
 * it shows the attempts work where the kernel allows them.
 *
 * DIR/log gets one line per event, flushed at once:
 *   seen PID                  a joining process was seen and attacked
 *   leak OP PID [detail]      OP (environ, mem, fd, ptrace) worked before execve
 *   control OP ok|ERRNO-NAME  the same OP on the "sleep" process
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snoop.h"

static FILE *logf;

static bool comm_is(int pid, const char *name)
{
	char path[64], comm[64] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, comm, sizeof comm - 1);
	close(fd);
	if (n <= 0)
		return false;
	comm[n] = 0;
	comm[strcspn(comm, "\n")] = 0;
	return strcmp(comm, name) == 0;
}

/* Each try_* returns 0 on success, else an errno. */
static int try_environ(int pid, bool *secret)
{
	char path[64], buf[65536];
	snprintf(path, sizeof path, "/proc/%d/environ", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	int e = n < 0 ? errno : 0;
	close(fd);
	if (n <= 0)
		return n < 0 ? e : ENODATA;
	*secret = memmem(buf, (size_t)n, "HAKO_SNOOP_SECRET=", 18) != NULL;
	return 0;
}

static int try_mem(int pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_fd(int pid)
{
	int e = ENOENT;
	for (int n = 0; n <= 2; n++) {
		char path[64], target[256];
		snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, n);
		if (readlink(path, target, sizeof target) >= 0)
			return 0;
		e = errno;
	}
	return e;
}

static int try_ptrace(int pid)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return errno;
	/* let go again: a seized tracee must be stopped to be detached */
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
		int st;
		waitpid(pid, &st, __WALL);
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}

static void control(int pid)
{
	static bool done;
	bool secret = false;
	if (done)
		return;
	done = true;
	/* comm changes before the kernel has set up the new environment: a
	 * control caught in that window reads an empty environ for a moment */
	int env = try_environ(pid, &secret);
	for (int i = 0; env == ENODATA && i < 400; i++) {
		usleep(5000);
		env = try_environ(pid, &secret);
	}
	int r[4] = { env, try_mem(pid), try_fd(pid), try_ptrace(pid) };
	const char *op[4] = { "environ", "mem", "fd", "ptrace" };
	for (int i = 0; i < 4; i++)
		fprintf(logf, "control %s %s\n", op[i], r[i] ? strerrorname_np(r[i]) : "ok");
	fflush(logf);
}

static void attack(int pid)
{
	bool secret = false;
	fprintf(logf, "seen %d\n", pid);
	if (try_environ(pid, &secret) == 0 && secret)
		fprintf(logf, "leak environ %d (the runtime's environment)\n", pid);
	if (try_mem(pid) == 0 && comm_is(pid, "hako"))
		fprintf(logf, "leak mem %d\n", pid);
	if (try_fd(pid) == 0 && comm_is(pid, "hako"))
		fprintf(logf, "leak fd %d\n", pid);
	if (try_ptrace(pid) == 0 && comm_is(pid, "hako"))
		fprintf(logf, "leak ptrace %d\n", pid);
	fflush(logf);
}

int checker_snoop(const char *dir)
{
	char path[4096], stop[4096];
	snprintf(path, sizeof path, "%s/log", dir);
	snprintf(stop, sizeof stop, "%s/stop", dir);
	logf = fopen(path, "ae");
	if (!logf) {
		perror(path);
		return 1;
	}
	int self = getpid(), last = 0;
	while (access(stop, F_OK) != 0) {
		DIR *d = opendir("/proc");
		if (!d) {
			perror("/proc");
			return 1;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			int pid = atoi(e->d_name);
			if (pid <= 1 || pid == self)
				continue;
			if (pid != last && comm_is(pid, "hako")) {
				last = pid;
				attack(pid);
			} else if (comm_is(pid, "sleep")) {
				control(pid);
			}
		}
		closedir(d);
	}
	fclose(logf);
	return 0;
}
