// SPDX-License-Identifier: GPL-2.0
/*
 * test_render.c - the reader's outputs (loader/text.c, loader/json.c) and its output
 * buffer (loader/out.c): the JSON contract read back with a strict JSON
 * parser, string escaping, and the bcc-style text histogram line by line.
 */
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

#define SEED	0x5eed1234abcdULL

static void test_out_growth(void)
{
	pmdstat_out_t out;
	char *big;
	size_t i;

	pmdstat_out_init(&out);
	CHECK_STR(pmdstat_out_str(&out), "");
	for (i = 0; i < 1000; i++)
		pmdstat_printf(&out, "%04zu:%s;", i, "abcdefghijklmnopqrstuvwxyz0123");
	CHECK_U64(out.len, 1000 * 36);
	CHECK_U64(strlen(out.buf), out.len);
	CHECK(!strncmp(out.buf + 999 * 36, "0999:abcdefghijklmnopqrstuvwxyz0123;", 36));
	CHECK(!pmdstat_out_failed(&out));

	/* one call much larger than the buffer */
	big = malloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	pmdstat_out_clear(&out);
	CHECK_U64(out.len, 0);
	pmdstat_printf(&out, "<%s>%d", big, 42);
	CHECK_U64(out.len, 100004);
	CHECK(out.buf[0] == '<' && out.buf[100001] == '>' && !strcmp(out.buf + 100002, "42"));
	pmdstat_out_append(&out, "a\0b", 3);
	CHECK_U64(out.len, 100007);
	CHECK(out.buf[100005] == '\0' && out.buf[100006] == 'b' && out.buf[100007] == '\0');
	free(big);
	pmdstat_out_free(&out);
	CHECK(out.buf == NULL && out.len == 0);
}

static u64 jnum(const struct json *o, const char *key, bool *ok)
{
	const struct json *v = json_get(o, key);

	if (!v || v->type != J_NUM || !v->is_u64) {
		printf("# \"%s\" missing or not an unsigned integer\n", key);
		*ok = false;
		return 0;
	}
	return v->num;
}

