// SPDX-License-Identifier: GPL-2.0
/*
 * render.c - the text report and the JSON object of parsed stats: the
 * header, the probe sites and the share/unshare histograms, then the lock
 * section (render_locks.c) and the race section (render_races.c).  Their
 * building blocks are text.c's and json.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "out.h"
#include "render.h"
#include "render_priv.h"
#include "table.h"

static const struct pmdstat_render_opts no_opts;

/* ---- text report ---- */

static bool is_column_key(const char *key)
{
	return !strcmp(key, "hits") || !strcmp(key, "missed") ||
	       !strcmp(key, "nested") || !strcmp(key, "reads");
}

/* Every probe, sites and lock functions: hits, missed, nested, the rest. */
static void render_probes(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	struct pmdstat_table t;
	size_t i, k, sites = 0;
	char more[1024];

	for (i = 0; i < st->nr_probes; i++)
		if (!render_is_lock_probe(&st->probe[i]))
			sites++;
	if (!sites)
		pmdstat_printf(out, "No probe sites: the module resolved none (see dmesg).\n");
	if (!st->nr_probes)
		return;
	pmdstat_table_init(&t, "llrrrl", "SYMBOL,ROLE,HITS,MISSED,NESTED,OUTCOMES");
	for (i = 0; i < st->nr_probes; i++) {
		const struct pmdstat_probe *pr = &st->probe[i];
		size_t n = 0;

		pmdstat_table_cell(&t, "%s", pr->symbol);
		pmdstat_table_cell(&t, "%s", pr->role);
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(&pr->keys, "hits"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(&pr->keys, "missed"));
		/* a site kind without nesting (e.g. role=lock) shows "-" */
		pmdstat_table_cell(&t, "%s", pmdstat_kv_str(&pr->keys, "nested", "-"));
		more[0] = '\0';
		for (k = 0; k < pr->keys.nr && n < sizeof(more); k++) {
			const struct pmdstat_kv *kv = &pr->keys.kv[k];

			if (!is_column_key(kv->key))
				n += (size_t)snprintf(more + n, sizeof(more) - n, "%s%s=%s",
						      n ? " " : "", kv->key, kv->value);
		}
		pmdstat_table_cell(&t, "%s", more);
	}
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
}

static void render_hist(pmdstat_out_t *out, const struct pmdstat_phist *h)
{
	const struct pmdstat_hist_info *hi = pmdstat_hist_info(h->name);
	bool site = !strncmp(h->name, "site:", 5);
	char title[512];

	snprintf(title, sizeof(title), "%s:%s%s%s%s", h->name, hi ? " " : "",
		 hi ? hi->title : "", site ? " " : "", site ? h->name + 5 : "");
	render_hist_titled(out, h, title);
}
/*
 * The role histogram (share_ns, unshare_ns) that site histogram h repeats
 * row for row, as it does when the role has one site and no nested calls;
 * else NULL.
 */
static const struct pmdstat_phist *repeated_role(const struct pmdstat_stats *st,
						  const struct pmdstat_phist *h)
{
	const struct pmdstat_probe *pr;
	const struct pmdstat_phist *r;
	char name[64];
	size_t i;

	if (strncmp(h->name, "site:", 5))
		return NULL;
	pr = pmdstat_find_probe(st, h->name + 5);
	if (!pr || !pr->role)
		return NULL;
	snprintf(name, sizeof(name), "%s_ns", pr->role);
	r = pmdstat_find_hist(st, name);
	if (!r || r->count != h->count || r->sum != h->sum || r->max != h->max ||
	    r->nr_buckets != h->nr_buckets)
		return NULL;
	for (i = 0; i < h->nr_buckets; i++)
		if (r->bucket[i].lo != h->bucket[i].lo || r->bucket[i].hi != h->bucket[i].hi ||
		    r->bucket[i].count != h->bucket[i].count)
			return NULL;
	return r;
}

static void cell_value(struct pmdstat_table *t, const char *unit, u64 v)
{
	char buf[PMDSTAT_DURATION_LEN];

	if (!strcmp(unit, "ns"))
		pmdstat_table_cell(t, "%s", pmdstat_fmt_ns(buf, sizeof(buf), v));
	else
		pmdstat_table_cell(t, "%llu %s", (unsigned long long)v, unit);
}

static void repeat_note(pmdstat_out_t *out, const struct pmdstat_phist *h,
			const struct pmdstat_phist *role)
{
	pmdstat_printf(out, "%s: the same calls as %s, not shown again\n",
		       h->name, role->name);
}

/* Count, p50, p90, p99 and max of every histogram with values. */
static void render_hist_table(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	struct pmdstat_table t;
	size_t i, rows = 0;

	pmdstat_table_init(&t, "lrrrrr", "Histogram,Count,p50,p90,p99,Max");
	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];

		if (!h->count || repeated_role(st, h))
			continue;
		pmdstat_table_cell(&t, "%s", h->name);
		pmdstat_table_cell(&t, "%llu", (unsigned long long)h->count);
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 50));
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 90));
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 99));
		cell_value(&t, h->unit, h->max);
		rows++;
	}
	if (rows) {
		pmdstat_printf(out, "\nHistograms (percentiles within log2 buckets; --hist draws them):\n");
		pmdstat_table_print(out, &t);
	}
	pmdstat_table_free(&t);
	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *role = repeated_role(st, &st->hist[i]);

		if (st->hist[i].count && role)
			repeat_note(out, &st->hist[i], role);
	}
}

