// SPDX-License-Identifier: GPL-2.0
/*
 * test_record.c - recordings (loader/record.c) and the sum of snapshots
 * (pmdstat_stats_add): a delta written as an interval of a recording (a
 * record line and a stats block) and read back is the same delta; the
 * report of several intervals is the delta over all of them; malformed
 * intervals are refused with the line number in the recording.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The stats text format of st. */
static char *text_of(const struct pmdstat_stats *st)
{
	pmdstat_out_t out;

	pmdstat_out_init(&out);
	pmdstat_stats_write(&out, st);
	return out.buf;
}

/* The intervals of deltas[0..n), t in ms at the end of each. */
static void record_lines(pmdstat_out_t *out, const struct pmdstat_stats *deltas,
			 size_t n, const u64 *t_ms)
{
	size_t i;

	for (i = 0; i < n; i++)
		pmdstat_record_write(out, &deltas[i], t_ms[i],
				     t_ms[i] - (i ? t_ms[i - 1] : 0));
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!CHECK(f != NULL))
		printf("# fmemopen: %s\n", strerror(errno));
	return f;
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
	return pmdstat_stats_dup(l->st, &c->st[c->n++]);
}

static void test_record_roundtrip(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats a, b, d;
	struct collect c = { 0 };
	const u64 t = 12345;
	pmdstat_out_t line;
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
	/* the record line, then the delta in the module's own format */
	CHECK(starts_with(line.buf, "record t=12345 interval=12345\npmdstat-stats version=1\nkernel release="));
	CHECK(line.len && line.buf[line.len - 1] == '\n');
	CHECK(strstr(line.buf, "\nTotals: hits=") != NULL);
	CHECK(strstr(line.buf, "\nhist name=share_ns unit=ns count=") != NULL);

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
		want = text_of(&d);
		got = text_of(&c.st[0]);
		if (!CHECK_STR(got, want))
			printf("# the delta read back differs\n");
		free(want);
		free(got);
		want = json_of(&d);
		got = json_of(&c.st[0]);
		if (!CHECK_STR(got, want))
			printf("# the delta read back renders differently\n");
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
	pmdstat_out_append(&text, "\n  \n", 4);	/* blank lines are allowed */
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
		pmdstat_out_t out;

		pmdstat_out_init(&out);
		pmdstat_render_json(&out, &rec.sum, &ro);
		CHECK(strstr(out.buf, ",\"intervals\":4,") != NULL);
		CHECK(strstr(out.buf, "\"span_s\":4.500") != NULL);
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
	(void)l;
	(void)msg;
	(void)size;
	(*(unsigned int *)ctx)++;
	return 0;
}

/* Line number (1-based) of the byte at off in text. */
static unsigned int line_at(const char *text, size_t off)
{
	unsigned int n = 1;
	size_t i;

	for (i = 0; i < off; i++)
		n += text[i] == '\n';
	return n;
}

static int read_doc(const char *doc, unsigned int *n, char *msg, size_t size)
{
	FILE *f = text_file(doc);
	int rc;

	*n = 0;
	rc = pmdstat_recording_each(f, count_line, n, msg, size);
	fclose(f);
	return rc;
}

static void test_report_malformed(void)
{
	static const struct {
		const char *from;	/* the first of this in a good interval ... */
		const char *edit;	/* ... becomes this */
		const char *msg;	/* in the message */
	} cases[] = {
		{ "record t=2000 ", "record t=-1 ", "record: 't=-1' is not a number of ms" },
		{ "record t=2000 ", "record t=2x ", "record: 't=2x' is not a number of ms" },
		{ " interval=2000\n", " i=1\n", "record: no interval=" },
		{ "record t=2000 ", "record ", "record: no t=" },
		{ "version=1", "version=2", "newer than this pmdstat" },
		{ " hits=", " hits=x h_old=", "hits=x is not an unsigned decimal number" },
		{ "kind=i_mmap", "kind=other", "kind=other is not one of i_mmap, vma_lock" },
		{ "\nend\n", "\n", "has no 'end' line" },
		{ "\nbucket ", "\nbucket 9 2 1\nbucket ", "lo 9 is above hi 2" },
		{ "kernel release=", "pmdstat-stats version=1\nkernel release=", "a second 'pmdstat-stats' header" },
	};
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats a, b, d;
	pmdstat_out_t good;
	char msg[512], want[32], *doc;
	u64 t = 2000, state = SEED;
	unsigned int n;
	size_t i, docsize;
	int rc;

	tame_snapshot(s, SEED);
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &a));
	evolve(s, &state);
	CHECK(!parse_snapshot(s, &b));
	pmdstat_stats_delta(&a, &b, &d);
	pmdstat_out_init(&good);
	record_lines(&good, &d, 1, &t);
	docsize = 3 * good.len + 256;
	doc = malloc(docsize);

	for (i = 0; doc && i < TAP_COUNT(cases); i++) {
		const char *at = strstr(good.buf, cases[i].from);
		size_t off;

		if (!CHECK(at != NULL)) {
			printf("# no '%s' in the interval\n", cases[i].from);
			continue;
		}
		off = (size_t)(at - good.buf);
		/* interval 1 good, a blank line, interval 2 broken, interval 3 good */
		snprintf(doc, docsize, "%s\n%.*s%s%s%s", good.buf, (int)off, good.buf,
			 cases[i].edit, at + strlen(cases[i].from), good.buf);
		rc = read_doc(doc, &n, msg, sizeof(msg));
		CHECK(rc == -EINVAL);
		CHECK_U64(n, 1);
		/* the line of the edit, as a line of the recording */
		snprintf(want, sizeof(want), "line %u: ",
			 line_at(doc, good.len + 1 + off + (cases[i].edit[0] == '\n')));
		if (!CHECK(!strncmp(msg, want, strlen(want)) && strstr(msg, cases[i].msg)))
			printf("# case %zu: '%s' (want '%s...%s')\n", i, msg, want, cases[i].msg);
	}

	/* not a recording: a stats file, or a JSON line of an older pmdstat */
	CHECK(read_doc(good.buf + strlen("record t=2000 interval=2000\n"), &n, msg,
		       sizeof(msg)) == -EINVAL);
	CHECK(starts_with(msg, "line 1: not a pmdstat recording: it must start with a 'record t=MS interval=MS' line ("));
	CHECK(read_doc("\n{\"t\":1}\n", &n, msg, sizeof(msg)) == -EINVAL && n == 0);
	CHECK(!strncmp(msg, "line 2: not a pmdstat recording", 31) && strstr(msg, "JSON recordings"));

	/* the last interval cut off */
	if (doc) {
		snprintf(doc, docsize, "%s%.*s", good.buf, (int)(good.len / 2), good.buf);
		CHECK(read_doc(doc, &n, msg, sizeof(msg)) == -EINVAL && n == 1);
		if (!CHECK(strstr(msg, "was the recording cut off?") != NULL))
			printf("# %s\n", msg);
	}

	/* an empty recording */
	{
		struct pmdstat_recording rec;
		FILE *f = text_file("\n\n");

		rc = pmdstat_recording_sum(f, &rec, msg, sizeof(msg));
		fclose(f);
		CHECK(rc == -ENODATA);
		CHECK(strstr(msg, "empty") != NULL);
		pmdstat_recording_free(&rec);
	}
	free(doc);
	pmdstat_out_free(&good);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
	pmdstat_stats_free(&d);
	free(s);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_record_roundtrip),
	TAP_TEST(test_report_sums),
	TAP_TEST(test_stats_add),
	TAP_TEST(test_report_malformed),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
