// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-workload - make real hugetlb PMD-table sharing and unsharing with
 * exactly predictable counts, so that tests can compare what a tracer (the
 * pmdstat module) counted with what the workload implies.
 *
 * One round of one trigger: the parent maps a 1 GiB hugetlb file (memfd, or
 * an unlinked file in a hugetlbfs mount with -H) MAP_SHARED at a 1 GiB-aligned
 * address and never touches it, then forks PROCS children. Child 0 touches
 * PAGES 2 MiB pages (huge_pmd_share finds nothing: fresh PMD table); children
 * 1..PROCS-1, one at a time, touch page 0 (huge_pmd_share attaches to that
 * table) and check Shared_Hugetlb > 0 in /proc/self/smaps. The trigger then
 * unshares the table in exactly PROCS-1 processes, one child at a time:
 * munmap, madvise(MADV_DONTNEED), mprotect, fallocate(PUNCH_HOLE) or
 * ftruncate(0) by child 0 alone, or exit (recipe: section 7 of
 * kernel-notes-hugetlb-6.1-6.12.md). At the end, one line per trigger:
 *   result trigger=munmap procs=4 rounds=1 share_calls=4 expect_attached=3
 *   expect_fresh=1 expect_unshared=3 sharing_seen=3 errors=0   (one line)
 *
 * Usage: "pmdstat-workload -h". Needs PAGES+1 free 2 MiB hugepages (echo 64 >
 * /proc/sys/vm/nr_hugepages, or boot with hugepages=64). Exit status: 0 ok,
 * 1 failure, 2 bad arguments, 4 not enough hugepages (kselftest SKIP).
 *
 * Build: gcc -O2 -Wall -Wextra -static -o pmdstat-workload pmdstat-workload.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21U << 26)	/* log2(2 MiB) << MFD_HUGE_SHIFT */
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC	0x958458f6
#endif

#define PROG		"pmdstat-workload"
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)
#define MAX_PROCS	64
#define TIMEOUT_MS	30000L	/* for every wait on a child */

enum trig { T_MUNMAP, T_DONTNEED, T_MPROTECT, T_PUNCH, T_TRUNCATE, T_EXIT,
	    T_SOFTOFFLINE, NR_TRIG };
/* "all": the six unshare triggers; softoffline only when named (it takes
 * a hugepage out of the pool for good) */
#define NR_ALL		(T_EXIT + 1)
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
static const char *const trig_name[NR_TRIG] = {
	"munmap", "dontneed", "mprotect", "punch", "truncate", "exit",
	"softoffline",
};

/* Parent -> child commands, and the child's answer. */
enum { CMD_TOUCH_ALL, CMD_TOUCH0, CMD_SMAPS, CMD_TRIGGER, CMD_EXIT };
struct cmd { int op, arg; };
struct ack {
	int err;	/* errno of a failed syscall (child printed it), or 0 */
	long kb;	/* Shared_Hugetlb in kB, -1 if the VMA is gone */
};

static struct child {
	pid_t pid;	/* 0 once reaped */
	int cmd_fd;	/* parent's end of the command pipe */
	int ack_fd;	/* parent's end of the ack pipe */
} kids[MAX_PROCS];

static struct result { unsigned long rounds, seen, errors; } results[NR_TRIG];

static int nprocs = 4, nrounds = 1, npages = 2, secs, quiet;
static const char *hdir;
static int trigs[NR_TRIG], ntrig;
static char *map;		/* the 1 GiB-aligned mapping of the file */
static int hfd = -1;		/* the hugetlb file */
static int cur;			/* trigger of the current round, for messages */

