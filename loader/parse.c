// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - parser of the pmdstat stats format, version 1 (docs/format.md),
 * plus percentiles, averages and snapshot deltas on the parsed data.
 *
 * The parser is strict about what version 1 defines (required keys,
 * numbers, hist/bucket/end nesting, Totals: last, a newline at the end so
 * that a truncated file is never taken for a complete one) and lenient
 * about what the format allows to grow: unknown keys are kept, unknown line
 * keywords are skipped.
 *
 * The line loop, tokens and key=value lists are lines.c's; record lines
 * (lock timing, races) and the events and live files are records.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "parse.h"
#include "parse_priv.h"

/* Take the string value of a required key out of kvs into *val. */
static enum pmdstat_parse_code parse_need_str(struct parser *p, struct pmdstat_kvs *kvs,
					      const char *key, bool nonempty, char **val)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, key);

	if (!kv)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line has no %s=",
				  p->tok[0], key);
	if (nonempty && !kv->value[0])
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line: %s= is empty",
				  p->tok[0], key);
	*val = pmdstat_kvs_take(kvs, key);
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_kernel(struct parser *p, struct pmdstat_kvs *kvs)
{
	enum pmdstat_parse_code rc;

	if (p->seen_kernel)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second 'kernel' line");
	p->seen_kernel = true;
	rc = parse_need_str(p, kvs, "release", false, &p->st->release);
	if (!rc)
		rc = parse_need_str(p, kvs, "module", false, &p->st->module);
	return rc;
}

static enum pmdstat_parse_code parse_state(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	enum pmdstat_parse_code rc;

	if (p->seen_state)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second 'state' line");
	p->seen_state = true;
	rc = parse_need_u64(p, kvs, "elapsed_ns", &st->elapsed_ns);
	if (!rc)
		rc = parse_need_u64(p, kvs, "resets", &st->resets);
	if (!rc)
		rc = parse_need_u64(p, kvs, "maxactive", &st->maxactive);
	if (!rc) {
		/* absent before it existed: the slow paths, then the only way */
		const char *c = pmdstat_kv_str(kvs, "contention", "slowpath");

		st->contention_unknown = !strcmp(c, "none") || !strcmp(c, "partial");
	}
	return rc;
}

static void probe_free(struct pmdstat_probe *pr)
{
	free(pr->symbol);
	free(pr->role);
	pmdstat_kvs_free(&pr->keys);
	memset(pr, 0, sizeof(*pr));
}

static enum pmdstat_parse_code parse_probe(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	struct pmdstat_probe pr = { 0 };
	enum pmdstat_parse_code rc;

	rc = parse_check_fields(p, kvs, "probe");
	if (!rc)
		rc = parse_need_str(p, kvs, "symbol", true, &pr.symbol);
	if (!rc)
		rc = parse_need_str(p, kvs, "role", true, &pr.role);
	if (!rc && pmdstat_grow((void **)&st->probe, &st->cap_probes, st->nr_probes,
			      sizeof(*st->probe)))
		rc = parse_nomem(p);
	if (rc) {
		probe_free(&pr);
		return rc;
	}
	pr.keys = *kvs;
	memset(kvs, 0, sizeof(*kvs));
	st->probe[st->nr_probes++] = pr;
	return PMDSTAT_PARSE_OK;
}

static void hist_free(struct pmdstat_phist *h)
{
	free(h->name);
	free(h->unit);
	free(h->bucket);
	free(h->fine);
	memset(h, 0, sizeof(*h));
}

static enum pmdstat_parse_code no_end(struct parser *p)
{
	return parse_fail(p, PMDSTAT_PARSE_NOEND,
			  "hist %s (line %u) has no 'end' line before this '%s' line",
			  p->st->hist[p->open_hist].name, p->open_line, p->tok[0]);
}

static enum pmdstat_parse_code parse_hist(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	struct pmdstat_phist h = { 0 };
	enum pmdstat_parse_code rc;

	if (p->open_hist != NO_HIST)
		return no_end(p);
	rc = parse_need_u64(p, kvs, "count", &h.count);
	if (!rc)
		rc = parse_need_u64(p, kvs, "sum", &h.sum);
	if (!rc)
		rc = parse_need_u64(p, kvs, "max", &h.max);
	if (!rc)
		rc = parse_need_str(p, kvs, "name", true, &h.name);
	if (!rc)
		rc = parse_need_str(p, kvs, "unit", true, &h.unit);
	if (!rc && pmdstat_find_hist(st, h.name))
		rc = parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second hist named %s",
				h.name);
	if (!rc && pmdstat_grow((void **)&st->hist, &st->cap_hists, st->nr_hists,
			      sizeof(*st->hist)))
		rc = parse_nomem(p);
	if (rc) {
		hist_free(&h);
		return rc;
	}
	p->open_hist = st->nr_hists;
	p->open_line = p->line;
	st->hist[st->nr_hists++] = h;
	return PMDSTAT_PARSE_OK;
}

