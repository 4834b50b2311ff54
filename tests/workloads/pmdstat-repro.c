// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-repro - a configurable synthetic customer repro for hugetlb PMD
 * sharing, like the 2019 case: many processes fault a big shared hugetlb
 * file while huge_pmd_share() holds its i_mmap_rwsem across the scan of the
 * VMA interval tree.  Each process maps the file (memfd, or hugetlbfs)
 * MAP_SHARED|MAP_NORESERVE, 1 GiB per VMA at a 1 GiB-aligned address, so
 * that VMAs can share (section 7 of kernel-notes-hugetlb-6.1-6.12.md).
 * Every first touch of a 2 MiB page, in every thread, is timed; getrusage()
 * tells faults from touches of a page already mapped through a shared PMD
 * table.  The parent starts all children together, prints p50/p99/max, and
 * kills them all on any failure or after 60 s without progress.
 *
 * Usage: "pmdstat-repro -h" (scenarios share, scan, churn, race, mixed).
 * Needs (distinct file pages touched + 1) free 2 MiB hugepages: echo 64 >
 * /proc/sys/vm/nr_hugepages.  Exit status: 0 ok, 1 failure, 2 bad
 * arguments, 4 not enough hugepages.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
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
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21U << 26)	/* log2(2 MiB) << MFD_HUGE_SHIFT */
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC	0x958458f6
#endif

#define PROG		"pmdstat-repro"
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)
#define PMDS_PER_PUD	512L
#define MAX_PROCS	256
#define MAX_THREADS	64
#define MAX_SAMPLES	(1UL << 20)	/* kept per thread ... */
#define SAMPLE_BUDGET	(8UL << 20)	/* ... and in all (32 MiB of u32) */
#define GRACE_S		60		/* nothing progressed for this long */
#define NSEC		1000000000ULL
#define POOL_2M		"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { S_SHARE, S_SCAN, S_CHURN, S_RACE, S_MIXED, NR_SCEN };
static const char *const scen_name[NR_SCEN] = {
	"share", "scan", "churn", "race", "mixed",
};

enum role { R_SHARE, R_SCAN, R_RACE, R_WRITER };
static const char *const role_name[] = { "share", "scan", "race", "writer" };

/* Shared by the parent and every thread of every child. */
struct ctl {
	pthread_barrier_t bar;	/* share and scan rounds: all their threads */
	int ready;		/* threads set up and waiting for the start */
	int stop;		/* parent: fault roles done, writers stop */
	int more;		/* another share/scan round follows */
	unsigned long rounds;	/* share/scan rounds completed */
	uint64_t deadline;	/* -d: end of the run (CLOCK_MONOTONIC ns) */
};

/* One per thread, written only by that thread. */
struct tstat {
	uint64_t faults;	/* timed first touches that faulted */
	uint64_t prefaulted;	/* first touches that did not fault */
	uint64_t stored;	/* faults kept in the sample buffer */
	uint64_t max_ns;
	uint64_t ops;		/* writer: mmap+mprotect+munmap cycles */
} __attribute__((aligned(64)));

/* Options; 0 for "not given" where the default depends on others */
static long scen = S_SHARE, nprocs = 4, nthreads = 1, nvmas, npages = 4;
static long secs, iters, quiet, json;
static unsigned long long fsize = SZ_1G;
static const char *hdir;

/* Derived */
static long nwriters, nracers;		/* role split (churn, mixed, race) */
static long pv, group;			/* scan: all VMAs, VMAs per window */
static unsigned long cap;		/* samples kept per thread */

/* Parent state, inherited by the children */
static int hfd = -1, start_pipe[2] = { -1, -1 };
static struct ctl *ctl;
static struct tstat *tstats;
static uint32_t *samples;
static pid_t pids[MAX_PROCS];

/* Child state: this process's VMAs (vbase: VMA k at vbase + k GiB) */
static int me, nv;
static enum role my_role;
static char *vbase;

