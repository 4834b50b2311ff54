// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - the reader's JSON outputs (see render.h): the object of parsed
 * stats with its lock and race members, and those of the events and live
 * files; and their writer: strings escaped (and made valid UTF-8), object
 * members, lines of the stats format typed by fields.c (numbers, strings,
 * stack frames as arrays) and histograms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "fields.h"
#include "out.h"
#include "render.h"

/* ---- the writer ---- */

void pmdstat_json_string(pmdstat_out_t *out, const char *str)
{
	static const char *const esc[0x80] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
		['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};

	pmdstat_out_append(out, "\"", 1);
	/* not UTF-8: the replacement character */
	pmdstat_out_escaped(out, str, esc, "\\u%04x", "\\ufffd");
	pmdstat_out_append(out, "\"", 1);
}

/* JSON object members: a comma unless *first, then "key": and the value. */
static void render_json_key(pmdstat_out_t *out, bool *first, const char *key)
{
	if (!*first)
		pmdstat_out_append(out, ",", 1);
	*first = false;
	pmdstat_json_string(out, key);
	pmdstat_out_append(out, ":", 1);
}

static void render_json_u64(pmdstat_out_t *out, bool *first, const char *key, u64 v)
{
	render_json_key(out, first, key);
	pmdstat_printf(out, "%llu", (unsigned long long)v);
}

static void render_json_str(pmdstat_out_t *out, bool *first, const char *key,
			    const char *v)
{
	render_json_key(out, first, key);
	pmdstat_json_string(out, v ? v : "");
}

/* stack=a,b,c as ["a","b","c"]; "none" as []. */
static void json_frames(pmdstat_out_t *out, const char *stack)
{
	char *copy, *s, *comma;

	pmdstat_out_append(out, "[", 1);
	copy = strcmp(stack, "none") ? strdup(stack) : NULL;
	if (!copy && strcmp(stack, "none"))
		pmdstat_out_set_failed(out);
	for (s = copy; s && *s; s = comma ? comma + 1 : NULL) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (s != copy)
			pmdstat_out_append(out, ",", 1);
		pmdstat_json_string(out, s);
	}
	free(copy);
	pmdstat_out_append(out, "]", 1);
}

/*
 * Members for kvs: values numbers when numeric, except the keys that name
 * things (func, comm, lock, ...), always strings; stack= as an array of
 * its frames ([] for none).
 */
static void render_json_kvs(pmdstat_out_t *out, bool *first, const struct pmdstat_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++) {
		const struct pmdstat_kv *kv = &kvs->kv[i];
		const struct pmdstat_field *f = pmdstat_field_find("outlier", kv->key);

		if (f && f->type == PMDSTAT_F_LIST) {
			render_json_key(out, first, kv->key);
			json_frames(out, kv->value);
		} else if (kv->numeric && !pmdstat_key_is_text(kv->key)) {
			render_json_u64(out, first, kv->key, kv->num);
		} else {
			render_json_str(out, first, kv->key, kv->value);
		}
	}
}

/* [{members of a line}, ...] */
static void render_json_records(pmdstat_out_t *out, const struct pmdstat_records *r)
{
	size_t i;

	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < r->nr; i++) {
		bool first = true;

		pmdstat_out_append(out, i ? ",{" : "{", i ? 2 : 1);
		render_json_kvs(out, &first, &r->rec[i]);
		pmdstat_out_append(out, "}", 1);
	}
	pmdstat_out_append(out, "]", 1);
}

/* JSON has the buckets as measured (fine ones too), not the display rows. */
static void render_json_hist(pmdstat_out_t *out, const struct pmdstat_phist *h)
{
	const struct pmdstat_bucket *bk = h->nr_fine ? h->fine : h->bucket;
	size_t i, nr = h->nr_fine ? h->nr_fine : h->nr_buckets;
	bool first = true;

	pmdstat_out_append(out, "{", 1);
	render_json_str(out, &first, "unit", h->unit);
	render_json_u64(out, &first, "count", h->count);
	render_json_u64(out, &first, "sum", h->sum);
	render_json_u64(out, &first, "max", h->max);
	render_json_u64(out, &first, "avg", pmdstat_hist_avg(h));
	render_json_u64(out, &first, "p50", pmdstat_hist_percentile(h, 50));
	render_json_u64(out, &first, "p90", pmdstat_hist_percentile(h, 90));
	render_json_u64(out, &first, "p99", pmdstat_hist_percentile(h, 99));
	render_json_key(out, &first, "buckets");
	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < nr; i++)
		pmdstat_printf(out, "%s[%llu,%llu,%llu]", i ? "," : "",
			       (unsigned long long)bk[i].lo,
			       (unsigned long long)bk[i].hi,
			       (unsigned long long)bk[i].count);
	pmdstat_out_append(out, "]}", 2);
}

