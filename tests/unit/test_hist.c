// SPDX-License-Identifier: GPL-2.0
/*
 * test_hist.c - the log2 and fine histograms (module/hist.c, hist.h), the
 * reader's folding of fine buckets into log2 rows, and the
 * reader's percentile and average estimates (loader/parse.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "parse.h"
#include "tap.h"
#include "testlib.h"

#define P63	((u64)1 << 63)

static void test_slot_boundaries(void)
{
	static const struct {
		u64 v;
		unsigned int slot;
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 5, 2 },
		{ 7, 2 }, { 8, 3 }, { 15, 3 }, { 16, 4 }, { 1023, 9 },
		{ 1024, 10 }, { ((u64)1 << 32) - 1, 31 }, { (u64)1 << 32, 32 },
		{ P63 - 1, 62 }, { P63, 63 }, { P63 + 1, 63 },
		{ UINT64_MAX, 63 },
	};
	unsigned int i;

	for (i = 0; i < TAP_COUNT(cases); i++)
		if (!CHECK_U64(pmdstat_hist_slot(cases[i].v), cases[i].slot))
			printf("#   value %llu\n", (unsigned long long)cases[i].v);
}

static void test_slot_every_power_of_two(void)
{
	unsigned int i;

	for (i = 1; i < 64; i++) {
		u64 p = (u64)1 << i;

		CHECK_U64(pmdstat_hist_slot(p), i);
		CHECK_U64(pmdstat_hist_slot(p - 1), i - 1);
		CHECK_U64(pmdstat_hist_slot(p + 1), i == 1 ? 1 : i);
	}
}

static void test_bucket_bounds(void)
{
	unsigned int i;

	CHECK_U64(pmdstat_hist_lo(0), 0);
	CHECK_U64(pmdstat_hist_hi(0), 1);
	CHECK_U64(pmdstat_hist_lo(1), 2);
	CHECK_U64(pmdstat_hist_hi(1), 3);
	CHECK_U64(pmdstat_hist_lo(2), 4);
	CHECK_U64(pmdstat_hist_hi(2), 7);
	CHECK_U64(pmdstat_hist_lo(3), 8);
	CHECK_U64(pmdstat_hist_hi(3), 15);
	CHECK_U64(pmdstat_hist_lo(62), (u64)1 << 62);
	CHECK_U64(pmdstat_hist_hi(62), P63 - 1);
	CHECK_U64(pmdstat_hist_lo(63), P63);
	CHECK_U64(pmdstat_hist_hi(63), UINT64_MAX);
	/* each bucket holds its bounds, and the buckets tile [0, 2^64) */
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		CHECK_U64(pmdstat_hist_slot(pmdstat_hist_lo(i)), i);
		CHECK_U64(pmdstat_hist_slot(pmdstat_hist_hi(i)), i);
		CHECK(pmdstat_hist_lo(i) <= pmdstat_hist_hi(i));
		if (i + 1 < PMDSTAT_HIST_SLOTS)
			CHECK_U64(pmdstat_hist_hi(i) + 1, pmdstat_hist_lo(i + 1));
	}
}

static void test_add(void)
{
	struct pmdstat_hist h = { 0 };
	unsigned int i;

	pmdstat_hist_add(&h, 0);
	pmdstat_hist_add(&h, 1);
	pmdstat_hist_add(&h, 3);
	pmdstat_hist_add(&h, 4);
	pmdstat_hist_add(&h, 7);
	pmdstat_hist_add(&h, 8);
	pmdstat_hist_add(&h, 1000);
	CHECK_U64(h.count, 7);
	CHECK_U64(h.sum, 1023);
	CHECK_U64(h.max, 1000);
	CHECK_U64(h.slot[0], 2);
	CHECK_U64(h.slot[1], 1);
	CHECK_U64(h.slot[2], 2);
	CHECK_U64(h.slot[3], 1);
	CHECK_U64(h.slot[9], 1);
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++)
		if (i > 3 && i != 9)
			CHECK_U64(h.slot[i], 0);

	memset(&h, 0, sizeof(h));
	pmdstat_hist_add(&h, UINT64_MAX);
	pmdstat_hist_add(&h, P63);
	CHECK_U64(h.slot[63], 2);
	CHECK_U64(h.max, UINT64_MAX);
	CHECK_U64(h.sum, P63 - 1);	/* wraps modulo 2^64 */
}