static const char usage_text[] =
"Usage: " PROG " [-s SCENARIO] [-p PROCS] [-t THREADS] [--vmas N]\n"
"         [--pages N] [--file-size SIZE] [-d SECS | -n N] [--hugetlbfs DIR]\n"
"         [-q] [--json] [-h]\n"
"\n"
"Synthetic customer repro for hugetlb PMD-table sharing: processes fault a\n"
"shared hugetlb file, 1 GiB per VMA at a 1 GiB-aligned address, so that\n"
"huge_pmd_share() scans the file's VMA tree under i_mmap_rwsem (the 2019\n"
"case).  Every first touch of a 2 MiB page, in every thread, is timed.\n"
"\n"
"Scenarios:\n"
"  share  every process maps the file at offset 0: one shared PMD table.  A\n"
"         round: the threads fault --pages pages, every process remaps its\n"
"         VMA (munmap: unshare); all processes in lockstep\n"
"  scan   rounds as in share, but process i maps the file --vmas times, VMA k\n"
"         at offset (i*VMAS+k)*2M: nothing can share, so every first fault in\n"
"         a VMA scans all VMAs (file enlarged to 1G+(PROCS*VMAS-1)*2M)\n"
"  churn  share, plus max(1,PROCS/4) of the processes looping mmap, mprotect\n"
"         and munmap of the file (i_mmap_rwsem write) until the rest is done\n"
"  race   every thread loops: fault its pages, MADV_DONTNEED each (unshare)\n"
"  mixed  max(1,PROCS/4) churn writers, half the rest race, the others share\n"
"\n"
"  -s, --scenario NAME   share, scan, churn, race or mixed (default share)\n"
"  -p, --procs N         processes, 1..256 (churn 2.., mixed 3..; default 4)\n"
"  -t, --threads N       threads per process, splitting its pages, 1..64 (1)\n"
"      --vmas N          scan: VMAs per process, 1..512 (default 8)\n"
"      --pages N         pages per process (scan: per VMA), 1..512 (4)\n"
"      --file-size SIZE  2M..64G, a multiple of 2M, suffix K, M or G (1G)\n"
"  -d, --duration SECS   run rounds (race: loops) for SECS, 1..3600, or\n"
"  -n, --iterations N    run N of them, 1..1000000000 (default 1)\n"
"      --hugetlbfs DIR   a file in this hugetlbfs (2 MiB pages), not a memfd\n"
"  -q, --quiet           print only the result\n"
"      --json            print the result as one JSON object\n"
"  -h, --help            show this help\n"
"\n"
"Result: faults (first touches that faulted; p50_us, p99_us and max_us are\n"
"theirs), prefaulted (first touches already mapped through a shared PMD\n"
"table), dropped (faults beyond the <=1M samples kept per thread), duration_s,\n"
"share_candidates (processes x PUDs x rounds, +1 per race process: the\n"
"huge_pmd_share() calls implied at least; compare with pmdstat), rounds,\n"
"churn_ops (mmap+mprotect+munmap cycles).\n"
"Needs --pages + 1 free 2 MiB hugepages (scan: --pages per group of\n"
"513-PAGES VMAs, + 1): echo 64 > /proc/sys/vm/nr_hugepages.\n"
"Exit status: 0 ok, 1 failure, 2 bad arguments, 4 not enough hugepages.\n"
"\n"
"Examples:\n"
"  " PROG "                        share: 4 processes fault 4 pages once\n"
"  " PROG " -s share -p 32 -t 2 --pages 16 -n 100\n"
"  " PROG " -s scan -p 4 --vmas 128 --pages 1 -n 10\n"
"  " PROG " -s churn -p 8 -d 30 -q\n"
"  " PROG " -s race -p 4 -t 2 -d 10 --json\n"
"  " PROG " -s mixed -p 12 -t 2 -d 60 --hugetlbfs /dev/hugepages\n";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* One line on stderr: "pmdstat-repro: <message>" */
static void __attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", buf);
}