/* The share and unshare histograms drawn (the lock ones: render_locks.c). */
static void render_hist_bars(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	size_t i;

	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *role;

		if (!st->hist[i].count || render_is_lock_hist(st->hist[i].name))
			continue;
		role = repeated_role(st, &st->hist[i]);
		if (role) {
			pmdstat_printf(out, "\n");
			repeat_note(out, &st->hist[i], role);
		} else {
			render_hist(out, &st->hist[i]);
		}
	}
}

void pmdstat_render_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts)
{
	u64 ms = st->elapsed_ns / 1000000;
	size_t i, shown = 0;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	if (opts->recording)
		pmdstat_printf(out, "Recording of %llu interval%s over %llu.%03llu s, the sum of their counts and histograms:\n",
			       (unsigned long long)opts->intervals,
			       opts->intervals == 1 ? "" : "s",
			       (unsigned long long)(opts->span_ms / 1000),
			       (unsigned long long)(opts->span_ms % 1000));
	pmdstat_printf(out, "Kernel %s, pmdstat module %s, %s %llu.%03llu s%s, resets %llu, maxactive %llu\n",
		       st->release ? st->release : "?",
		       st->module ? st->module : "?",
		       opts->interval ? "interval" : opts->recording ? "recorded" : "elapsed",
		       (unsigned long long)(ms / 1000),
		       (unsigned long long)(ms % 1000),
		       opts->interval || opts->recording ? "" : " since load or reset",
		       (unsigned long long)st->resets,
		       (unsigned long long)st->maxactive);
	if (opts->reset_seen)
		pmdstat_printf(out, "The counters were reset during this interval: counts since the reset.\n");
	pmdstat_printf(out, "\n");
	render_probes(out, st);
	for (i = 0; i < st->nr_hists; i++)
		if (st->hist[i].count && !render_is_lock_hist(st->hist[i].name))
			shown++;
	if (opts->bars)
		render_hist_bars(out, st);
	else
		render_hist_table(out, st);
	if (!shown)
		pmdstat_printf(out, "\nNo share or unshare calls %s.\n",
			       opts->interval ? "in this interval" :
			       opts->recording ? "in the recording" : "since load or reset");
	render_locks_text(out, st, opts);
	render_races_text(out, st, opts);
	if (st->totals.nr) {
		pmdstat_printf(out, "\nTotals:");
		for (i = 0; i < st->totals.nr; i++)
			pmdstat_printf(out, " %s=%s", st->totals.kv[i].key,
				       st->totals.kv[i].value);
		pmdstat_printf(out, "\n");
	}
	if (pmdstat_kv_get(&st->totals, "missed", 0))
		pmdstat_printf(out,
			       "Warning: %llu calls were missed by the kprobe layer (maxactive %llu): the counts above are low.\n",
			       (unsigned long long)pmdstat_kv_get(&st->totals, "missed", 0),
			       (unsigned long long)st->maxactive);
}

/* ---- JSON ---- */

static void json_probe(pmdstat_out_t *out, const struct pmdstat_probe *pr)
{
	bool first = true;

	pmdstat_out_append(out, "{", 1);
	render_json_str(out, &first, "symbol", pr->symbol);
	render_json_str(out, &first, "role", pr->role);
	render_json_kvs(out, &first, &pr->keys);
	/* the contract: always there, even for a hand-built probe */
	if (!pmdstat_kv_find(&pr->keys, "hits"))
		render_json_u64(out, &first, "hits", 0);
	if (!pmdstat_kv_find(&pr->keys, "missed"))
		render_json_u64(out, &first, "missed", 0);
	pmdstat_out_append(out, "}", 1);
}
void pmdstat_render_json(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts)
{
	bool first = true, sub;
	size_t i;

	if (!opts)
		opts = &no_opts;
	pmdstat_out_append(out, "{", 1);
	render_json_u64(out, &first, "version", PMDSTAT_JSON_VERSION);
	if (opts->timestamp)
		render_json_str(out, &first, "time", opts->timestamp);
	render_json_str(out, &first, "kernel", st->release);
	render_json_str(out, &first, "module", st->module);
	render_json_u64(out, &first, "elapsed_ns", st->elapsed_ns);
	render_json_u64(out, &first, "resets", st->resets);
	render_json_u64(out, &first, "maxactive", st->maxactive);
	render_json_key(out, &first, "contention_known");
	pmdstat_printf(out, "%s", st->contention_unknown ? "false" : "true");
	if (opts->interval) {
		render_json_key(out, &first, "interval");
		pmdstat_out_append(out, "true", 4);
	}
	if (opts->reset_seen) {
		render_json_key(out, &first, "counters_reset");
		pmdstat_out_append(out, "true", 4);
	}
	if (opts->recording) {
		render_json_u64(out, &first, "intervals", opts->intervals);
		render_json_key(out, &first, "span_s");
		pmdstat_printf(out, "%llu.%03llu", (unsigned long long)(opts->span_ms / 1000),
			       (unsigned long long)(opts->span_ms % 1000));
	}

	render_json_key(out, &first, "probes");
	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < st->nr_probes; i++) {
		if (i)
			pmdstat_out_append(out, ",", 1);
		json_probe(out, &st->probe[i]);
	}
	pmdstat_out_append(out, "]", 1);

	render_json_key(out, &first, "histograms");
	pmdstat_out_append(out, "{", 1);
	sub = true;
	for (i = 0; i < st->nr_hists; i++) {
		render_json_key(out, &sub, st->hist[i].name);
		render_json_hist(out, &st->hist[i]);
	}
	pmdstat_out_append(out, "}", 1);

	render_json_object(out, &first, "totals", &st->totals);

	render_locks_json(out, &first, st);
	render_races_json(out, &first, st);
	pmdstat_out_append(out, "}", 1);
}