static const char usage_text[] =
"Usage: " PROG " [-n PROCS] [-r ROUNDS] [-p PAGES] [-t TRIGGER[,TRIGGER...]]\n"
"                        [-d SECS] [-H HUGETLBFS_DIR] [-q] [-h]\n"
"\n"
"Make hugetlb PMD page-table sharing and unsharing with predictable counts.\n"
"Per round child 0 faults PAGES 2 MiB pages of a shared 1 GiB hugetlb\n"
"mapping (fresh PMD table), children 1..PROCS-1 attach to that table, then\n"
"the trigger unshares it in exactly PROCS-1 processes.\n"
"\n"
"  -n PROCS     sharing processes, 2..64 (default 4)\n"
"  -r ROUNDS    rounds per trigger, 1..1000 (default 1)\n"
"  -p PAGES     2 MiB hugepages touched by child 0, 1..512 (default 2)\n"
"  -t TRIGGERS  comma-separated list of munmap, dontneed, mprotect, punch,\n"
"               truncate, exit, or all (= all six in that order; default);\n"
"               also softoffline (MADV_SOFT_OFFLINE: migration unshares\n"
"               through huge_pmd_unshare; takes one hugepage per round out\n"
"               of the pool for good), only when named\n"
"  -d SECS      cycle through the triggers until SECS (1..3600) have elapsed\n"
"               (whole cycles; overrides -r; results give the rounds run)\n"
"  -H DIR       use an unlinked file in the hugetlbfs (2 MiB pages) mounted\n"
"               at DIR instead of memfd_create(MFD_HUGETLB|MFD_HUGE_2MB)\n"
"  -q           quiet: print only the result lines\n"
"  -h, --help   show this help\n"
"\n"
"Output, per trigger:  result trigger=T procs=N rounds=R share_calls=N*R\n"
"  expect_attached=(N-1)*R expect_fresh=R expect_unshared=(N-1)*R\n"
"  sharing_seen=S errors=E\n"
"Needs PAGES+1 free hugepages (echo 64 > /proc/sys/vm/nr_hugepages).\n"
"Exit status: 0 ok, 1 failure, 2 bad arguments, 4 not enough hugepages.\n"
"\n"
"Examples:\n"
"  " PROG "                        all triggers, 4 processes, 1 round\n"
"  " PROG " -n 8 -r 10 -t munmap,punch -q\n"
"  " PROG " -d 60 -q               background load for 60 seconds\n"
"  " PROG " -H /dev/hugepages -t exit\n";

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One line on stderr: "pmdstat-workload: <message>" */
static void __attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", buf);
}

static void syserr(const char *call)
{
	msg("%s (trigger %s): %s", call, trig_name[cur], strerror(errno));
}

#define bad_arg(fmt, ...) do {						\
	msg(fmt " (see " PROG " -h)", __VA_ARGS__);			\
	exit(2);							\
} while (0)

static int parse_num(int opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		bad_arg("invalid value '%s' for -%c: expected an integer in %ld..%ld",
			s, opt, min, max);
	return (int)v;
}

static void add_trigger(int t, int *seen)
{
	if (seen[t]++)
		bad_arg("trigger '%s' given twice in -t", trig_name[t]);
	trigs[ntrig++] = t;
}

static void parse_triggers(const char *arg)
{
	int seen[NR_TRIG] = { 0 }, i;
	const char *p = arg, *comma;
	size_t len;

	ntrig = 0;
	do {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < NR_TRIG; i++)
			if (strlen(trig_name[i]) == len &&
			    !strncmp(p, trig_name[i], len))
				break;
		if (i < NR_TRIG) {
			add_trigger(i, seen);
		} else if (len == 3 && !strncmp(p, "all", 3)) {
			for (i = 0; i < NR_ALL; i++)
				add_trigger(i, seen);
		} else {
			bad_arg("%s trigger '%.*s' in -t '%s': expected a comma-separated list of munmap, dontneed, mprotect, punch, truncate, exit, softoffline, or all",
				len ? "unknown" : "empty", (int)len, p, arg);
		}
		p = comma + 1;
	} while (comma);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	parse_triggers("all");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:r:p:t:d:H:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			nprocs = parse_num(c, optarg, 2, MAX_PROCS);
			break;
		case 'r':
			nrounds = parse_num(c, optarg, 1, 1000);
			break;
		case 'p':
			npages = parse_num(c, optarg, 1, 512);
			break;
		case 'd':
			secs = parse_num(c, optarg, 1, 3600);
			break;
		case 't':
			parse_triggers(optarg);
			break;
		case 'H':
			hdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			bad_arg("option '%s' requires an argument", argv[optind - 1]);
		default:	/* "--..." is always the last element seen */
			if (!optopt || !strncmp(argv[optind - 1], "--", 2))
				bad_arg("unknown option '%s': accepted are -n -r -p -t -d -H -q -h --help",
					argv[optind - 1]);
			bad_arg("unknown option '-%c': accepted are -n -r -p -t -d -H -q -h --help",
				optopt);
		}
	}
	if (optind < argc)
		bad_arg("unexpected operand '%s': only options are accepted",
			argv[optind]);
}

