// SPDX-License-Identifier: GPL-2.0
/*
 * hist.c - log2 and fine (log2 x 4) histogram helpers.  Builds in the kernel and in userspace
 * (tests/unit) from the same source; see pmdstat_types.h.
 */
#include "hist.h"

void pmdstat_hist_add(struct pmdstat_hist *h, u64 v)
{
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->slot[pmdstat_hist_slot(v)]++;
}

void pmdstat_hist_merge(struct pmdstat_hist *dst, const struct pmdstat_hist *src)
{
	unsigned int i;

	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++)
		dst->slot[i] += src->slot[i];
}

void pmdstat_fhist_add(struct pmdstat_fhist *h, u64 v)
{
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->slot[pmdstat_fhist_slot(v)]++;
}

void pmdstat_fhist_merge(struct pmdstat_fhist *dst, const struct pmdstat_fhist *src)
{
	unsigned int i;

	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < PMDSTAT_FHIST_SLOTS; i++)
		dst->slot[i] += src->slot[i];
}

PMDSTAT_NOKPROBE(pmdstat_hist_add);
PMDSTAT_NOKPROBE(pmdstat_fhist_add);
