// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the stats in the Prometheus text exposition format, version
 * 0.0.4, for node_exporter's textfile collector.
 *
 * Families come from fields.c's table: each field with a Prometheus name
 * is a family of that name and help, a gauge or a counter by its rule.  Counters are "pmdstat_<name>_total",
 * durations in seconds; a log2 histogram becomes a Prometheus histogram
 * with cumulative buckets: le is the bucket's upper bound (hi + 1 ns in
 * seconds for the ns ones, so that it bounds every value of the bucket
 * exactly), then le="+Inf", _sum and _count.  Decimal seconds are printed
 * exactly, never through a float.  A family's HELP and TYPE come before its
 * first sample, its lines are contiguous, and no series appears twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "hist.h"
#include "out.h"
#include "render.h"

#define NS_PER_S	1000000000ULL
#define US_PER_S	1000000ULL
#define NAME_MAX_LEN	200

enum scale { AS_IS, NS_TO_S, US_TO_S };

struct label {
	const char *name;
	const char *value;
};

struct prom {
	pmdstat_out_t *out;
	const char *name;	/* the current family */
	const char *type;
	const char *help;
	bool head_done;		/* its HELP and TYPE are out */
	bool skip;		/* its name was taken: write nothing */
	struct pmdstat_names taken;	/* family names so far */
};

/* outcome label values: keys of the probe lines */
static const char *const outcomes[] = { "attached", "fresh", "failed", "unknown", "ret1", "ret0" };

/* ---- writing ---- */

/* v / div, exactly, as a decimal: "0.000001024", "3", "2.5". */
static void put_scaled(pmdstat_out_t *out, u64 v, u64 div)
{
	char frac[24];
	int n;

	if (div <= 1 || !(v % div)) {
		pmdstat_printf(out, "%llu", (unsigned long long)(div > 1 ? v / div : v));
		return;
	}
	n = snprintf(frac, sizeof(frac), "%0*llu", div == NS_PER_S ? 9 : 6,
		     (unsigned long long)(v % div));
	while (n > 1 && frac[n - 1] == '0')
		frac[--n] = '\0';
	pmdstat_printf(out, "%llu.%s", (unsigned long long)(v / div), frac);
}

static u64 divisor(enum scale s)
{
	return s == NS_TO_S ? NS_PER_S : s == US_TO_S ? US_PER_S : 1;
}

/* A field's values in seconds if it is a time, else as they are. */
static enum scale scale_of(const struct pmdstat_field *f)
{
	if (!f->unit)
		return AS_IS;
	return !strcmp(f->unit, "ns") ? NS_TO_S : !strcmp(f->unit, "us") ? US_TO_S : AS_IS;
}

static const char *type_of(const struct pmdstat_field *f)
{
	return f->rule == PMDSTAT_R_GAUGE ? "gauge" : "counter";
}

/* A HELP text (quote false) or a label value: backslash, newline and a quote escaped. */
static void put_escaped(pmdstat_out_t *out, const char *s, bool quote)
{
	static const char *const help[0x80] = { ['\\'] = "\\\\", ['\n'] = "\\n" };
	static const char *const label[0x80] = {
		['\\'] = "\\\\", ['\n'] = "\\n", ['"'] = "\\\"",
	};

	pmdstat_out_escaped(out, s, quote ? label : help, NULL, NULL);
}

/* The family of the samples that follow; its head is written with the first. */
static void family(struct prom *p, const char *name, const char *type,
		   const char *help)
{
	p->name = name;
	p->type = type;
	p->help = help;
	p->head_done = false;
	p->skip = pmdstat_names_has(&p->taken, name);
}

static bool head(struct prom *p)
{
	if (p->skip)
		return false;
	if (p->head_done)
		return true;
	if (pmdstat_names_add(&p->taken, p->name)) {
		pmdstat_out_set_failed(p->out);
		return false;
	}
	pmdstat_printf(p->out, "# HELP %s ", p->name);
	put_escaped(p->out, p->help, false);
	pmdstat_printf(p->out, "\n# TYPE %s %s\n", p->name, p->type);
	p->head_done = true;
	return true;
}

