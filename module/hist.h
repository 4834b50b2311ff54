/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist.h - log2 histograms, shared by the module and the userspace tools.
 *
 * Bucket i holds values v with floor(log2(v)) == i, i.e. [2^i, 2^(i+1)-1];
 * bucket 0 also holds 0.  This is the bucketing of bcc's log2 histograms.
 */
#ifndef PMDSTAT_HIST_H
#define PMDSTAT_HIST_H

#include "pmdstat_types.h"

#define PMDSTAT_HIST_SLOTS 64

struct pmdstat_hist {
	u64 count;
	u64 sum;
	u64 max;
	u64 slot[PMDSTAT_HIST_SLOTS];
};

static inline unsigned int pmdstat_hist_slot(u64 v)
{
	return v ? pmdstat_fls64(v) - 1 : 0;
}

/* Inclusive bounds of bucket i. */
static inline u64 pmdstat_hist_lo(unsigned int i)
{
	return i ? (u64)1 << i : 0;
}

static inline u64 pmdstat_hist_hi(unsigned int i)
{
	return i >= 63 ? ~(u64)0 : ((u64)2 << i) - 1;
}

/* Plain (non-atomic) update: used on snapshots and in userspace. */
void pmdstat_hist_add(struct pmdstat_hist *h, u64 v);
/* dst += src, bucket by bucket; max is the larger max. */
void pmdstat_hist_merge(struct pmdstat_hist *dst, const struct pmdstat_hist *src);

#endif /* PMDSTAT_HIST_H */
