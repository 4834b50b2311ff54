/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test workloads share: a number from the command line, a
 * monotonic clock, and a file mapped at a 1 GiB-aligned address.  Define
 * WL_NAME (the program's name, for messages) before including it.
 */
#ifndef PMDSTAT_WORKLOAD_H
#define PMDSTAT_WORKLOAD_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1UL << 30)

/* OPT's argument S as a number in LO..HI, or exit 2 saying what to give */
static inline long num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s %s: give %ld..%ld\n", WL_NAME, opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline double now(void)
{
	return now_ns() / 1e9;
}

/* The file at a 1 GiB-aligned address: its PMD table can be shared. */
static inline char *aligned_map(int fd)
{
	char *res = mmap(NULL, 2 * SZ_1G, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *p;

	if (res == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(SZ_1G - 1));
	if (mmap(p, SZ_1G, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0) != p)
		return NULL;
	if (p > res)
		munmap(res, p - res);
	munmap(p + SZ_1G, res + 2 * SZ_1G - (p + SZ_1G));
	return p;
}

#endif
