// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - aligned text tables (see table.h) and durations with units.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "table.h"

#define TABLE_MAX_COLS	32

void pmdstat_table_init(struct pmdstat_table *t, const char *align,
			const char *head)
{
	const char *comma;

	memset(t, 0, sizeof(*t));
	t->align = align;
	t->ncols = (unsigned int)strlen(align);
	if (t->ncols > TABLE_MAX_COLS)
		t->ncols = TABLE_MAX_COLS;
	pmdstat_out_init(&t->text);
	for (; head; head = comma ? comma + 1 : NULL) {
		comma = strchr(head, ',');
		pmdstat_table_cell(t, "%.*s",
				   (int)(comma ? comma - head : (long)strlen(head)), head);
	}
}

void pmdstat_table_free(struct pmdstat_table *t)
{
	pmdstat_out_free(&t->text);
	free(t->item);
	memset(t, 0, sizeof(*t));
}

static void table_add(struct pmdstat_table *t, bool line, const char *fmt,
		      va_list ap)
{
	char small[256], *s = small;
	va_list ap2;
	int n;

	if (t->failed)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (s)
			vsnprintf(s, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	if (n < 0 || !s) {
		t->failed = true;
		return;
	}
	if (pmdstat_grow((void **)&t->item, &t->cap, t->nr, sizeof(*t->item))) {
		t->failed = true;
		goto out;
	}
	t->item[t->nr].off = t->text.len;
	t->item[t->nr].line = line;
	t->nr++;
	pmdstat_out_append(&t->text, s, (size_t)n + 1);
	if (pmdstat_out_failed(&t->text))
		t->failed = true;
out:
	if (s != small)
		free(s);
}

void pmdstat_table_cell(struct pmdstat_table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	table_add(t, false, fmt, ap);
	va_end(ap);
}

void pmdstat_table_line(struct pmdstat_table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	table_add(t, true, fmt, ap);
	va_end(ap);
}

void pmdstat_table_print(pmdstat_out_t *out, const struct pmdstat_table *t)
{
	int width[TABLE_MAX_COLS] = { 0 };
	unsigned int col = 0;
	size_t i;

	if (t->failed) {
		pmdstat_out_set_failed(out);
		return;
	}
	for (i = 0; i < t->nr; i++) {
		int w;

		if (t->item[i].line)
			continue;
		w = (int)strlen(t->text.buf + t->item[i].off);
		if (w > width[col])
			width[col] = w;
		col = (col + 1) % t->ncols;
	}
	col = 0;
	for (i = 0; i < t->nr; i++) {
		const char *s = t->text.buf + t->item[i].off;
		bool last = col + 1 == t->ncols;

		if (t->item[i].line) {
			pmdstat_printf(out, "%s\n", s);
			continue;
		}
		if (t->align[col] == 'r')
			pmdstat_printf(out, "%*s", width[col], s);
		else if (last)
			pmdstat_printf(out, "%s", s);
		else
			pmdstat_printf(out, "%-*s", width[col], s);
		pmdstat_printf(out, last ? "\n" : "  ");
		col = last ? 0 : col + 1;
	}
	if (col)	/* an incomplete last row */
		pmdstat_printf(out, "\n");
}

const char *pmdstat_fmt_ns(char *buf, size_t size, u64 ns)
{
	static const struct {
		const char *name;
		u64 ns;
	} unit[] = { { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 } };
	unsigned int i = 0;
	u64 tenths, step;

	if (ns < 1000) {
		snprintf(buf, size, "%llu ns", (unsigned long long)ns);
		return buf;
	}
	while (i + 1 < 3 && ns >= unit[i + 1].ns)
		i++;
	for (;;) {
		step = unit[i].ns / 10;
		tenths = ns / step + (ns % step >= step / 2);
		if (tenths < 10000 || i == 2)
			break;
		i++;		/* 999.96 us is 1.0 ms, not 1000.0 us */
	}
	snprintf(buf, size, "%llu.%llu %s", (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10), unit[i].name);
	return buf;
}
