/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h - pmdstat --backend bpf: the stats report made from one run of
 * pmdstat-bpf (the libbpf companion, loader/bpf/) instead of the module,
 * and its parts: finding pmdstat-bpf, its command line, running it.
 */
#ifndef PMDSTAT_BACKEND_H
#define PMDSTAT_BACKEND_H

#include <stddef.h>
#include "cli.h"

#define PMDSTAT_BPF_NAME	"pmdstat-bpf"

struct pmdstat_run;

/*
 * pmdstat-bpf's path into buf: in the directory of self (the reader's own
 * executable; NULL: unknown), else in a directory of path (a $PATH; NULL:
 * none).  0, or -ENOENT if neither has an executable pmdstat-bpf.
 */
int pmdstat_bpf_find(const char *self, const char *path, char *buf, size_t size);

/*
 * The arguments of prog (pmdstat-bpf) for cli: -d SECS (written into secs)
 * or -- CMD [ARGS...], and -o out.  NULL-terminated; free() the array, not
 * the strings (they are prog, out, secs, cli's and literals).  NULL when
 * out of memory.
 */
char **pmdstat_bpf_argv(const char *prog, const struct pmdstat_cli *cli,
			const char *out, char *secs, size_t size);

/*
 * Run prog (pmdstat-bpf) as r's command line asks, its stats to a
 * temporary file, and report them as pmdstat -f does.  Returns the exit
 * status: 0; 1 on an error of pmdstat; pmdstat-bpf's status if it failed
 * (it wrote no stats and said why); with -- CMD, CMD's status (as
 * pmdstat-bpf gives it: 128 + N if signal N killed it, 127 if it could not
 * run), or 1 if CMD succeeded and the report failed.
 */
int pmdstat_bpf_run(struct pmdstat_run *r, const char *prog);

/* pmdstat --backend bpf: pmdstat_bpf_run() with the pmdstat-bpf found. */
int pmdstat_backend_bpf(struct pmdstat_run *r);

#endif /* PMDSTAT_BACKEND_H */
