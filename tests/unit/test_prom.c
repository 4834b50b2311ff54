// SPDX-License-Identifier: GPL-2.0
/*
 * test_prom.c - the Prometheus text exposition (loader/prom.c), read back
 * with a strict parser of format 0.0.4: metric and label names, label
 * value escapes, HELP and TYPE before a family's samples and only once,
 * a family's lines contiguous, no series twice, counters named _total and
 * not negative, histogram buckets with increasing le and cumulative
 * non-decreasing counts ending with le="+Inf" equal to _count, with _sum.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "parse.h"
#include "render.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED		0x9201ULL
#define MAX_FAMILIES	256
#define MAX_SERIES	8192
#define MAX_LABELS	8

/* ---- a strict parser of the text format ---- */

struct label {
	char name[64];
	char value[256];	/* unescaped */
};

struct hseries {		/* one histogram series: its labels but le */
	char key[512];
	double last_le;
	double last_count;
	bool any_bucket;
	bool inf;
	double inf_count;
	bool sum;
	bool count;
	double count_value;
};

struct family {
	char name[128];
	char type[16];
	bool help;
	bool typed;
	bool sampled;
};

struct prom {
	struct family fam[MAX_FAMILIES];
	size_t nr_fam;
	struct family *cur;		/* the family of the last line */
	char **series;			/* every series seen: name{sorted labels} */
	size_t nr_series;
	struct hseries *hs;
	size_t nr_hs;
	unsigned int line;
	char err[256];
	unsigned int samples;
};

static bool metric_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

static bool label_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') ||
	    !strncmp(s, "__", 2))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

__attribute__((format(printf, 2, 3)))
static bool fail(struct prom *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, sizeof(p->err), "line %u: ", p->line);

	va_start(ap, fmt);
	vsnprintf(p->err + n, sizeof(p->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static struct family *find_family(struct prom *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr_fam; i++)
		if (!strcmp(p->fam[i].name, name))
			return &p->fam[i];
	return NULL;
}

/* The family a line names: once left, a family may not come back. */
static struct family *enter(struct prom *p, const char *name)
{
	struct family *f = find_family(p, name);

	if (f && f != p->cur) {
		fail(p, "family %s again after other families: its lines are not contiguous", name);
		return NULL;
	}
	if (!f) {
		if (p->nr_fam == MAX_FAMILIES) {
			fail(p, "too many families");
			return NULL;
		}
		f = &p->fam[p->nr_fam++];
		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
	}
	p->cur = f;
	return f;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n > m && !strcmp(s + n - m, end);
}

static bool help_text(const char *s)
{
	for (; *s; s++)
		if (*s == '\\' && s[1] != '\\' && s[1] != 'n')
			return false;
		else if (*s == '\\')
			s++;
	return true;
}

static bool comment(struct prom *p, char *line)
{
	char *name, *rest;
	struct family *f;

	if (strncmp(line, "# HELP ", 7) && strncmp(line, "# TYPE ", 7))
		return true;	/* another comment */
	name = line + 7;
	rest = strchr(name, ' ');
	if (!rest)
		return fail(p, "HELP or TYPE without text");
	*rest++ = '\0';
	if (!metric_name(name))
		return fail(p, "bad metric name '%s'", name);
	f = enter(p, name);
	if (!f)
		return false;
	if (line[2] == 'H') {
		if (f->help)
			return fail(p, "a second HELP for %s", name);
		if (f->sampled)
			return fail(p, "HELP for %s after its samples", name);
		if (!help_text(rest))
			return fail(p, "bad escape in the HELP of %s", name);
		f->help = true;
		return true;
	}
	if (f->typed)
		return fail(p, "a second TYPE for %s", name);
	if (f->sampled)
		return fail(p, "TYPE for %s after its samples", name);
	if (strcmp(rest, "counter") && strcmp(rest, "gauge") && strcmp(rest, "histogram") &&
	    strcmp(rest, "summary") && strcmp(rest, "untyped"))
		return fail(p, "unknown type '%s'", rest);
	if (!strcmp(rest, "counter") && !ends_with(name, "_total"))
		return fail(p, "counter %s is not named _total", name);
	snprintf(f->type, sizeof(f->type), "%s", rest);
	f->typed = true;
	return true;
}

static bool parse_value(const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "+Inf")) {
		*v = INFINITY;
		return true;
	}
	if (!strcmp(s, "-Inf")) {
		*v = -INFINITY;
		return true;
	}
	if (!strcmp(s, "NaN")) {
		*v = NAN;
		return true;
	}
	if (!*s || *s == ' ')
		return false;
	*v = strtod(s, &end);
	return !*end;
}

