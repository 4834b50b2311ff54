/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - parse the pmdstat stats text format, version 1
 * (docs/format.md), into plain structs, and the arithmetic the reader does
 * on them: percentiles, averages, and the difference of two snapshots.
 *
 * Everything is allocated dynamically: a file of any size parses or fails
 * with an error, never silently truncated.
 */
#ifndef PMDSTAT_PARSE_H
#define PMDSTAT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "pmdstat_types.h"

/* The format version this reader understands. */
#define PMDSTAT_READER_FORMAT	1

enum pmdstat_parse_code {
	PMDSTAT_PARSE_OK = 0,
	PMDSTAT_PARSE_ENOMEM,		/* out of memory */
	PMDSTAT_PARSE_NOVERSION,	/* first line is not "pmdstat-stats version=N" */
	PMDSTAT_PARSE_VERSION,		/* version N is not one this reader knows */
	PMDSTAT_PARSE_MALFORMED,	/* a line that breaks the grammar */
	PMDSTAT_PARSE_STRAY,		/* bucket or end outside a hist */
	PMDSTAT_PARSE_NOEND,		/* a hist not closed by end */
	PMDSTAT_PARSE_NOTOTALS,		/* no Totals: line */
	PMDSTAT_PARSE_TRUNCATED,	/* last line has no newline */
};

struct pmdstat_parse_error {
	enum pmdstat_parse_code code;
	unsigned int line;		/* 1-based; the last line + 1 at EOF */
	char msg[256];			/* "line N: what is wrong" */
};

/* One key=value token.  num is valid when numeric is true. */
struct pmdstat_kv {
	char *key;
	char *value;
	u64 num;
	bool numeric;
};

/* key=value tokens of one line, in file order. */
struct pmdstat_kvs {
	struct pmdstat_kv *kv;
	size_t nr;
	size_t cap;
};

/*
 * Lines of one record kind (lock, caller, outlier, violation, overlap,
 * event, live): each
 * line's key=value tokens, in file order, every key kept.
 */
struct pmdstat_records {
	struct pmdstat_kvs *rec;
	size_t nr;
	size_t cap;
};

struct pmdstat_probe {
	char *symbol;
	char *role;
	/* Every other key of the line (hits, missed, nested, ..., reads). */
	struct pmdstat_kvs keys;
};

struct pmdstat_bucket {
	u64 lo;		/* inclusive */
	u64 hi;		/* inclusive */
	u64 count;
};

struct pmdstat_phist {
	char *name;
	char *unit;
	u64 count;
	u64 sum;
	u64 max;
	/*
	 * The buckets for display: ascending, not overlapping, fine
	 * sub-buckets (module/hist.h) folded into their log2 buckets.
	 */
	struct pmdstat_bucket *bucket;
	size_t nr_buckets;
	size_t cap_buckets;
	/* the buckets as written, for percentiles; none if never parsed */
	struct pmdstat_bucket *fine;
	size_t nr_fine;
	size_t cap_fine;
};

struct pmdstat_stats {
	unsigned int version;
	char *release;		/* kernel release= */
	char *module;		/* kernel module= */
	u64 elapsed_ns;
	u64 resets;
	u64 maxactive;
	/* state contention=none or partial: "contended" is not known (0 else) */
	bool contention_unknown;
	struct pmdstat_probe *probe;
	size_t nr_probes;
	size_t cap_probes;
	struct pmdstat_phist *hist;
	size_t nr_hists;
	size_t cap_hists;
	struct pmdstat_kvs totals;
	/* lock timing; all empty for a module without it */
	struct pmdstat_kvs layout;		/* the "layout" line */
	struct pmdstat_records locks;		/* "lock" lines */
	struct pmdstat_records callers;		/* "caller" lines */
	struct pmdstat_records blocked_by;	/* "blocked_by" lines */
	struct pmdstat_records outliers;	/* "outlier" lines */
	struct pmdstat_kvs lock_state;		/* the "locks" line */
	/* race and lock-rule detector; all empty for a module without it */
	struct pmdstat_kvs races;		/* the "races" line */
	struct pmdstat_kvs violations;		/* the "violations" line: count by kind */
	struct pmdstat_records violation_log;	/* "violation" lines */
	struct pmdstat_records overlap_log;	/* "overlap" lines */
};

/*
 * The events and live files: a header line "pmdstat-events version=N ..."
 * or "pmdstat-live version=N", record lines ("event ..." or "live ..."),
 * and a Totals: line.
 */
struct pmdstat_recfile {
	unsigned int version;
	struct pmdstat_kvs header;	/* keys of line 1 after version= */
	struct pmdstat_records rec;
	struct pmdstat_kvs totals;
};

/*
 * Parse len bytes of buf (need not be NUL-terminated).  On success returns
 * PMDSTAT_PARSE_OK and fills *st, to be released with pmdstat_stats_free().
 * On failure returns the code, also stored in err with a message naming
 * the line, and leaves *st empty.  err may be NULL.
 */
enum pmdstat_parse_code pmdstat_parse(const char *buf, size_t len,
				      struct pmdstat_stats *st,
				      struct pmdstat_parse_error *err);
void pmdstat_stats_free(struct pmdstat_stats *st);