#define bad_arg(fmt, ...) do {						\
	msg(fmt " (see " PROG " -h)", __VA_ARGS__);			\
	exit(2);							\
} while (0)

/* Child side: report a failed call and end the whole process. */
#define child_die(call) do {						\
	msg("child %d (%s): %s: %s", me, role_name[my_role], call,	\
	    strerror(errno));						\
	_exit(1);							\
} while (0)

static long parse_num(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || errno || *end || v < min || v > max)
		bad_arg("invalid value '%s' for %s: expected an integer in %ld..%ld",
			s, opt, min, max);
	return v;
}

static unsigned long long parse_size(const char *s)
{
	unsigned long long v, mult = 1;
	const char *sfx = "KMG";
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end && strchr(sfx, toupper((unsigned char)*end)))
		mult = 1ULL << (10 * (strchr(sfx, toupper((unsigned char)*end++)) - sfx + 1));
	if (!isdigit((unsigned char)*s) || errno || *end ||
	    v > (64ULL << 30) / mult || v * mult < SZ_2M || (v * mult) % SZ_2M)
		bad_arg("invalid value '%s' for --file-size: expected a multiple of 2M in 2M..64G (bytes, or with suffix K, M or G)",
			s);
	return v * mult;
}

static void parse_args(int argc, char **argv)
{
	enum { O_VMAS = 256, O_FSIZE, O_PAGES, O_HDIR, O_JSON };
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "vmas", required_argument, NULL, O_VMAS },
		{ "file-size", required_argument, NULL, O_FSIZE },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "duration", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "hugetlbfs", required_argument, NULL, O_HDIR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int opt;
		const char *name;
		long min, max, *var;
	} num[] = {
		{ 'p', "--procs", 1, MAX_PROCS, &nprocs },
		{ 't', "--threads", 1, MAX_THREADS, &nthreads },
		{ O_VMAS, "--vmas", 1, 512, &nvmas },
		{ O_PAGES, "--pages", 1, PMDS_PER_PUD, &npages },
		{ 'd', "--duration", 1, 3600, &secs },
		{ 'n', "--iterations", 1, 1000000000, &iters },
	};
	unsigned int i;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:t:d:n:qh", longopts,
				NULL)) != -1) {
		for (i = 0; i < ARRAY_SIZE(num) && num[i].opt != c; i++)
			;
		if (i < ARRAY_SIZE(num)) {
			*num[i].var = parse_num(num[i].name, optarg, num[i].min,
						num[i].max);
			continue;
		}
		switch (c) {
		case 's':
			for (scen = 0; scen < NR_SCEN; scen++)
				if (!strcmp(optarg, scen_name[scen]))
					break;
			if (scen == NR_SCEN)
				bad_arg("invalid value '%s' for --scenario: expected share, scan, churn, race or mixed",
					optarg);
			break;
		case O_FSIZE:
			fsize = parse_size(optarg);
			break;
		case O_HDIR:
			hdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_JSON:
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			bad_arg("option '%s' requires an argument", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256 &&
			    strncmp(argv[optind - 1], "--", 2))
				bad_arg("unknown option '-%c'", optopt);
			bad_arg("unknown or ambiguous option '%s', or a value given to an option that takes none",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected operand '%s': only options are accepted",
			argv[optind]);
	if (secs && iters)
		bad_arg("--duration %ld and --iterations %ld exclude each other: give one",
			secs, iters);
	if (!secs && !iters)
		iters = 1;
	if ((scen == S_CHURN && nprocs < 2) || (scen == S_MIXED && nprocs < 3))
		bad_arg("invalid value '%ld' for --procs: scenario %s needs %d..%d (writers, and share%s processes)",
			nprocs, scen_name[scen], scen == S_CHURN ? 2 : 3,
			MAX_PROCS, scen == S_CHURN ? "" : " and race");
	if (nvmas && scen != S_SCAN && !quiet)
		msg("note: --vmas applies to scenario scan only; ignored");
	if (!nvmas)
		nvmas = 8;
}

/*
 * Parent: roles, the scan layout, the file size; exit 2 if inconsistent.
 * Returns the number of distinct file pages touched.
 */
static long plan(void)
{
	unsigned long long min;
	struct statfs sfs;

	if (hdir && statfs(hdir, &sfs))
		bad_arg("invalid value '%s' for --hugetlbfs: %s", hdir,
			strerror(errno));
	if (hdir && (sfs.f_type != HUGETLBFS_MAGIC || sfs.f_bsize != (long)SZ_2M))
		bad_arg("invalid value '%s' for --hugetlbfs: expected a hugetlbfs mount with 2 MiB pages (mount -t hugetlbfs -o pagesize=2M none DIR)",
			hdir);
	if (scen == S_CHURN || scen == S_MIXED)
		nwriters = nprocs / 4 > 1 ? nprocs / 4 : 1;
	if (scen == S_MIXED)
		nracers = (nprocs - nwriters) / 2;
	if (scen == S_RACE)
		nracers = nprocs;
	if (scen == S_SCAN) {
		pv = nprocs * nvmas;
		group = PMDS_PER_PUD - npages + 1;
		min = SZ_1G + (pv - 1) * SZ_2M;
		if (fsize < min && !quiet)
			msg("note: --file-size enlarged from %lluM to %lluM = 1G + (%ld procs x %ld vmas - 1) x 2M, so that every VMA maps 1 GiB of file",
			    fsize >> 20, min >> 20, nprocs, nvmas);
		if (fsize < min)
			fsize = min;
	}
	if ((unsigned long long)npages > fsize / SZ_2M)
		bad_arg("invalid value '%ld' for --pages: expected 1..%llu, the 2 MiB pages of --file-size %lluM",
			npages, fsize / SZ_2M, fsize >> 20);
	return scen == S_SCAN ? (pv + group - 1) / group * npages : npages;
}

/* Exit 4 unless need 2 MiB hugepages are free (and not reserved). */
static void check_hugepages(long need)
{
	static const char *const name[3] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages" };
	long freep = -1, rsvd = 0, total = 0, size_kb = 0, avail, want;
	long *val[3] = { &total, &freep, &rsvd };
	char line[256];
	FILE *f;
	int i;

	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Total: %ld", &total) != 1 &&
		    sscanf(line, "HugePages_Free: %ld", &freep) != 1 &&
		    sscanf(line, "HugePages_Rsvd: %ld", &rsvd) != 1 &&
		    sscanf(line, "Hugepagesize: %ld", &size_kb) == 1)
			break;		/* the last of them */
	if (f)
		fclose(f);
	for (i = 0; size_kb != 2048 && i < 3; i++) {	/* not the 2M pool */
		snprintf(line, sizeof(line), POOL_2M "%s", name[i]);
		f = fopen(line, "r");
		if (!f || fscanf(f, "%ld", val[i]) != 1)
			*val[i] = -1;
		if (f)
			fclose(f);
	}
	if (freep < 0) {
		msg("SKIP: no 2 MiB hugetlb pool (HugePages_Free in /proc/meminfo, %s): needs CONFIG_HUGETLBFS",
		    POOL_2M);
		exit(4);
	}
	avail = freep - rsvd;	/* reserved pages are promised to others */
	if (avail < need) {
		want = total + need - avail;
		msg("SKIP: need %ld free 2 MiB hugepages (%ld distinct file pages + 1), only %ld free (HugePages_Free %ld - HugePages_Rsvd %ld); reserve them with 'echo %ld > %s' or boot with '%shugepages=%ld'",
		    need, need - 1, avail, freep, rsvd, want,
		    size_kb == 2048 ? "/proc/sys/vm/nr_hugepages" :
		    POOL_2M "nr_hugepages",
		    size_kb == 2048 ? "" : "hugepagesz=2M ", want);
		exit(4);
	}
	if (!quiet)
		fprintf(json ? stderr : stdout,
			PROG ": scenario=%s procs=%ld (share %ld, scan %ld, race %ld, writer %ld) threads=%ld pages=%ld%s file=%lluM backing=%s hugepages: %ld needed, %ld free; %s %ld\n",
			scen_name[scen], nprocs,
			scen == S_SCAN ? 0 : nprocs - nwriters - nracers,
			scen == S_SCAN ? nprocs : 0, nracers, nwriters,
			nthreads, npages, scen == S_SCAN ? " per VMA" : "",
			fsize >> 20, hdir ? hdir : "memfd", need, avail,
			secs ? "seconds" : "iterations", secs ? secs : iters);
}