/* The JSON of st against st: every contract key, every value. */
static void check_json(const char *text, const struct pmdstat_stats *st)
{
	const struct json *probes, *hists, *totals, *v;
	const char *err;
	struct json *root;
	bool ok = true;
	size_t i, k;

	root = json_parse(text, &err);
	if (!CHECK(root != NULL)) {
		printf("# JSON error: %s\n", err);
		return;
	}
	CHECK(root->type == J_OBJ);
	CHECK_U64(jnum(root, "version", &ok), 2);
	v = json_get(root, "kernel");
	CHECK(v && v->type == J_STR && !strcmp(v->str, st->release));
	v = json_get(root, "module");
	CHECK(v && v->type == J_STR && !strcmp(v->str, st->module));
	CHECK_U64(jnum(root, "elapsed_ns", &ok), st->elapsed_ns);
	CHECK_U64(jnum(root, "resets", &ok), st->resets);

	probes = json_get(root, "probes");
	if (CHECK(probes && probes->type == J_ARR) && CHECK_U64(probes->n, st->nr_probes)) {
		for (i = 0; i < probes->n; i++) {
			const struct json *p = probes->item[i];
			const struct pmdstat_probe *pr = &st->probe[i];

			v = json_get(p, "symbol");
			CHECK(v && v->type == J_STR && !strcmp(v->str, pr->symbol));
			v = json_get(p, "role");
			CHECK(v && v->type == J_STR && !strcmp(v->str, pr->role));
			CHECK_U64(jnum(p, "hits", &ok), pmdstat_kv_get(&pr->keys, "hits", 0));
			CHECK_U64(jnum(p, "missed", &ok), pmdstat_kv_get(&pr->keys, "missed", 0));
			CHECK_U64(p->n, 2 + pr->keys.nr);
			for (k = 0; k < pr->keys.nr; k++) {
				const struct pmdstat_kv *kv = &pr->keys.kv[k];

				v = json_get(p, kv->key);
				if (!CHECK(v != NULL))
					continue;
				if (!strcmp(kv->key, "reads"))
					CHECK(v->type == J_STR && !strcmp(v->str, kv->value));
				else
					CHECK_U64(jnum(p, kv->key, &ok), kv->num);
			}
		}
	}

	hists = json_get(root, "histograms");
	if (CHECK(hists && hists->type == J_OBJ) && CHECK_U64(hists->n, st->nr_hists)) {
		for (i = 0; i < st->nr_hists; i++) {
			const struct pmdstat_phist *h = &st->hist[i];
			const struct json *jh = json_get(hists, h->name), *b;
			/* JSON: the buckets as measured, fine ones included */
			const struct pmdstat_bucket *bk = h->nr_fine ? h->fine : h->bucket;
			size_t nb = h->nr_fine ? h->nr_fine : h->nr_buckets;
			u64 sum = 0;

			if (!CHECK(jh != NULL)) {
				printf("# no histogram %s\n", h->name);
				continue;
			}
			v = json_get(jh, "unit");
			CHECK(v && v->type == J_STR && !strcmp(v->str, h->unit));
			CHECK_U64(jnum(jh, "count", &ok), h->count);
			CHECK_U64(jnum(jh, "sum", &ok), h->sum);
			CHECK_U64(jnum(jh, "max", &ok), h->max);
			CHECK_U64(jnum(jh, "avg", &ok), pmdstat_hist_avg(h));
			CHECK_U64(jnum(jh, "p50", &ok), pmdstat_hist_percentile(h, 50));
			CHECK_U64(jnum(jh, "p90", &ok), pmdstat_hist_percentile(h, 90));
			CHECK_U64(jnum(jh, "p99", &ok), pmdstat_hist_percentile(h, 99));
			b = json_get(jh, "buckets");
			if (!CHECK(b && b->type == J_ARR) || !CHECK_U64(b->n, nb))
				continue;
			for (k = 0; k < b->n; k++) {
				const struct json *t = b->item[k];

				if (!CHECK(t->type == J_ARR && t->n == 3))
					continue;
				CHECK(t->item[0]->is_u64 && t->item[0]->num == bk[k].lo);
				CHECK(t->item[1]->is_u64 && t->item[1]->num == bk[k].hi);
				CHECK(t->item[2]->is_u64 && t->item[2]->num == bk[k].count);
				sum += t->item[2]->num;
			}
			/* bucket counts add up to count */
			CHECK_U64(sum, jnum(jh, "count", &ok));
		}
	}

	totals = json_get(root, "totals");
	if (CHECK(totals && totals->type == J_OBJ) && CHECK_U64(totals->n, st->totals.nr))
		for (k = 0; k < st->totals.nr; k++)
			CHECK_U64(jnum(totals, st->totals.kv[k].key, &ok),
				  st->totals.kv[k].num);
	CHECK(ok);
	json_free(root);
}

