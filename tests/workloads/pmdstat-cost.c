// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-cost - the three workloads of the cost table (make bench,
 * tests/bench/cost-table.sh): what a tracer costs a workload, as wall time.
 *
 *   -m contend  IDLE processes each map one hugetlb file MAP_SHARED, 1 GiB
 *               at a 1 GiB-aligned address, touch its first 2 MiB page (so
 *               they all share one PMD table) and sleep.  Then PROCS
 *               processes each loop ITERS times: mmap the same file
 *               (1 GiB-aligned), fault its first page (huge_pmd_share
 *               attaches the shared table), munmap (huge_pmd_unshare).
 *               Timed: the loop phase only.  One hugepage in all.
 *   -m scan     VMAS VMAs of one hugetlb file that cannot share (as
 *               pmdstat-scan: VMA k at file offset k * 2 MiB), then FAULTS
 *               first faults, each in another VMA, through the one file page
 *               that every VMA maps, so that each huge_pmd_share() scans all
 *               VMAS VMAs.  Timed: the faults.  Then (untimed) the faulted
 *               VMAs are mapped again in place, which frees their page
 *               tables, and the next round faults them again; ROUNDS rounds.
 *   -m anon     PROCS processes each map 64 MiB of anonymous memory
 *               (MADV_NOHUGEPAGE: one fault per 4 KiB page), write every
 *               page, munmap; ROUNDS rounds.  Nothing hugetlb.  Timed: all.
 *
 * Usage: pmdstat-cost -m contend|scan|anon [-i IDLE] [-p PROCS] [-n ITERS]
 *                     [-v VMAS] [-f FAULTS] [-r ROUNDS]
 *   -i  contend: idle mappers, 0..1000 (default 200)
 *   -p  contend: looping processes, 1..32 (default 4);
 *       anon: faulting processes, 1..32 (default 2)
 *   -n  contend: iterations per looping process, 1..1000000 (default 4000)
 *   -v  scan: VMAs, 1..512 (default 200)
 *   -f  scan: faults per round, 1..VMAS (default 16)
 *   -r  scan: rounds, 1..1000000 (default 800);
 *       anon: rounds, 1..100000 (default 4)
 * The defaults take 1-3 s each in a 2-vCPU TCG guest with nothing loaded
 * (Debian 6.1, single-threaded TCG): contend about 1.5 s of loop after
 * 0.4 s of setup, scan 0.3 s of faults in 2.5 s (mapping the VMAs again
 * costs more than the faults), anon 0.45-0.7 s per round.
 * Prints one line, e.g.:
 *   result mode=contend idle=200 procs=4 iters=4000 wall_ns=N
 *   result mode=scan vmas=200 faults=16 rounds=800 wall_ns=N
 *   result mode=anon procs=2 rounds=4 mib=64 wall_ns=N
 * Exit: 0 ok, 1 failure, 2 bad arguments, 4 no hugetlb memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "pmdstat-cost"
#include "workload.h"

#define ANON_SIZE	(64UL << 20)
#define MAX_PROCS	32
#define MAX_IDLE	1000

static void usage(FILE *f)
{
	fprintf(f, "usage: pmdstat-cost -m contend|scan|anon [-i IDLE] [-p PROCS] [-n ITERS]\n"
		"                    [-v VMAS] [-f FAULTS] [-r ROUNDS]\n"
		"  contend: IDLE (200) idle sharers, PROCS (4) x ITERS (4000) mmap/fault/munmap\n"
		"  scan:    VMAS (200) unshareable VMAs, FAULTS (16) scanning faults, ROUNDS (800)\n"
		"  anon:    PROCS (2) x ROUNDS (4) x 64 MiB of 4 KiB anonymous faults\n"
		"example: pmdstat-cost -m contend -i 200 -p 4 -n 4000\n");
}

