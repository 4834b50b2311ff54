// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-churn - background load for the stress test: the hugetlb paths
 * that change page tables other than plain share/unmap, and plain
 * anonymous faults, in a loop.
 *
 *   split   two processes share the PMD table of a 1 GiB-aligned shared
 *           hugetlb mapping (2 pages faulted), then one splits its VMA with
 *           mprotect() of a 2 MiB sub-range (unshares through the VMA-split
 *           path) and unmaps another 2 MiB sub-range (a second split)
 *   mremap  the same sharing, then mremap() of the whole mapping to an
 *           address 2 MiB past a 1 GiB boundary (move_hugetlb_page_tables
 *           unshares; the destination cannot share, see -A)
 *   anon    16 MiB of anonymous memory faulted and unmapped (nothing
 *           hugetlb: pmdstat must stay out of its way)
 *
 * Each iteration runs the named modes once, in order.  At the end one line:
 *   churn split=N mremap=N anon=N errors=E
 * Exit status: 0 ok, 1 errors, 2 bad arguments, 4 not enough hugepages.
 *
 * Build: gcc -O2 -Wall -Wextra -static -o pmdstat-churn pmdstat-churn.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21U << 26)
#endif

#define PROG	"pmdstat-churn"
#define SZ_2M	(2UL << 20)
#define SZ_1G	(1UL << 30)

static const char usage_text[] =
"Usage: " PROG " [-m MODE[,MODE...]] [-d SECS | -r ROUNDS] [-s] [-q] [-h]\n"
"\n"
"Loop over hugetlb VMA splits (mprotect, partial munmap of a shared PMD\n"
"table), mremap of a shared hugetlb mapping, and anonymous faults.\n"
"\n"
"  -m MODES   comma-separated: split, mremap, anon, or all (default)\n"
"  -d SECS    run for SECS seconds (1..3600)\n"
"  -r ROUNDS  or run ROUNDS iterations (default 10)\n"
"  -s         solo: no second process shares the PMD table\n"
"  -A         mremap to a 1 GiB-aligned destination (default: 2 MiB past\n"
"             one).  On Debian 6.1.192 a solo -A mremap deadlocks the task:\n"
"             move_hugetlb_page_tables() holds i_mmap_rwsem for write and\n"
"             huge_pte_alloc() -> huge_pmd_share() takes it for read\n"
"             (docs/kernel-findings.md).  Never use -A on a test host.\n"
"  -q         print only the result line\n"
"  -h, --help this text\n"
"\n"
"Output: churn split=N mremap=N anon=N errors=E\n"
"Needs 2 free 2 MiB hugepages.  Exit status: 0 ok, 1 errors, 2 bad\n"
"arguments, 4 not enough hugepages.\n"
"\n"
"Examples:\n"
"  " PROG " -d 60 -q &          background churn for a minute\n"
"  " PROG " -m split -r 100\n";

enum { M_SPLIT = 1, M_MREMAP = 2, M_ANON = 4 };
static int quiet, solo, aligned_dst;
static long errors;

static void err(const char *what)
{
	errors++;
	if (!quiet)
		fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
}

/* A 1 GiB-aligned hole of 1 GiB inside a reserved 4 GiB range; *extra gets
 * a second aligned hole (for mremap's destination). */