static enum role role_of(int i)
{
	if (scen == S_SCAN)
		return R_SCAN;
	if (i < nwriters)
		return R_WRITER;
	if (i < nwriters + nracers)
		return R_RACE;
	return R_SHARE;
}

/*
 * Child side.  VMA k of this process: its file offset, and the first of
 * the npages file pages its threads touch.  Scan: the global VMA j =
 * me*VMAS+k maps file pages j..j+511; VMAs g*group..(g+1)*group-1 all map
 * the npages pages starting at the last of them, so that every first fault
 * in a VMA scans all the VMAs of its group (and some of the neighbours).
 */
static unsigned long vma_off(int k)
{
	return my_role == R_SCAN ? ((unsigned long)me * nvmas + k) * SZ_2M : 0;
}

static unsigned long vma_win(int k)
{
	long j = (long)me * nvmas + k, end;

	if (my_role != R_SCAN)
		return 0;
	end = (j / group + 1) * group;
	return (end < pv ? end : pv) - 1;
}

static char *page_addr(int k, unsigned long m)
{
	return vbase + k * SZ_1G + (vma_win(k) + m) * SZ_2M - vma_off(k);
}

static void map_vma(char *base, int k)
{
	char *p = base + k * SZ_1G;

	if (mmap(p, SZ_1G, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, hfd, vma_off(k)) != p)
		child_die("mmap(hugetlb file, MAP_FIXED)");
}

