// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c - pmdstat --backend bpf (see backend.h): one run of
 * pmdstat-bpf, whose stats, in the module's format, are parsed and
 * reported by the code that reports pmdstat -f FILE, so that the output
 * is that of "pmdstat-bpf ... | pmdstat -f -".
 *
 * pmdstat-bpf writes its stats to a temporary file (-o), not to a pipe:
 * its standard output stays pmdstat's (standard error with -j or --prom),
 * so that a command it runs prints where the user looks, as under attach,
 * and cannot get into the stats.
 * Whether it wrote them tells its own failure (it says why, and writes
 * nothing) from a command's status, which it passes on after writing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "proc.h"
#include "backend.h"
#include "out.h"
#include "run.h"
#include "source.h"

/* pmdstat-bpf's -d without -d or a command, for the message only */
#define BPF_DEFAULT_SECS	5

/* dir (len bytes of it) + "/pmdstat-bpf" into buf, if that is executable. */
static bool executable_in(const char *dir, size_t len, char *buf, size_t size)
{
	struct stat st;

	if (snprintf(buf, size, "%.*s/%s", (int)len, dir, PMDSTAT_BPF_NAME) >= (int)size)
		return false;
	return !stat(buf, &st) && S_ISREG(st.st_mode) && !access(buf, X_OK);
}

int pmdstat_bpf_find(const char *self, const char *path, char *buf, size_t size)
{
	const char *slash = self ? strrchr(self, '/') : NULL;
	const char *dir, *end;

	/* the pair that was built or installed together first */
	if (slash && executable_in(self, (size_t)(slash - self), buf, size))
		return 0;
	for (dir = path; dir && *dir; dir = *end ? end + 1 : end) {
		end = strchr(dir, ':');
		if (!end)
			end = dir + strlen(dir);
		/*
		 * An empty entry means the current directory to a shell; pmdstat
		 * runs as root, so it does not run a pmdstat-bpf found there.
		 */
		if (end > dir && executable_in(dir, (size_t)(end - dir), buf, size))
			return 0;
	}
	return -ENOENT;
}

char **pmdstat_bpf_argv(const char *prog, const struct pmdstat_cli *cli,
			const char *out, char *secs, size_t size)
{
	/* prog -d SECS -o OUT -- CMD ARGS... NULL */
	char **argv = calloc((size_t)cli->argc + 7, sizeof(*argv));
	int n = 0;

	if (!argv)
		return NULL;
	argv[n++] = (char *)prog;
	if (cli->duration) {
		snprintf(secs, size, "%ld", cli->duration);
		argv[n++] = (char *)"-d";
		argv[n++] = secs;
	}
	argv[n++] = (char *)"-o";
	argv[n++] = (char *)out;
	if (cli->argc) {
		/* "--": a command that looks like an option stays the command */
		argv[n++] = (char *)"--";
		memcpy(argv + n, cli->argv, (size_t)cli->argc * sizeof(*argv));
	}
	return argv;
}

/* A new empty file in $TMPDIR or /tmp, its name in buf: 0, or 1 after a message. */
static int temp_file(char *buf, size_t size)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(buf, size, "%s/pmdstat-bpf.XXXXXX", dir) >= (int)size) {
		fprintf(stderr, "pmdstat: TMPDIR is too long: %s\n", dir);
		return 1;
	}
	fd = mkstemp(buf);
	if (fd < 0) {
		fprintf(stderr, "pmdstat: cannot create a file for pmdstat-bpf's stats in %s: %s (set TMPDIR to a writable directory)\n",
			dir, strerror(errno));
		return 1;
	}
	/* pmdstat-bpf opens it by name; only its name is needed here */
	close(fd);
	return 0;
}

/*
 * Run argv and wait for it, with SIGINT and SIGTERM sent to pmdstat passed
 * on (a terminal's Ctrl-C reaches it anyway): pmdstat-bpf ends a -d run
 * early on either and still writes its stats.  Its exit status (128 + N
 * if signal N killed it), or -1 after a message.
 */