/* {a="x",b="y"}: the labels; s after the '}'. */
static bool labels(struct prom *p, char **sp, struct label *l, size_t *n)
{
	char *s = *sp + 1;
	size_t i;

	*n = 0;
	while (*s != '}') {
		char *eq = strchr(s, '=');
		size_t k = 0;

		if (!eq || eq[1] != '"' || *n == MAX_LABELS)
			return fail(p, "bad label list");
		*eq = '\0';
		if (!label_name(s))
			return fail(p, "bad label name '%s'", s);
		snprintf(l[*n].name, sizeof(l[*n].name), "%s", s);
		for (i = 0; i < *n; i++)
			if (!strcmp(l[i].name, l[*n].name))
				return fail(p, "label %s twice", s);
		for (s = eq + 2; *s != '"'; s++) {
			char c = *s;

			if (!c || c == '\n')
				return fail(p, "unterminated label value");
			if (c == '\\') {
				s++;
				if (*s == 'n')
					c = '\n';
				else if (*s == '\\' || *s == '"')
					c = *s;
				else
					return fail(p, "bad escape '\\%c' in a label value", *s);
			}
			if (k + 1 < sizeof(l[*n].value))
				l[*n].value[k++] = c;
		}
		l[*n].value[k] = '\0';
		(*n)++;
		s++;
		if (*s == ',') {
			s++;
			if (*s == '}')
				return fail(p, "a ',' before '}'");
		} else if (*s != '}') {
			return fail(p, "expected ',' or '}' after a label");
		}
	}
	*sp = s + 1;
	return true;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name, ((const struct label *)b)->name);
}

/* name{sorted labels} without the label skip (or NULL). */
static void series_key(char *key, size_t size, const char *name, struct label *l,
		       size_t n, const char *skip)
{
	size_t i, k;

	qsort(l, n, sizeof(*l), cmp_label);
	k = (size_t)snprintf(key, size, "%s{", name);
	for (i = 0; i < n && k < size; i++)
		if (!skip || strcmp(l[i].name, skip))
			k += (size_t)snprintf(key + k, size - k, "%s=\"%s\",", l[i].name,
					      l[i].value);
	if (k < size)
		snprintf(key + k, size - k, "}");
}

static struct hseries *hseries(struct prom *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nr_hs; i++)
		if (!strcmp(p->hs[i].key, key))
			return &p->hs[i];
	p->hs = realloc(p->hs, (p->nr_hs + 1) * sizeof(*p->hs));
	memset(&p->hs[p->nr_hs], 0, sizeof(*p->hs));
	snprintf(p->hs[p->nr_hs].key, sizeof(p->hs[0].key), "%s", key);
	return &p->hs[p->nr_hs++];
}

static bool histogram_sample(struct prom *p, const char *name, const char *base,
			     struct label *l, size_t n, double v)
{
	const char *le = NULL;
	struct hseries *h;
	char key[512];
	double lev;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i].name, "le"))
			le = l[i].value;
	series_key(key, sizeof(key), base, l, n, "le");
	h = hseries(p, key);
	if (ends_with(name, "_bucket")) {
		if (!le || !parse_value(le, &lev) || isnan(lev))
			return fail(p, "a bucket without a valid le");
		if (h->inf)
			return fail(p, "a bucket after le=\"+Inf\"");
		if (h->any_bucket && !(lev > h->last_le))
			return fail(p, "le %s does not increase", le);
		if (h->any_bucket && v < h->last_count)
			return fail(p, "bucket le=%s: %g below the previous %g: not cumulative",
				    le, v, h->last_count);
		h->any_bucket = true;
		h->last_le = lev;
		h->last_count = v;
		if (isinf(lev)) {
			h->inf = true;
			h->inf_count = v;
		}
		return true;
	}
	if (le)
		return fail(p, "le on a _sum or _count");
	if (!h->inf)
		return fail(p, "%s before the le=\"+Inf\" bucket", name);
	if (ends_with(name, "_sum")) {
		if (h->sum)
			return fail(p, "a second _sum");
		h->sum = true;
		return true;
	}
	if (h->count)
		return fail(p, "a second _count");
	if (v != h->inf_count)
		return fail(p, "_count %g is not the +Inf bucket %g", v, h->inf_count);
	h->count = true;
	h->count_value = v;
	return true;
}

