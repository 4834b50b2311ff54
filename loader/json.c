// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - the JSON writer of the reader's outputs: strings escaped (and
 * made valid UTF-8), object members, records of the stats format typed by
 * fields.c (numbers, strings, stack frames as arrays) and histograms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "out.h"
#include "render_priv.h"

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

void render_json_str(pmdstat_out_t *out, bool *first, const char *key,
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

void render_json_kvs(pmdstat_out_t *out, bool *first, const struct pmdstat_kvs *kvs)
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

void render_json_records(pmdstat_out_t *out, const struct pmdstat_records *r)
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

void render_json_object(pmdstat_out_t *out, bool *first, const char *key,
			const struct pmdstat_kvs *kvs)
{
	bool sub = true;

	render_json_key(out, first, key);
	pmdstat_out_append(out, "{", 1);
	render_json_kvs(out, &sub, kvs);
	pmdstat_out_append(out, "}", 1);
}