/* "key":{members for kvs} */
static void render_json_object(pmdstat_out_t *out, bool *first, const char *key,
			       const struct pmdstat_kvs *kvs)
{
	bool sub = true;

	render_json_key(out, first, key);
	pmdstat_out_append(out, "{", 1);
	render_json_kvs(out, &sub, kvs);
	pmdstat_out_append(out, "}", 1);
}

/* ---- the stats object ---- */

static void json_callers(pmdstat_out_t *out, const struct pmdstat_records *r)
{
	size_t i;

	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < r->nr; i++) {
		const struct pmdstat_kvs *c = &r->rec[i];
		u64 acq = pmdstat_kv_get(c, "acquired", 0), holds = pmdstat_kv_get(c, "holds", 0);
		bool first = true;

		pmdstat_out_append(out, i ? ",{" : "{", i ? 2 : 1);
		render_json_kvs(out, &first, c);
		render_json_u64(out, &first, "wait_avg_ns",
				acq ? pmdstat_kv_get(c, "wait_total_ns", 0) / acq : 0);
		render_json_u64(out, &first, "hold_avg_ns",
				holds ? pmdstat_kv_get(c, "hold_total_ns", 0) / holds : 0);
		pmdstat_out_append(out, "}", 1);
	}
	pmdstat_out_append(out, "]", 1);
}

/* The lock members of the JSON object (first is the object's). */
static void render_locks_json(pmdstat_out_t *out, bool *first,
			      const struct pmdstat_stats *st)
{
	render_json_object(out, first, "layout", &st->layout);
	render_json_key(out, first, "locks");
	render_json_records(out, &st->locks);
	render_json_object(out, first, "lock_state", &st->lock_state);
	render_json_key(out, first, "callers");
	json_callers(out, &st->callers);
	render_json_key(out, first, "blocked_by");
	render_json_records(out, &st->blocked_by);
	render_json_key(out, first, "outliers");
	render_json_records(out, &st->outliers);
}

static bool is_races_member(const char *key)
{
	return !strcmp(key, "violations") || !strcmp(key, "violation_log") ||
	       !strcmp(key, "overlap_log");
}

/* The "races" member of the JSON object (first is the object's). */
static void render_races_json(pmdstat_out_t *out, bool *first,
			      const struct pmdstat_stats *st)
{
	const struct pmdstat_field *f = NULL;
	bool sub = true, kinds = true;
	size_t i;

	render_json_key(out, first, "races");
	pmdstat_out_append(out, "{", 1);
	/* the races line's keys (the contract's first), or zeros without it */
	while ((f = pmdstat_field_next("races", f)))
		render_json_u64(out, &sub, f->key, pmdstat_kv_get(&st->races, f->key, 0));
	for (i = 0; i < st->races.nr; i++) {
		const struct pmdstat_kv *kv = &st->races.kv[i];

		if (pmdstat_field_find("races", kv->key) || is_races_member(kv->key))
			continue;
		if (kv->numeric)
			render_json_u64(out, &sub, kv->key, kv->num);
		else
			render_json_str(out, &sub, kv->key, kv->value);
	}

	render_json_key(out, &sub, "violations");
	pmdstat_out_append(out, "{", 1);
	if (st->violations.nr)
		render_json_kvs(out, &kinds, &st->violations);
	else
		for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++)
			render_json_u64(out, &kinds, pmdstat_violation_name((unsigned int)i), 0);
	pmdstat_out_append(out, "}", 1);
	render_json_key(out, &sub, "violation_log");
	render_json_records(out, &st->violation_log);
	render_json_key(out, &sub, "overlap_log");
	render_json_records(out, &st->overlap_log);
	pmdstat_out_append(out, "}", 1);
}

static const struct pmdstat_render_opts no_opts;

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

/* ---- the events and live files ---- */

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

void pmdstat_render_live_json(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts)
{
	json_recfile(out, f, opts, "live");
}