static void test_json_roundtrip(void)
{
	struct pmdstat_snapshot s;
	struct pmdstat_stats st;
	pmdstat_out_t out;
	u64 seed;

	for (seed = SEED; seed < SEED + 5; seed++) {
		test_make_snapshot(&s, seed);
		if (!CHECK(test_roundtrip(&s, &st) == PMDSTAT_PARSE_OK))
			return;
		pmdstat_out_init(&out);
		pmdstat_render_json(&out, &st, NULL);
		CHECK(!pmdstat_out_failed(&out));
		CHECK(strchr(out.buf, '\n') == NULL);	/* one line */
		check_json(out.buf, &st);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
}

static void test_json_minimal(void)
{
	struct pmdstat_render_opts ro = { .timestamp = "12:34:56", .interval = true,
					  .reset_seen = true };
	struct pmdstat_stats st;
	const struct json *v;
	struct json *root;
	pmdstat_out_t out;
	size_t depth = 0, i;

	/* no probes, no hists: the contract keys are still there */
	memset(&st, 0, sizeof(st));
	st.version = 1;
	pmdstat_out_init(&out);
	pmdstat_render_json(&out, &st, &ro);
	root = json_parse(out.buf, NULL);
	if (CHECK(root != NULL)) {
		CHECK(json_get(root, "version") && json_get(root, "version")->num == 2);
		v = json_get(root, "kernel");
		CHECK(v && v->type == J_STR && !strcmp(v->str, ""));
		v = json_get(root, "probes");
		CHECK(v && v->type == J_ARR && v->n == 0);
		v = json_get(root, "histograms");
		CHECK(v && v->type == J_OBJ && v->n == 0);
		v = json_get(root, "totals");
		CHECK(v && v->type == J_OBJ && v->n == 0);
		v = json_get(root, "time");
		CHECK(v && v->type == J_STR && !strcmp(v->str, "12:34:56"));
		v = json_get(root, "interval");
		CHECK(v && v->type == J_BOOL && v->b);
		v = json_get(root, "counters_reset");
		CHECK(v && v->type == J_BOOL && v->b);
	}
	json_free(root);
	/* balanced, by counting outside strings too */
	for (i = 0; i < out.len; i++) {
		if (out.buf[i] == '{' || out.buf[i] == '[')
			depth++;
		else if (out.buf[i] == '}' || out.buf[i] == ']')
			CHECK(depth-- > 0);
	}
	CHECK_U64(depth, 0);
	pmdstat_out_free(&out);
}

static void test_json_escaping(void)
{
	static const char nasty[] = "q\"b\\s/n\nt\tc\x01\x1f del\x7f é € 😀 bad\xff\xc3( end";
	static const char want[] = "q\"b\\s/n\nt\tc\x01\x1f del\x7f é € 😀 bad\xef\xbf\xbd\xef\xbf\xbd( end";
	struct pmdstat_stats st;
	struct pmdstat_probe pr;
	struct json *root;
	const struct json *p, *v;
	pmdstat_out_t out;

	memset(&st, 0, sizeof(st));
	memset(&pr, 0, sizeof(pr));
	st.version = 1;
	st.release = (char *)nasty;
	st.module = (char *)"{[\"]}";
	pr.symbol = (char *)nasty;
	pr.role = (char *)"share";
	st.probe = &pr;
	st.nr_probes = 1;
	pmdstat_out_init(&out);
	pmdstat_render_json(&out, &st, NULL);
	/* raw control characters never reach the output */
	CHECK(strchr(out.buf, '\n') == NULL && strchr(out.buf, '\t') == NULL &&
	      strchr(out.buf, '\x01') == NULL);
	CHECK(strstr(out.buf, "\\u0001\\u001f") != NULL);
	root = json_parse(out.buf, NULL);
	if (!CHECK(root != NULL)) {
		printf("# %s\n", out.buf);
		pmdstat_out_free(&out);
		return;
	}
	v = json_get(root, "kernel");
	CHECK(v && v->type == J_STR && !strcmp(v->str, want));
	v = json_get(root, "module");
	CHECK(v && v->type == J_STR && !strcmp(v->str, "{[\"]}"));
	p = json_get(root, "probes")->item[0];
	CHECK(!strcmp(json_get(p, "symbol")->str, want));
	/* a probe without hits/missed still has them (contract) */
	CHECK(json_get(p, "hits") && json_get(p, "hits")->num == 0);
	CHECK(json_get(p, "missed") && json_get(p, "missed")->num == 0);
	json_free(root);
	pmdstat_out_free(&out);
}

static void test_json_parser_rejects(void)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1", "{\"a\":1,}", "[1,2", "[1 2]", "{\"a\" 1}",
		"{\"a\":1,\"a\":2}", "\"\x01\"", "\"\\x\"", "01", "1.", "{} x",
		"[\"\\ud800\"]",
	};
	size_t i;

	/* the checker used above is strict enough to catch broken output */
	for (i = 0; i < TAP_COUNT(bad); i++) {
		struct json *v = json_parse(bad[i], NULL);

		if (!CHECK(v == NULL))
			printf("#   accepted: %s\n", bad[i]);
		json_free(v);
	}
}