static void test_merge(void)
{
	struct pmdstat_hist a = { 0 }, b = { 0 }, both = { 0 }, m;
	u64 state = 42;
	unsigned int i;

	for (i = 0; i < 500; i++) {
		u64 v = test_rand(&state) >> (test_rand(&state) % 64);
		struct pmdstat_hist *h = i % 3 ? &a : &b;

		pmdstat_hist_add(h, v);
		pmdstat_hist_add(&both, v);
	}
	m = a;
	pmdstat_hist_merge(&m, &b);
	CHECK(!memcmp(&m, &both, sizeof(m)));
	CHECK_U64(m.count, 500);

	/* merge order does not matter; max is the larger one */
	m = b;
	pmdstat_hist_merge(&m, &a);
	CHECK(!memcmp(&m, &both, sizeof(m)));

	/* empty is the identity */
	memset(&m, 0, sizeof(m));
	pmdstat_hist_merge(&m, &a);
	CHECK(!memcmp(&m, &a, sizeof(m)));
	memset(&b, 0, sizeof(b));
	pmdstat_hist_merge(&m, &b);
	CHECK(!memcmp(&m, &a, sizeof(m)));

	/* max comes from src when src's is larger, else stays */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	pmdstat_hist_add(&a, 10);
	pmdstat_hist_add(&b, 99);
	pmdstat_hist_merge(&a, &b);
	CHECK_U64(a.max, 99);
	pmdstat_hist_merge(&a, &a);
	CHECK_U64(a.max, 99);
	CHECK_U64(a.count, 4);
	CHECK_U64(a.slot[3], 2);
	CHECK_U64(a.slot[6], 2);
}

/* A parsed hist from (lo, hi, count) triples. */
static void make_phist(struct pmdstat_phist *h, u64 max, const u64 (*b)[3],
		       size_t n)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->name = strdup("t");
	h->unit = strdup("ns");
	h->max = max;
	h->bucket = calloc(n ? n : 1, sizeof(*h->bucket));
	for (i = 0; i < n; i++) {
		h->bucket[i].lo = b[i][0];
		h->bucket[i].hi = b[i][1];
		h->bucket[i].count = b[i][2];
		h->count += b[i][2];
	}
	h->nr_buckets = n;
}

static void test_percentile_empty(void)
{
	struct pmdstat_phist h;

	make_phist(&h, 0, NULL, 0);
	CHECK_U64(pmdstat_hist_percentile(&h, 0), 0);
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 0);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 0);
	CHECK_U64(pmdstat_hist_avg(&h), 0);
	test_free_phist(&h);
}

static void test_percentile_one_bucket(void)
{
	static const u64 b[][3] = { { 8, 15, 4 } };
	struct pmdstat_phist h;

	/* rank r of 4 in [8, 15]: 8 + 7 * r / 4 */
	make_phist(&h, 15, b, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 0), 9);	/* rank 1 at least */
	CHECK_U64(pmdstat_hist_percentile(&h, 1), 9);	/* ceil(0.04) = 1 */
	CHECK_U64(pmdstat_hist_percentile(&h, 25), 9);
	CHECK_U64(pmdstat_hist_percentile(&h, 26), 11);	/* ceil(1.04) = 2 */
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 11);
	CHECK_U64(pmdstat_hist_percentile(&h, 75), 13);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 15);
	test_free_phist(&h);

	/* the same with max 12: clamped */
	make_phist(&h, 12, b, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 11);
	CHECK_U64(pmdstat_hist_percentile(&h, 75), 12);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 12);
	/* p out of range is clamped to 0..100 */
	CHECK_U64(pmdstat_hist_percentile(&h, -5), 9);
	CHECK_U64(pmdstat_hist_percentile(&h, 250), 12);
	h.sum = 44;
	CHECK_U64(pmdstat_hist_avg(&h), 11);
	test_free_phist(&h);
}

