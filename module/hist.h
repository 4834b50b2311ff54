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

/*
 * Fine histograms: each log2 bucket split into 4 equal sub-buckets (the
 * HdrHistogram idea, 2 bits of precision), so that a percentile is known
 * to within 25% instead of a factor of 2.  The share/unshare latencies use
 * them: their medians are what users compare (and the BPF backend's
 * against the module's).  The stats file lists the sub-buckets; the reader
 * folds them back into bcc-style log2 rows for display.  Slots 0-3 hold
 * the values 0-3; slot 4(e-1)+k holds [(4+k) << (e-2), (5+k) << (e-2) - 1]
 * for the log2 bucket e >= 2.  2 KB each, so only these two, not the
 * per-site and lock histograms (the per-CPU area is limited to 32 KB).
 */
#define PMDSTAT_FHIST_SLOTS 252	/* 4 + 62 log2 buckets x 4 */

struct pmdstat_fhist {
	u64 count;
	u64 sum;
	u64 max;
	u64 slot[PMDSTAT_FHIST_SLOTS];
};

static inline unsigned int pmdstat_fhist_slot(u64 v)
{
	unsigned int e;

	if (v < 4)
		return (unsigned int)v;
	e = pmdstat_fls64(v) - 1;
	return (e - 1) * 4 + (unsigned int)((v >> (e - 2)) & 3);
}

/* Inclusive bounds of fine slot i. */
static inline u64 pmdstat_fhist_lo(unsigned int i)
{
	return i < 4 ? i : (u64)(4 | (i & 3)) << (i / 4 - 1);
}

static inline u64 pmdstat_fhist_hi(unsigned int i)
{
	return i < 4 ? i : pmdstat_fhist_lo(i) + ((u64)1 << (i / 4 - 1)) - 1;
}

void pmdstat_fhist_add(struct pmdstat_fhist *h, u64 v);
void pmdstat_fhist_merge(struct pmdstat_fhist *dst, const struct pmdstat_fhist *src);

#endif /* PMDSTAT_HIST_H */
