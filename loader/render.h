/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render.h - turn parsed stats into the reader's two outputs: a text report
 * with bcc-style log2 histograms, and one JSON object (the machine
 * contract, see pmdstat_render_json()).
 */
#ifndef PMDSTAT_RENDER_H
#define PMDSTAT_RENDER_H

#include <stdbool.h>
#include "parse.h"

struct pmdstat_render_opts {
	const char *timestamp;	/* printed first ("time" in JSON), or NULL */
	bool interval;		/* stats are a delta over one interval */
	bool reset_seen;	/* counters were zeroed during that interval */
};

/*
 * Text report: a header line, the probe table, then for each histogram with
 * values its log2 distribution (like bcc's print_log2_hist) and a summary
 * line (count, avg, p50, p90, p99, max), then the totals.
 */
void pmdstat_render_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts);

/*
 * One JSON object on one line, no trailing newline:
 *   {"version":1,"kernel":"...","module":"...","elapsed_ns":N,"resets":N,
 *    "maxactive":N,"probes":[{"symbol":"...","role":"...","hits":N,
 *    "missed":N,...every other key: a number if numeric, else a string...}],
 *    "histograms":{"NAME":{"unit":"ns","count":N,"sum":N,"max":N,"avg":N,
 *    "p50":N,"p90":N,"p99":N,"buckets":[[lo,hi,count],...]},...},
 *    "totals":{"hits":N,...}}
 * "version", "kernel", "probes" (each with "symbol", "hits", "missed") and
 * "histograms" (each with "unit", "count", "sum", "buckets") are always
 * present.  Optional: "time" (opts->timestamp), "interval":true,
 * "counters_reset":true.
 */
void pmdstat_render_json(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts);

/* Append s as a JSON string literal, quotes included. */
void pmdstat_json_string(pmdstat_out_t *out, const char *s);

/* bcc's print_log2_hist for a parsed histogram; val_type e.g. "nsecs". */
void pmdstat_render_log2_hist(pmdstat_out_t *out, const struct pmdstat_phist *h,
			      const char *val_type);

#endif /* PMDSTAT_RENDER_H */