/* n VMAs of 1 GiB each, 1 GiB-aligned, one after the other. */
static char *map_vmas(int n)
{
	unsigned long head;
	char *res, *base;
	int k;

	res = mmap(NULL, (n + 1UL) * SZ_1G, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		child_die("mmap(address space reservation)");
	base = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(uintptr_t)(SZ_1G - 1));
	for (k = 0; k < n; k++)
		map_vma(base, k);
	head = base - res;
	if (head)
		munmap(res, head);
	munmap(base + n * SZ_1G, SZ_1G - head);
	return base;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/*
 * Map the stack below the callers now, so that getrusage() does not fault
 * on it while timed_touch() is telling faults from no faults.
 */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[32 << 10];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 1024)
		pad[i] = 0;
	minflt();
	now_ns();
}

/* The measurement: one write to a page not yet mapped in this mm. */
static void timed_touch(char *p, struct tstat *ts, uint32_t *buf)
{
	long flt = minflt();
	uint64_t t0, ns;

	t0 = now_ns();
	__asm__ __volatile__("" : : : "memory");
	*(volatile char *)p = 1;
	__asm__ __volatile__("" : : : "memory");
	ns = now_ns() - t0;
	if (minflt() == flt) {	/* mapped through a shared PMD table */
		__atomic_store_n(&ts->prefaulted, ts->prefaulted + 1,
				 __ATOMIC_RELAXED);
		return;
	}
	if (ts->stored < cap)	/* u32 ns: >4.29 s clamps, max_ns is exact */
		buf[ts->stored++] = ns > UINT32_MAX ? UINT32_MAX : ns;
	if (ns > ts->max_ns)
		ts->max_ns = ns;
	__atomic_store_n(&ts->faults, ts->faults + 1, __ATOMIC_RELAXED);
}

/*
 * Thread t's share of the (VMA, page) pairs of this process; zap: drop each
 * page again with MADV_DONTNEED (unshares the whole PUD if it was shared).
 */