/* A 1 GiB-aligned hole of 1 GiB (PROT_NONE, reserved), or NULL. */
static char *aligned_hole(unsigned long n)
{
	char *res = mmap(NULL, (n + 1) * SZ_1G, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (res == MAP_FAILED)
		return NULL;
	return (char *)(((uintptr_t)res + SZ_1G - 1) & ~(SZ_1G - 1));
}

static int map_file(char *p, int fd, off_t off)
{
	return mmap(p, SZ_1G, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, off) == p ? 0 : -1;
}

/*
 * A hugetlb file of size bytes whose one page at page_off is allocated up
 * front, so that the workload's faults find it in the page cache.
 */
static int hugetlb_file(off_t size, off_t page_off)
{
	int fd = memfd_create("pmdstat-cost", MFD_HUGETLB);

	if (fd < 0 || ftruncate(fd, size) || fallocate(fd, 0, page_off, SZ_2M)) {
		perror("pmdstat-cost: hugetlb memfd (are hugepages reserved? echo 8 > /proc/sys/vm/nr_hugepages)");
		exit(4);
	}
	return fd;
}

/* Wait for every child in pids; returns how many failed. */
static int reap(pid_t *pids, long n)
{
	int status, failed = 0;
	long i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) < 0 ||
				    !WIFEXITED(status) || WEXITSTATUS(status)))
			failed++;
	return failed;
}

static int contend(long idle, long procs, long iters)
{
	static pid_t idlers[MAX_IDLE];
	pid_t loopers[MAX_PROCS];
	int fd = hugetlb_file(SZ_1G, 0);
	int ready[2], gate[2], failed = 0;
	long long t0, t1;
	long i;
	char c;

	if (pipe(ready) || pipe(gate)) {
		perror("pmdstat-cost: pipe");
		return 1;
	}
	for (i = 0; i < idle; i++) {
		idlers[i] = fork();
		if (idlers[i] < 0) {
			perror("pmdstat-cost: fork");
			failed = 1;
			break;
		}
		if (idlers[i] == 0) {
			char *p = aligned_hole(1);

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(gate[1]);	/* else the loopers never see EOF */
			c = 1;
			if (!p || map_file(p, fd, 0))
				c = 0;
			else
				*(volatile char *)p = 1;
			if (write(ready[1], &c, 1) != 1 || !c)
				_exit(1);
			for (;;)
				pause();
		}
		if (read(ready[0], &c, 1) != 1 || !c) {
			fprintf(stderr, "pmdstat-cost: idle mapper %ld could not map the file\n", i);
			failed = 1;
			break;
		}
	}
	for (i = 0; i < procs && !failed; i++) {
		loopers[i] = fork();
		if (loopers[i] < 0) {
			perror("pmdstat-cost: fork");
			failed = 1;
			break;
		}
		if (loopers[i] == 0) {
			char *p = aligned_hole(1);
			long n;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(gate[1]);
			c = p ? 1 : 0;
			if (write(ready[1], &c, 1) != 1 || !c)
				_exit(1);
			if (read(gate[0], &c, 1) < 0)	/* EOF: go */
				_exit(1);
			for (n = 0; n < iters; n++) {
				if (map_file(p, fd, 0))
					_exit(1);
				*(volatile char *)p = 1;
				if (munmap(p, SZ_1G))
					_exit(1);
			}
			_exit(0);
		}
		if (read(ready[0], &c, 1) != 1 || !c)
			failed = 1;
	}
	close(gate[0]);
	if (failed) {
		for (i = 0; i < idle; i++)
			if (idlers[i] > 0)
				kill(idlers[i], SIGKILL);
		return 1;
	}
	t0 = now_ns();
	close(gate[1]);
	failed = reap(loopers, procs);
	t1 = now_ns();
	for (i = 0; i < idle; i++)
		kill(idlers[i], SIGKILL);
	reap(idlers, idle);	/* killed: their status is not a failure */
	if (failed) {
		fprintf(stderr, "pmdstat-cost: %d looping processes failed\n", failed);
		return 1;
	}
	printf("result mode=contend idle=%ld procs=%ld iters=%ld wall_ns=%lld\n",
	       idle, procs, iters, t1 - t0);
	return 0;
}

