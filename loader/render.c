// SPDX-License-Identifier: GPL-2.0
/*
 * render.c - text and JSON output of parsed pmdstat stats.  The log2
 * histogram is drawn like bcc's print_log2_hist (libbpf-tools
 * trace_helpers.c), so the output reads like funclatency's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "hist.h"
#include "out.h"
#include "render.h"
#include "render_priv.h"

#define STARS_MAX	40

static const struct pmdstat_render_opts no_opts;

/* ---- log2 histogram ---- */

/* floor(val * width / val_max) for val <= val_max, val_max > 0. */
static unsigned int scale(u64 val, unsigned int width, u64 val_max)
{
#ifdef __SIZEOF_INT128__
	return (unsigned int)((unsigned __int128)val * width / val_max);
#else
	return (unsigned int)((long double)val * width / val_max);
#endif
}

static void print_stars(pmdstat_out_t *out, u64 val, u64 val_max,
			unsigned int width)
{
	unsigned int i, stars = scale(val < val_max ? val : val_max, width, val_max);
	char bar[STARS_MAX + 1];

	for (i = 0; i < width; i++)
		bar[i] = i < stars ? '*' : ' ';
	bar[width] = '\0';
	pmdstat_printf(out, "%s%s", bar, val > val_max ? "+" : "");
}

/* The log2 slot of bucket b, or -1 if b is not exactly one log2 bucket. */
static int log2_slot(const struct pmdstat_bucket *b)
{
	unsigned int i = pmdstat_hist_slot(b->lo);

	if (b->lo != pmdstat_hist_lo(i) || b->hi != pmdstat_hist_hi(i))
		return -1;
	return (int)i;
}

static void print_row(pmdstat_out_t *out, int width, u64 lo, u64 hi, u64 val,
		      u64 val_max, unsigned int stars)
{
	pmdstat_printf(out, "%*llu -> %-*llu : %-8llu |", width,
		       (unsigned long long)lo, width, (unsigned long long)hi,
		       (unsigned long long)val);
	print_stars(out, val, val_max, stars);
	pmdstat_printf(out, "|\n");
}

void pmdstat_render_log2_hist(pmdstat_out_t *out, const struct pmdstat_phist *h,
			      const char *val_type)
{
	u64 vals[PMDSTAT_HIST_SLOTS] = { 0 };
	u64 val_max = 0;
	bool log2 = true;
	int idx_max = -1, i;
	unsigned int stars;
	int width;
	size_t k;

	for (k = 0; k < h->nr_buckets; k++) {
		const struct pmdstat_bucket *b = &h->bucket[k];
		int slot = log2_slot(b);

		if (slot < 0)
			log2 = false;
		else
			vals[slot] = b->count;
		if (b->count && slot > idx_max)
			idx_max = slot;
		if (b->count > val_max)
			val_max = b->count;
		/* a non-log2 bucket: size the columns by its bounds */
		if (b->count && slot < 0 && b->hi > pmdstat_hist_hi(32))
			idx_max = 33;
	}
	if (!val_max)
		return;
	if (idx_max < 0)
		idx_max = 0;

	/* bcc: wider columns and half-length bars past 2^32 */
	width = idx_max <= 32 ? 10 : 20;
	stars = idx_max <= 32 ? STARS_MAX : STARS_MAX / 2;
	pmdstat_printf(out, "%*s%-*s : count     distribution\n",
		       idx_max <= 32 ? 5 : 15, "", idx_max <= 32 ? 19 : 29,
		       val_type);
	if (!log2) {
		/* not the module's log2 buckets: show them as they are */
		for (k = 0; k < h->nr_buckets; k++)
			print_row(out, width, h->bucket[k].lo, h->bucket[k].hi,
				  h->bucket[k].count, val_max, stars);
		return;
	}
	for (i = 0; i <= idx_max; i++)
		print_row(out, width, pmdstat_hist_lo((unsigned int)i),
			  pmdstat_hist_hi((unsigned int)i), vals[i], val_max, stars);
}

/* ---- text report ---- */

