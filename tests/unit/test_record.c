// SPDX-License-Identifier: GPL-2.0
/*
 * test_record.c - recordings (loader/record.c, loader/json.c) and the sum
 * of snapshots (pmdstat_stats_add): a delta written as a record line and
 * read back is the same delta; the report of several lines is the delta
 * over all of them; malformed lines are refused with their line number;
 * the JSON reader is strict.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "render.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x7ec0de5eedULL
#define NR_STEPS	4

/* ---- snapshots that grow without any sum wrapping ---- */

static u64 small(u64 *state, u64 max)
{
	return test_rand(state) % max;
}

/* test_make_snapshot() without its extremes (UINT64_MAX values and counts). */
static void tame_snapshot(struct pmdstat_snapshot *s, u64 seed)
{
	unsigned int i, k, m;

	test_make_snapshot(s, seed);
	for (i = 0; i < s->nr_sites; i++) {
		memset(&s->site[i].st, 0, sizeof(s->site[i].st));
		s->site[i].missed = 0;
	}
	memset(s->role, 0, sizeof(s->role));
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			memset(&s->lock[k][m].wait, 0, sizeof(s->lock[k][m].wait));
			memset(&s->lock[k][m].hold, 0, sizeof(s->lock[k][m].hold));
		}
	memset(&s->share_wait, 0, sizeof(s->share_wait));
	memset(&s->share_hold, 0, sizeof(s->share_hold));
	memset(&s->scan, 0, sizeof(s->scan));
}

/* One interval more of everything: counters grow, gauges move, maxima rise. */
static void evolve(struct pmdstat_snapshot *s, u64 *state)
{
	unsigned int i, k, m, n;

	for (i = 0; i < s->nr_sites; i++) {
		struct pmdstat_snap_site *site = &s->site[i];

		site->missed += small(state, 3);
		for (n = 5 + (unsigned int)small(state, 20); n; n--) {
			u64 v = small(state, (u64)1 << (1 + small(state, 34)));
			unsigned int out = (unsigned int)small(state,
				site->role == PMDSTAT_ROLE_SHARE ? 3 : 2);

			site->st.hits++;
			site->st.filtered += small(state, 7) == 0;
			site->st.out[out]++;
			pmdstat_hist_add(&site->st.lat, v);
			if (small(state, 5) == 0) {
				site->st.nested++;
				continue;
			}
			s->role[site->role].out[out]++;
			pmdstat_fhist_add(&s->role[site->role].lat, v);
		}
	}
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			struct pmdstat_lock_stats *l = &s->lock[k][m];

			l->acquired += small(state, 50);
			l->contended += small(state, 10);
			l->try_ok += small(state, 5);
			l->try_fail += small(state, 3);
			l->failed += small(state, 2);
			for (n = (unsigned int)small(state, 8); n; n--) {
				pmdstat_hist_add(&l->wait, small(state, 1 << 20));
				pmdstat_hist_add(&l->hold, small(state, 1 << 24));
			}
		}
	for (n = (unsigned int)small(state, 10); n; n--) {
		pmdstat_hist_add(&s->share_wait, small(state, 1 << 16));
		pmdstat_hist_add(&s->share_hold, small(state, 1 << 22));
		pmdstat_hist_add(&s->scan, small(state, 64));
	}
	for (i = 0; i < s->nr_callers; i++) {
		struct pmdstat_snap_caller *c = &s->caller[i];
		u64 w = small(state, 1000000), h = small(state, 5000000);

		c->acquired += 3;
		c->contended += small(state, 2);
		c->wait_total += w;
		c->wait_max = w > c->wait_max ? w : c->wait_max;
		c->holds += 3;
		c->hold_total += h;
		c->hold_max = h > c->hold_max ? h : c->hold_max;
	}
	s->tracked[PMDSTAT_LK_IMMAP] = small(state, 1024);
	s->tracked[PMDSTAT_LK_VMA] = small(state, 1024);
	s->unmatched += small(state, 4);
	s->events += small(state, 40);
	for (i = 0; i < PMDSTAT_NR_VKINDS; i++)
		s->violations[i] += small(state, 3);
	s->overlaps += small(state, 5);
	s->checked_unshares += small(state, 100);
	s->shadow_tables = small(state, 300);
	s->top[PMDSTAT_WAIT][0].ns += small(state, 1000);
	s->elapsed_ns += 1000000000 + small(state, 1000000);
}

