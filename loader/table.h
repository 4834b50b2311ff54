/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - text tables whose columns are as wide as their widest cell,
 * and the cell formats the reader's tables share.
 *
 *	struct pmdstat_table t;
 *
 *	pmdstat_table_init(&t, "lr", "Name,Count");	(2 columns: left, right
 *						aligned; the first row)
 *	pmdstat_table_cell(&t, "%s", name);
 *	pmdstat_table_cell(&t, "%llu", n);
 *	pmdstat_table_line(&t, "    %s", more);	(a line of its own after the row)
 *	pmdstat_table_print(out, &t);
 *	pmdstat_table_free(&t);
 *
 * Columns are separated by two spaces; a last column aligned left is not
 * padded.  Running out of memory marks out failed when printing.
 */
#ifndef PMDSTAT_TABLE_H
#define PMDSTAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include "pmdstat_types.h"

struct pmdstat_table_item {
	size_t off;		/* of its text in the table's text */
	bool line;		/* a line of its own, not a cell */
};

struct pmdstat_table {
	const char *align;	/* per column: 'l' left, 'r' right */
	unsigned int ncols;
	pmdstat_out_t text;	/* the items' texts, each NUL-terminated */
	struct pmdstat_table_item *item;
	size_t nr;
	size_t cap;
	bool failed;
};

/* head: the header row's cells separated by ',' (NULL: no header). */
void pmdstat_table_init(struct pmdstat_table *t, const char *align,
			const char *head);
__attribute__((format(printf, 2, 3)))
void pmdstat_table_cell(struct pmdstat_table *t, const char *fmt, ...);
/* A line printed as it is after the current (complete) row. */
__attribute__((format(printf, 2, 3)))
void pmdstat_table_line(struct pmdstat_table *t, const char *fmt, ...);
void pmdstat_table_print(pmdstat_out_t *out, const struct pmdstat_table *t);
void pmdstat_table_free(struct pmdstat_table *t);

#define PMDSTAT_DURATION_LEN	32

/*
 * A duration in ns with the unit that suits it: "950 ns", "91.3 us",
 * "1.6 ms", "2.0 s" (one decimal, rounded; 1000 of a unit is the next).
 */
const char *pmdstat_fmt_ns(char *buf, size_t size, u64 ns);

#endif /* PMDSTAT_TABLE_H */