void render_notes(pmdstat_out_t *out, const struct pmdstat_kvs *kvs,
		  const struct render_note *notes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u64 v = pmdstat_kv_get(kvs, notes[i].key, 0);

		if (v)
			pmdstat_printf(out, notes[i].text, (unsigned long long)v);
	}
}

const char *render_unit_name(const char *unit)
{
	if (!strcmp(unit, "ns"))
		return "nsecs";
	if (!strcmp(unit, "us"))
		return "usecs";
	if (!strcmp(unit, "ms"))
		return "msecs";
	return unit;
}

static int u64_width(u64 v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static bool is_column_key(const char *key)
{
	return !strcmp(key, "hits") || !strcmp(key, "missed") ||
	       !strcmp(key, "nested") || !strcmp(key, "reads");
}

static void render_probes(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	int wsym = 6, wrole = 4, whits = 4, wmissed = 6, wnested = 6;
	size_t i, k, shown = 0;

	for (i = 0; i < st->nr_probes; i++)
		if (!render_is_lock_probe(&st->probe[i]))
			shown++;
	if (!shown) {
		pmdstat_printf(out, "No probe sites: the module resolved none (see dmesg).\n");
		return;
	}
	for (i = 0; i < st->nr_probes; i++) {
		const struct pmdstat_probe *pr = &st->probe[i];

		if (render_is_lock_probe(pr))
			continue;
		wsym = max_int(wsym, (int)strlen(pr->symbol));
		wrole = max_int(wrole, (int)strlen(pr->role));
		whits = max_int(whits, u64_width(pmdstat_kv_get(&pr->keys, "hits", 0)));
		wmissed = max_int(wmissed, u64_width(pmdstat_kv_get(&pr->keys, "missed", 0)));
		wnested = max_int(wnested, u64_width(pmdstat_kv_get(&pr->keys, "nested", 0)));
	}
	pmdstat_printf(out, "%-*s  %-*s  %*s  %*s  %*s  %s\n", wsym, "SYMBOL",
		       wrole, "ROLE", whits, "HITS", wmissed, "MISSED",
		       wnested, "NESTED", "OUTCOMES");
	for (i = 0; i < st->nr_probes; i++) {
		const struct pmdstat_probe *pr = &st->probe[i];
		const char *sep = "";
		u64 nested;

		if (render_is_lock_probe(pr))
			continue;
		pmdstat_printf(out, "%-*s  %-*s  %*llu  %*llu  ", wsym,
			       pr->symbol, wrole, pr->role, whits,
			       (unsigned long long)pmdstat_kv_get(&pr->keys, "hits", 0),
			       wmissed,
			       (unsigned long long)pmdstat_kv_get(&pr->keys, "missed", 0));
		/* a site kind without nesting (e.g. role=lock) shows "-" */
		if (pmdstat_kv_u64(&pr->keys, "nested", &nested))
			pmdstat_printf(out, "%*s  ", wnested, "-");
		else
			pmdstat_printf(out, "%*llu  ", wnested, (unsigned long long)nested);
		for (k = 0; k < pr->keys.nr; k++) {
			const struct pmdstat_kv *kv = &pr->keys.kv[k];

			if (is_column_key(kv->key))
				continue;
			pmdstat_printf(out, "%s%s=%s", sep, kv->key, kv->value);
			sep = " ";
		}
		pmdstat_printf(out, "\n");
	}
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

void render_hist_titled(pmdstat_out_t *out, const struct pmdstat_phist *h,
			const char *title)
{
	const char *u = h->unit;

	pmdstat_printf(out, "\n%s\n", title);
	pmdstat_render_log2_hist(out, h, render_unit_name(u));
	pmdstat_printf(out,
		       "count %llu, avg %llu %s, p50 %llu %s, p90 %llu %s, p99 %llu %s, max %llu %s\n",
		       (unsigned long long)h->count,
		       (unsigned long long)pmdstat_hist_avg(h), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 50), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 90), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 99), u,
		       (unsigned long long)h->max, u);
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
	for (i = 0; i < st->nr_hists; i++) {
		if (!st->hist[i].count || render_is_lock_hist(st->hist[i].name))
			continue;
		render_hist(out, &st->hist[i]);
		shown++;
	}
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

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	return pmdstat_utf8_seq(s, s + strlen((const char *)s));
}