static void touch_pages(int t, struct tstat *ts, uint32_t *buf, int zap)
{
	unsigned long q, n = (unsigned long)nv * npages;
	char *p;

	for (q = t; q < n; q += nthreads) {
		p = page_addr(q / npages, q % npages);
		timed_touch(p, ts, buf);
		if (zap && madvise(p, SZ_2M, MADV_DONTNEED))
			child_die("madvise(MADV_DONTNEED)");
	}
}

static int more_time(void)
{
	return now_ns() < __atomic_load_n(&ctl->deadline, __ATOMIC_RELAXED);
}

/*
 * share and scan: rounds of "every thread faults its pages; every process
 * remaps its VMAs", all share/scan threads of all processes in lockstep.
 */
static void round_role(int t, struct tstat *ts, uint32_t *buf)
{
	int k;

	for (;;) {
		touch_pages(t, ts, buf, 0);
		if (pthread_barrier_wait(&ctl->bar) == PTHREAD_BARRIER_SERIAL_THREAD) {
			ctl->rounds++;
			ctl->more = secs ? more_time() : ctl->rounds < (unsigned long)iters;
		}
		pthread_barrier_wait(&ctl->bar);
		if (!ctl->more)
			return;
		if (t == 0)
			for (k = 0; k < nv; k++)
				map_vma(vbase, k);	/* unmap, unshare */
		pthread_barrier_wait(&ctl->bar);
	}
}

/* race: fault, MADV_DONTNEED, again, independently of everybody else. */
static void race_role(int t, struct tstat *ts, uint32_t *buf)
{
	long it;

	if (t >= nv * npages)
		return;			/* no pages for this thread */
	for (it = 0; secs ? more_time() : it < iters; it++)
		touch_pages(t, ts, buf, 1);
}

/*
 * churn writer: mmap, mprotect and munmap a whole-PUD mapping of the file,
 * each taking i_mmap_rwsem for write, until the fault roles are done.
 */
static void writer_role(struct tstat *ts)
{
	char *p;

	while (!__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE) &&
	       (!secs || more_time())) {
		p = map_vmas(1);
		if (mprotect(p, SZ_1G, PROT_READ))
			child_die("mprotect");
		if (munmap(p, SZ_1G))
			child_die("munmap");
		__atomic_store_n(&ts->ops, ts->ops + 1, __ATOMIC_RELAXED);
	}
}

static void *thread_main(void *arg)
{
	int t = (int)(long)arg, slot = me * nthreads + t;
	struct tstat *ts = &tstats[slot];
	uint32_t *buf = samples + slot * cap;
	char c;

	warm_stack();
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
	while (read(start_pipe[0], &c, 1) < 0 && errno == EINTR)
		;			/* the start: EOF when the parent closes */
	if (my_role == R_SHARE || my_role == R_SCAN)
		round_role(t, ts, buf);
	else if (my_role == R_RACE)
		race_role(t, ts, buf);
	else
		writer_role(ts);
	return NULL;
}

static void __attribute__((noreturn)) child_main(int i, pid_t parent)
{
	pthread_t tid[MAX_THREADS];
	pthread_attr_t attr;
	long t;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	close(start_pipe[1]);
	me = i;
	my_role = role_of(i);
	nv = my_role == R_SCAN ? nvmas : 1;
	if (my_role != R_WRITER)
		vbase = map_vmas(nv);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	for (t = 1; t < nthreads; t++) {
		err = pthread_create(&tid[t], &attr, thread_main, (void *)t);
		if (err) {
			errno = err;
			child_die("pthread_create");
		}
	}
	thread_main((void *)0L);
	for (t = 1; t < nthreads; t++)
		pthread_join(tid[t], NULL);
	_exit(0);
}