/*
 * Child side. Shared_Hugetlb (kB) of the VMA starting at map, from
 * /proc/self/smaps; -1 if there is no such VMA, -2 (errno set) on error.
 */
static long smaps_shared_kb(void)
{
	unsigned long start, end;
	char line[512];
	int in_vma = 0;
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			if (in_vma)
				break;		/* next VMA: field missing */
			in_vma = start == (uintptr_t)map;
		} else if (in_vma &&
			   sscanf(line, "Shared_Hugetlb: %ld kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb;
}

static int child_trigger(int id, int t)
{
	static const char *const call[NR_TRIG] = {
		"munmap", "madvise(MADV_DONTNEED)", "mprotect",
		"fallocate(PUNCH_HOLE)", "ftruncate", "exit",
		"madvise(MADV_SOFT_OFFLINE)",
	};
	int ret;

	switch (t) {
	case T_MUNMAP:
		ret = munmap(map, SZ_1G);
		break;
	case T_DONTNEED:
		ret = madvise(map, SZ_2M, MADV_DONTNEED);
		break;
	case T_MPROTECT:
		ret = mprotect(map, SZ_1G, PROT_READ);
		break;
	case T_PUNCH:
		ret = fallocate(hfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				0, SZ_2M);
		break;
	case T_TRUNCATE:
		ret = ftruncate(hfd, 0);
		break;
	case T_SOFTOFFLINE:
		/* migration: the rmap walk unshares through huge_pmd_unshare */
		ret = madvise(map, SZ_2M, MADV_SOFT_OFFLINE);
		break;
	default:
		_exit(0);	/* T_EXIT: the exit itself is the trigger */
	}
	if (ret == 0)
		return 0;
	ret = errno;
	msg("child %d: %s (trigger %s): %s", id, call[t], trig_name[t],
	    strerror(ret));
	return ret;
}

static void __attribute__((noreturn)) child_loop(int id, int cfd, int afd)
{
	volatile char *p = map;
	struct cmd c;
	struct ack a;
	int k;

	for (;;) {
		if (read(cfd, &c, sizeof(c)) != sizeof(c))
			_exit(3);	/* parent gone */
		a.err = 0;
		a.kb = 0;
		switch (c.op) {
		case CMD_TOUCH_ALL:
			for (k = 0; k < npages; k++)
				p[(unsigned long)k * SZ_2M] = 1;
			break;
		case CMD_TOUCH0:
			p[0] = 1;
			/* fall through */
		case CMD_SMAPS:
			a.kb = smaps_shared_kb();
			if (a.kb == -2) {
				a.err = errno;
				msg("child %d: open /proc/self/smaps: %s", id,
				    strerror(a.err));
			}
			break;
		case CMD_TRIGGER:
			a.err = child_trigger(id, c.arg);
			break;
		default:
			_exit(0);
		}
		if (write(afd, &a, sizeof(a)) != sizeof(a))
			_exit(3);
	}
}

/* Parent side. Reap child i, waiting at most TIMEOUT_MS. */
static int reap(int i, int *st)
{
	long deadline = now_ms() + TIMEOUT_MS;
	struct timespec ms = { 0, 1000000L };
	pid_t r;

	for (;;) {
		r = waitpid(kids[i].pid, st, WNOHANG);
		if (r == kids[i].pid) {
			kids[i].pid = 0;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			syserr("waitpid");
			return -1;
		}
		if (now_ms() >= deadline) {
			msg("timeout (%ld s) waiting for child %d to exit (trigger %s)",
			    TIMEOUT_MS / 1000, i, trig_name[cur]);
			return -1;
		}
		nanosleep(&ms, NULL);
	}
}

static const char *describe(int st)
{
	static char buf[96];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited with status %d",
			 WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)%s",
			 WTERMSIG(st), strsignal(WTERMSIG(st)),
			 WTERMSIG(st) == SIGBUS ? ", out of hugepages?" : "");
	return buf;
}

