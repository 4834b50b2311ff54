// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - processes of attach and --backend bpf (see proc.h): a command
 * started in a cgroup with its signals forwarded, its exit, and a running
 * process watched.
 *
 * The child moves itself into the cgroup before it execs, so not one of
 * its calls is missed; a pipe closed on exec tells the parent whether the
 * exec worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "proc.h"

/* ---- the child ---- */

/* What the child reports through the pipe when it cannot go on. */
struct child_error {
	int stage;	/* CHILD_CGROUP, CHILD_EXEC */
	int err;
};

enum { CHILD_CGROUP = 1, CHILD_EXEC };

static void child_report(int fd, int stage, int err)
{
	struct child_error ce = { stage, err };
	ssize_t n;

	do {
		n = write(fd, &ce, sizeof(ce));
	} while (n < 0 && errno == EINTR);
	_exit(127);
}

static bool child_out_to_err;

void pmdstat_child_stdout_to_stderr(bool on)
{
	child_out_to_err = on;
}

static void child_run(int fd, const struct pmdstat_cgroup *cg, char *const argv[])
{
	char procs[PATH_MAX + 16];
	sigset_t none;
	int cfd;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (cg) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->path);
		cfd = open(procs, O_WRONLY | O_CLOEXEC);
		if (cfd < 0 || write(cfd, "0", 1) != 1)
			child_report(fd, CHILD_CGROUP, errno);
		close(cfd);
	}
	if (child_out_to_err && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		child_report(fd, CHILD_EXEC, errno);
	execvp(argv[0], argv);
	child_report(fd, CHILD_EXEC, errno);
}

pid_t pmdstat_child_start(const struct pmdstat_cgroup *cg, char *const argv[])
{
	struct child_error ce;
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC)) {
		fprintf(stderr, "pmdstat: cannot start '%s': pipe: %s\n", argv[0],
			strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pmdstat: cannot start '%s': fork: %s\n", argv[0],
			strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!pid) {
		close(pfd[0]);
		child_run(pfd[1], cg, argv);
	}
	close(pfd[1]);
	do {
		n = read(pfd[0], &ce, sizeof(ce));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == 0)
		return pid;	/* the pipe closed on exec */
	pmdstat_child_done(pid, true, &status);
	if (n != (ssize_t)sizeof(ce)) {
		fprintf(stderr, "pmdstat: cannot start '%s': the child failed before it could say why\n",
			argv[0]);
		return -1;
	}
	if (ce.stage == CHILD_CGROUP) {
		fprintf(stderr, "pmdstat: cannot move '%s' into the cgroup %s: %s: check that cgroup v2 allows it there, or attach to the process once it runs: pmdstat attach -p PID\n",
			argv[0], cg ? cg->path : "?", strerror(ce.err));
		return -1;
	}
	fprintf(stderr, "pmdstat: cannot run '%s': %s%s\n", argv[0], strerror(ce.err),
		ce.err == ENOENT && !strchr(argv[0], '/') ? " (not found in PATH)" : "");
	return -127;
}

static volatile pid_t forward_to;

static void forward(int sig, siginfo_t *si, void *uc)
{
	pid_t child = forward_to;

	(void)uc;
	if (child <= 0)
		return;
	/* a terminal's Ctrl-C went to the whole process group: the child has it */
	if (si && si->si_code == SI_KERNEL && getpgid(child) == getpgrp())
		return;
	kill(child, sig);
}

pid_t pmdstat_child_spawn(const struct pmdstat_cgroup *cg, char *const argv[])
{
	struct sigaction sa;
	sigset_t term, old;
	pid_t pid;

	/* a signal before the child can take it waits until it can */
	sigemptyset(&term);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	pid = pmdstat_child_start(cg, argv);
	if (pid > 0) {
		memset(&sa, 0, sizeof(sa));
		forward_to = pid;
		sa.sa_sigaction = forward;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

int pmdstat_child_done(pid_t child, bool wait, int *status)
{
	pid_t r;
	int ws;

	do {
		r = waitpid(child, &ws, wait ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r;
	if (WIFSIGNALED(ws))
		*status = 128 + WTERMSIG(ws);
	else
		*status = WEXITSTATUS(ws);
	return 1;
}

/* ---- a running process ---- */

int pmdstat_proc_start(pid_t pid, u64 *start)
{
	char path[64], buf[1024], *s, *end;
	unsigned int field;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return n < 0 && errno != ESRCH ? -errno : -ENOENT;
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold spaces and ')' */
	s = strrchr(buf, ')');
	if (!s || s[1] != ' ')
		return -EINVAL;
	s += 2;
	if (*s == 'Z' || *s == 'X')
		return -ENOENT;
	for (field = 3; field < 22 && s; field++) {
		s = strchr(s, ' ');
		if (s)
			s++;
	}
	if (!s)
		return -EINVAL;
	errno = 0;
	*start = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	return 0;
}

bool pmdstat_proc_alive(pid_t pid, u64 start)
{
	u64 now;

	return !pmdstat_proc_start(pid, &now) && now == start;
}