int pmdstat_bucket_slot(const struct pmdstat_bucket *b)
{
	unsigned int i = pmdstat_hist_slot(b->lo);

	return b->lo == pmdstat_hist_lo(i) && b->hi == pmdstat_hist_hi(i) ? (int)i : -1;
}

bool pmdstat_hist_is_log2(const struct pmdstat_phist *h)
{
	size_t i;

	for (i = 0; i < h->nr_buckets; i++)
		if (pmdstat_bucket_slot(&h->bucket[i]) < 0)
			return false;
	return true;
}

/* b is exactly one fine sub-bucket of module/hist.h (not a log2 bucket) */
static bool is_fine_bucket(const struct pmdstat_bucket *b)
{
	unsigned int i = pmdstat_fhist_slot(b->lo);

	return b->lo == pmdstat_fhist_lo(i) && b->hi == pmdstat_fhist_hi(i);
}

static enum pmdstat_parse_code parse_bucket(struct parser *p)
{
	struct pmdstat_phist *h;
	struct pmdstat_bucket b;
	unsigned int i;
	u64 v[3];

	if (p->open_hist == NO_HIST)
		return parse_fail(p, PMDSTAT_PARSE_STRAY,
				  "'bucket' outside a hist (not between a 'hist' line and its 'end')");
	if (p->nr_tok != 4)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "'bucket' needs 3 numbers (lo hi count), got %zu tokens",
				  p->nr_tok - 1);
	for (i = 0; i < 3; i++)
		if (!parse_u64(p->tok[i + 1], &v[i]))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "bucket: '" TOKEN_SHOWN "' is not an unsigned decimal number",
					  p->tok[i + 1]);
	b.lo = v[0];
	b.hi = v[1];
	b.count = v[2];
	h = &p->st->hist[p->open_hist];
	if (b.lo > b.hi)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "bucket: lo %llu is above hi %llu",
				  (unsigned long long)b.lo, (unsigned long long)b.hi);
	if (h->nr_fine && b.lo <= h->fine[h->nr_fine - 1].hi)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "bucket: %llu..%llu is not above the previous bucket of hist %s",
				  (unsigned long long)b.lo, (unsigned long long)b.hi, h->name);
	if (pmdstat_grow((void **)&h->fine, &h->cap_fine, h->nr_fine,
		       sizeof(*h->fine)))
		return parse_nomem(p);
	h->fine[h->nr_fine++] = b;
	if (is_fine_bucket(&b)) {
		/* a sub-bucket: into its log2 bucket, for display */
		i = pmdstat_hist_slot(b.lo);
		b.lo = pmdstat_hist_lo(i);
		b.hi = pmdstat_hist_hi(i);
		if (h->nr_buckets && h->bucket[h->nr_buckets - 1].lo == b.lo) {
			h->bucket[h->nr_buckets - 1].count += b.count;
			return PMDSTAT_PARSE_OK;
		}
	}
	if (pmdstat_grow((void **)&h->bucket, &h->cap_buckets, h->nr_buckets,
		       sizeof(*h->bucket)))
		return parse_nomem(p);
	h->bucket[h->nr_buckets++] = b;
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_totals(struct parser *p, struct pmdstat_kvs *kvs)
{
	if (p->open_hist != NO_HIST)
		return no_end(p);
	enum pmdstat_parse_code rc = parse_check_fields(p, kvs, "Totals:");

	return rc ? rc : parse_totals_into(p, kvs, NULL, 0, &p->st->totals);
}

static enum pmdstat_parse_code parse_line(struct parser *p)
{
	struct pmdstat_kvs kvs;
	enum pmdstat_parse_code rc;
	const char *kw = p->tok[0];

	if (!strcmp(kw, "bucket"))
		return parse_bucket(p);
	if (!strcmp(kw, "end")) {
		if (p->open_hist == NO_HIST)
			return parse_fail(p, PMDSTAT_PARSE_STRAY,
					  "'end' outside a hist (no open 'hist' line)");
		p->open_hist = NO_HIST;
		return PMDSTAT_PARSE_OK;
	}
	if (records_parse_stats_line(p, kw, &rc)) {
		if (!rc && p->open_hist != NO_HIST)
			rc = no_end(p);
		return rc;
	}
	if (strcmp(kw, "kernel") && strcmp(kw, "state") && strcmp(kw, "probe") &&
	    strcmp(kw, "hist") && strcmp(kw, "Totals:"))
		return PMDSTAT_PARSE_OK;	/* unknown keyword: ignored */

