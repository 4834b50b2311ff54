// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-bench - a tight loop that makes the kernel call the share and
 * unshare probe sites many times, for measuring what a probe hit costs.
 *
 * Each iteration maps a 1 GiB-aligned MAP_SHARED hugetlb file over a whole
 * PUD, touches one 2 MiB page (one huge_pmd_share call) and unmaps it
 * (one __huge_pmd_unshare call per 2 MiB slot: 512).  It prints the
 * iterations and the mean wall time per iteration; bench/probe-cost.sh
 * runs it with and without pmdstat loaded and divides the difference by the
 * probe hits.
 *
 * Modes (-m):
 *   share      (default) the loop above: probe hits on share/unshare sites
 *   untracked  mincore() on an anonymous page: one down_read + up_read of
 *              the mm's mmap_lock, an rwsem pmdstat does not track
 *   tracked    write-fault a hugepage of a shared hugetlb mapping, then
 *              MADV_DONTNEED it: three acquisitions of tracked locks (vma
 *              lock read in the fault; vma lock and i_mmap_rwsem write in
 *              the zap) and one unshare probe hit
 *
 * Usage: pmdstat-bench [-m MODE] [-n ITERATIONS] (default 200)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PUD (1UL << 30)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iters = 200;
	const char *mode = "share";
	char *end, *res, *p;
	uint64_t t0, t1;
	int fd, opt;
	long i;

	while ((opt = getopt(argc, argv, "m:n:h")) != -1) {
		switch (opt) {
		case 'm':
			mode = optarg;
			if (strcmp(mode, "share") && strcmp(mode, "untracked") &&
			    strcmp(mode, "tracked")) {
				fprintf(stderr, "pmdstat-bench: -m %s: give share, untracked or tracked\n", optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			iters = strtol(optarg, &end, 10);
			if (errno || *end || iters < 1 || iters > 1000000) {
				fprintf(stderr, "pmdstat-bench: -n %s: give 1..1000000 iterations\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: pmdstat-bench [-m share|untracked|tracked] [-n ITERATIONS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!strcmp(mode, "untracked")) {
		unsigned char vec;
		char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (a == MAP_FAILED)
			return 1;
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			mincore(a, 4096, &vec);
		t1 = now_ns();
		printf("iterations=%ld ns_per_iteration=%llu\n", iters,
		       (unsigned long long)((t1 - t0) / iters));
		return 0;
	}
	fd = memfd_create("pmdstat-bench", MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, PUD)) {
		perror("pmdstat-bench: hugetlb memfd (reserve hugepages: echo 8 > /proc/sys/vm/nr_hugepages)");
		return 4;
	}
	res = mmap(NULL, 2 * PUD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		perror("pmdstat-bench: mmap reserve");
		return 1;
	}
	p = (char *)(((uintptr_t)res + PUD - 1) & ~(PUD - 1));
	munmap(res, 2 * PUD);
	if (!strcmp(mode, "tracked")) {
		char *m = mmap(p, PUD, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);

		if (m == MAP_FAILED)
			return 1;
		m[0] = 1;	/* the file and its locks become tracked */
		t0 = now_ns();
		for (i = 0; i < iters; i++) {
			m[0] = 1;
			madvise(m, 2UL << 20, MADV_DONTNEED);
		}
		t1 = now_ns();
		printf("iterations=%ld ns_per_iteration=%llu\n", iters,
		       (unsigned long long)((t1 - t0) / iters));
		return 0;
	}
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		char *m = mmap(p, PUD, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);

		if (m == MAP_FAILED) {
			perror("pmdstat-bench: mmap hugetlb");
			return 1;
		}
		m[0] = 1;
		munmap(m, PUD);
	}
	t1 = now_ns();
	printf("iterations=%ld ns_per_iteration=%llu\n", iters,
	       (unsigned long long)((t1 - t0) / iters));
	return 0;
}
