// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-scan - make every huge_pmd_share() scan the whole interval tree.
 *
 * Maps one hugetlb file VMAS times, each VMA a whole 1 GiB-aligned PUD but
 * at a different file offset (VMA k starts at offset k * 2 MiB), so that a
 * file page sits at a different PMD index in every VMA and no two VMAs can
 * share a PMD table.  Then it touches the same file page once through each
 * VMA: each first fault in a PUD calls huge_pmd_share(), which walks every
 * VMA of the file that maps that page (all VMAS of them) under
 * i_mmap_rwsem (read) and finds nothing to share.  One hugepage is used in
 * all; VMAS page-table pages; VMAS GiB of address space (MAP_NORESERVE).
 *
 * Usage: pmdstat-scan -v VMAS [-w SECS] [-H SECS]
 *   -v  VMAs, 1..512
 *   -w  after mapping, print "ready pid=PID" and wait SECS (0..600) before
 *       faulting: time to attach a tracer to this one process
 *   -H  after faulting, print "faulted pid=PID" and hold the mappings SECS
 *       (0..600) before exiting: their vma locks stay tracked meanwhile
 * Prints: result vmas=V share_calls=V scan_each=V
 * Exit: 0 ok, 1 failure, 2 bad arguments, 4 no free hugepage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1UL << 30)

static void usage(FILE *f)
{
	fprintf(f, "usage: pmdstat-scan -v VMAS [-w SECS] [-H SECS]   (1..512 VMAs of one hugetlb file, none can share)\n"
		"example: pmdstat-scan -v 512\n"
		"         pmdstat-scan -v 8 -w 2    # wait 2 s after mapping, then fault\n"
		"         pmdstat-scan -v 8 -H 5    # fault, then hold the mappings 5 s\n");
}

int main(int argc, char **argv)
{
	long vmas = 0, wait = 0, hold = 0, k;
	char *end, *res, *base;
	int fd, opt;

	while ((opt = getopt(argc, argv, "v:w:H:h")) != -1) {
		switch (opt) {
		case 'H':
			errno = 0;
			hold = strtol(optarg, &end, 10);
			if (errno || *end || hold < 0 || hold > 600) {
				fprintf(stderr, "pmdstat-scan: -H %s: give 0..600 seconds\n", optarg);
				return 2;
			}
			break;
		case 'w':
			errno = 0;
			wait = strtol(optarg, &end, 10);
			if (errno || *end || wait < 0 || wait > 600) {
				fprintf(stderr, "pmdstat-scan: -w %s: give 0..600 seconds\n", optarg);
				return 2;
			}
			break;
		case 'v':
			errno = 0;
			vmas = strtol(optarg, &end, 10);
			if (errno || *end || vmas < 1 || vmas > 512) {
				fprintf(stderr, "pmdstat-scan: -v %s: give 1..512 VMAs\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!vmas || optind != argc) {
		usage(stderr);
		return 2;
	}
	fd = memfd_create("pmdstat-scan", MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, SZ_1G + (vmas - 1) * SZ_2M)) {
		perror("pmdstat-scan: hugetlb memfd (are hugepages reserved? echo 8 > /proc/sys/vm/nr_hugepages)");
		return 4;
	}
	res = mmap(NULL, (vmas + 1) * SZ_1G, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		perror("pmdstat-scan: reserve address space");
		return 1;
	}
	base = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(SZ_1G - 1));
	for (k = 0; k < vmas; k++) {
		char *p = base + k * SZ_1G;

		if (mmap(p, SZ_1G, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, k * SZ_2M) != p) {
			perror("pmdstat-scan: mmap");
			return 1;
		}
	}
	if (wait) {
		printf("ready pid=%d\n", (int)getpid());
		fflush(stdout);
		sleep(wait);
	}
	/* file offset 1 GiB - 2 MiB is mapped by every VMA */
	for (k = 0; k < vmas; k++) {
		volatile char *p = base + k * SZ_1G + (SZ_1G - SZ_2M - k * SZ_2M);

		*p = 1;
	}
	printf("result vmas=%ld share_calls=%ld scan_each=%ld\n", vmas, vmas, vmas);
	if (hold) {
		printf("faulted pid=%d\n", (int)getpid());
		fflush(stdout);
		sleep(hold);
	}
	return 0;
}