static bool sample(struct prom *p, char *line)
{
	struct label l[MAX_LABELS];
	char name[128], base[128], key[1024], *s = line, *val;
	struct family *f = NULL;
	size_t n = 0, i, len;
	double v;

	len = strcspn(s, "{ ");
	if (len >= sizeof(name))
		return fail(p, "name too long");
	memcpy(name, s, len);
	name[len] = '\0';
	if (!metric_name(name))
		return fail(p, "bad metric name '%s'", name);
	s += len;
	if (*s == '{' && !labels(p, &s, l, &n))
		return false;
	if (*s != ' ')
		return fail(p, "expected a space before the value");
	val = s + 1;
	s = strchr(val, ' ');
	if (s)
		*s = '\0';	/* a timestamp may follow */
	if (!parse_value(val, &v))
		return fail(p, "bad value '%s'", val);
	/* the family: the name, or a histogram's name without its suffix */
	snprintf(base, sizeof(base), "%s", name);
	f = find_family(p, name);
	if (!f || strcmp(f->type, "histogram")) {
		static const char *const sfx[] = { "_bucket", "_sum", "_count" };

		for (i = 0; i < 3; i++)
			if (ends_with(name, sfx[i])) {
				struct family *h;

				snprintf(base, sizeof(base), "%.*s",
					 (int)(strlen(name) - strlen(sfx[i])), name);
				h = find_family(p, base);
				if (h && !strcmp(h->type, "histogram")) {
					f = h;
					break;
				}
				snprintf(base, sizeof(base), "%s", name);
			}
	}
	f = enter(p, base);
	if (!f)
		return false;
	if (!f->typed)
		return fail(p, "a sample of %s before its TYPE", base);
	f->sampled = true;
	series_key(key, sizeof(key), name, l, n, NULL);
	for (i = 0; i < p->nr_series; i++)
		if (!strcmp(p->series[i], key))
			return fail(p, "the series %s twice", key);
	p->series = realloc(p->series, (p->nr_series + 1) * sizeof(*p->series));
	p->series[p->nr_series++] = strdup(key);
	p->samples++;
	if (!strcmp(f->type, "counter") && !(v >= 0))
		return fail(p, "counter %s is %g", name, v);
	if (!strcmp(f->type, "histogram")) {
		if (!strcmp(name, base))
			return fail(p, "histogram sample %s without _bucket, _sum or _count", name);
		return histogram_sample(p, name, base, l, n, v);
	}
	return true;
}

static void prom_free(struct prom *p)
{
	size_t i;

	for (i = 0; i < p->nr_series; i++)
		free(p->series[i]);
	free(p->series);
	free(p->hs);
}

/* NULL if text is a valid exposition, else what is wrong; p keeps the data. */
static const char *prom_parse(struct prom *p, const char *text)
{
	char *copy = strdup(text), *line = copy, *nl;
	bool ok = true;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (*text && text[strlen(text) - 1] != '\n') {
		free(copy);
		return "no newline at the end";
	}
	while (ok && *line) {
		nl = strchr(line, '\n');
		*nl = '\0';
		p->line++;
		if (!*line)
			ok = fail(p, "an empty line");
		else if (*line == '#')
			ok = comment(p, line);
		else
			ok = sample(p, line);
		line = nl + 1;
	}
	free(copy);
	for (i = 0; ok && i < p->nr_hs; i++) {
		struct hseries *h = &p->hs[i];

		if (!h->inf || !h->sum || !h->count)
			ok = fail(p, "histogram series %s lacks le=\"+Inf\", _sum or _count", h->key);
	}
	for (i = 0; ok && i < p->nr_fam; i++)
		if (!p->fam[i].typed || !p->fam[i].help || !p->fam[i].sampled)
			ok = fail(p, "family %s lacks TYPE, HELP or samples", p->fam[i].name);
	return ok ? NULL : p->err;
}

/* The value of the sample line that starts with head ("name{...} "). */
static const char *value_of(const char *text, const char *head)
{
	static char v[64];
	const char *s = text;

	while ((s = strstr(s, head))) {
		if (s == text || s[-1] == '\n') {
			size_t n = strcspn(s + strlen(head), "\n");

			snprintf(v, sizeof(v), "%.*s", (int)n, s + strlen(head));
			return v;
		}
		s++;
	}
	return NULL;
}

static char *prom_of(const struct pmdstat_stats *st, const struct pmdstat_render_opts *o)
{
	pmdstat_out_t out;

	pmdstat_out_init(&out);
	pmdstat_render_prom(&out, st, o);
	CHECK(!pmdstat_out_failed(&out));
	return out.buf;
}