	rc = parse_kvs(p, &kvs);
	if (rc)
		return rc;
	if (!strcmp(kw, "kernel"))
		rc = parse_kernel(p, &kvs);
	else if (!strcmp(kw, "state"))
		rc = parse_state(p, &kvs);
	else if (!strcmp(kw, "probe"))
		rc = parse_probe(p, &kvs);
	else if (!strcmp(kw, "hist"))
		rc = parse_hist(p, &kvs);
	else
		rc = parse_totals(p, &kvs);
	pmdstat_kvs_free(&kvs);
	return rc;
}

static enum pmdstat_parse_code parse_stats_eof(struct parser *p)
{
	if (p->open_hist != NO_HIST)
		return parse_fail(p, PMDSTAT_PARSE_NOEND,
				  "end of file inside hist %s (line %u): no 'end' line, the file is truncated",
				  p->st->hist[p->open_hist].name, p->open_line);
	if (!p->seen_totals)
		return parse_no_totals(p);
	if (!p->seen_kernel)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "no 'kernel' line in the file");
	if (!p->seen_state)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "no 'state' line in the file");
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_stats_header(struct parser *p)
{
	p->st->version = p->version;
	return PMDSTAT_PARSE_OK;
}

static const struct parse_file stats_file = {
	.magic = "pmdstat-stats",
	.what = "stats",
	.header = parse_stats_header,
	.line = parse_line,
	.eof = parse_stats_eof,
};

enum pmdstat_parse_code pmdstat_parse(const char *buf, size_t len,
				      struct pmdstat_stats *st,
				      struct pmdstat_parse_error *err)
{
	struct parser p = { .file = &stats_file, .st = st, .err = err };
	enum pmdstat_parse_code rc;

	memset(st, 0, sizeof(*st));
	rc = parse_run(&p, buf, len);
	if (rc)
		pmdstat_stats_free(st);
	return rc;
}

void pmdstat_stats_free(struct pmdstat_stats *st)
{
	size_t i;

	free(st->release);
	free(st->module);
	for (i = 0; i < st->nr_probes; i++)
		probe_free(&st->probe[i]);
	free(st->probe);
	for (i = 0; i < st->nr_hists; i++)
		hist_free(&st->hist[i]);
	free(st->hist);
	pmdstat_kvs_free(&st->totals);
	records_stats_free(st);
	memset(st, 0, sizeof(*st));
}

const struct pmdstat_probe *pmdstat_find_probe(const struct pmdstat_stats *st,
					       const char *symbol)
{
	size_t i;

	for (i = 0; i < st->nr_probes; i++)
		if (!strcmp(st->probe[i].symbol, symbol))
			return &st->probe[i];
	return NULL;
}

const struct pmdstat_phist *pmdstat_find_hist(const struct pmdstat_stats *st,
					      const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_hists; i++)
		if (!strcmp(st->hist[i].name, name))
			return &st->hist[i];
	return NULL;
}

/* ---- arithmetic ---- */

/* floor(a * b / c) for b <= c, c > 0, without overflow. */
static u64 muldiv(u64 a, u64 b, u64 c)
{
#ifdef __SIZEOF_INT128__
	return (u64)((unsigned __int128)a * b / c);
#else
	return (u64)((long double)a * b / c);
#endif
}

u64 pmdstat_hist_percentile(const struct pmdstat_phist *h, double p)
{
	/* the finest buckets known: the value is interpolated inside one */
	const struct pmdstat_bucket *bk = h->nr_fine ? h->fine : h->bucket;
	size_t nr = h->nr_fine ? h->nr_fine : h->nr_buckets;
	long double x;
	u64 rank, before = 0;
	size_t i;

	if (!h->count || !nr)
		return 0;
	if (!(p > 0))		/* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	x = (long double)p * h->count / 100;
	if (x >= (long double)h->count) {
		rank = h->count;
	} else {
		rank = (u64)x;
		if ((long double)rank < x)
			rank++;
	}
	if (!rank)
		rank = 1;
	for (i = 0; i < nr; i++) {
		const struct pmdstat_bucket *b = &bk[i];

		/* invariant: rank > before */
		if (b->count && rank - before <= b->count) {
			u64 v = b->lo + muldiv(b->hi - b->lo, rank - before, b->count);

			return v < h->max ? v : h->max;
		}
		before += b->count;
	}
	/* buckets hold fewer values than count (a racy snapshot) */
	return h->max;
}