static int parse_snapshot(const struct pmdstat_snapshot *s, struct pmdstat_stats *st)
{
	return test_roundtrip(s, st) == PMDSTAT_PARSE_OK ? 0 : -1;
}

static char *json_of(const struct pmdstat_stats *st)
{
	pmdstat_out_t out;

	pmdstat_out_init(&out);
	pmdstat_render_json(&out, st, NULL);
	return out.buf;
}

/* The record lines of deltas[0..n), t in ms at the end of each. */
static void record_lines(pmdstat_out_t *out, const struct pmdstat_stats *deltas,
			 size_t n, const u64 *t_ms)
{
	struct pmdstat_render_opts ro = { .interval = true };
	size_t i;

	for (i = 0; i < n; i++)
		pmdstat_record_line(out, &deltas[i], &ro, t_ms[i],
				    t_ms[i] - (i ? t_ms[i - 1] : 0));
}

static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!CHECK(f != NULL))
		printf("# fmemopen: %s\n", strerror(errno));
	return f;
}

/* ---- the JSON reader ---- */

static void test_json_reader(void)
{
	static const char *const bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", ".5", "1e", "+1",
		"\"abc", "\"a\tb\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\u0000\"", "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "{\"a\":1,\"a\":2}",
		"[1] 2", "tru", "nul", "{1:2}", "[1 2]", "{\"a\" 1}",
	};
	char err[128], deep[PMDSTAT_JSON_DEPTH + 3];
	struct pmdstat_json *v;
	const struct pmdstat_json *x;
	size_t i;

	for (i = 0; i < TAP_COUNT(bad); i++) {
		v = pmdstat_json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		if (!CHECK(v == NULL))
			printf("# accepted: '%s'\n", bad[i]);
		CHECK(!strncmp(err, "byte ", 5));
		pmdstat_json_free(v);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	CHECK(pmdstat_json_parse(deep, strlen(deep), err, sizeof(err)) == NULL);
	CHECK(strstr(err, "nested") != NULL);

	v = pmdstat_json_parse(" {\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\","
			       "\"u\":18446744073709551615,\"big\":18446744073709551616,"
			       "\"d\":1.250,\"neg\":-3,\"e\":2E3,\"a\":[true,false,null,{}],\"o\":{}} ",
			       strlen(" {\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\","
				      "\"u\":18446744073709551615,\"big\":18446744073709551616,"
				      "\"d\":1.250,\"neg\":-3,\"e\":2E3,\"a\":[true,false,null,{}],\"o\":{}} "),
			       err, sizeof(err));
	if (!CHECK(v != NULL)) {
		printf("# %s\n", err);
		return;
	}
	CHECK(v->type == PMDSTAT_JSON_OBJ && v->n == 8);
	x = pmdstat_json_get(v, "s");
	CHECK(x && x->type == PMDSTAT_JSON_STR &&
	      !strcmp(x->str, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9"));
	x = pmdstat_json_get(v, "u");
	CHECK(x && x->is_u64 && x->u == UINT64_MAX);
	x = pmdstat_json_get(v, "big");
	CHECK(x && x->type == PMDSTAT_JSON_NUM && !x->is_u64);
	x = pmdstat_json_get(v, "d");
	CHECK(x && !x->is_u64 && x->d == 1.25);
	x = pmdstat_json_get(v, "neg");
	CHECK(x && !x->is_u64 && x->d == -3);
	x = pmdstat_json_get(v, "e");
	CHECK(x && !x->is_u64 && x->d == 2000);
	x = pmdstat_json_get(v, "a");
	CHECK(x && x->type == PMDSTAT_JSON_ARR && x->n == 4 &&
	      x->item[0]->type == PMDSTAT_JSON_BOOL && x->item[0]->b &&
	      x->item[1]->type == PMDSTAT_JSON_BOOL && !x->item[1]->b &&
	      x->item[2]->type == PMDSTAT_JSON_NULL &&
	      x->item[3]->type == PMDSTAT_JSON_OBJ && !x->item[3]->n);
	CHECK(pmdstat_json_get(v, "missing") == NULL);
	CHECK(pmdstat_json_get(x, "s") == NULL);	/* not an object */
	pmdstat_json_free(v);
}

/* ---- a delta as a record line, and back ---- */

struct collect {
	struct pmdstat_stats st[NR_STEPS];
	u64 t[NR_STEPS];
	u64 iv[NR_STEPS];
	size_t n;
};

static int collect_line(const struct pmdstat_rec_line *l, void *ctx, char *msg,
			size_t size)
{
	struct collect *c = ctx;

	if (c->n == NR_STEPS) {
		snprintf(msg, size, "too many lines");
		return -EINVAL;
	}
	c->t[c->n] = l->t_ms;
	c->iv[c->n] = l->interval_ms;
	return pmdstat_stats_from_json(l->obj, &c->st[c->n++], msg, size);
}

static void test_record_roundtrip(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats a, b, d;
	struct collect c = { 0 };
	const u64 t = 12345;
	pmdstat_out_t line;
	const char *err;
	struct json *j;
	char msg[512], *want, *got;
	u64 state = SEED;
	FILE *f;
	int rc;

	tame_snapshot(s, SEED);
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &a));
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &b));
	CHECK_U64(pmdstat_stats_delta(&a, &b, &d), 0);

	pmdstat_out_init(&line);
	record_lines(&line, &d, 1, &t);
	/* one line, "\n"-terminated, of strict JSON with t and interval_s */
	CHECK(line.len && line.buf[line.len - 1] == '\n');
	CHECK(memchr(line.buf, '\n', line.len) == line.buf + line.len - 1);
	CHECK(strstr(line.buf, "\"t\":12.345,\"interval_s\":12.345,") != NULL);
	j = json_parse(line.buf, &err);
	if (!CHECK(j != NULL))
		printf("# JSON error: %s\n", err);
	CHECK(json_get(j, "t") && json_get(j, "t")->type == J_NUM);
	CHECK(json_get(j, "interval_s") && json_get(j, "interval_s")->type == J_NUM);
	CHECK(json_get(j, "interval") && json_get(j, "interval")->type == J_BOOL);
	json_free(j);

	/* read back: the same delta, every count */
	f = text_file(line.buf);
	rc = pmdstat_recording_each(f, collect_line, &c, msg, sizeof(msg));
	if (!CHECK_U64(rc, 0))
		printf("# %s\n", msg);
	fclose(f);
	CHECK_U64(c.n, 1);
	CHECK_U64(c.t[0], t);
	CHECK_U64(c.iv[0], t);
	if (c.n == 1) {
		want = json_of(&d);
		got = json_of(&c.st[0]);
		if (!CHECK_STR(got, want))
			printf("# the delta read back differs\n");
		CHECK_U64(pmdstat_kv_get(&c.st[0].totals, "share_calls", 0),
			  pmdstat_find_hist(&d, "share_ns")->count);
		CHECK_U64(pmdstat_find_hist(&c.st[0], "scan_vmas")->count,
			  pmdstat_find_hist(&d, "scan_vmas")->count);
		CHECK_U64(c.st[0].callers.nr, d.callers.nr);
		CHECK_U64(c.st[0].outliers.nr, d.outliers.nr);
		CHECK_U64(c.st[0].violation_log.nr, d.violation_log.nr);
		free(want);
		free(got);
		pmdstat_stats_free(&c.st[0]);
	}
	pmdstat_out_free(&line);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
	pmdstat_stats_free(&d);
	free(s);
}

