// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-contend - contention on a hugetlb file's i_mmap_rwsem and vma
 * locks: FAULTERS processes share one PMD table and loop "fault, then
 * MADV_DONTNEED" (the fault takes the vma lock for read and, through
 * huge_pmd_share, i_mmap_rwsem for read; the zap takes both for write),
 * while one churn process loops mmap, mprotect and munmap of the same file
 * (i_mmap_rwsem for write from the mmap, mprotect and munmap paths).
 *
 * Usage: pmdstat-contend [-f FAULTERS] [-d SECS] [-r READY] [-g GATE]
 *   -f  faulting processes, 1..32 (default 3)
 *   -d  seconds of contention, 1..600 (default 5)
 *   -r  create file READY once every process has faulted once (the file
 *       and its locks are then known to pmdstat)
 *   -g  then wait until file GATE exists before starting (for tracers)
 *   -U  no unsharers: the faulters only fault (no MADV_DONTNEED) and there
 *       is no churn process, so no unshare runs while they share
 * Prints: result faulters=F faults=N churn=M
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

#define WL_NAME "pmdstat-contend"
#include "workload.h"

#define MAX_F	32

int main(int argc, char **argv)
{
	long faulters = 3, secs = 5, i, total = 0, nprocs;
	int no_unshare = 0;
	const char *ready = NULL, *gate = NULL;
	int fd, opt, pipefd[2], status, failed = 0;
	pid_t pids[MAX_F + 1];
	volatile long *counts;
	char *map;

	while ((opt = getopt(argc, argv, "f:d:r:g:Uh")) != -1) {
		switch (opt) {
		case 'f': faulters = num("-f", optarg, 1, MAX_F); break;
		case 'd': secs = num("-d", optarg, 1, 600); break;
		case 'r': ready = optarg; break;
		case 'g': gate = optarg; break;
		case 'U': no_unshare = 1; break;
		case 'h':
			printf("usage: pmdstat-contend [-f FAULTERS] [-d SECS] [-r READY] [-g GATE] [-U]\n"
			       "example: pmdstat-contend -f 3 -d 5\n");
			return 0;
		default:
			fprintf(stderr, "usage: pmdstat-contend [-f FAULTERS] [-d SECS] [-r READY] [-g GATE]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmdstat-contend: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	fd = memfd_create("pmdstat-contend", MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, SZ_1G)) {
		perror("pmdstat-contend: hugetlb memfd (reserve hugepages: echo 8 > /proc/sys/vm/nr_hugepages)");
		return 4;
	}
	map = aligned_map(fd);
	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!map || counts == MAP_FAILED || pipe(pipefd)) {
		perror("pmdstat-contend: setup");
		return 1;
	}
	nprocs = no_unshare ? faulters : faulters + 1;
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pmdstat-contend: fork");
			return 1;
		}
		if (pids[i])
			continue;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pipefd[1]);
		if (i < faulters)
			map[0] = 1;	/* first fault: the file becomes tracked */
		{
			char c;

			/* wait for the start: the parent closes the pipe */
			if (read(pipefd[0], &c, 1) < 0)
				_exit(1);
		}
		{
			double stop = now() + secs;
			long n = 0;

			while (now() < stop) {
				if (i < faulters) {
					map[0] = 1;
					if (!no_unshare)
						madvise(map, SZ_2M, MADV_DONTNEED);
					else
						usleep(1000);
				} else {
					char *p = aligned_map(fd);

					if (!p)
						_exit(1);
					mprotect(p, SZ_1G, PROT_READ);
					munmap(p, SZ_1G);
				}
				n++;
			}
			counts[i] = n;
			_exit(0);
		}
	}
	close(pipefd[0]);
	usleep(200000);	/* let every faulter fault once */
	if (ready) {
		int r = open(ready, O_CREAT | O_WRONLY, 0644);

		if (r >= 0)
			close(r);
	}
	if (gate)
		while (access(gate, F_OK))
			usleep(10000);
	close(pipefd[1]);	/* go */
	for (i = 0; i < nprocs; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	for (i = 0; i < faulters; i++)
		total += counts[i];
	printf("result faulters=%ld faults=%ld churn=%ld failed=%d\n", faulters, total,
	       no_unshare ? 0 : counts[faulters], failed);
	return failed ? 1 : 0;
}