/*
 * Valid for the parser here and for Prometheus's own (promtool); names
 * made up by a test may upset promtool's linter (lint_ok), never its parser.
 */
static void check_valid_as(const char *text, bool lint_ok)
{
	struct prom p;
	const char *err = prom_parse(&p, text);
	char msg[1024];
	int rc;

	if (!CHECK(err == NULL))
		printf("# invalid exposition: %s\n", err);
	prom_free(&p);
	rc = test_promtool(text, msg, sizeof(msg));
	if (!CHECK(rc == 0 || (lint_ok && rc == 3)))
		printf("# promtool check metrics: exit %d: %s\n", rc, msg);
}

static void check_valid(const char *text)
{
	check_valid_as(text, false);
}

/* ---- tests ---- */

static void test_parser_rejects(void)
{
	static const char *const bad[] = {
		"x 1\n",
		"# TYPE x gauge\nx 1",
		"# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",
		"# HELP x h\n# TYPE x gauge\nx{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 1\n",
		"# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n# TYPE y gauge\ny 1\nx{a=\"1\"} 1\n",
		"# HELP x h\n# TYPE x counter\nx 1\n",
		"# HELP x_total h\n# TYPE x_total counter\nx_total -1\n",
		"# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",
		"# HELP x h\n# TYPE x gauge\nx{a=1} 1\n",
		"# HELP x h\n# TYPE x gauge\nx{__a=\"1\"} 1\n",
		"# HELP x h\n# TYPE x gauge\n1x 1\n",
		"# HELP x h\n# TYPE x gauge\nx one\n",
		"# HELP x h\n# TYPE x gauge\n\nx 1\n",
		"# HELP x h\n# TYPE x gauge\n# TYPE x gauge\nx 1\n",
		"# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
		"# HELP h h\n# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
		"# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
		"# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
		"# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
		"# HELP h h\n# TYPE h histogram\nh 1\n",
	};
	static const char good[] =
		"# HELP x_total h \\\\ \\n\n# TYPE x_total counter\nx_total{a=\"q\\\"\\\\\\n\"} 1\n"
		"# a comment\n"
		"# HELP h h\n# TYPE h histogram\nh_bucket{k=\"1\",le=\"0.5\"} 1\nh_bucket{k=\"1\",le=\"+Inf\"} 2\n"
		"h_sum{k=\"1\"} 0.7\nh_count{k=\"1\"} 2\nh_bucket{k=\"2\",le=\"+Inf\"} 0\nh_sum{k=\"2\"} 0\nh_count{k=\"2\"} 0\n";
	struct prom p;
	size_t i;

	for (i = 0; i < TAP_COUNT(bad); i++) {
		if (!CHECK(prom_parse(&p, bad[i]) != NULL))
			printf("# accepted: %s\n", bad[i]);
		prom_free(&p);
	}
	check_valid(good);
}

