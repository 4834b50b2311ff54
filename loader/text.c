// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - the building blocks of the text report: the log2 histogram,
 * drawn like bcc's print_log2_hist (libbpf-tools trace_helpers.c) so that
 * it reads like funclatency's, but from the first to the last non-empty
 * bucket as bpftrace prints it, a histogram with its title and percentile
 * line, notes for counters that are not 0; which histograms and probes
 * belong to the lock section.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fields.h"
#include "hist.h"
#include "out.h"
#include "render_priv.h"

#define STARS_MAX	40

/* ---- log2 histogram ---- */

/* floor(val * width / val_max) for val <= val_max, val_max > 0. */
static unsigned int scale(u64 val, unsigned int width, u64 val_max)
{
#ifdef __SIZEOF_INT128__
	return (unsigned int)((unsigned __int128)val * width / val_max);
#else
	return (unsigned int)((long double)val * width / val_max);
#endif
}

static void print_stars(pmdstat_out_t *out, u64 val, u64 val_max,
			unsigned int width)
{
	unsigned int i, stars = scale(val < val_max ? val : val_max, width, val_max);
	char bar[STARS_MAX + 1];

	for (i = 0; i < width; i++)
		bar[i] = i < stars ? '*' : ' ';
	bar[width] = '\0';
	pmdstat_printf(out, "%s%s", bar, val > val_max ? "+" : "");
}

static void print_row(pmdstat_out_t *out, int width, u64 lo, u64 hi, u64 val,
		      u64 val_max, unsigned int stars)
{
	pmdstat_printf(out, "%*llu -> %-*llu : %-8llu |", width,
		       (unsigned long long)lo, width, (unsigned long long)hi,
		       (unsigned long long)val);
	print_stars(out, val, val_max, stars);
	pmdstat_printf(out, "|\n");
}

void pmdstat_render_log2_hist(pmdstat_out_t *out, const struct pmdstat_phist *h,
			      const char *val_type)
{
	u64 vals[PMDSTAT_HIST_SLOTS] = { 0 };
	u64 val_max = 0;
	bool log2 = true;
	int idx_min = PMDSTAT_HIST_SLOTS, idx_max = -1, i;
	unsigned int stars;
	int width;
	size_t k;

	for (k = 0; k < h->nr_buckets; k++) {
		const struct pmdstat_bucket *b = &h->bucket[k];
		int slot = pmdstat_bucket_slot(b);

		if (slot < 0)
			log2 = false;
		else
			vals[slot] = b->count;
		if (b->count && slot > idx_max)
			idx_max = slot;
		if (b->count && slot >= 0 && slot < idx_min)
			idx_min = slot;
		if (b->count > val_max)
			val_max = b->count;
		/* a non-log2 bucket: size the columns by its bounds */
		if (b->count && slot < 0 && b->hi > pmdstat_hist_hi(32))
			idx_max = 33;
	}
	if (!val_max)
		return;
	if (idx_max < 0)
		idx_max = 0;

	/* bcc: wider columns and half-length bars past 2^32 */
	width = idx_max <= 32 ? 10 : 20;
	stars = idx_max <= 32 ? STARS_MAX : STARS_MAX / 2;
	pmdstat_printf(out, "%*s%-*s : count     distribution\n",
		       idx_max <= 32 ? 5 : 15, "", idx_max <= 32 ? 19 : 29,
		       val_type);
	if (!log2) {
		/* not the module's log2 buckets: show them as they are */
		for (k = 0; k < h->nr_buckets; k++)
			print_row(out, width, h->bucket[k].lo, h->bucket[k].hi,
				  h->bucket[k].count, val_max, stars);
		return;
	}
	/* as bpftrace: from the first to the last non-empty bucket */
	for (i = idx_min; i <= idx_max; i++)
		print_row(out, width, pmdstat_hist_lo((unsigned int)i),
			  pmdstat_hist_hi((unsigned int)i), vals[i], val_max, stars);
}

void render_notes(pmdstat_out_t *out, const struct pmdstat_kvs *kvs,
		  const struct render_note *notes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u64 v = pmdstat_kv_get(kvs, notes[i].key, 0);

		if (v)
			pmdstat_printf(out, notes[i].text, (unsigned long long)v);
	}
}

const char *render_unit_name(const char *unit)
{
	if (!strcmp(unit, "ns"))
		return "nsecs";
	if (!strcmp(unit, "us"))
		return "usecs";
	if (!strcmp(unit, "ms"))
		return "msecs";
	return unit;
}

void render_hist_titled(pmdstat_out_t *out, const struct pmdstat_phist *h,
			const char *title)
{
	const char *u = h->unit;

	pmdstat_printf(out, "\n%s\n", title);
	pmdstat_render_log2_hist(out, h, render_unit_name(u));
	pmdstat_printf(out,
		       "count %llu, avg %llu %s, p50 %llu %s, p90 %llu %s, p99 %llu %s, max %llu %s\n",
		       (unsigned long long)h->count,
		       (unsigned long long)pmdstat_hist_avg(h), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 50), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 90), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 99), u,
		       (unsigned long long)h->max, u);
}

bool render_is_lock_hist(const char *name)
{
	const struct pmdstat_hist_info *hi = pmdstat_hist_info(name);

	return hi && hi->lock;
}

bool render_is_lock_probe(const struct pmdstat_probe *pr)
{
	return pr->role && !strcmp(pr->role, "lock");
}