/* Line n (0-based) of text, into buf. */
static const char *line_of(const char *text, unsigned int n, char *buf, size_t size)
{
	const char *e;

	while (n-- && text)
		text = (text = strchr(text, '\n')) ? text + 1 : NULL;
	if (!text || !*text)
		return "(no such line)";
	e = strchr(text, '\n');
	snprintf(buf, size, "%.*s", (int)(e ? e - text : (long)strlen(text)), text);
	return buf;
}

static void test_log2_hist_text(void)
{
	struct pmdstat_hist raw = { 0 };
	struct pmdstat_phist h;
	pmdstat_out_t out;
	char buf[256];

	pmdstat_hist_add(&raw, 1);
	pmdstat_hist_add(&raw, 4);
	pmdstat_hist_add(&raw, 5);
	pmdstat_hist_add(&raw, 6);
	pmdstat_hist_add(&raw, 7);
	pmdstat_hist_add(&raw, 12);
	pmdstat_hist_add(&raw, 13);
	test_phist_from(&h, &raw);
	pmdstat_out_init(&out);
	pmdstat_render_log2_hist(&out, &h, "nsecs");
	CHECK_STR(line_of(out.buf, 0, buf, sizeof(buf)),
		  "     nsecs               : count     distribution");
	CHECK_STR(line_of(out.buf, 1, buf, sizeof(buf)),
		  "         0 -> 1          : 1        |**********                              |");
	CHECK_STR(line_of(out.buf, 2, buf, sizeof(buf)),
		  "         2 -> 3          : 0        |                                        |");
	CHECK_STR(line_of(out.buf, 3, buf, sizeof(buf)),
		  "         4 -> 7          : 4        |****************************************|");
	CHECK_STR(line_of(out.buf, 4, buf, sizeof(buf)),
		  "         8 -> 15         : 2        |********************                    |");
	CHECK_STR(line_of(out.buf, 5, buf, sizeof(buf)), "(no such line)");
	test_free_phist(&h);

	/* past 2^32 bcc widens the columns and halves the bars */
	memset(&raw, 0, sizeof(raw));
	pmdstat_hist_add(&raw, 3);
	pmdstat_hist_add(&raw, UINT64_MAX);
	pmdstat_hist_add(&raw, UINT64_MAX - 1);
	test_phist_from(&h, &raw);
	pmdstat_out_clear(&out);
	pmdstat_render_log2_hist(&out, &h, "nsecs");
	CHECK_STR(line_of(out.buf, 0, buf, sizeof(buf)),
		  "               nsecs                         : count     distribution");
	/* as bpftrace, from the first non-empty bucket (not 0 -> 1) to the last */
	CHECK_STR(line_of(out.buf, 1, buf, sizeof(buf)),
		  "                   2 -> 3                    : 1        |**********          |");
	CHECK_STR(line_of(out.buf, 63, buf, sizeof(buf)),
		  " 9223372036854775808 -> 18446744073709551615 : 2        |********************|");
	CHECK_STR(line_of(out.buf, 64, buf, sizeof(buf)), "(no such line)");
	test_free_phist(&h);

	/* buckets that are not log2 ones are shown as they are */
	test_phist_from(&h, &raw);
	h.bucket[0].lo = 10;
	h.bucket[0].hi = 20;
	h.bucket[0].count = 2;
	h.nr_buckets = 1;
	pmdstat_out_clear(&out);
	pmdstat_render_log2_hist(&out, &h, "usecs");
	CHECK_STR(line_of(out.buf, 0, buf, sizeof(buf)),
		  "     usecs               : count     distribution");
	CHECK_STR(line_of(out.buf, 1, buf, sizeof(buf)),
		  "        10 -> 20         : 2        |****************************************|");
	CHECK_STR(line_of(out.buf, 2, buf, sizeof(buf)), "(no such line)");
	test_free_phist(&h);

	/* an empty hist prints nothing */
	memset(&raw, 0, sizeof(raw));
	test_phist_from(&h, &raw);
	pmdstat_out_clear(&out);
	pmdstat_render_log2_hist(&out, &h, "nsecs");
	CHECK_U64(out.len, 0);
	test_free_phist(&h);
	pmdstat_out_free(&out);
}