static char *aligned_hole(char **extra, void **res)
{
	char *r = mmap(NULL, 4 * SZ_1G, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (r == MAP_FAILED)
		return NULL;
	*res = r;
	a = ((uintptr_t)r + SZ_1G - 1) & ~(SZ_1G - 1);
	*extra = (char *)a + SZ_1G;
	return (char *)a;
}

/* Map the file at a, fault 2 pages in this process and in a forked child
 * (which shares the parent's PMD table), then run op in the parent while
 * the child still maps it.  Returns 0 on success. */
static int shared_then(int fd, int mode)
{
	void *res;
	char *dst, *a = aligned_hole(&dst, &res);
	int pfd[2], st = 0;
	pid_t pid;
	char c;

	if (!a) {
		err("mmap reserve");
		return -1;
	}
	if (mmap(a, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_NORESERVE,
		 fd, 0) == MAP_FAILED) {
		err("mmap hugetlb");
		munmap(res, 4 * SZ_1G);
		return -1;
	}
	a[0] = 1;
	a[SZ_2M] = 1;
	if (pipe(pfd)) {
		err("pipe");
		munmap(res, 4 * SZ_1G);
		return -1;
	}
	pid = solo ? 0 : fork();
	if (solo) {
		/* no second process: this mm's PMD table is its own */
	} else if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[1]);
		/* faults attach to the parent's table (huge_pmd_share) */
		a[0]++;
		a[SZ_2M]++;
		if (read(pfd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[0]);
	if (!solo && pid < 0) {
		err("fork");
		close(pfd[1]);
		munmap(res, 4 * SZ_1G);
		return -1;
	}
	if (!solo)
		usleep(1000);
	if (mode == M_SPLIT) {
		if (mprotect(a + SZ_2M, SZ_2M, PROT_READ))
			err("mprotect split");
		if (munmap(a + 4 * SZ_2M, SZ_2M))
			err("munmap split");
	} else {
		/* 2 MiB past a PUD boundary unless -A: see the usage text */
		if (mremap(a, SZ_1G, SZ_1G, MREMAP_MAYMOVE | MREMAP_FIXED,
			   aligned_dst ? dst : dst + SZ_2M) == MAP_FAILED)
			err("mremap");
	}
	c = 0;
	if (!solo && write(pfd[1], &c, 1) < 0)
		err("write");
	close(pfd[1]);
	if (!solo && (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)))
		err("child");
	munmap(res, 4 * SZ_1G);
	return 0;
}

static void anon_round(void)
{
	size_t len = 16UL << 20, i;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		err("mmap anon");
		return;
	}
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	munmap(p, len);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	long secs = 0, rounds = 10, n_split = 0, n_mremap = 0, n_anon = 0, r, end;
	int modes = M_SPLIT | M_MREMAP | M_ANON, opt, fd;
	char *s, *tok, *e;

	while ((opt = getopt_long(argc, argv, "m:d:r:sAqh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			modes = 0;
			s = strdup(optarg);
			for (tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
				if (!strcmp(tok, "split"))
					modes |= M_SPLIT;
				else if (!strcmp(tok, "mremap"))
					modes |= M_MREMAP;
				else if (!strcmp(tok, "anon"))
					modes |= M_ANON;
				else if (!strcmp(tok, "all"))
					modes |= M_SPLIT | M_MREMAP | M_ANON;
				else {
					fprintf(stderr, PROG ": -m %s: give split, mremap, anon or all\n", tok);
					return 2;
				}
			}
			free(s);
			break;
		case 'd':
			secs = strtol(optarg, &e, 10);
			if (*e || secs < 1 || secs > 3600) {
				fprintf(stderr, PROG ": -d %s: give 1..3600 seconds\n", optarg);
				return 2;
			}
			break;
		case 'r':
			rounds = strtol(optarg, &e, 10);
			if (*e || rounds < 1 || rounds > 1000000) {
				fprintf(stderr, PROG ": -r %s: give 1..1000000 rounds\n", optarg);
				return 2;
			}
			break;
		case 's':
			solo = 1;
			break;
		case 'A':
			aligned_dst = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	fd = memfd_create("pmdstat-churn", MFD_HUGETLB | MFD_HUGE_2MB);
	if (fd < 0 || ftruncate(fd, SZ_1G)) {
		fprintf(stderr, PROG ": hugetlb memfd: %s (are 2 MiB hugepages reserved?)\n",
			strerror(errno));
		return 4;
	}
	end = secs ? now_ms() + secs * 1000 : 0;
	for (r = 0; secs ? now_ms() < end : r < rounds; r++) {
		if (modes & M_SPLIT) {
			shared_then(fd, M_SPLIT);
			n_split++;
		}
		if (modes & M_MREMAP) {
			shared_then(fd, M_MREMAP);
			n_mremap++;
		}
		if (modes & M_ANON) {
			anon_round();
			n_anon++;
		}
		/* pages of the file stay allocated: punch them out each round */
		if (fallocate(fd, 0x03 /* KEEP_SIZE | PUNCH_HOLE */, 0, SZ_1G))
			err("fallocate punch");
	}
	printf("churn split=%ld mremap=%ld anon=%ld errors=%ld\n", n_split, n_mremap, n_anon, errors);
	return errors ? 1 : 0;
}