/* ---- the report of a recording: the sum of its lines ---- */

static void test_report_sums(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats snap[NR_STEPS + 1], d[NR_STEPS], all;
	const u64 t[NR_STEPS] = { 1000, 2001, 3000, 4500 };
	struct pmdstat_recording rec;
	pmdstat_out_t text;
	char msg[512], *want, *got;
	u64 state = SEED ^ 0x55, calls = 0;
	size_t i;
	FILE *f;
	int rc;

	tame_snapshot(s, SEED ^ 0x55);
	for (i = 0; i <= NR_STEPS; i++) {
		evolve(s, &state);
		CHECK(!parse_snapshot(s, &snap[i]));
	}
	for (i = 0; i < NR_STEPS; i++) {
		CHECK_U64(pmdstat_stats_delta(&snap[i], &snap[i + 1], &d[i]), 0);
		calls += pmdstat_find_hist(&d[i], "share_ns")->count;
	}
	CHECK_U64(pmdstat_stats_delta(&snap[0], &snap[NR_STEPS], &all), 0);

	pmdstat_out_init(&text);
	record_lines(&text, d, NR_STEPS, t);
	pmdstat_out_append(&text, "\n  \n", 4);	/* blank lines are skipped */
	f = text_file(text.buf);
	rc = pmdstat_recording_sum(f, &rec, msg, sizeof(msg));
	fclose(f);
	if (!CHECK_U64(rc, 0))
		printf("# %s\n", msg);
	CHECK_U64(rec.intervals, NR_STEPS);
	CHECK_U64(rec.span_ms, 4500);
	CHECK_U64(rec.first_t_ms, 1000);
	CHECK_U64(rec.last_t_ms, 4500);
	CHECK_U64(pmdstat_kv_get(&rec.sum.totals, "share_calls", 0), calls);
	CHECK_U64(pmdstat_find_hist(&rec.sum, "share_ns")->count, calls);

	/*
	 * The sum of the intervals is the delta over all of them: counters add
	 * up, maxima and gauges are the last ones, logs are the newest.
	 */
	want = json_of(&all);
	got = json_of(&rec.sum);
	if (!CHECK_STR(got, want))
		printf("# the sum of the lines differs from the delta over them\n");
	free(want);
	free(got);

	/* the report's own members */
	{
		struct pmdstat_render_opts ro = {
			.recording = true, .intervals = rec.intervals, .span_ms = rec.span_ms,
		};
		const char *jerr;
		pmdstat_out_t out;
		struct json *j;

		pmdstat_out_init(&out);
		pmdstat_render_json(&out, &rec.sum, &ro);
		j = json_parse(out.buf, &jerr);
		CHECK(j != NULL);
		CHECK(json_get(j, "intervals") && json_get(j, "intervals")->num == NR_STEPS);
		CHECK(strstr(out.buf, "\"span_s\":4.500") != NULL);
		json_free(j);
		pmdstat_out_clear(&out);
		pmdstat_render_text(&out, &rec.sum, &ro);
		CHECK(strstr(out.buf, "Recording of 4 intervals over 4.500 s") != NULL);
		pmdstat_out_free(&out);
	}

	pmdstat_recording_free(&rec);
	pmdstat_out_free(&text);
	for (i = 0; i <= NR_STEPS; i++)
		pmdstat_stats_free(&snap[i]);
	for (i = 0; i < NR_STEPS; i++)
		pmdstat_stats_free(&d[i]);
	pmdstat_stats_free(&all);
	free(s);
}

