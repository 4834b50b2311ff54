/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - recordings (pmdstat record, attach -o) in the native text
 * format: per interval a line "record t=<ms> interval=<ms>" (t: ms from the
 * start of the recording to the end of the interval) followed by that
 * interval's delta as a stats block of the stats text format
 * (docs/format.md); and reading them back (pmdstat report, pmdstat heatmap)
 * with the one parser of that format, pmdstat_parse(); and the heatmap.
 */
#ifndef PMDSTAT_RECORD_H
#define PMDSTAT_RECORD_H

#include <stdio.h>
#include "parse.h"

/* One interval of a recording, as the reader hands it over. */
struct pmdstat_rec_line {
	unsigned int line;		/* 1-based, of its record line */
	u64 t_ms;			/* t= */
	u64 interval_ms;		/* interval= */
	const struct pmdstat_stats *st;	/* its stats block */
};

/* st in the stats text format (what pmdstat_parse() reads back). */
void pmdstat_stats_write(pmdstat_out_t *out, const struct pmdstat_stats *st);

/* Append one interval: its record line and delta as a stats block. */
void pmdstat_record_write(pmdstat_out_t *out, const struct pmdstat_stats *delta,
			  u64 t_ms, u64 interval_ms);

/*
 * What pmdstat_recording_each() calls for every interval: 0 to go on, or
 * -errno after writing into msg what is wrong with it (the reader adds
 * "line N: ").
 */
typedef int (*pmdstat_rec_fn)(const struct pmdstat_rec_line *l, void *ctx,
			      char *msg, size_t size);

/*
 * Read the recording f, parse each interval's stats block and call fn.
 * 0, or -EINVAL (a malformed line or block, or fn's error), -ENOMEM, -EIO
 * with a message "line N: ..." in msg (N counts the lines of f).
 */
int pmdstat_recording_each(FILE *f, pmdstat_rec_fn fn, void *ctx,
			   char *msg, size_t size);

/* A recording summed up (pmdstat_stats_add() over its intervals). */
struct pmdstat_recording {
	struct pmdstat_stats sum;
	u64 intervals;
	u64 span_ms;		/* the sum of interval= */
	u64 first_t_ms;		/* t= of the first interval */
	u64 last_t_ms;		/* t= of the last interval */
};

/*
 * Sum every interval of f into rec (free it with pmdstat_recording_free()).
 * 0, or the errors of pmdstat_recording_each(), or -ENODATA for a file
 * without any interval, with msg set.
 */
int pmdstat_recording_sum(FILE *f, struct pmdstat_recording *rec, char *msg,
			  size_t size);
void pmdstat_recording_free(struct pmdstat_recording *rec);

/* heatmap.c: a time x latency heatmap of one histogram of a recording, as SVG. */
struct pmdstat_heatmap_opts {
	const char *hist;	/* the histogram, by its name in the stats format */
	const char *source;	/* named in the title (the recording's file), or NULL */
};

/*
 * Read the recording f and write the heatmap of o->hist into
 * svg: one column per interval, one row per log2 bucket between the
 * lowest and the highest that hold a value, one <rect> with a <title> per
 * non-empty cell, coloured by its count on a log scale.
 *
 * The histogram is looked up by its name in each interval's stats
 * ("share_ns", "i_mmap_hold_ns.read", "site:huge_pmd_share").  Returns 0;
 * -ENOENT if no interval has it (msg lists the histograms the recording
 * has); -ENODATA for a recording without intervals; the errors of
 * pmdstat_recording_each() for a malformed one; msg says which.
 */
int pmdstat_heatmap(FILE *f, const struct pmdstat_heatmap_opts *o,
		    pmdstat_out_t *svg, char *msg, size_t size);

#endif /* PMDSTAT_RECORD_H */
