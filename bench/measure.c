/*
 * measure.c - how bench/run times one command: runs it (stdin from
 * /dev/null, stdout and stderr as given) and writes "wall cpu peak_rss_kb"
 * to a file, from wait4()'s resource usage of that child alone: wall and
 * CPU (user + system) in seconds to the microsecond, where GNU time prints
 * hundredths, too coarse for the floor.  A small program rather than a
 * script: the peak RSS the kernel reports includes whatever the child was
 * before exec, and a forked interpreter would add megabytes to every figure.
 *
 * Usage: measure OUT CMD [ARG...].  Exits with CMD's status (128 + signal
 * if it was killed); 127 if CMD cannot be run, 2 on a usage error.
 * Built by bench/run with the system compiler, never installed.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec start, end;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fputs("usage: measure OUT CMD [ARG...]\n", stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = fork();
	if (pid == -1) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd != -1)
			dup2(fd, 0);
		execvp(argv[2], argv + 2);
		perror("measure: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("measure: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	out = fopen(argv[1], "w");
	if (!out) {
		perror("measure: output file");
		return 2;
	}
	fprintf(out, "%.6f %.6f %ld\n",
		(double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9,
		seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss);
	fclose(out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