static void test_text_report(void)
{
	static const char text[] =
		"pmdstat-stats version=1\n"
		"kernel release=6.1.0-56-amd64 module=0.1\n"
		"state elapsed_ns=81234567 resets=0 maxactive=64\n"
		"probe symbol=huge_pmd_share role=share hits=10 missed=0 nested=0 attached=9 fresh=1 failed=0 reads=args:mm\n"
		"probe symbol=__huge_pmd_unshare.constprop.0.isra.0 role=unshare hits=40 missed=3 nested=2 ret1=9 ret0=31 reads=none\n"
		"hist name=share_ns unit=ns count=10 sum=123456 max=30000\n"
		"bucket 8192 16383 3\n"
		"bucket 16384 32767 7\n"
		"end\n"
		"hist name=unshare_ns unit=ns count=0 sum=0 max=0\n"
		"end\n"
		"Totals: hits=50 missed=3 share_calls=10 attached=9 unshare_calls=0 unshared=0\n";
	struct pmdstat_render_opts ro = { .timestamp = "01:02:03" };
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char buf[256];

	if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK))
		return;
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, &ro);
	CHECK_STR(line_of(out.buf, 0, buf, sizeof(buf)), "01:02:03");
	CHECK_STR(line_of(out.buf, 1, buf, sizeof(buf)),
		  "Kernel 6.1.0-56-amd64, pmdstat module 0.1, elapsed 0.081 s since load or reset, resets 0, maxactive 64");
	CHECK_STR(line_of(out.buf, 3, buf, sizeof(buf)),
		  "SYMBOL                                 ROLE     HITS  MISSED  NESTED  OUTCOMES");
	CHECK_STR(line_of(out.buf, 4, buf, sizeof(buf)),
		  "huge_pmd_share                         share      10       0       0  attached=9 fresh=1 failed=0");
	CHECK_STR(line_of(out.buf, 5, buf, sizeof(buf)),
		  "__huge_pmd_unshare.constprop.0.isra.0  unshare    40       3       2  ret1=9 ret0=31");
	/* the percentiles of each histogram with values, in a table */
	CHECK_STR(line_of(out.buf, 7, buf, sizeof(buf)),
		  "Histograms (percentiles within log2 buckets; --hist draws them):");
	CHECK_STR(line_of(out.buf, 8, buf, sizeof(buf)),
		  "Histogram  Count      p50      p90      p99      Max");
	/* p50: rank 5, 16384 + 16383 * 2 / 7 = 21064; p90: rank 9: 37446 -> max */
	CHECK_STR(line_of(out.buf, 9, buf, sizeof(buf)),
		  "share_ns      10  21.1 us  30.0 us  30.0 us  30.0 us");
	/* the empty unshare_ns is left out */
	CHECK(strstr(out.buf, "unshare_ns") == NULL);
	CHECK_STR(line_of(out.buf, 11, buf, sizeof(buf)),
		  "Totals: hits=50 missed=3 share_calls=10 attached=9 unshare_calls=0 unshared=0");
	CHECK(strstr(out.buf, "Warning: 3 calls were missed") != NULL);

	/* --hist: each drawn, with a line of its percentiles */
	ro.bars = true;
	pmdstat_out_clear(&out);
	pmdstat_render_text(&out, &st, &ro);
	CHECK_STR(line_of(out.buf, 7, buf, sizeof(buf)),
		  "share_ns: outermost share calls, entry to return");
	CHECK_STR(line_of(out.buf, 8, buf, sizeof(buf)),
		  "     nsecs               : count     distribution");
	/* the rows start at the first non-empty bucket */
	CHECK_STR(line_of(out.buf, 9, buf, sizeof(buf)),
		  "      8192 -> 16383      : 3        |*****************                       |");
	CHECK_STR(line_of(out.buf, 11, buf, sizeof(buf)),
		  "count 10, avg 12345 ns, p50 21064 ns, p90 30000 ns, p99 30000 ns, max 30000 ns");
	CHECK(strstr(out.buf, "unshare_ns") == NULL);
	CHECK_STR(line_of(out.buf, 13, buf, sizeof(buf)),
		  "Totals: hits=50 missed=3 share_calls=10 attached=9 unshare_calls=0 unshared=0");
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
}