static void test_prom_example(void)
{
	struct pmdstat_stats st;
	struct prom p;
	char *text;

	if (!CHECK(!test_parse_str(test_example_stats, &st, NULL)))
		return;
	text = prom_of(&st, NULL);
	check_valid(text);
	CHECK_STR(value_of(text, "pmdstat_probe_hits_total{symbol=\"huge_pmd_share\",role=\"share\"} "), "48");
	CHECK_STR(value_of(text, "pmdstat_probe_missed_total{symbol=\"up_write\",role=\"lock\"} "), "2");
	CHECK_STR(value_of(text, "pmdstat_probe_calls_total{symbol=\"down_read\",role=\"lock\"} "), "421");
	CHECK_STR(value_of(text, "pmdstat_probe_outcomes_total{symbol=\"huge_pmd_share\",role=\"share\",outcome=\"attached\"} "), "36");
	CHECK_STR(value_of(text, "pmdstat_lock_acquired_total{lock=\"i_mmap\",mode=\"write\"} "), "140");
	CHECK_STR(value_of(text, "pmdstat_lock_contended_total{lock=\"i_mmap\",mode=\"write\"} "), "3");
	CHECK_STR(value_of(text, "pmdstat_lock_caller_wait_seconds_total{func=\"hugetlb_unshare_all_pmds\",lock=\"i_mmap\",mode=\"write\"} "), "0.007");
	CHECK_STR(value_of(text, "pmdstat_locks_tracked{lock=\"vma_lock\"} "), "33");
	CHECK_STR(value_of(text, "pmdstat_event_threshold_seconds "), "0.001");
	CHECK_STR(value_of(text, "pmdstat_elapsed_seconds "), "3.081234567");
	CHECK_STR(value_of(text, "pmdstat_info{kernel=\"6.1.0-56-amd64\",module=\"0.1\"} "), "1");
	/* share_ns: 30 in [16384, 32767], 18 in [1048576, 2097151] */
	CHECK_STR(value_of(text, "pmdstat_share_seconds_bucket{le=\"0.000016384\"} "), "0");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_bucket{le=\"0.000032768\"} "), "30");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_bucket{le=\"0.001048576\"} "), "30");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_bucket{le=\"0.002097152\"} "), "48");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_bucket{le=\"+Inf\"} "), "48");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_sum "), "0.00299");
	CHECK_STR(value_of(text, "pmdstat_share_seconds_count "), "48");
	CHECK(value_of(text, "pmdstat_share_seconds_bucket{le=\"0.004194304\"} ") == NULL);
	CHECK_STR(value_of(text, "pmdstat_unshare_seconds_bucket{le=\"+Inf\"} "), "0");
	CHECK_STR(value_of(text, "pmdstat_i_mmap_wait_read_seconds_bucket{le=\"0.000002048\"} "), "30");
	CHECK_STR(value_of(text, "pmdstat_site_seconds_bucket{symbol=\"huge_pmd_share\",le=\"+Inf\"} "), "48");
	/* a unit other than ns: le is the bucket's hi, no _seconds */
	CHECK_STR(value_of(text, "pmdstat_scan_vmas_bucket{le=\"3\"} "), "0");
	CHECK_STR(value_of(text, "pmdstat_scan_vmas_bucket{le=\"7\"} "), "48");
	CHECK_STR(value_of(text, "pmdstat_scan_vmas_sum "), "204");
	CHECK(strstr(text, "# TYPE pmdstat_probe_hits_total counter\n") != NULL);
	CHECK(strstr(text, "# TYPE pmdstat_share_seconds histogram\n") != NULL);
	CHECK(strstr(text, "# TYPE pmdstat_locks_tracked gauge\n") != NULL);
	/* the races of the example are all zero: no races line at all */
	CHECK(strstr(text, "pmdstat_race_") == NULL);
	prom_parse(&p, text);
	CHECK(p.nr_fam > 30);
	prom_free(&p);
	free(text);
	pmdstat_stats_free(&st);
}

/* Every histogram of st is in the text with +Inf and _count its count. */
static void check_hists(const char *text, const struct pmdstat_stats *st)
{
	char head[256], want[32];
	size_t i;

	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];
		const char *v;

		if (!strncmp(h->name, "site:", 5))
			snprintf(head, sizeof(head), "pmdstat_site_seconds_count{symbol=\"%s\"} ",
				 h->name + 5);
		else if (!strcmp(h->name, "scan_vmas"))
			snprintf(head, sizeof(head), "pmdstat_scan_vmas_count ");
		else
			continue;
		snprintf(want, sizeof(want), "%llu", (unsigned long long)h->count);
		v = value_of(text, head);
		if (!CHECK(v && !strcmp(v, want)))
			printf("# %s: %s, want %s\n", head, v ? v : "(none)", want);
	}
}

static void test_prom_snapshots(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats st;
	struct prom p;
	unsigned int i;
	char *text;

	for (i = 0; i < 12; i++) {
		test_make_snapshot(s, SEED + i);
		if (i % 3 == 1) {
			test_fill_locks(s, SEED + i, true);
			test_fill_races(s, SEED + i, true);
		}
		if (test_roundtrip(s, &st))
			continue;
		text = prom_of(&st, NULL);
		check_valid(text);
		check_hists(text, &st);
		/* the extremes: a value of UINT64_MAX ns has no le but +Inf */
		CHECK(strstr(text, "le=\"18446744073.709551616\"") == NULL);
		CHECK(value_of(text, "pmdstat_race_violations_total{kind=\"stray_ref\"} ") != NULL);
		CHECK(value_of(text, "pmdstat_race_overlaps_total ") != NULL);
		CHECK(value_of(text, "pmdstat_race_shadow_compared_total ") != NULL);
		CHECK(value_of(text, "pmdstat_race_shadow_tables ") != NULL);
		prom_parse(&p, text);
		CHECK(p.samples > 100);
		prom_free(&p);
		free(text);
		pmdstat_stats_free(&st);
	}
	free(s);
}