/* Kill and reap every child left, waiting at most 10 s for them. */
static void kill_all(void)
{
	uint64_t until = now_ns() + 10 * NSEC;
	int i, left = 1;

	for (i = 0; i < nprocs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	while (left && now_ns() < until) {
		for (left = i = 0; i < nprocs; i++)
			if (pids[i] > 0 && !waitpid(pids[i], NULL, WNOHANG))
				left++;
			else
				pids[i] = 0;
		if (left)
			usleep(10000);
	}
	if (left)
		msg("%d children still there 10 s after SIGKILL (stuck in the kernel?)",
		    left);
}

#define fail(fmt, ...) do {						\
	msg(fmt, ##__VA_ARGS__);					\
	kill_all();							\
	exit(1);							\
} while (0)

/* Threads ready, pages touched, churn cycles: anything that moves. */
static uint64_t progress(void)
{
	uint64_t sum = __atomic_load_n(&ctl->ready, __ATOMIC_RELAXED);
	int i;

	for (i = 0; i < nprocs * nthreads; i++)
		sum += __atomic_load_n(&tstats[i].faults, __ATOMIC_RELAXED) +
		       __atomic_load_n(&tstats[i].prefaulted, __ATOMIC_RELAXED) +
		       __atomic_load_n(&tstats[i].ops, __ATOMIC_RELAXED);
	return sum;
}

/* Parent side.  Reap the children that exited; fail unless they exited 0. */
static int reap_some(int *faulters_left)
{
	int st, i, n = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < nprocs && pids[i] != pid; i++)
			;
		if (i == nprocs)
			continue;
		pids[i] = 0;
		n++;
		if (WIFSIGNALED(st))
			fail("child %d (%s) was killed by signal %d (%s)%s", i,
			     role_name[role_of(i)], WTERMSIG(st),
			     strsignal(WTERMSIG(st)), WTERMSIG(st) == SIGBUS ?
			     ": out of hugepages?" : "");
		if (WEXITSTATUS(st))
			fail("child %d (%s) exited with status %d", i,
			     role_name[role_of(i)], WEXITSTATUS(st));
		if (role_of(i) != R_WRITER && --*faulters_left == 0)
			__atomic_store_n(&ctl->stop, 1, __ATOMIC_RELEASE);
	}
	if (pid < 0 && errno != ECHILD && errno != EINTR)
		fail("waitpid: %s", strerror(errno));
	return n;
}

/*
 * Start everybody together once all threads are ready; wait, bounded,
 * until all are done.  Returns the run time.
 */