/* Kill and reap whatever is left of the round's children. */
static void kill_children(void)
{
	int i;

	for (i = 0; i < nprocs; i++) {
		if (kids[i].pid > 0) {
			kill(kids[i].pid, SIGKILL);
			waitpid(kids[i].pid, NULL, 0);
		}
		if (kids[i].cmd_fd >= 0)
			close(kids[i].cmd_fd);
		if (kids[i].ack_fd >= 0)
			close(kids[i].ack_fd);
		kids[i].pid = 0;
		kids[i].cmd_fd = -1;
		kids[i].ack_fd = -1;
	}
}

static int send_cmd(int i, int op, int arg)
{
	struct cmd c = { op, arg };

	if (write(kids[i].cmd_fd, &c, sizeof(c)) == sizeof(c))
		return 0;
	msg("write to child %d (trigger %s): %s", i, trig_name[cur],
	    strerror(errno));
	return -1;
}

/* Send a command to child i and wait (with timeout) for its ack. */
static int ask(int i, int op, int arg, struct ack *a)
{
	struct pollfd pfd = { .fd = kids[i].ack_fd, .events = POLLIN };
	long deadline = now_ms() + TIMEOUT_MS, left;
	size_t got = 0;
	ssize_t n;
	int st;

	if (send_cmd(i, op, arg))
		return -1;
	while (got < sizeof(*a)) {
		left = deadline - now_ms();
		if (left <= 0) {
			msg("timeout (%ld s) waiting for child %d (trigger %s)",
			    TIMEOUT_MS / 1000, i, trig_name[cur]);
			return -1;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;	/* EINTR or timeout: checked above */
		n = read(kids[i].ack_fd, (char *)a + got, sizeof(*a) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			syserr("read from child");
			return -1;
		}
		if (n == 0) {		/* EOF: the child is gone */
			if (reap(i, &st) == 0)
				msg("child %d died unexpectedly (trigger %s): %s",
				    i, trig_name[cur], describe(st));
			return -1;
		}
		got += n;
	}
	return a->err ? -1 : 0;
}

/* Make child i exit (CMD_EXIT, or the exit trigger) and check its status. */
static int finish_child(int i, int op)
{
	int st;

	if (send_cmd(i, op, cur) || reap(i, &st))
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	msg("child %d (trigger %s) %s", i, trig_name[cur], describe(st));
	return -1;
}

static int fork_children(void)
{
	pid_t parent = getpid();
	int cp[2], ap[2], i, j;

	for (i = 0; i < nprocs; i++) {
		if (pipe(cp)) {
			syserr("pipe");
			return -1;
		}
		kids[i].cmd_fd = cp[1];
		if (pipe(ap)) {
			syserr("pipe");
			close(cp[0]);
			return -1;
		}
		kids[i].ack_fd = ap[0];
		fflush(NULL);
		kids[i].pid = fork();
		if (kids[i].pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(3);
			for (j = 0; j <= i; j++) {	/* parent ends */
				close(kids[j].cmd_fd);
				close(kids[j].ack_fd);
			}
			child_loop(i, cp[0], ap[1]);
		}
		close(cp[0]);
		close(ap[1]);
		if (kids[i].pid < 0) {
			kids[i].pid = 0;
			syserr("fork");
			return -1;
		}
	}
	return 0;
}

/* Create the file, map it 1 GiB-aligned; the parent never touches it. */
static int setup_mapping(void)
{
	char path[4096], *res;
	unsigned long head;

	if (hdir) {
		snprintf(path, sizeof(path), "%s/" PROG ".XXXXXX", hdir);
		hfd = mkstemp(path);
		if (hfd >= 0)
			unlink(path);
	} else {
		hfd = memfd_create(PROG, MFD_HUGETLB | MFD_HUGE_2MB);
	}
	if (hfd < 0) {
		syserr(hdir ? "mkstemp in hugetlbfs" : "memfd_create(MFD_HUGETLB)");
		return -1;
	}
	if (ftruncate(hfd, SZ_1G)) {
		syserr("ftruncate(1 GiB)");
		return -1;
	}
	res = mmap(NULL, 2 * SZ_1G, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		syserr("mmap(2 GiB PROT_NONE)");
		return -1;
	}
	map = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(uintptr_t)(SZ_1G - 1));
	if (mmap(map, SZ_1G, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, hfd, 0) == MAP_FAILED) {
		syserr("mmap(hugetlb file, MAP_FIXED)");
		munmap(res, 2 * SZ_1G);
		map = NULL;
		return -1;
	}
	head = map - res;
	if (head)
		munmap(res, head);
	if (SZ_1G - head)
		munmap(map + SZ_1G, SZ_1G - head);
	return 0;
}