static void test_percentile_two_buckets(void)
{
	static const u64 b[][3] = { { 8, 15, 3 }, { 16, 31, 7 } };
	struct pmdstat_phist h;

	make_phist(&h, 30, b, 2);
	CHECK_U64(h.count, 10);
	CHECK_U64(pmdstat_hist_percentile(&h, 10), 10);	/* 8 + 7*1/3 */
	CHECK_U64(pmdstat_hist_percentile(&h, 20), 12);	/* 8 + 7*2/3 */
	CHECK_U64(pmdstat_hist_percentile(&h, 30), 15);	/* 8 + 7*3/3 */
	CHECK_U64(pmdstat_hist_percentile(&h, 31), 18);	/* rank 4: 16 + 15*1/7 */
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 20);	/* rank 5: 16 + 15*2/7 */
	CHECK_U64(pmdstat_hist_percentile(&h, 90), 28);	/* rank 9: 16 + 15*6/7 */
	CHECK_U64(pmdstat_hist_percentile(&h, 99), 30);	/* rank 10: 31, clamped */
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 30);	/* p100 is max */
	h.sum = 203;
	CHECK_U64(pmdstat_hist_avg(&h), 20);
	test_free_phist(&h);
}

static void test_percentile_zero_bucket(void)
{
	static const u64 b[][3] = { { 0, 1, 2 } };
	struct pmdstat_phist h;

	make_phist(&h, 1, b, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 0);	/* 0 + 1*1/2 */
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 1);
	test_free_phist(&h);
	/* only zeros: max 0 */
	make_phist(&h, 0, b, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 0);
	test_free_phist(&h);
}

static void test_percentile_huge(void)
{
	static const u64 top[][3] = { { P63, UINT64_MAX, 1 } };
	static const u64 big[][3] = { { (u64)1 << 62, P63 - 1, (u64)1 << 40 } };
	struct pmdstat_phist h;

	make_phist(&h, UINT64_MAX, top, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 50), UINT64_MAX);
	test_free_phist(&h);

	/* (hi - lo) * rank overflows 64 bits: 2^62 + (2^62 - 1) / 2 */
	make_phist(&h, P63 - 1, big, 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 50),
		  ((u64)1 << 62) + ((u64)1 << 61) - 1);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), P63 - 1);
	test_free_phist(&h);
}

static void test_percentile_short_buckets(void)
{
	static const u64 b[][3] = { { 4, 7, 2 }, { 8, 15, 3 } };
	struct pmdstat_phist h;

	/* count says 10, buckets hold 5 (a racy snapshot): ranks past them give max */
	make_phist(&h, 14, b, 2);
	h.count = 10;
	CHECK_U64(pmdstat_hist_percentile(&h, 10), 5);	/* rank 1: 4 + 3*1/2 */
	CHECK_U64(pmdstat_hist_percentile(&h, 90), 14);
	test_free_phist(&h);
}

static void test_percentile_of_added_values(void)
{
	struct pmdstat_hist raw = { 0 };
	struct pmdstat_phist h;
	unsigned int i;

	/* 100 values 1000..1099: all in [512, 1023] or [1024, 2047] */
	for (i = 0; i < 100; i++)
		pmdstat_hist_add(&raw, 1000 + i);
	test_phist_from(&h, &raw);
	CHECK_U64(h.nr_buckets, 2);
	CHECK_U64(h.bucket[0].count, 24);	/* 1000..1023 */
	CHECK_U64(h.bucket[1].count, 76);
	CHECK_U64(pmdstat_hist_avg(&h), 1049);	/* (1000 + 1099) / 2 */
	/* rank 10: 512 + 511 * 10 / 24 */
	CHECK_U64(pmdstat_hist_percentile(&h, 10), 724);
	/* rank 50: 1024 + 1023 * 26 / 76 = 1373, above max: clamped */
	CHECK_U64(pmdstat_hist_percentile(&h, 50), 1099);
	/* rank 24: top of the first bucket */
	CHECK_U64(pmdstat_hist_percentile(&h, 24), 1023);
	CHECK_U64(pmdstat_hist_percentile(&h, 100), 1099);
	test_free_phist(&h);
}