/* name{labels} without the value; suffix e.g. "_bucket", or "". */
static bool series(struct prom *p, const char *suffix, const struct label *l,
		   size_t n)
{
	size_t i;

	if (!head(p))
		return false;
	pmdstat_printf(p->out, "%s%s", p->name, suffix);
	for (i = 0; i < n; i++) {
		pmdstat_printf(p->out, "%s%s=\"", i ? "," : "{", l[i].name);
		put_escaped(p->out, l[i].value, true);
		pmdstat_out_append(p->out, "\"", 1);
	}
	if (n)
		pmdstat_out_append(p->out, "}", 1);
	pmdstat_out_append(p->out, " ", 1);
	return true;
}

static void sample(struct prom *p, const struct label *l, size_t n, u64 v,
		   enum scale s)
{
	if (!series(p, "", l, n))
		return;
	put_scaled(p->out, v, divisor(s));
	pmdstat_out_append(p->out, "\n", 1);
}

/* The metrics of line's fields for every record of r, labelled by the keys of names. */
static void record_metrics(struct prom *p, const struct pmdstat_records *r,
			   const char *line, const struct label *names, size_t nr_names)
{
	const struct pmdstat_field *f = NULL;
	struct label l[8];
	size_t k, j;
	u64 v;

	while ((f = pmdstat_field_next(line, f))) {
		if (!f->prom)
			continue;
		family(p, f->prom, type_of(f), f->help);
		for (k = 0; k < r->nr; k++) {
			if (pmdstat_kv_u64(&r->rec[k], f->key, &v))
				continue;
			for (j = 0; j < nr_names && j < ARRAY_SIZE(l); j++) {
				l[j].name = names[j].name;
				l[j].value = pmdstat_kv_str(&r->rec[k], names[j].value, "?");
			}
			sample(p, l, j, v, scale_of(f));
		}
	}
}

/* The same for the single line kvs, without labels. */
static void line_metrics(struct prom *p, const struct pmdstat_kvs *kvs,
			 const char *line)
{
	struct pmdstat_records one = { .rec = (struct pmdstat_kvs *)kvs, .nr = 1 };

	record_metrics(p, &one, line, NULL, 0);
}

/* ---- the families ---- */

static void state_families(struct prom *p, const struct pmdstat_stats *st,
			   const struct pmdstat_render_opts *opts)
{
	struct label l[2] = {
		{ "kernel", st->release ? st->release : "" },
		{ "module", st->module ? st->module : "" },
	};

	family(p, "pmdstat_info", "gauge", "The kernel release and module version, always 1.");
	sample(p, l, 2, 1, AS_IS);
	family(p, "pmdstat_elapsed_seconds", "gauge",
	       opts->recording ? "Time covered by the recording's intervals." :
	       "Time since the module was loaded or last reset.");
	sample(p, NULL, 0, st->elapsed_ns, NS_TO_S);
	family(p, "pmdstat_resets_total", "counter", "Resets of the module's counters.");
	sample(p, NULL, 0, st->resets, AS_IS);
	family(p, "pmdstat_maxactive", "gauge", "Calls per probe site that can be in flight at once.");
	sample(p, NULL, 0, st->maxactive, AS_IS);
	if (opts->recording) {
		family(p, "pmdstat_recording_intervals", "gauge", "Intervals of the recording summed up.");
		sample(p, NULL, 0, opts->intervals, AS_IS);
	}
}

/* Is probe i the first one of its symbol?  (A series appears once.) */
static bool first_of_symbol(const struct pmdstat_stats *st, size_t i)
{
	return pmdstat_find_probe(st, st->probe[i].symbol) == &st->probe[i];
}

static void probe_families(struct prom *p, const struct pmdstat_stats *st)
{
	const struct pmdstat_field *f = NULL;
	struct label l[3];
	size_t i, o;
	u64 v;

	while ((f = pmdstat_field_next("probe", f))) {
		if (!f->prom)
			continue;
		family(p, f->prom, type_of(f), f->help);
		for (i = 0; i < st->nr_probes; i++) {
			const struct pmdstat_probe *pr = &st->probe[i];

			if (!first_of_symbol(st, i) || pmdstat_kv_u64(&pr->keys, f->key, &v))
				continue;
			l[0] = (struct label){ "symbol", pr->symbol };
			l[1] = (struct label){ "role", pr->role };
			sample(p, l, 2, v, AS_IS);
		}
	}
	family(p, "pmdstat_probe_outcomes_total", "counter",
	       "Outcomes of the calls: attached, fresh, failed (share); ret1, ret0 (unshare).");
	for (i = 0; i < st->nr_probes; i++) {
		const struct pmdstat_probe *pr = &st->probe[i];

		if (!first_of_symbol(st, i))
			continue;
		for (o = 0; o < ARRAY_SIZE(outcomes); o++) {
			if (pmdstat_kv_u64(&pr->keys, outcomes[o], &v))
				continue;
			l[0] = (struct label){ "symbol", pr->symbol };
			l[1] = (struct label){ "role", pr->role };
			l[2] = (struct label){ "outcome", outcomes[o] };
			sample(p, l, 3, v, AS_IS);
		}
	}
}