/* pmdstat_stats_add() on hand-made stats: buckets merge, maxima, keys. */
static void test_stats_add(void)
{
	static const char a_text[] =
		"pmdstat-stats version=1\n"
		"kernel release=r1 module=0.1\n"
		"state elapsed_ns=100 resets=0 maxactive=64\n"
		"probe symbol=s role=share hits=2 missed=1 reads=none\n"
		"hist name=share_ns unit=ns count=3 sum=30 max=20\n"
		"bucket 2 3 1\n"
		"bucket 16 31 2\n"
		"end\n"
		"caller func=f lock=i_mmap mode=read acquired=1 contended=0 try_ok=0 try_fail=0 wait_total_ns=5 wait_max_ns=5 holds=1 hold_total_ns=9 hold_max_ns=9\n"
		"locks tracked_i_mmap=7 tracked_vma_lock=1 track_full=1 inflight_full=0 unmatched_releases=0 callers_full=0 events=2 event_drops=0 threshold_us=10\n"
		"Totals: hits=2 missed=1 share_calls=3 attached=0 unshare_calls=0 unshared=0\n";
	static const char b_text[] =
		"pmdstat-stats version=1\n"
		"kernel release=r2 module=0.2\n"
		"state elapsed_ns=50 resets=1 maxactive=128\n"
		"probe symbol=s role=share hits=18446744073709551615 missed=2 reads=args:x\n"
		"probe symbol=t role=unshare hits=4 missed=0 reads=none\n"
		"hist name=share_ns unit=ns count=2 sum=9 max=8\n"
		"bucket 0 1 1\n"
		"bucket 4 7 1\n"
		"bucket 16 31 0\n"
		"end\n"
		"hist name=unshare_ns unit=ns count=1 sum=1 max=1\n"
		"bucket 0 1 1\n"
		"end\n"
		"caller func=f lock=i_mmap mode=read acquired=2 contended=1 try_ok=0 try_fail=0 wait_total_ns=3 wait_max_ns=3 holds=2 hold_total_ns=40 hold_max_ns=30\n"
		"caller func=g lock=i_mmap mode=read acquired=1 contended=0 try_ok=0 try_fail=0 wait_total_ns=1 wait_max_ns=1 holds=1 hold_total_ns=1 hold_max_ns=1\n"
		"locks tracked_i_mmap=3 tracked_vma_lock=0 track_full=2 inflight_full=0 unmatched_releases=0 callers_full=0 events=1 event_drops=0 threshold_us=20\n"
		"Totals: hits=4 missed=2 share_calls=2 attached=0 unshare_calls=1 unshared=0\n";
	struct pmdstat_stats sum = { 0 }, a, b;
	const struct pmdstat_phist *h;
	const struct pmdstat_probe *p;
	const struct pmdstat_kvs *c;

	CHECK(!test_parse_str(a_text, &a, NULL));
	CHECK(!test_parse_str(b_text, &b, NULL));
	CHECK_U64(pmdstat_stats_add(&sum, &a), 0);
	CHECK_U64(pmdstat_stats_add(&sum, &b), 0);
	CHECK_U64(sum.elapsed_ns, 150);
	CHECK_U64(sum.resets, 1);
	CHECK_U64(sum.maxactive, 128);
	CHECK_STR(sum.release, "r2");
	p = pmdstat_find_probe(&sum, "s");
	CHECK(p && pmdstat_kv_get(&p->keys, "hits", 0) == UINT64_MAX);	/* saturated */
	CHECK(p && pmdstat_kv_get(&p->keys, "missed", 0) == 3);
	CHECK(p && !strcmp(pmdstat_kv_str(&p->keys, "reads", ""), "args:x"));
	CHECK(pmdstat_find_probe(&sum, "t") != NULL);
	h = pmdstat_find_hist(&sum, "share_ns");
	if (CHECK(h && h->nr_buckets == 4)) {
		CHECK_U64(h->count, 5);
		CHECK_U64(h->sum, 39);
		CHECK_U64(h->max, 20);
		CHECK(h->bucket[0].lo == 0 && h->bucket[0].count == 1);
		CHECK(h->bucket[1].lo == 2 && h->bucket[1].count == 1);
		CHECK(h->bucket[2].lo == 4 && h->bucket[2].count == 1);
		CHECK(h->bucket[3].lo == 16 && h->bucket[3].count == 2);
	}
	CHECK(pmdstat_find_hist(&sum, "unshare_ns") != NULL);
	CHECK_U64(sum.callers.nr, 2);
	c = &sum.callers.rec[0];
	CHECK_U64(pmdstat_kv_get(c, "acquired", 0), 3);
	CHECK_U64(pmdstat_kv_get(c, "wait_total_ns", 0), 8);
	CHECK_U64(pmdstat_kv_get(c, "wait_max_ns", 0), 5);	/* the larger */
	CHECK_U64(pmdstat_kv_get(c, "hold_max_ns", 0), 30);
	CHECK_STR(pmdstat_kv_str(c, "func", ""), "f");
	CHECK_U64(pmdstat_kv_get(&sum.lock_state, "tracked_i_mmap", 0), 3);	/* the last */
	CHECK_U64(pmdstat_kv_get(&sum.lock_state, "threshold_us", 0), 20);
	CHECK_U64(pmdstat_kv_get(&sum.lock_state, "track_full", 0), 3);	/* added */
	CHECK_U64(pmdstat_kv_get(&sum.totals, "unshare_calls", 0), 1);
	pmdstat_stats_free(&sum);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
}