/*
 * The events file (event lines with the keys of an outlier line; Totals:
 * events, logged, drops, capacity) and the live file (live lines; Totals:
 * live, tracked_i_mmap, tracked_vma_lock).  Like pmdstat_parse(); release
 * *f with pmdstat_recfile_free().
 */
enum pmdstat_parse_code pmdstat_parse_events(const char *buf, size_t len,
					     struct pmdstat_recfile *f,
					     struct pmdstat_parse_error *err);
enum pmdstat_parse_code pmdstat_parse_live(const char *buf, size_t len,
					   struct pmdstat_recfile *f,
					   struct pmdstat_parse_error *err);
void pmdstat_recfile_free(struct pmdstat_recfile *f);

/* The kv of key, or NULL. */
const struct pmdstat_kv *pmdstat_kv_find(const struct pmdstat_kvs *kvs,
					 const char *key);
/* 0 and *val on success, -ENOENT if key is absent, -EINVAL if not a number. */
int pmdstat_kv_u64(const struct pmdstat_kvs *kvs, const char *key, u64 *val);
/* The value of key, or def if it is absent or not a number. */
u64 pmdstat_kv_get(const struct pmdstat_kvs *kvs, const char *key, u64 def);
/* The string value of key, or def if it is absent. */
const char *pmdstat_kv_str(const struct pmdstat_kvs *kvs, const char *key,
			   const char *def);

/* The "lock" line of kind (i_mmap, vma_lock) and mode (read, write), or NULL. */
const struct pmdstat_kvs *pmdstat_find_lock(const struct pmdstat_stats *st,
					    const char *kind, const char *mode);

const struct pmdstat_probe *pmdstat_find_probe(const struct pmdstat_stats *st,
					       const char *symbol);
const struct pmdstat_phist *pmdstat_find_hist(const struct pmdstat_stats *st,
					      const char *name);

/*
 * Estimated p-th percentile (p in 0..100) of h: the value of rank
 * r = ceil(p / 100 * count) (at least 1).  In the bucket [lo, hi] holding
 * that rank, with n values of which b lie in earlier buckets, the estimate
 * is lo + (hi - lo) * (r - b) / n, rounded down and clamped to h->max.
 * 0 for an empty histogram.
 */
u64 pmdstat_hist_percentile(const struct pmdstat_phist *h, double p);
/* a + b, or UINT64_MAX if that overflows; b - a, or 0 if a > b. */
static inline u64 pmdstat_add_sat(u64 a, u64 b)
{
	return a + b < a ? (u64)-1 : a + b;
}

static inline u64 pmdstat_sub_sat(u64 b, u64 a)
{
	return b > a ? b - a : 0;
}

/* The log2 bucket (module/hist.h) that b is exactly, or -1. */
int pmdstat_bucket_slot(const struct pmdstat_bucket *b);
/* Are h's display buckets all log2 buckets? */
bool pmdstat_hist_is_log2(const struct pmdstat_phist *h);

/* sum / count rounded down; 0 for an empty histogram. */
u64 pmdstat_hist_avg(const struct pmdstat_phist *h);

/* Deep copy: 0 or -ENOMEM (dst is then empty). */
int pmdstat_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst);

/*
 * What happened between two snapshots of the same module: d = b - a for
 * every counter (elapsed_ns, resets, probe numbers, hist count, sum and
 * buckets, totals); maxactive, strings and hist max are taken from b.
 * Probes and hists are matched by symbol and name; one only in b is copied.
 * A counter smaller in b than in a gives 0.
 *
 * Lock timing: lock lines (by kind and mode) and caller lines (by func,
 * lock and mode) subtract like the rest, except wait_max_ns and
 * hold_max_ns, taken from b; the locks line subtracts its counters and
 * takes tracked_i_mmap, tracked_vma_lock and threshold_us from b; outliers
 * and layout are b's.
 *
 * Races: the races line subtracts its counters and takes shadow_tables
 * and inject_delay_us from b; the violations line subtracts every count;
 * violation and overlap lines are b's.
 *
 * If the counters were zeroed in between (resets changed, or elapsed_ns went
 * back: module reloaded), d is b's counts since then, with resets as b - a.
 * Returns 0, 1 if such a reset was seen, or -ENOMEM (d is then empty).
 */
int pmdstat_stats_delta(const struct pmdstat_stats *a,
			const struct pmdstat_stats *b, struct pmdstat_stats *d);

/*
 * The sum of snapshots, e.g. of the intervals of a recording: sum += b for
 * every counter (elapsed_ns, resets, probe numbers, hist count, sum and
 * buckets, totals, lock, caller, locks, races and violations counters),
 * saturating.  Hist max, wait_max_ns and hold_max_ns are the larger; what
 * a delta takes from the newer snapshot (strings, maxactive, layout,
 * outliers, violation and overlap logs, the gauges of the locks and races
 * lines) is b's.  Probes, hists and records are matched as in the delta;
 * one only in b is copied.  Start from an empty (zeroed) sum.  Returns 0
 * or -ENOMEM (sum is then still valid, to be freed, but incomplete).
 */
int pmdstat_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b);

#endif /* PMDSTAT_PARSE_H */
