// SPDX-License-Identifier: GPL-2.0
/*
 * test_fields.c - the table of fields (loader/fields.c) against
 * docs/format.md, so that they cannot drift: for every line kind of the
 * table, the keys its grammar line in the document names (the backquoted
 * "* `keyword key=... key=...`" of its bullet, or every "`keyword ...`"
 * span where there is no bullet) are exactly the table's keys; every key
 * of the probe line and every histogram the table knows is named in the
 * document.  Then what the table drives: JSON types, delta rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "out.h"
#include "parse.h"
#include "render.h"
#include "tap.h"
#include "testlib.h"

#define DOC	"docs/format.md"
#define MAX_KEYS	64

static char *doc;

static char *read_doc(void)
{
	FILE *f = fopen(DOC, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct keys {
	char key[MAX_KEYS][48];
	size_t n;
};

static bool has_key(const struct keys *k, const char *key)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->key[i], key))
			return true;
	return false;
}

/* The key= tokens of the span that starts at s (after its keyword). */
static void span_keys(const char *s, struct keys *k)
{
	const char *end = strchr(s, '`');

	while (s < end) {
		size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

		if (n && s[n] == '=' && (s[-1] == ' ' || s[-1] == '\n') &&
		    k->n < MAX_KEYS && n < sizeof(k->key[0])) {
			memcpy(k->key[k->n], s, n);
			k->key[k->n][n] = '\0';
			if (!has_key(k, k->key[k->n]))
				k->n++;
		}
		s += n ? n : 1;
	}
}

/* The keys the document gives line: its bullets' spans, else every span. */
static void doc_keys(const char *line, struct keys *k)
{
	char bullet[64], span[64];
	const char *s;

	k->n = 0;
	snprintf(bullet, sizeof(bullet), "\n* `%s ", line);
	snprintf(span, sizeof(span), "`%s ", line);
	for (s = doc; (s = strstr(s, bullet)); s += strlen(bullet))
		span_keys(s + strlen(bullet) - 1, k);
	if (k->n)
		return;
	for (s = doc; (s = strstr(s, span)); s += strlen(span))
		span_keys(s + strlen(span) - 1, k);
}

static void test_doc_lines(void)
{
	static const char *const lines[] = {
		"layout", "lock", "caller", "blocked_by", "outlier", "locks", "races", "violation",
		"overlap", "live", "Totals:",
	};
	const struct pmdstat_field *f;
	struct keys k;
	size_t i, j, n;

	if (!CHECK(doc != NULL))
		return;
	for (i = 0; i < TAP_COUNT(lines); i++) {
		doc_keys(lines[i], &k);
		if (!CHECK(k.n > 0))
			printf("# %s: no grammar line for '%s'\n", DOC, lines[i]);
		for (f = NULL, n = 0; (f = pmdstat_field_next(lines[i], f)); n++)
			if (!CHECK(has_key(&k, f->key)))
				printf("# %s: the '%s' line lacks %s= of loader/fields.c\n",
				       DOC, lines[i], f->key);
		for (j = 0; j < k.n; j++)
			if (!CHECK(pmdstat_field_find(lines[i], k.key[j]) != NULL))
				printf("# loader/fields.c: the '%s' line lacks %s= of %s\n",
				       lines[i], k.key[j], DOC);
		CHECK_U64(k.n, n);
	}
	/* every line kind of the table is checked above, or is the probe line */
	for (i = 0; i < pmdstat_nr_fields; i++) {
		const char *l = pmdstat_fields[i].line;

		for (j = 0; j < TAP_COUNT(lines) && strcmp(l, lines[j]); j++)
			;
		if (!CHECK(j < TAP_COUNT(lines) || !strcmp(l, "probe")))
			printf("# line '%s' is not checked against %s\n", l, DOC);
	}
}

