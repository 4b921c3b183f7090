// timeit: run one command and report its wall time, CPU time and max RSS.
//
//   timeit FD COMMAND [ARG...]
//
// Forks, execs COMMAND (stdin/stdout/stderr inherited), waits for it with wait4 and
// writes "WALL_NS CPU_US MAXRSS_KIB STATUS\n" to file descriptor FD (CPU: user+sys of
// the command and the children it waited for; STATUS: the raw wait status).
//
// Why a C helper rather than Python's own fork: ru_maxrss counts the high-water RSS of
// the memory the process had before exec, that is the forking parent's. Forked from
// this small static program that floor is a few hundred KiB, not Python's ~20 MiB, so
// the RSS of a small runtime is visible.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: timeit FD COMMAND [ARG...]\n");
    return 2;
  }
  int fd = atoi(argv[1]);
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    close(fd);
    execvp(argv[2], argv + 2);
    fprintf(stderr, "timeit: exec %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "timeit: wait4: %s\n", strerror(errno));
      return 2;
    }
  }
  long long wall = now_ns() - t0;
  long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
                  ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  dprintf(fd, "%lld %lld %ld %d\n", wall, cpu, ru.ru_maxrss, status);
  return 0;
}