static uint64_t supervise(void)
{
	int total = nprocs * nthreads, alive = nprocs, ready;
	int faulters = nprocs - nwriters;
	uint64_t t, start = 0, last = 0, last_change = now_ns(), p;

	while (alive > 0) {
		alive -= reap_some(&faulters);
		t = now_ns();
		ready = __atomic_load_n(&ctl->ready, __ATOMIC_SEQ_CST);
		if (!start && ready == total) {
			start = t;
			__atomic_store_n(&ctl->deadline, start + secs * NSEC,
					 __ATOMIC_SEQ_CST);
			close(start_pipe[1]);	/* go */
		}
		if (start && secs && t > start + (secs + GRACE_S) * NSEC)
			fail("timeout: %d of %ld children still running %d s after the end of --duration %ld",
			     alive, nprocs, GRACE_S, secs);
		p = progress();
		if (p != last) {
			last = p;
			last_change = t;
		} else if (t - last_change > GRACE_S * NSEC) {
			fail("timeout: no progress for %d s (%d of %d threads ready, %d of %ld children running)",
			     GRACE_S, ready, total, alive, nprocs);
		}
		if (alive)
			usleep(1000);
	}
	return now_ns() - start;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the n sorted samples, in microseconds. */
static double pct_us(uint64_t n, unsigned int pct)
{
	return n ? samples[(n * pct + 99) / 100 - 1] / 1000.0 : 0.0;
}

static void report(uint64_t elapsed)
{
	unsigned long long faults = 0, pre = 0, kept = 0, max = 0, ops = 0;
	unsigned long long cand;
	int i;

	for (i = 0; i < nprocs * nthreads; i++) {
		struct tstat *ts = &tstats[i];

		/* compact the kept samples to the front, then sort them */
		memmove(samples + kept, samples + i * cap,
			ts->stored * sizeof(*samples));
		kept += ts->stored;
		faults += ts->faults;
		pre += ts->prefaulted;
		ops += ts->ops;
		if (ts->max_ns > max)
			max = ts->max_ns;
	}
	qsort(samples, kept, sizeof(*samples), cmp_u32);
	if (scen == S_SCAN)
		cand = (unsigned long long)nprocs * nvmas * ctl->rounds;
	else
		cand = (unsigned long long)(nprocs - nwriters - nracers) *
		       ctl->rounds + nracers;
	printf(json ?
	       "{\"scenario\":\"%s\",\"procs\":%ld,\"threads\":%ld,\"faults\":%llu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"dropped\":%llu,\"duration_s\":%.3f,\"prefaulted\":%llu,\"share_candidates\":%llu,\"rounds\":%lu,\"churn_ops\":%llu}\n" :
	       "result scenario=%s procs=%ld threads=%ld faults=%llu p50_us=%.1f p99_us=%.1f max_us=%.1f dropped=%llu duration_s=%.3f prefaulted=%llu share_candidates=%llu rounds=%lu churn_ops=%llu\n",
	       scen_name[scen], nprocs, nthreads, faults, pct_us(kept, 50),
	       pct_us(kept, 99), max / 1000.0, faults - kept,
	       (double)elapsed / NSEC, pre, cand, ctl->rounds, ops);
}

/* The hugetlb file, the start pipe, and the memory shared with children. */
static void setup(void)
{
	size_t hdr = (sizeof(struct ctl) + 63) & ~63UL, len;
	int total = nprocs * nthreads;
	int nbar = (nprocs - nwriters - nracers) * nthreads;	/* share, scan */
	pthread_barrierattr_t ba;
	char path[4096];
	char *shm;

	if (hdir) {
		snprintf(path, sizeof(path), "%s/" PROG ".XXXXXX", hdir);
		hfd = mkstemp(path);
		if (hfd >= 0)
			unlink(path);
	} else {
		hfd = memfd_create(PROG, MFD_HUGETLB | MFD_HUGE_2MB);
	}
	if (hfd < 0)
		fail("%s: %s", hdir ? "mkstemp in the hugetlbfs" :
		     "memfd_create(MFD_HUGETLB | MFD_HUGE_2MB)", strerror(errno));
	if (ftruncate(hfd, fsize))
		fail("ftruncate(hugetlb file, %lluM): %s", fsize >> 20,
		     strerror(errno));

	cap = SAMPLE_BUDGET / total < MAX_SAMPLES ? SAMPLE_BUDGET / total :
						    MAX_SAMPLES;
	len = hdr + total * sizeof(struct tstat) + total * cap * sizeof(uint32_t);
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (shm == MAP_FAILED)
		fail("mmap(%zu bytes of shared memory for the samples): %s",
		     len, strerror(errno));
	ctl = (struct ctl *)shm;
	tstats = (struct tstat *)(shm + hdr);
	samples = (uint32_t *)(tstats + total);

	if (nbar) {
		pthread_barrierattr_init(&ba);
		pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
		errno = pthread_barrier_init(&ctl->bar, &ba, nbar);
		if (errno)
			fail("pthread_barrier_init(%d threads): %s", nbar,
			     strerror(errno));
	}
	if (pipe(start_pipe))
		fail("pipe: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	pid_t parent = getpid();
	uint64_t elapsed;
	int i;

	parse_args(argc, argv);
	check_hugepages(plan() + 1);
	setup();
	for (i = 0; i < nprocs; i++) {
		fflush(NULL);
		pids[i] = fork();
		if (pids[i] == 0)
			child_main(i, parent);
		if (pids[i] < 0) {
			pids[i] = 0;
			fail("fork (child %d of %ld): %s", i, nprocs,
			     strerror(errno));
		}
	}
	close(start_pipe[0]);
	elapsed = supervise();
	report(elapsed);
	return 0;
}