/* ---- malformed recordings ---- */

static int count_line(const struct pmdstat_rec_line *l, void *ctx, char *msg,
		      size_t size)
{
	struct pmdstat_stats st;
	int err = pmdstat_stats_from_json(l->obj, &st, msg, size);

	if (!err) {
		pmdstat_stats_free(&st);
		(*(unsigned int *)ctx)++;
	}
	return err;
}

static void test_report_malformed(void)
{
	static const struct {
		const char *from;	/* the first of this in a good line ... */
		const char *edit;	/* ... becomes this */
		const char *msg;	/* in the message */
	} cases[] = {
		{ "\"t\":", "\"t\":-1,\"t_old\":", "\"t\" is not a number of seconds" },
		{ "\"t\":2.000,", "", "no \"t\"" },
		{ "\"interval_s\":", "\"interval_s\":\"1\",\"i_old\":", "\"interval_s\" is not a number" },
		{ "\"version\":", "\"version\":2,\"v_old\":", "newer than this pmdstat" },
		{ "\"kernel\":", "\"kernel\":3,\"k_old\":", "\"kernel\" is a number" },
		{ "\"probes\":", "\"probes\":{},\"p_old\":", "probes: an object, not an array" },
		{ "\"hits\":", "\"hits\":\"x\",\"h_old\":", "hits=x is not an unsigned decimal number" },
		{ "\"hits\":", "\"hits\":1.5,\"h_old\":", "\"hits\" is a number, not an unsigned integer" },
		{ "\"hits\":", "\"hits\":-1,\"h_old\":", "\"hits\" is a number, not an unsigned integer" },
		{ "\"comm\":", "\"comm\":\"a b\",\"c_old\":", "a space or a newline" },
		{ "\"buckets\":", "\"buckets\":[[1,2]],\"b_old\":", "a bucket is not [lo, hi, count]" },
		{ "\"buckets\":", "\"buckets\":[[9,2,1]],\"b_old\":", "lo 9 is above hi 2" },
		{ "\"totals\":", "\"totals\":[],\"t_old\":", "\"totals\" is an array" },
		{ "\"kind\":", "\"kind\":\"other\",\"k_old\":", "kind=other is not one of i_mmap, vma_lock" },
		{ "\"histograms\":{", "\"histograms\":{\"x y\":{},", "cannot come from pmdstat" },
		{ "\"t\":", "\"t\":1,\"t\":", "appears twice" },
	};
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats a, b, d;
	pmdstat_out_t good;
	char msg[512], doc[65536], want[32];
	u64 t = 2000, state = SEED;
	unsigned int n;
	size_t i;
	FILE *f;
	int rc;

	tame_snapshot(s, SEED);
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &a));
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &b));
	pmdstat_stats_delta(&a, &b, &d);
	pmdstat_out_init(&good);
	record_lines(&good, &d, 1, &t);
	CHECK(good.len < sizeof(doc) / 4);

	for (i = 0; i < TAP_COUNT(cases); i++) {
		const char *at = strstr(good.buf, cases[i].from);
		size_t off;

		if (!CHECK(at != NULL)) {
			printf("# no '%s' in the line\n", cases[i].from);
			continue;
		}
		off = (size_t)(at - good.buf);
		/* line 1 good, line 2 blank, line 3 broken, line 4 good */
		snprintf(doc, sizeof(doc), "%s\n%.*s%s%s%s", good.buf, (int)off, good.buf,
			 cases[i].edit, at + strlen(cases[i].from), good.buf);
		n = 0;
		f = text_file(doc);
		rc = pmdstat_recording_each(f, count_line, &n, msg, sizeof(msg));
		fclose(f);
		CHECK(rc == -EINVAL);
		CHECK_U64(n, 1);
		snprintf(want, sizeof(want), "line 3: ");
		if (!CHECK(!strncmp(msg, want, strlen(want)) && strstr(msg, cases[i].msg)))
			printf("# case %zu: '%s'\n", i, msg);
	}

	/* JSON, but not an object */
	snprintf(doc, sizeof(doc), "%s[1,2]\n", good.buf);
	f = text_file(doc);
	n = 0;
	rc = pmdstat_recording_each(f, count_line, &n, msg, sizeof(msg));
	fclose(f);
	CHECK(rc == -EINVAL && n == 1);
	CHECK_STR(msg, "line 2: an array, not an object");

	/* a last line cut off */
	snprintf(doc, sizeof(doc), "%s%.*s", good.buf, (int)(good.len / 2), good.buf);
	f = text_file(doc);
	n = 0;
	rc = pmdstat_recording_each(f, count_line, &n, msg, sizeof(msg));
	fclose(f);
	CHECK(rc == -EINVAL && n == 1);
	CHECK(!strncmp(msg, "line 2: not JSON: ", 18) && strstr(msg, "cut off"));

	/* an empty recording */
	{
		struct pmdstat_recording rec;

		f = text_file("\n\n");
		rc = pmdstat_recording_sum(f, &rec, msg, sizeof(msg));
		fclose(f);
		CHECK(rc == -ENODATA);
		CHECK(strstr(msg, "empty") != NULL);
		pmdstat_recording_free(&rec);
	}
	pmdstat_out_free(&good);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
	pmdstat_stats_free(&d);
	free(s);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_json_reader),
	TAP_TEST(test_record_roundtrip),
	TAP_TEST(test_report_sums),
	TAP_TEST(test_stats_add),
	TAP_TEST(test_report_malformed),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