void pmdstat_json_string(pmdstat_out_t *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	pmdstat_out_append(out, "\"", 1);
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			pmdstat_out_append(out, "\\\"", 2);
			break;
		case '\\':
			pmdstat_out_append(out, "\\\\", 2);
			break;
		case '\b':
			pmdstat_out_append(out, "\\b", 2);
			break;
		case '\f':
			pmdstat_out_append(out, "\\f", 2);
			break;
		case '\n':
			pmdstat_out_append(out, "\\n", 2);
			break;
		case '\r':
			pmdstat_out_append(out, "\\r", 2);
			break;
		case '\t':
			pmdstat_out_append(out, "\\t", 2);
			break;
		default:
			if (*s < 0x20) {
				pmdstat_printf(out, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				/* not UTF-8: the replacement character */
				pmdstat_out_append(out, "\\ufffd", 6);
				break;
			}
			pmdstat_out_append(out, (const char *)s, n);
			s += n;
			continue;
		}
		s++;
	}
	pmdstat_out_append(out, "\"", 1);
}

void render_json_key(pmdstat_out_t *out, bool *first, const char *key)
{
	if (!*first)
		pmdstat_out_append(out, ",", 1);
	*first = false;
	pmdstat_json_string(out, key);
	pmdstat_out_append(out, ":", 1);
}

void render_json_u64(pmdstat_out_t *out, bool *first, const char *key, u64 v)
{
	render_json_key(out, first, key);
	pmdstat_printf(out, "%llu", (unsigned long long)v);
}

static void render_json_bool(pmdstat_out_t *out, bool *first, const char *key, bool v)
{
	render_json_key(out, first, key);
	pmdstat_printf(out, "%s", v ? "true" : "false");
}

/* Milliseconds as seconds with three decimals: 1.250 */
static void render_json_ms(pmdstat_out_t *out, bool *first, const char *key, u64 ms)
{
	render_json_key(out, first, key);
	pmdstat_printf(out, "%llu.%03llu", (unsigned long long)(ms / 1000),
		       (unsigned long long)(ms % 1000));
}

void render_json_str(pmdstat_out_t *out, bool *first, const char *key,
		     const char *v)
{
	render_json_key(out, first, key);
	pmdstat_json_string(out, v ? v : "");
}

void render_json_kvs(pmdstat_out_t *out, bool *first, const struct pmdstat_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++) {
		const struct pmdstat_kv *kv = &kvs->kv[i];

		if (kv->numeric && !pmdstat_key_is_text(kv->key))
			render_json_u64(out, first, kv->key, kv->num);
		else
			render_json_str(out, first, kv->key, kv->value);
	}
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

void render_json_record_members(pmdstat_out_t *out, bool *first,
				const struct pmdstat_kvs *kvs)
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

void render_json_record(pmdstat_out_t *out, const struct pmdstat_kvs *kvs)
{
	bool first = true;

	pmdstat_out_append(out, "{", 1);
	render_json_record_members(out, &first, kvs);
	pmdstat_out_append(out, "}", 1);
}

void render_json_records(pmdstat_out_t *out, const struct pmdstat_records *r)
{
	size_t i;

	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < r->nr; i++) {
		if (i)
			pmdstat_out_append(out, ",", 1);
		render_json_record(out, &r->rec[i]);
	}
	pmdstat_out_append(out, "]", 1);
}

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

/* JSON has the buckets as measured (fine ones too), not the display rows. */
void render_json_hist(pmdstat_out_t *out, const struct pmdstat_phist *h)
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
	render_json_bool(out, &first, "contention_known", !st->contention_unknown);
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
		render_json_ms(out, &first, "span_s", opts->span_ms);
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

	render_json_key(out, &first, "totals");
	pmdstat_out_append(out, "{", 1);
	sub = true;
	render_json_kvs(out, &sub, &st->totals);
	pmdstat_out_append(out, "}", 1);

	render_locks_json(out, &first, st);
	render_races_json(out, &first, st);
	pmdstat_out_append(out, "}", 1);
}
