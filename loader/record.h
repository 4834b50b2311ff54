/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - recordings: JSON lines, one per interval, each the JSON
 * object of "pmdstat -j" for that interval's delta plus "t" (seconds from
 * the start of the recording to the end of the interval) and "interval_s"
 * (pmdstat record); and reading them back (pmdstat report, pmdstat heatmap).
 */
#ifndef PMDSTAT_RECORD_H
#define PMDSTAT_RECORD_H

#include <stdio.h>
#include "json.h"
#include "parse.h"
#include "render.h"

/* One line of a recording, as the reader hands it over. */
struct pmdstat_rec_line {
	unsigned int line;		/* 1-based */
	u64 t_ms;			/* "t" */
	u64 interval_ms;		/* "interval_s" */
	const struct pmdstat_json *obj;	/* the whole line */
};

/*
 * Append the line of one interval to out: delta as JSON, rendered with
 * opts plus record, t_ms and interval_ms, then "\n".
 */
void pmdstat_record_line(pmdstat_out_t *out, const struct pmdstat_stats *delta,
			 const struct pmdstat_render_opts *opts, u64 t_ms,
			 u64 interval_ms);

/*
 * What pmdstat_recording_each() calls for every line: 0 to go on, or
 * -errno after writing into msg what is wrong with the line (the reader
 * adds "line N: ").
 */
typedef int (*pmdstat_rec_fn)(const struct pmdstat_rec_line *l, void *ctx,
			      char *msg, size_t size);

/*
 * Read f line by line (blank lines are skipped), check that each is a JSON
 * object with the numbers "t" and "interval_s", and call fn.  0, or -EINVAL
 * (a malformed line, or fn's error), -ENOMEM, -EIO (errno in msg) with a
 * message "line N: ..." in msg.
 */
int pmdstat_recording_each(FILE *f, pmdstat_rec_fn fn, void *ctx,
			   char *msg, size_t size);

/*
 * The stats of one JSON object of pmdstat_render_json(): written back as
 * the stats text format and read by pmdstat_parse(), so that a line is
 * checked exactly as the module's file is.  0, or -EINVAL / -ENOMEM with
 * what is wrong in msg.  Free *st with pmdstat_stats_free().
 */
int pmdstat_stats_from_json(const struct pmdstat_json *obj,
			    struct pmdstat_stats *st, char *msg, size_t size);

/* A recording summed up (pmdstat_stats_add() over its lines). */
struct pmdstat_recording {
	struct pmdstat_stats sum;
	u64 intervals;
	u64 span_ms;		/* the sum of interval_s */
	u64 first_t_ms;		/* "t" of the first line */
	u64 last_t_ms;		/* "t" of the last line */
};

/*
 * Sum every line of f into rec (free it with pmdstat_recording_free()).
 * 0, or the errors of pmdstat_recording_each(), or -ENODATA for a file
 * without any line, with msg set.
 */
int pmdstat_recording_sum(FILE *f, struct pmdstat_recording *rec, char *msg,
			  size_t size);
void pmdstat_recording_free(struct pmdstat_recording *rec);

#endif /* PMDSTAT_RECORD_H */