/* Probe keys are documented one by one; histograms by name. */
static void test_doc_names(void)
{
	const struct pmdstat_field *f = NULL;
	char a[96], b[96];
	size_t i;

	if (!CHECK(doc != NULL))
		return;
	while ((f = pmdstat_field_next("probe", f))) {
		snprintf(a, sizeof(a), "`%s`", f->key);
		snprintf(b, sizeof(b), " %s=", f->key);
		if (!CHECK(strstr(doc, a) || strstr(doc, b)))
			printf("# %s does not name the probe key %s\n", DOC, f->key);
	}
	for (i = 0; i < pmdstat_nr_hist_infos; i++) {
		const char *name = pmdstat_hist_infos[i].name;

		snprintf(a, sizeof(a), "`%s%s`", name, strcmp(name, "site:") ? "" : "<symbol>");
		if (!CHECK(strstr(doc, a) != NULL))
			printf("# %s does not name the histogram %s\n", DOC, a);
	}
}

/* What the table drives: the JSON type of a key, the rule of a delta. */
static void test_table_drives(void)
{
	static const char text[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=m\n"
		"state elapsed_ns=1 resets=0 maxactive=64\n"
		"caller func=123 lock=i_mmap mode=read acquired=5 contended=1 try_ok=0 try_fail=0 wait_total_ns=9 wait_max_ns=7 holds=5 hold_total_ns=50 hold_max_ns=20\n"
		"races overlaps=2 checked_unshares=3 unverified_vma_lock=0 shadow_tables=4 shadow_full=0 shadow_compared=6 log_drops=0 inject_delay_us=0\n"
		"Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n";
	struct pmdstat_stats a, b, d;
	pmdstat_out_t out;
	char jq[256];

	CHECK(pmdstat_key_is_text("func") && pmdstat_key_is_text("dev") &&
	      pmdstat_key_is_text("stack") && pmdstat_key_is_text("reads"));
	CHECK(!pmdstat_key_is_text("acquired") && !pmdstat_key_is_text("shadow_compared"));
	CHECK(pmdstat_field_rule("caller", "hold_max_ns") == PMDSTAT_R_MAX);
	CHECK(pmdstat_field_rule("races", "shadow_tables") == PMDSTAT_R_GAUGE);
	CHECK(pmdstat_field_rule("caller", "func") == PMDSTAT_R_IDENT);
	CHECK(pmdstat_field_rule("probe", "no_such_key") == PMDSTAT_R_SUM);

	if (!CHECK(test_parse_str(text, &a, NULL) == PMDSTAT_PARSE_OK))
		return;
	CHECK(test_parse_str(text, &b, NULL) == PMDSTAT_PARSE_OK);
	CHECK_U64(pmdstat_stats_delta(&a, &b, &d), 0);
	/* counters subtract to 0; maxima and gauges are the newer values */
	CHECK_U64(pmdstat_kv_get(&d.callers.rec[0], "acquired", 99), 0);
	CHECK_U64(pmdstat_kv_get(&d.callers.rec[0], "hold_max_ns", 0), 20);
	CHECK_U64(pmdstat_kv_get(&d.races, "shadow_tables", 0), 4);
	CHECK_U64(pmdstat_kv_get(&d.races, "shadow_compared", 99), 0);

	/* JSON: a name that looks like a number stays a string (jq says so) */
	pmdstat_out_init(&out);
	pmdstat_render_json(&out, &a, NULL);
	CHECK(test_jq(out.buf, "[.callers[0].func, .callers[0].acquired, .races.shadow_compared]",
		      jq, sizeof(jq)));
	CHECK_STR(jq, "[\"123\",5,6]");
	/* the text report shows shadow_compared, titled by the table */
	pmdstat_out_clear(&out);
	pmdstat_render_text(&out, &a, NULL);
	CHECK(strstr(out.buf, ", share counts compared with the shadow 6;") != NULL);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
	pmdstat_stats_free(&d);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_doc_lines),
	TAP_TEST(test_doc_names),
	TAP_TEST(test_table_drives),
};

int main(void)
{
	int rc;

	doc = read_doc();
	rc = tap_run(tests, TAP_COUNT(tests));
	free(doc);
	return rc;
}
