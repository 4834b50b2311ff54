// SPDX-License-Identifier: GPL-2.0
/*
 * render_events.c - the events file (every wait or hold at or above the
 * threshold, with its stack) and the live file (who waits for or holds a
 * tracked lock right now), as text and as JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "render_priv.h"
#include "table.h"

static const struct pmdstat_render_opts no_opts;

/* ---- events ---- */

void pmdstat_render_events_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
				const struct pmdstat_render_opts *opts)
{
	u64 thr = num(&f->header, "threshold_us");
	const struct pmdstat_kvs *t = &f->totals;
	char dur[PMDSTAT_DURATION_LEN];
	size_t i;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	if (thr)
		pmdstat_printf(out, "Event log: waits and holds of at least %llu us: %llu seen, %llu logged, %llu dropped (capacity %llu)\n",
			       (unsigned long long)thr,
			       (unsigned long long)num(t, "events"),
			       (unsigned long long)num(t, "logged"),
			       (unsigned long long)num(t, "drops"),
			       (unsigned long long)num(t, "capacity"));
	else
		pmdstat_printf(out, "Event log: off (threshold_us=0): %llu logged, %llu dropped; turn it on with: pmdstat --threshold US\n",
			       (unsigned long long)num(t, "logged"),
			       (unsigned long long)num(t, "drops"));
	for (i = 0; i < f->rec.nr; i++) {
		const struct pmdstat_kvs *e = &f->rec.rec[i];
		u64 at = num(e, "at_ns");

		pmdstat_printf(out, "\n#%llu %s %s  %s %s  dev %s ino %llu  func %s  comm %s pid %llu cpu %llu  at %llu.%06llu s after boot",
			       (unsigned long long)num(e, "rank"), str(e, "what"),
			       pmdstat_fmt_ns(dur, sizeof(dur), num(e, "ns")),
			       str(e, "lock"), str(e, "mode"), str(e, "dev"),
			       (unsigned long long)num(e, "ino"), str(e, "func"),
			       str(e, "comm"), (unsigned long long)num(e, "pid"),
			       (unsigned long long)num(e, "cpu"),
			       (unsigned long long)(at / 1000000000),
			       (unsigned long long)(at % 1000000000 / 1000));
		if (pmdstat_kv_find(e, "stack_at"))
			pmdstat_printf(out, ", stack at %s", str(e, "stack_at"));
		pmdstat_printf(out, "\n");
		render_stack(out, NULL, str(e, "stack"));
	}
	if (num(t, "drops"))
		pmdstat_printf(out, "\nWarning: %llu events did not fit in the log (capacity %llu): reset with pmdstat --reset, or raise the threshold.\n",
			       (unsigned long long)num(t, "drops"),
			       (unsigned long long)num(t, "capacity"));
}

/* {"version":N,["time":...,]<header keys>,"<name>":[records],"totals":{...}} */
static void json_recfile(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			 const struct pmdstat_render_opts *opts, const char *name)
{
	bool first = true;

	if (!opts)
		opts = &no_opts;
	pmdstat_out_append(out, "{", 1);
	render_json_u64(out, &first, "version", f->version);
	if (opts->timestamp)
		render_json_str(out, &first, "time", opts->timestamp);
	render_json_kvs(out, &first, &f->header);
	render_json_key(out, &first, name);
	render_json_records(out, &f->rec);
	render_json_object(out, &first, "totals", &f->totals);
	pmdstat_out_append(out, "}", 1);
}

void pmdstat_render_events_json(pmdstat_out_t *out, const struct pmdstat_recfile *f,
				const struct pmdstat_render_opts *opts)
{
	json_recfile(out, f, opts, "events");
}

/* ---- live ---- */

/* Oldest first; then by pid, for a stable order. */
static int cmp_age(const void *x, const void *y)
{
	const struct pmdstat_kvs *a = *(const struct pmdstat_kvs *const *)x;
	const struct pmdstat_kvs *b = *(const struct pmdstat_kvs *const *)y;

	if (num(a, "age_ns") != num(b, "age_ns"))
		return num(a, "age_ns") > num(b, "age_ns") ? -1 : 1;
	return num(a, "pid") < num(b, "pid") ? -1 : num(a, "pid") > num(b, "pid");
}

static void cell_opt(struct pmdstat_table *t, const struct pmdstat_kvs *kvs,
		     const char *key)
{
	pmdstat_table_cell(t, "%s", pmdstat_kv_str(kvs, key, "-"));
}

void pmdstat_render_live_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs **row;
	char dur[PMDSTAT_DURATION_LEN];
	struct pmdstat_table t;
	size_t i, n;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	row = render_rows(out, &f->rec, NULL, NULL, cmp_age, &n);
	if (!row) {
		pmdstat_printf(out, "No task waits for or holds a tracked lock, or is in huge_pmd_share.\n");
	} else {
		pmdstat_printf(out, "Tasks waiting for or holding a tracked lock, or in huge_pmd_share, oldest first:\n");
		pmdstat_table_init(&t, "llllllrrlrl",
				   "State,Lock,Mode,Dev:Ino,Func,Comm/PID,CPU,Age,Contended,Scan,Blocked by");
		for (i = 0; i < n; i++) {
			const struct pmdstat_kvs *l = row[i];
			u64 c;

			pmdstat_table_cell(&t, "%s", str(l, "state"));
			cell_opt(&t, l, "lock");
			cell_opt(&t, l, "mode");
			if (pmdstat_kv_find(l, "dev"))
				pmdstat_table_cell(&t, "%s:%llu", str(l, "dev"),
						   (unsigned long long)num(l, "ino"));
			else
				pmdstat_table_cell(&t, "-");
			pmdstat_table_cell(&t, "%s", str(l, "func"));
			pmdstat_table_cell(&t, "%s/%llu", str(l, "comm"),
					   (unsigned long long)num(l, "pid"));
			pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "cpu"));
			pmdstat_table_cell(&t, "%s",
					   pmdstat_fmt_ns(dur, sizeof(dur), num(l, "age_ns")));
			if (pmdstat_kv_u64(l, "contended", &c))
				pmdstat_table_cell(&t, "-");
			else
				pmdstat_table_cell(&t, "%s", c ? "yes" : "no");
			cell_opt(&t, l, "scan");
			if (!pmdstat_kv_find(l, "blocker"))
				pmdstat_table_cell(&t, "-");
			else if (!strcmp(str(l, "blocker"), "unknown"))
				pmdstat_table_cell(&t, "unknown");
			else
				pmdstat_table_cell(&t, "%s (%s %s, %s/%llu)", str(l, "blocker"),
						   str(l, "blocker_mode"),
						   !strcmp(str(l, "blocker_state"), "wait") ?
						   "waiting" : "holding",
						   str(l, "blocker_comm"),
						   (unsigned long long)num(l, "blocker_pid"));
		}
		pmdstat_table_print(out, &t);
		pmdstat_table_free(&t);
		free(row);
	}
	pmdstat_printf(out, "Tracked now: %llu i_mmap, %llu vma_lock\n",
		       (unsigned long long)num(&f->totals, "tracked_i_mmap"),
		       (unsigned long long)num(&f->totals, "tracked_vma_lock"));
}

void pmdstat_render_live_json(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts)
{
	json_recfile(out, f, opts, "live");
}