/* One round of trigger cur. */
static void run_round(unsigned long rnd)
{
	struct result *r = &results[cur];
	int errs = 0, seen = 0, still = 0, i;
	const char *tn = trig_name[cur];
	long kb0 = 0;
	struct ack a;

	map = NULL;
	for (i = 0; i < nprocs; i++) {
		kids[i].cmd_fd = -1;
		kids[i].ack_fd = -1;
	}
	r->rounds++;
	if (setup_mapping() || fork_children())
		goto fail;

	/* Child 0 creates the PMD table, the others attach to it in turn. */
	if (ask(0, CMD_TOUCH_ALL, 0, &a))
		goto fail;
	for (i = 1; i <= nprocs; i++) {
		if (ask(i % nprocs, i < nprocs ? CMD_TOUCH0 : CMD_SMAPS, 0, &a))
			goto fail;
		if (i == nprocs)
			kb0 = a.kb;
		else if (a.kb > 0)
			seen++;
		if (a.kb <= 0) {
			msg("sharing not observed in smaps for child %d (trigger %s, round %lu: Shared_Hugetlb %ld kB)",
			    i % nprocs, tn, rnd, a.kb);
			errs++;
		}
	}

	/* The trigger, one child at a time. */
	for (i = 0; i < nprocs; i++) {
		if (cur == T_EXIT) {
			if (finish_child(i, CMD_TRIGGER))
				goto fail;
		} else if (ask(i, CMD_TRIGGER, cur, &a)) {
			goto fail;
		}
		if (cur == T_PUNCH || cur == T_TRUNCATE || cur == T_SOFTOFFLINE)
			break;		/* child 0 alone */
	}
	if (cur != T_EXIT) {
		for (i = 0; i < nprocs; i++) {
			if (ask(i, CMD_SMAPS, 0, &a))
				goto fail;
			if (a.kb > 0) {
				msg("warning: child %d still has Shared_Hugetlb %ld kB after trigger %s (round %lu)",
				    i, a.kb, tn, rnd);
				still++;
			}
		}
		for (i = 0; i < nprocs; i++)
			if (finish_child(i, CMD_EXIT))
				goto fail;
	}
	if (!quiet && cur == T_EXIT)
		printf("trigger=%s round=%lu: child 0 faulted %d page(s), %d/%d sharers attached, child 0 Shared_Hugetlb %ld kB, all exited one by one\n",
		       tn, rnd, npages, seen, nprocs - 1, kb0);
	else if (!quiet)
		printf("trigger=%s round=%lu: child 0 faulted %d page(s), %d/%d sharers attached, child 0 Shared_Hugetlb %ld kB, after trigger %d/%d still shared\n",
		       tn, rnd, npages, seen, nprocs - 1, kb0, still, nprocs);
	goto out;
fail:
	errs++;
	if (!quiet)
		printf("trigger=%s round=%lu: FAILED (see stderr)\n", tn, rnd);
out:
	kill_children();
	if (map)
		munmap(map, SZ_1G);
	if (hfd >= 0)
		close(hfd);
	hfd = -1;
	r->seen += seen;
	r->errors += errs;
}

