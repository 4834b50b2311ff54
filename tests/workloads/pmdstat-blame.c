// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-blame - one known writer and faulting readers of a hugetlb file,
 * to check whom pmdstat blames for the readers' waits.  READERS processes
 * share one PMD table of the file and loop reading its first page; one
 * writer process ("blame-writer") loops punching that page out of the file
 * (fallocate PUNCH_HOLE): hugetlbfs_punch_hole() holds the file's
 * i_mmap_rwsem for write while it unmaps the page from every reader, which
 * unshares their PMD table, so each reader's next read faults: the vma
 * lock for read, and through huge_pmd_share() i_mmap_rwsem for read.  The
 * readers take neither lock for write while the workload runs.
 *
 * Usage: pmdstat-blame [-t READERS] [-d SECS] [-r READY] [-g GATE] [-W]
 *   -t  reader processes, 1..32 (default 3)
 *   -d  seconds, 1..600 (default 4)
 *   -r  write "writer_pid=PID" and "reader_pid=PID" (the first reader) to
 *       file READY once every reader has its table (the file and its locks
 *       are then known to pmdstat)
 *   -g  then wait until file GATE exists before starting (for tracers)
 *   -W  no writer: the readers map the file before the start and fault it
 *       once after it, and nothing takes a lock for write meanwhile
 * Prints: result readers=N reads=R punches=P writer_pid=PID
 * Exit: 0 ok, 1 failure, 2 bad arguments, 4 no hugetlb memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "pmdstat-blame"
#include "workload.h"

#define MAX_R	32

static void wait_start(int rfd)
{
	char c;

	/* the parent closes the pipe: go */
	if (read(rfd, &c, 1) < 0)
		_exit(1);
}

int main(int argc, char **argv)
{
	long readers = 3, secs = 4, i, reads = 0;
	const char *ready = NULL, *gate = NULL;
	int fd, opt, pipefd[2], status, failed = 0, no_writer = 0;
	pid_t pids[MAX_R + 1];
	volatile long *counts;

	while ((opt = getopt(argc, argv, "t:d:r:g:Wh")) != -1) {
		switch (opt) {
		case 't': readers = num("-t", optarg, 1, MAX_R); break;
		case 'd': secs = num("-d", optarg, 1, 600); break;
		case 'r': ready = optarg; break;
		case 'g': gate = optarg; break;
		case 'W': no_writer = 1; break;
		case 'h':
			printf("usage: pmdstat-blame [-t READERS] [-d SECS] [-r READY] [-g GATE] [-W]\n"
			       "example: pmdstat-blame -t 3 -d 4\n");
			return 0;
		default:
			fprintf(stderr, "usage: pmdstat-blame [-t READERS] [-d SECS] [-r READY] [-g GATE] [-W]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmdstat-blame: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	fd = memfd_create("pmdstat-blame", MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, SZ_1G)) {
		perror("pmdstat-blame: hugetlb memfd (reserve hugepages: echo 8 > /proc/sys/vm/nr_hugepages)");
		return 4;
	}
	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED || pipe(pipefd)) {
		perror("pmdstat-blame: setup");
		return 1;
	}
	for (i = 0; i <= readers; i++) {
		bool writer = i == readers;

		if (writer && no_writer)
			break;
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pmdstat-blame: fork");
			return 1;
		}
		if (pids[i])
			continue;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, writer ? "blame-writer" : "blame-reader");
		close(pipefd[1]);
		if (writer) {
			double stop;
			long n = 0;

			wait_start(pipefd[0]);
			for (stop = now() + secs; now() < stop; n++)
				if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					      0, SZ_2M))
					_exit(1);
			counts[i] = n;
			_exit(0);
		} else {
			volatile char *map = (volatile char *)aligned_map(fd);
			double stop;
			long n = 0;

			if (!map)
				_exit(1);
			if (!no_writer)
				(void)map[0];	/* the table, before the start */
			wait_start(pipefd[0]);
			for (stop = now() + secs; now() < stop; n++) {
				(void)map[0];
				if (no_writer)
					usleep(1000);
			}
			counts[i] = n;
			_exit(0);
		}
	}
	close(pipefd[0]);
	usleep(200000);	/* let every reader map (and fault) */
	if (ready) {
		FILE *r = fopen(ready, "w");

		if (r) {
			fprintf(r, "writer_pid=%d\nreader_pid=%d\n",
				no_writer ? 0 : (int)pids[readers], (int)pids[0]);
			fclose(r);
		}
	}
	if (gate)
		while (access(gate, F_OK))
			usleep(10000);
	close(pipefd[1]);	/* go */
	for (i = 0; i < readers + !no_writer; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	for (i = 0; i < readers; i++)
		reads += counts[i];
	printf("result readers=%ld reads=%ld punches=%ld writer_pid=%d failed=%d\n",
	       readers, reads, no_writer ? 0 : counts[readers],
	       no_writer ? 0 : (int)pids[readers], failed);
	return failed ? 1 : 0;
}