static int run_child(char *const argv[])
{
	int status = -1;
	pid_t pid = pmdstat_child_spawn(NULL, argv);

	if (pid < 0)
		return -1;
	if (pmdstat_child_done(pid, true, &status) != 1) {
		fprintf(stderr, "pmdstat: waiting for %s: %s\n", argv[0], strerror(errno));
		status = -1;
	}
	/* no one left to pass signals on to */
	pmdstat_run_signals();
	return status;
}

static void announce(const struct pmdstat_cli *cli, const char *prog)
{
	if (cli->argc)
		fprintf(stderr, "pmdstat: measuring with %s while %s runs\n", prog,
			cli->argv[0]);
	else
		fprintf(stderr, "pmdstat: measuring with %s for %ld s... Hit Ctrl-C to end.\n",
			prog, cli->duration ? cli->duration : (long)BPF_DEFAULT_SECS);
}

/*
 * pmdstat-bpf ended without stats: it failed and said why, unless a signal
 * killed it (a command's status comes only with stats).  Its status.
 */
static int no_stats(int status)
{
	if (status > 128) {
		fprintf(stderr, "pmdstat: %s was killed by signal %d (%s) before it wrote its stats\n",
			PMDSTAT_BPF_NAME, status - 128, strsignal(status - 128));
	} else if (!status) {
		fprintf(stderr, "pmdstat: %s exited with status 0 but wrote no stats\n",
			PMDSTAT_BPF_NAME);
		return 1;
	}
	return status;
}

/* pmdstat-bpf's stats, in r->raw, reported; status is its exit status. */
static int report(struct pmdstat_run *r, int status)
{
	const struct pmdstat_cli *cli = r->cli;
	struct pmdstat_stats st;
	int rc;

	/* stats it could not finish writing: its message says why */
	if (pmdstat_run_parse(r, PMDSTAT_BPF_NAME "'s stats", &st))
		return status ? status : 1;
	if (cli->argc)
		fprintf(stderr, "pmdstat: %s exited with status %d\n", cli->argv[0], status);
	rc = pmdstat_run_show(r, &st);
	pmdstat_stats_free(&st);
	return status ? status : rc;
}

int pmdstat_bpf_run(struct pmdstat_run *r, const char *prog)
{
	char tmp[PATH_MAX], secs[24];
	char **argv;
	int status, err = 0;

	if (temp_file(tmp, sizeof(tmp)))
		return 1;
	argv = pmdstat_bpf_argv(prog, r->cli, tmp, secs, sizeof(secs));
	/* pmdstat-bpf writes its stats to tmp: its stdout is the command's */
	pmdstat_child_stdout_to_stderr(r->cli->json || r->cli->prom);
	if (!argv) {
		fprintf(stderr, "pmdstat: out of memory\n");
		unlink(tmp);
		return 1;
	}
	announce(r->cli, prog);
	status = run_child(argv);
	free(argv);
	if (status >= 0)
		err = pmdstat_read_file(tmp, &r->raw);
	unlink(tmp);
	if (status < 0)
		return 1;
	if (err) {
		fprintf(stderr, "pmdstat: cannot read %s's stats from %s: %s\n",
			PMDSTAT_BPF_NAME, tmp, strerror(-err));
		return status ? status : 1;
	}
	if (!r->raw.len)
		return no_stats(status);
	return report(r, status);
}

int pmdstat_backend_bpf(struct pmdstat_run *r)
{
	char self[PATH_MAX], prog[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool known = n > 0 && n < (ssize_t)sizeof(self) - 1;

	if (known)
		self[n] = '\0';
	if (pmdstat_bpf_find(known ? self : NULL, getenv("PATH"), prog, sizeof(prog))) {
		fprintf(stderr, "pmdstat: --backend bpf runs %s, which is neither next to %s nor in PATH: build it (make tools puts it in build/host/) or put it in PATH\n",
			PMDSTAT_BPF_NAME, known ? self : "pmdstat");
		return 1;
	}
	return pmdstat_bpf_run(r, prog);
}