static void check_setup(void)
{
	long need = npages + 1, freep = 0, total = 0;
	FILE *f = fopen("/proc/meminfo", "r");
	struct statfs sfs;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Total: %ld", &total) != 1 &&
		    sscanf(line, "HugePages_Free: %ld", &freep) == 1)
			break;
	if (f)
		fclose(f);
	if (freep < need) {
		msg("SKIP: need %ld free 2 MiB hugepages (PAGES+1), HugePages_Free is %ld; reserve them with 'echo %ld > /proc/sys/vm/nr_hugepages' or boot with 'hugepages=%ld'",
		    need, freep, total + need - freep, need);
		exit(4);
	}
	if (!hdir)
		return;
	if (statfs(hdir, &sfs))
		bad_arg("invalid -H '%s': %s", hdir, strerror(errno));
	if (sfs.f_type != HUGETLBFS_MAGIC || sfs.f_bsize != (long)SZ_2M)
		bad_arg("invalid -H '%s': %s", hdir,
			"expected a hugetlbfs mount with 2 MiB pages (mount -t hugetlbfs -o pagesize=2M none DIR)");
}

int main(int argc, char **argv)
{
	unsigned long rnd, n, k, want;
	int i, ret = 0;
	long deadline;

	parse_args(argc, argv);
	check_setup();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (!quiet) {
		printf(PROG ": pid %d procs=%d pages=%d %s=%d backing=%s triggers=",
		       (int)getpid(), nprocs, npages, secs ? "secs" : "rounds",
		       secs ? secs : nrounds, hdir ? hdir : "memfd");
		for (i = 0; i < ntrig; i++)
			printf("%s%s", i ? "," : "", trig_name[trigs[i]]);
		printf("\n");
	}

	if (secs) {
		/* Whole cycles, so that every trigger runs at least once. */
		deadline = now_ms() + secs * 1000L;
		for (rnd = 1; rnd == 1 || now_ms() < deadline; rnd++)
			for (i = 0; i < ntrig; i++) {
				cur = trigs[i];
				run_round(rnd);
			}
	} else {
		for (i = 0; i < ntrig; i++)
			for (rnd = 1; rnd <= (unsigned long)nrounds; rnd++) {
				cur = trigs[i];
				run_round(rnd);
			}
	}

	n = nprocs;
	for (i = 0; i < ntrig; i++) {
		k = results[trigs[i]].rounds;
		printf("result trigger=%s procs=%lu rounds=%lu share_calls=%lu expect_attached=%lu expect_fresh=%lu expect_unshared=%lu sharing_seen=%lu errors=%lu\n",
		       trig_name[trigs[i]], n, k, n * k, (n - 1) * k, k,
		       (n - 1) * k, results[trigs[i]].seen,
		       results[trigs[i]].errors);
	}
	fflush(stdout);
	for (i = 0; i < ntrig; i++) {
		struct result *r = &results[trigs[i]];

		want = (n - 1) * r->rounds;
		if (r->errors || r->seen != want) {
			msg("FAIL: trigger %s: errors=%lu, sharing_seen=%lu of %lu expected",
			    trig_name[trigs[i]], r->errors, r->seen, want);
			ret = 1;
		}
	}
	return ret;
}