static void test_fine_bounds(void)
{
	static const struct {
		u64 v;
		unsigned int slot;
		u64 lo, hi;
	} cases[] = {
		{ 0, 0, 0, 0 }, { 3, 3, 3, 3 }, { 4, 4, 4, 4 }, { 7, 7, 7, 7 },
		{ 8, 8, 8, 9 }, { 9, 8, 8, 9 }, { 15, 11, 14, 15 },
		{ 16, 12, 16, 19 }, { 511, 31, 448, 511 }, { 512, 32, 512, 639 },
		{ 639, 32, 512, 639 }, { 640, 33, 640, 767 }, { 1023, 35, 896, 1023 },
		{ P63, 248, P63, P63 + ((u64)1 << 61) - 1 },
		{ UINT64_MAX, 251, P63 + ((u64)3 << 61), UINT64_MAX },
	};
	unsigned int i;

	for (i = 0; i < TAP_COUNT(cases); i++) {
		unsigned int s = pmdstat_fhist_slot(cases[i].v);

		if (!CHECK_U64(s, cases[i].slot))
			printf("#   value %llu\n", (unsigned long long)cases[i].v);
		CHECK_U64(pmdstat_fhist_lo(s), cases[i].lo);
		CHECK_U64(pmdstat_fhist_hi(s), cases[i].hi);
	}
	/* the sub-buckets tile [0, 2^64), each inside one log2 bucket */
	CHECK_U64(pmdstat_fhist_lo(0), 0);
	CHECK_U64(pmdstat_fhist_hi(PMDSTAT_FHIST_SLOTS - 1), UINT64_MAX);
	for (i = 0; i < PMDSTAT_FHIST_SLOTS; i++) {
		CHECK_U64(pmdstat_fhist_slot(pmdstat_fhist_lo(i)), i);
		CHECK_U64(pmdstat_fhist_slot(pmdstat_fhist_hi(i)), i);
		CHECK_U64(pmdstat_hist_slot(pmdstat_fhist_lo(i)),
			  pmdstat_hist_slot(pmdstat_fhist_hi(i)));
		if (i + 1 < PMDSTAT_FHIST_SLOTS)
			CHECK_U64(pmdstat_fhist_hi(i) + 1, pmdstat_fhist_lo(i + 1));
	}
}

/* a fine hist through the stats format: 4x the log2 resolution */
static void test_fine_percentile(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_fhist *f;
	struct pmdstat_stats st;
	const struct pmdstat_phist *h;
	unsigned int i;

	if (!CHECK(s != NULL))
		return;
	f = &s->role[PMDSTAT_ROLE_UNSHARE].lat;
	/* 100 values 520..619: in [512, 639], one log2 bucket [512, 1023] */
	for (i = 0; i < 100; i++)
		pmdstat_fhist_add(f, 520 + i);
	/* and 100 values 400..499 in [384, 447] and [448, 511] */
	for (i = 0; i < 100; i++)
		pmdstat_fhist_add(f, 400 + i);
	if (!CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK))
		goto out;
	h = pmdstat_find_hist(&st, "unshare_ns");
	if (CHECK(h != NULL)) {
		CHECK_U64(h->nr_fine, 3);
		CHECK_U64(h->fine[0].count, 48);	/* 400..447 */
		CHECK_U64(h->fine[1].count, 52);	/* 448..499 */
		CHECK_U64(h->fine[2].count, 100);
		/* display: two log2 rows */
		CHECK_U64(h->nr_buckets, 2);
		CHECK_U64(h->bucket[0].lo, 256);
		CHECK_U64(h->bucket[0].hi, 511);
		CHECK_U64(h->bucket[0].count, 100);
		CHECK_U64(h->bucket[1].lo, 512);
		CHECK_U64(h->bucket[1].count, 100);
		/* rank 100: top of [448, 511]; log2 buckets alone said 511 too */
		CHECK_U64(pmdstat_hist_percentile(h, 50), 511);
		/* rank 150: 512 + 127 * 50 / 100; log2 buckets: 512 + 511 / 2 = 767 */
		CHECK_U64(pmdstat_hist_percentile(h, 75), 575);
		/* rank 24: 384 + 63 * 24 / 48 */
		CHECK_U64(pmdstat_hist_percentile(h, 12), 415);
	}
	pmdstat_stats_free(&st);
out:
	free(s);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_slot_boundaries),
	TAP_TEST(test_slot_every_power_of_two),
	TAP_TEST(test_bucket_bounds),
	TAP_TEST(test_add),
	TAP_TEST(test_merge),
	TAP_TEST(test_percentile_empty),
	TAP_TEST(test_percentile_one_bucket),
	TAP_TEST(test_percentile_two_buckets),
	TAP_TEST(test_percentile_zero_bucket),
	TAP_TEST(test_percentile_huge),
	TAP_TEST(test_percentile_short_buckets),
	TAP_TEST(test_percentile_of_added_values),
	TAP_TEST(test_fine_bounds),
	TAP_TEST(test_fine_percentile),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