u64 pmdstat_hist_avg(const struct pmdstat_phist *h)
{
	return h->count ? h->sum / h->count : 0;
}

static int hist_dup(const struct pmdstat_phist *src, struct pmdstat_phist *dst)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->unit = strdup(src->unit);
	dst->bucket = NULL;
	dst->cap_buckets = src->nr_buckets;
	if (src->nr_buckets) {
		dst->bucket = malloc(src->nr_buckets * sizeof(*dst->bucket));
		if (dst->bucket)
			memcpy(dst->bucket, src->bucket,
			       src->nr_buckets * sizeof(*dst->bucket));
	}
	dst->fine = NULL;
	dst->cap_fine = src->nr_fine;
	if (src->nr_fine) {
		dst->fine = malloc(src->nr_fine * sizeof(*dst->fine));
		if (dst->fine)
			memcpy(dst->fine, src->fine, src->nr_fine * sizeof(*dst->fine));
	}
	if (!dst->name || !dst->unit || (src->nr_buckets && !dst->bucket) ||
	    (src->nr_fine && !dst->fine)) {
		hist_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static int probe_dup(const struct pmdstat_probe *src, struct pmdstat_probe *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->symbol = strdup(src->symbol);
	dst->role = strdup(src->role);
	if (!dst->symbol || !dst->role || pmdstat_kvs_dup(&src->keys, &dst->keys)) {
		probe_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static char *strdup_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int pmdstat_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->version = src->version;
	dst->elapsed_ns = src->elapsed_ns;
	dst->resets = src->resets;
	dst->maxactive = src->maxactive;
	dst->contention_unknown = src->contention_unknown;
	dst->release = strdup_null(src->release);
	dst->module = strdup_null(src->module);
	if ((src->release && !dst->release) || (src->module && !dst->module))
		goto nomem;
	if (src->nr_probes) {
		dst->probe = calloc(src->nr_probes, sizeof(*dst->probe));
		if (!dst->probe)
			goto nomem;
		dst->cap_probes = src->nr_probes;
		for (i = 0; i < src->nr_probes; i++, dst->nr_probes++)
			if (probe_dup(&src->probe[i], &dst->probe[i]))
				goto nomem;
	}
	if (src->nr_hists) {
		dst->hist = calloc(src->nr_hists, sizeof(*dst->hist));
		if (!dst->hist)
			goto nomem;
		dst->cap_hists = src->nr_hists;
		for (i = 0; i < src->nr_hists; i++, dst->nr_hists++)
			if (hist_dup(&src->hist[i], &dst->hist[i]))
				goto nomem;
	}
	if (pmdstat_kvs_dup(&src->totals, &dst->totals) ||
	    records_stats_dup(src, dst))
		goto nomem;
	return 0;
nomem:
	pmdstat_stats_free(dst);
	return -ENOMEM;
}

/* d -= a, bucket by bucket; both lists ascend: walk them together */
static size_t buckets_sub(struct pmdstat_bucket *d, size_t nd,
			  const struct pmdstat_bucket *a, size_t na)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < nd; i++) {
		struct pmdstat_bucket *b = &d[i];

		while (j < na && a[j].hi < b->lo)
			j++;
		if (j < na && a[j].lo == b->lo && a[j].hi == b->hi)
			b->count = pmdstat_sub_sat(b->count, a[j].count);
		if (b->count)
			d[n++] = *b;
	}
	return n;
}

static void hist_sub(struct pmdstat_phist *d, const struct pmdstat_phist *a)
{
	d->count = pmdstat_sub_sat(d->count, a->count);
	d->sum = pmdstat_sub_sat(d->sum, a->sum);
	d->nr_buckets = buckets_sub(d->bucket, d->nr_buckets, a->bucket, a->nr_buckets);
	d->nr_fine = buckets_sub(d->fine, d->nr_fine, a->fine, a->nr_fine);
}

/* The probe of a matching d's probe i: same position first, else by symbol. */
static const struct pmdstat_probe *match_probe(const struct pmdstat_stats *a,
					       const struct pmdstat_probe *pd,
					       size_t i)
{
	if (i < a->nr_probes && !strcmp(a->probe[i].symbol, pd->symbol))
		return &a->probe[i];
	return pmdstat_find_probe(a, pd->symbol);
}