static int scan(long vmas, long faults, long rounds)
{
	int fd = hugetlb_file(SZ_1G + (vmas - 1) * SZ_2M, SZ_1G - SZ_2M);
	char *base = aligned_hole(vmas);
	long long total = 0, t0;
	long r, j, k;

	if (!base) {
		perror("pmdstat-cost: reserve address space");
		return 1;
	}
	for (k = 0; k < vmas; k++)
		if (map_file(base + k * SZ_1G, fd, k * SZ_2M)) {
			perror("pmdstat-cost: mmap");
			return 1;
		}
	for (r = 0; r < rounds; r++) {
		t0 = now_ns();
		/* the faulted VMAs are spread over the interval tree */
		for (j = 0; j < faults; j++) {
			k = j * vmas / faults;
			/* file offset 1 GiB - 2 MiB: mapped by every VMA */
			*(volatile char *)(base + k * SZ_1G + (SZ_1G - SZ_2M - k * SZ_2M)) = 1;
		}
		total += now_ns() - t0;
		for (j = 0; j < faults; j++) {
			k = j * vmas / faults;
			if (map_file(base + k * SZ_1G, fd, k * SZ_2M)) {
				perror("pmdstat-cost: mmap again");
				return 1;
			}
		}
	}
	printf("result mode=scan vmas=%ld faults=%ld rounds=%ld wall_ns=%lld\n",
	       vmas, faults, rounds, total);
	return 0;
}

static int anon(long procs, long rounds)
{
	pid_t pids[MAX_PROCS];
	int gate[2], failed;
	long long t0, t1;
	long i;

	if (pipe(gate)) {
		perror("pmdstat-cost: pipe");
		return 1;
	}
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pmdstat-cost: fork");
			return 1;
		}
		if (pids[i] == 0) {
			long r, off;
			char c;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(1);
			for (r = 0; r < rounds; r++) {
				char *p = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				if (p == MAP_FAILED)
					_exit(1);
				/* 4 KiB faults: THP would make it a memset */
				madvise(p, ANON_SIZE, MADV_NOHUGEPAGE);
				for (off = 0; off < (long)ANON_SIZE; off += 4096)
					p[off] = 1;
				if (munmap(p, ANON_SIZE))
					_exit(1);
			}
			_exit(0);
		}
	}
	close(gate[0]);
	t0 = now_ns();
	close(gate[1]);
	failed = reap(pids, procs);
	t1 = now_ns();
	if (failed) {
		fprintf(stderr, "pmdstat-cost: %d faulting processes failed\n", failed);
		return 1;
	}
	printf("result mode=anon procs=%ld rounds=%ld mib=%lu wall_ns=%lld\n",
	       procs, rounds, ANON_SIZE >> 20, t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	long idle = 200, procs = -1, iters = 4000, vmas = 200, faults = 16, rounds = -1;
	const char *mode = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "m:i:p:n:v:f:r:h")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'i': idle = num("-i", optarg, 0, MAX_IDLE); break;
		case 'p': procs = num("-p", optarg, 1, MAX_PROCS); break;
		case 'n': iters = num("-n", optarg, 1, 1000000); break;
		case 'v': vmas = num("-v", optarg, 1, 512); break;
		case 'f': faults = num("-f", optarg, 1, 512); break;
		case 'r': rounds = num("-r", optarg, 1, 1000000); break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!mode || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(mode, "contend"))
		return contend(idle, procs < 0 ? 4 : procs, iters);
	if (!strcmp(mode, "scan")) {
		if (faults > vmas) {
			fprintf(stderr, "pmdstat-cost: -f %ld: give at most -v (%ld) faults\n",
				faults, vmas);
			return 2;
		}
		return scan(vmas, faults, rounds < 0 ? 800 : rounds);
	}
	if (!strcmp(mode, "anon")) {
		if (rounds > 100000) {
			fprintf(stderr, "pmdstat-cost: -r %ld: give 1..100000 rounds\n", rounds);
			return 2;
		}
		return anon(procs < 0 ? 2 : procs, rounds < 0 ? 4 : rounds);
	}
	fprintf(stderr, "pmdstat-cost: -m %s: give contend, scan or anon\n", mode);
	return 2;
}