static void lock_families(struct prom *p, const struct pmdstat_stats *st)
{
	static const struct label lock_labels[] = { { "lock", "kind" }, { "mode", "mode" } };
	static const struct label caller_labels[] = {
		{ "func", "func" }, { "lock", "lock" }, { "mode", "mode" },
	};
	static const struct label blame_labels[] = {
		{ "lock", "lock" }, { "waiter", "waiter" }, { "waiter_mode", "waiter_mode" },
		{ "blocker", "blocker" }, { "blocker_mode", "blocker_mode" },
		{ "blocker_state", "blocker_state" },
	};
	const struct pmdstat_kvs *ls = &st->lock_state;
	struct label l;
	u64 v;

	record_metrics(p, &st->locks, "lock", lock_labels, ARRAY_SIZE(lock_labels));
	record_metrics(p, &st->callers, "caller", caller_labels, ARRAY_SIZE(caller_labels));
	record_metrics(p, &st->blocked_by, "blocked_by", blame_labels, ARRAY_SIZE(blame_labels));
	family(p, "pmdstat_locks_tracked", "gauge", "Locks tracked now.");
	if (!pmdstat_kv_u64(ls, "tracked_i_mmap", &v)) {
		l = (struct label){ "lock", "i_mmap" };
		sample(p, &l, 1, v, AS_IS);
	}
	if (!pmdstat_kv_u64(ls, "tracked_vma_lock", &v)) {
		l = (struct label){ "lock", "vma_lock" };
		sample(p, &l, 1, v, AS_IS);
	}
	line_metrics(p, ls, "locks");
}

static void race_families(struct prom *p, const struct pmdstat_stats *st)
{
	struct label l;
	size_t i;

	line_metrics(p, &st->races, "races");
	family(p, "pmdstat_race_violations_total", "counter",
	       "Lock-rule and share-count violations, by kind.");
	for (i = 0; i < st->violations.nr; i++) {
		const struct pmdstat_kv *kv = &st->violations.kv[i];

		if (!kv->numeric)
			continue;
		l = (struct label){ "kind", kv->key };
		sample(p, &l, 1, kv->num, AS_IS);
	}
}

/* ---- histograms ---- */

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Append s to buf (n bytes used of size) with every character outside
 * [a-zA-Z0-9_] as '_' (colons are for recording rules); with drop_ns, an
 * "_ns" before a '.' or the end is left out.  Returns the new length.
 */
static size_t put_sanitized(char *buf, size_t n, size_t size, const char *s,
			    bool drop_ns)
{
	for (; *s && n + 1 < size; s++) {
		if (drop_ns && !strncmp(s, "_ns", 3) && (!s[3] || s[3] == '.')) {
			s += 2;
			continue;
		}
		buf[n++] = name_char(*s) ? *s : '_';
	}
	buf[n] = '\0';
	return n;
}

/*
 * The family of a histogram: "pmdstat_" and its name sanitized; for ns,
 * without its "_ns" and with "_seconds" added; for another unit, "_<unit>"
 * added unless the name ends with it (scan_vmas stays pmdstat_scan_vmas).
 */
static void hist_family_name(char *buf, size_t size, const char *name,
			     const char *unit)
{
	bool ns = !strcmp(unit, "ns");
	char suffix[64];
	size_t n;

	n = put_sanitized(buf, 0, size, "pmdstat_", false);
	n = put_sanitized(buf, n, size, name, ns);
	if (ns) {
		put_sanitized(buf, n, size, "_seconds", false);
		return;
	}
	put_sanitized(suffix, put_sanitized(suffix, 0, sizeof(suffix), "_", false),
		      sizeof(suffix), unit, false);
	if (!ends_with(buf, suffix))
		put_sanitized(buf, n, size, suffix, false);
}

static void put_le(pmdstat_out_t *out, u64 hi, bool ns)
{
	if (ns)
		put_scaled(out, hi + 1, NS_PER_S);
	else
		pmdstat_printf(out, "%llu", (unsigned long long)hi);
}