int pmdstat_stats_delta(const struct pmdstat_stats *a,
			const struct pmdstat_stats *b, struct pmdstat_stats *d)
{
	bool reset = b->resets != a->resets || b->elapsed_ns < a->elapsed_ns;
	size_t i;

	if (pmdstat_stats_dup(b, d))
		return -ENOMEM;
	d->resets = b->resets >= a->resets ? b->resets - a->resets : b->resets;
	if (reset)
		return 1;
	d->elapsed_ns = b->elapsed_ns - a->elapsed_ns;
	for (i = 0; i < d->nr_probes; i++) {
		const struct pmdstat_probe *pa = match_probe(a, &d->probe[i], i);

		if (pa)
			pmdstat_kvs_sub(&d->probe[i].keys, &pa->keys, "probe");
	}
	for (i = 0; i < d->nr_hists; i++) {
		const struct pmdstat_phist *ha = pmdstat_find_hist(a, d->hist[i].name);

		if (ha)
			hist_sub(&d->hist[i], ha);
	}
	pmdstat_kvs_sub(&d->totals, &a->totals, "Totals:");
	records_stats_delta(a, d);
	return 0;
}

/* ---- sums ---- */

/* *d += b: both bucket lists ascend; equal buckets add up. */
static int buckets_add(struct pmdstat_bucket **d, size_t *nd, size_t *cap,
		       const struct pmdstat_bucket *b, size_t nb)
{
	struct pmdstat_bucket *m;
	size_t i = 0, j = 0, n = 0;

	if (!nb)
		return 0;
	m = malloc((*nd + nb) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	while (i < *nd || j < nb) {
		const struct pmdstat_bucket *x = i < *nd ? &(*d)[i] : NULL;
		const struct pmdstat_bucket *y = j < nb ? &b[j] : NULL;

		if (x && y && x->lo == y->lo && x->hi == y->hi) {
			m[n] = *x;
			m[n++].count = pmdstat_add_sat(x->count, y->count);
			i++;
			j++;
		} else if (x && (!y || x->lo <= y->lo)) {
			m[n++] = *x;
			i++;
		} else {
			m[n++] = *y;
			j++;
		}
	}
	free(*d);
	*d = m;
	*nd = n;
	*cap = n;
	return 0;
}

/* d += b, the display buckets and the buckets as written */
static int hist_add(struct pmdstat_phist *d, const struct pmdstat_phist *b)
{
	d->count = pmdstat_add_sat(d->count, b->count);
	d->sum = pmdstat_add_sat(d->sum, b->sum);
	if (b->max > d->max)
		d->max = b->max;
	if (buckets_add(&d->bucket, &d->nr_buckets, &d->cap_buckets, b->bucket, b->nr_buckets))
		return -ENOMEM;
	return buckets_add(&d->fine, &d->nr_fine, &d->cap_fine, b->fine, b->nr_fine);
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup_null(src);

	if (src && !s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int pmdstat_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b)
{
	size_t i;
	int err;

	sum->version = b->version;
	sum->elapsed_ns = pmdstat_add_sat(sum->elapsed_ns, b->elapsed_ns);
	sum->resets = pmdstat_add_sat(sum->resets, b->resets);
	sum->maxactive = b->maxactive;
	sum->contention_unknown |= b->contention_unknown;
	if (replace_str(&sum->release, b->release) || replace_str(&sum->module, b->module))
		return -ENOMEM;
	for (i = 0; i < b->nr_probes; i++) {
		struct pmdstat_probe *ps = (struct pmdstat_probe *)
			pmdstat_find_probe(sum, b->probe[i].symbol);

		if (ps) {
			err = pmdstat_kvs_merge(&ps->keys, &b->probe[i].keys, "probe");
		} else {
			err = pmdstat_grow((void **)&sum->probe, &sum->cap_probes,
					 sum->nr_probes, sizeof(*sum->probe));
			if (!err)
				err = probe_dup(&b->probe[i], &sum->probe[sum->nr_probes]);
			if (!err)
				sum->nr_probes++;
		}
		if (err)
			return err;
	}
	for (i = 0; i < b->nr_hists; i++) {
		struct pmdstat_phist *hs = (struct pmdstat_phist *)
			pmdstat_find_hist(sum, b->hist[i].name);

		if (hs) {
			err = hist_add(hs, &b->hist[i]);
		} else {
			err = pmdstat_grow((void **)&sum->hist, &sum->cap_hists,
					 sum->nr_hists, sizeof(*sum->hist));
			if (!err)
				err = hist_dup(&b->hist[i], &sum->hist[sum->nr_hists]);
			if (!err)
				sum->nr_hists++;
		}
		if (err)
			return err;
	}
	err = pmdstat_kvs_merge(&sum->totals, &b->totals, "Totals:");
	return err ? err : records_stats_add(sum, b);
}