/* A site histogram that repeats its role's row for row is not drawn again. */
static void test_text_site_repeats(void)
{
	static const char text[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=m\n"
		"state elapsed_ns=1 resets=0 maxactive=64\n"
		"probe symbol=huge_pmd_share role=share hits=3 missed=0 nested=0 attached=3 fresh=0 failed=0 reads=none\n"
		"probe symbol=huge_pmd_unshare role=unshare hits=2 missed=0 nested=0 ret1=2 ret0=0 reads=none\n"
		"probe symbol=__huge_pmd_unshare role=unshare hits=3 missed=0 nested=2 ret1=1 ret0=2 reads=none\n"
		/* fine buckets of [8192, 16383]: the same log2 row as the site's */
		"hist name=share_ns unit=ns count=3 sum=40000 max=15000\n"
		"bucket 12288 14335 2\nbucket 14336 16383 1\nend\n"
		"hist name=unshare_ns unit=ns count=3 sum=3000 max=1500\n"
		"bucket 512 1023 2\nbucket 1024 2047 1\nend\n"
		"hist name=site:huge_pmd_share unit=ns count=3 sum=40000 max=15000\n"
		"bucket 8192 16383 3\nend\n"
		"hist name=site:huge_pmd_unshare unit=ns count=2 sum=2000 max=1500\n"
		"bucket 512 1023 1\nbucket 1024 2047 1\nend\n"
		"Totals: hits=8 missed=0 share_calls=3 attached=3 unshare_calls=3 unshared=3\n";
	struct pmdstat_render_opts ro = { .bars = true };
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char buf[256];

	if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK))
		return;
	pmdstat_out_init(&out);
	/* the table: no row for the repeating site, a note; one for the other */
	pmdstat_render_text(&out, &st, NULL);
	CHECK(strstr(out.buf, "\nsite:huge_pmd_share  ") == NULL);
	CHECK(strstr(out.buf, "\nsite:huge_pmd_share: the same calls as share_ns, not shown again\n") != NULL);
	CHECK_STR(line_with(out.buf, "site:huge_pmd_unshare ", buf, sizeof(buf)),
		  "site:huge_pmd_unshare      2   1.0 us   1.5 us   1.5 us   1.5 us");
	/* --hist */
	pmdstat_out_clear(&out);
	pmdstat_render_text(&out, &st, &ro);
	CHECK(strstr(out.buf, "\nsite:huge_pmd_share: the same calls as share_ns, not shown again\n") != NULL);
	CHECK(strstr(out.buf, "site:huge_pmd_share: every call of") == NULL);
	CHECK_U64(test_count(out.buf, "count 3, avg 13333 ns"), 1);
	/* a site that differs from its role's is drawn */
	CHECK(strstr(out.buf, "\nsite:huge_pmd_unshare: every call of huge_pmd_unshare\n") != NULL);
	CHECK(strstr(out.buf, "count 2, avg 1000 ns") != NULL);
	/* JSON keeps every histogram */
	pmdstat_out_clear(&out);
	pmdstat_render_json(&out, &st, NULL);
	CHECK(strstr(out.buf, "\"site:huge_pmd_share\":{") != NULL);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_out_growth),
	TAP_TEST(test_json_roundtrip),
	TAP_TEST(test_json_minimal),
	TAP_TEST(test_json_escaping),
	TAP_TEST(test_json_parser_rejects),
	TAP_TEST(test_log2_hist_text),
	TAP_TEST(test_text_report),
	TAP_TEST(test_text_site_repeats),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