/* Label values with a quote, a backslash and a newline are escaped. */
static void test_prom_escaping(void)
{
	static const char text_in[] =
		"pmdstat-stats version=1\n"
		"kernel release=6.1\"x\\y module=0.1\n"
		"state elapsed_ns=1 resets=0 maxactive=64\n"
		"probe symbol=a\"b\\c role=share hits=5 missed=0 attached=1 reads=none\n"
		"hist name=site:a\"b\\c unit=ns count=1 sum=1 max=1\n"
		"bucket 0 1 1\n"
		"end\n"
		"hist name=weird.name-x unit=per-sec count=2 sum=3 max=2\n"
		"bucket 1 1 1\n"
		"bucket 2 3 1\n"
		"end\n"
		"caller func=f lock=i_mmap mode=read acquired=1 contended=0 try_ok=0 try_fail=0 wait_total_ns=5 wait_max_ns=5 holds=1 hold_total_ns=9 hold_max_ns=9\n"
		"Totals: hits=5 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n";
	struct pmdstat_stats st;
	struct pmdstat_kv *kv;
	struct prom p;
	size_t i;
	char *text;
	bool found = false;

	if (!CHECK(!test_parse_str(text_in, &st, NULL)))
		return;
	/* a value the text format cannot carry, but a caller's name might */
	kv = (struct pmdstat_kv *)pmdstat_kv_find(&st.callers.rec[0], "func");
	free(kv->value);
	kv->value = strdup("two\nlines");
	text = prom_of(&st, NULL);
	check_valid_as(text, true);	/* made-up names: lint may object */
	CHECK_STR(value_of(text, "pmdstat_probe_hits_total{symbol=\"a\\\"b\\\\c\",role=\"share\"} "), "5");
	CHECK_STR(value_of(text, "pmdstat_info{kernel=\"6.1\\\"x\\\\y\",module=\"0.1\"} "), "1");
	CHECK_STR(value_of(text, "pmdstat_lock_caller_acquired_total{func=\"two\\nlines\",lock=\"i_mmap\",mode=\"read\"} "), "1");
	CHECK_STR(value_of(text, "pmdstat_site_seconds_count{symbol=\"a\\\"b\\\\c\"} "), "1");
	/* a name sanitized, its unit appended; buckets that are not log2 */
	CHECK_STR(value_of(text, "pmdstat_weird_name_x_per_sec_bucket{le=\"1\"} "), "1");
	CHECK_STR(value_of(text, "pmdstat_weird_name_x_per_sec_bucket{le=\"3\"} "), "2");
	CHECK_STR(value_of(text, "pmdstat_weird_name_x_per_sec_count "), "2");
	/* the parser unescapes to the original */
	prom_parse(&p, text);
	for (i = 0; i < p.nr_series; i++)
		if (strstr(p.series[i], "func=\"two\nlines\""))
			found = true;
	CHECK(found);
	prom_free(&p);
	free(text);
	pmdstat_stats_free(&st);
}

/* A histogram whose name collides with another family is left out. */
static void test_prom_collision(void)
{
	static const char text_in[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=0.1\n"
		"state elapsed_ns=1 resets=0 maxactive=64\n"
		"hist name=share_ns unit=ns count=1 sum=1 max=1\n"
		"bucket 0 1 1\n"
		"end\n"
		"hist name=share unit=ns count=1 sum=1 max=1\n"
		"bucket 0 1 1\n"
		"end\n"
		"hist name=share.ns unit=ns count=0 sum=0 max=0\n"
		"end\n"
		"Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n";
	struct pmdstat_render_opts o = { .recording = true, .intervals = 3 };
	struct pmdstat_stats st;
	char *text;

	if (!CHECK(!test_parse_str(text_in, &st, NULL)))
		return;
	text = prom_of(&st, &o);
	check_valid_as(text, true);	/* made-up names: lint may object */
	CHECK(strstr(text, "# pmdstat: histogram share left out: its metric name pmdstat_share_seconds is taken\n") != NULL);
	CHECK(strstr(text, "pmdstat_share_ns_seconds_count 0\n") != NULL);
	CHECK_STR(value_of(text, "pmdstat_recording_intervals "), "3");
	free(text);
	pmdstat_stats_free(&st);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_parser_rejects),
	TAP_TEST(test_prom_example),
	TAP_TEST(test_prom_snapshots),
	TAP_TEST(test_prom_escaping),
	TAP_TEST(test_prom_collision),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
