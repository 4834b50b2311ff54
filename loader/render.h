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

/* The version of the JSON object of pmdstat_render_json(). */
#define PMDSTAT_JSON_VERSION	2

struct pmdstat_render_opts {
	const char *timestamp;	/* printed first ("time" in JSON), or NULL */
	bool interval;		/* stats are a delta over one interval */
	bool reset_seen;	/* counters were zeroed during that interval */
	unsigned int max_callers;	/* rows of the caller table; 0: all */
	bool bars;		/* draw the histograms (--hist), not a table */
	/* pmdstat report: the sum of a recording's intervals */
	bool recording;
	u64 intervals;		/* how many lines */
	u64 span_ms;		/* from the start of the first to the end of the last */
};

/*
 * Text report: a header line, the probe table, a table of count, p50, p90,
 * p99 and max of every histogram with values (opts->bars: instead each
 * share/unshare histogram's log2 distribution, like bcc's print_log2_hist
 * from its first to its last non-empty bucket, with a count, avg, p50,
 * p90, p99, max line); a site histogram that repeats its role's is only
 * named.  Then the lock timing, after klockstat: lock probes,
 * acquisitions, callers by wait + hold time (opts->max_callers rows), the
 * lock histograms (opts->bars), the longest waits and
 * holds with their stacks, the tracking state; then the race detector:
 * overlaps, checked unshares, shadow tables and fault injection (a loud
 * line when on), the violation counts of every kind, the logged violations
 * with their stacks and the logged overlaps; then the totals.
 */
void pmdstat_render_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts);

/*
 * One JSON object on one line, no trailing newline:
 *   {"version":2,"kernel":"...","module":"...","elapsed_ns":N,"resets":N,
 *    "maxactive":N,"contention_known":B,"probes":[{"symbol":"...","role":"...","hits":N,
 *    "missed":N,...every other key: a number if numeric, else a string...}],
 *    "histograms":{"NAME":{"unit":"ns","count":N,"sum":N,"max":N,"avg":N,
 *    "p50":N,"p90":N,"p99":N,"buckets":[[lo,hi,count],...]},...},
 *    "totals":{"hits":N,...}}
 * "version", "kernel", "probes" (each with "symbol", "hits", "missed") and
 * "histograms" (each with "unit", "count", "sum", "buckets") are always
 * present.  Optional: "time" (opts->timestamp), "interval":true,
 * "counters_reset":true; a line of pmdstat record (opts->record) has
 * "t":S.mmm (seconds from the start of the recording to the end of the
 * interval) and "interval_s":S.mmm; the sum of a recording (pmdstat report,
 * opts->recording) has "intervals":N and "span_s":S.mmm.
 *
 * Lock timing, always present (empty for a module without it), after
 * "totals":
 *   "layout":{"vm_file":N,...},
 *   "locks":[{"kind","mode","acquired","contended","try_ok","try_fail","failed"}],
 *   "lock_state":{"tracked_i_mmap":N,...every key of the locks line},
 *   "callers":[{"func","lock","mode","acquired",...,"wait_max_ns",
 *               "holds",...,"hold_max_ns","wait_avg_ns","hold_avg_ns"}],
 *   "outliers":[{"rank","what","ns","lock","mode","dev","ino","func","comm",
 *                "pid","cpu","at_ns","stack_at","stack":["f+0x1/0x20",...]}]
 * "histograms" holds every histogram of the stats once, under its name in
 * the stats format (the lock ones too: "i_mmap_wait_ns.read", ...,
 * "scan_vmas"); one the stats lack is absent.  Version 1 had the lock
 * histograms a second time as top-level members.
 *
 * The race and lock-rule detector, always present (zeros, every kind of
 * this pmdstat at 0 and empty logs for a module without it), after
 * "outliers":
 *   "races":{"overlaps":N,"checked_unshares":N,"unverified_vma_lock":N,
 *     "shadow_tables":N,"shadow_full":N,"log_drops":N,"inject_delay_us":N,
 *     ...any further key of the races line...,
 *     "violations":{"stray_ref":N,"shadow_mismatch":N,"negative_count":N,
 *       "unshare_without_i_mmap_write":N,"unshare_without_vma_lock_write":N,
 *       "share_without_i_mmap_read":N,"recursive_acquire":N,...every kind
 *       of the violations line, in file order, zeros included},
 *     "violation_log":[{"rank","kind","comm","pid","cpu","func","at_ns",
 *       "detail","stack":["f+0x1/0x20",...]}],
 *     "overlap_log":[{"rank","at_ns","share_pid","share_comm","share_cpu",
 *       "share_age_ns","unshare_pid","unshare_comm","unshare_cpu",
 *       "unshare_func"}]}
 * inject_delay_us above 0 means test-only fault injection was on: every
 * share was delayed by that many microseconds.
 *
 * In records, names (func, comm, lock, mode, dev, kind, detail,
 * share_comm, unshare_comm, unshare_func, ...) are strings even when they
 * look like numbers.
 */
void pmdstat_render_json(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts);

/*
 * The events file: a header line, then per event a line (rank, what,
 * duration, lock, mode, dev, ino, func, comm, pid, cpu, time) and its
 * stack frames one per line.
 */
void pmdstat_render_events_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
				const struct pmdstat_render_opts *opts);
/*
 * {"version":1,"threshold_us":N,"events":[EVENT,...],"totals":{"events":N,
 *  "logged":N,"drops":N,"capacity":N}} on one line; EVENT is an object of
 * the keys of the event line (rank, what, ns, lock, mode, dev, ino, func,
 * comm, pid, cpu, at_ns) with "stack" an array of frames.  "time" with
 * opts->timestamp.
 */
void pmdstat_render_events_json(pmdstat_out_t *out, const struct pmdstat_recfile *f,
				const struct pmdstat_render_opts *opts);

/* The live file: a table of the tasks waiting or holding, oldest first. */
void pmdstat_render_live_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts);
/*
 * {"version":1,"live":[{"state":...,"lock":...,...,"age_ns":N,...}],
 *  "totals":{"live":N,"tracked_i_mmap":N,"tracked_vma_lock":N}} on one
 * line, the live lines in file order.  "time" with opts->timestamp.
 */
void pmdstat_render_live_json(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts);

/*
 * Prometheus text exposition format 0.0.4, for node_exporter's textfile
 * collector: every counter of st as a "pmdstat_<name>_total" counter with
 * labels (symbol, role, lock, mode, kind, ...), gauges for the state, and
 * every histogram as a cumulative Prometheus histogram, in seconds for the
 * ns ones ("pmdstat_<name>_seconds").  See loader/prom.c.
 */
void pmdstat_render_prom(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts);

/* Append s as a JSON string literal, quotes included. */
void pmdstat_json_string(pmdstat_out_t *out, const char *s);

/*
 * bcc's print_log2_hist for a parsed histogram, its rows from the first to
 * the last non-empty bucket (as bpftrace); val_type e.g. "nsecs".
 */
void pmdstat_render_log2_hist(pmdstat_out_t *out, const struct pmdstat_phist *h,
			      const char *val_type);

#endif /* PMDSTAT_RENDER_H */