/* One bucket line: le is appended to the labels l[0..n). */
static void bucket_line(struct prom *p, struct label *l, size_t n, u64 hi,
			bool inf, bool ns, u64 cum)
{
	size_t i;

	if (!head(p))
		return;
	pmdstat_printf(p->out, "%s_bucket{", p->name);
	for (i = 0; i < n; i++) {
		pmdstat_printf(p->out, "%s=\"", l[i].name);
		put_escaped(p->out, l[i].value, true);
		pmdstat_out_append(p->out, "\",", 2);
	}
	pmdstat_printf(p->out, "le=\"");
	if (inf)
		pmdstat_printf(p->out, "+Inf");
	else
		put_le(p->out, hi, ns);
	pmdstat_printf(p->out, "\"} %llu\n", (unsigned long long)cum);
}

/* The series of one histogram in the current family. */
static void hist_series(struct prom *p, const struct pmdstat_phist *h,
			struct label *l, size_t n)
{
	bool ns = !strcmp(h->unit, "ns");
	u64 cum = 0, count;
	size_t i, k = 0;

	if (h->nr_buckets && pmdstat_hist_is_log2(h)) {
		unsigned int s, last = pmdstat_hist_slot(h->bucket[h->nr_buckets - 1].lo);

		/* every log2 bound up to the highest non-empty bucket */
		for (s = 0; s <= last && s < PMDSTAT_HIST_SLOTS - 1; s++) {
			if (k < h->nr_buckets && h->bucket[k].lo == pmdstat_hist_lo(s))
				cum += h->bucket[k++].count;
			bucket_line(p, l, n, pmdstat_hist_hi(s), false, ns, cum);
		}
		for (; k < h->nr_buckets; k++)
			cum += h->bucket[k].count;
	} else {
		for (i = 0; i < h->nr_buckets; i++) {
			cum += h->bucket[i].count;
			if (h->bucket[i].hi != UINT64_MAX)
				bucket_line(p, l, n, h->bucket[i].hi, false, ns, cum);
		}
	}
	/* a racy snapshot may count more or less than its buckets hold */
	count = h->count > cum ? h->count : cum;
	bucket_line(p, l, n, 0, true, ns, count);
	if (series(p, "_sum", l, n)) {
		put_scaled(p->out, h->sum, ns ? NS_PER_S : 1);
		pmdstat_out_append(p->out, "\n", 1);
	}
	if (series(p, "_count", l, n))
		pmdstat_printf(p->out, "%llu\n", (unsigned long long)count);
}

static bool is_site(const struct pmdstat_phist *h)
{
	return !strncmp(h->name, "site:", 5) && !strcmp(h->unit, "ns");
}

static void hist_families(struct prom *p, const struct pmdstat_stats *st)
{
	char name[NAME_MAX_LEN], help[NAME_MAX_LEN + 64];
	struct label l;
	size_t i;
	bool any_site = false;

	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];
		const struct pmdstat_hist_info *hi = pmdstat_hist_info(h->name);
		const char *known = hi ? hi->help : NULL;

		if (is_site(h)) {
			any_site = true;
			continue;
		}
		hist_family_name(name, sizeof(name), h->name, h->unit);
		if (pmdstat_names_has(&p->taken, name)) {
			pmdstat_printf(p->out, "# pmdstat: histogram %s left out: its metric name %s is taken\n",
				       h->name, name);
			continue;
		}
		snprintf(help, sizeof(help), "%s", known ? known : "");
		if (!known)
			snprintf(help, sizeof(help), "pmdstat histogram %s (unit %s).",
				 h->name, h->unit);
		family(p, name, "histogram", help);
		hist_series(p, h, NULL, 0);
	}
	if (!any_site)
		return;
	/* every call of each probe site: one family, the symbol a label */
	family(p, "pmdstat_site_seconds", "histogram", pmdstat_hist_info("site:")->help);
	for (i = 0; i < st->nr_hists; i++) {
		if (!is_site(&st->hist[i]))
			continue;
		l = (struct label){ "symbol", st->hist[i].name + 5 };
		hist_series(p, &st->hist[i], &l, 1);
	}
}

void pmdstat_render_prom(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts)
{
	static const struct pmdstat_render_opts no_opts;
	struct prom p = { .out = out };

	if (!opts)
		opts = &no_opts;
	state_families(&p, st, opts);
	probe_families(&p, st);
	lock_families(&p, st);
	race_families(&p, st);
	hist_families(&p, st);
	pmdstat_names_free(&p.taken);
}
