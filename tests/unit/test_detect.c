// SPDX-License-Identifier: GPL-2.0
/*
 * test_detect.c - drive every violation kind of the race and lock-rule
 * detector (module/detect.c) through the same code the module runs, and
 * check that a correct sequence of shares and unshares raises none.
 */
#include <stdlib.h>
#include "tap.h"
#include "detect.h"

#define V(k) (1U << (k))

static struct pmdstat_shadow *new_shadow(void)
{
	return calloc(1, sizeof(struct pmdstat_shadow));
}

/* N mms on one table, then N-1 unshares: the kernel's counts as it runs */
static void test_correct_sequence(void)
{
	struct pmdstat_shadow *s = new_shadow();
	const unsigned long long t = 0x1234;
	long long k;

	CHECK_U64(pmdstat_shadow_share(s, t, 0), 0);	/* creator: fresh table */
	for (k = 1; k <= 3; k++)			/* three attach */
		CHECK_U64(pmdstat_shadow_share(s, t, k), 0);
	CHECK_U64(s->nr, 1);
	for (k = 3; k >= 1; k--) {
		CHECK_U64(pmdstat_shadow_unshare_begin(s, t, k, 1, 1), 0);
		CHECK_U64(pmdstat_shadow_unshare_end(s, t, k, 1), 0);
	}
	CHECK_U64(s->nr, 0);				/* back to one mm: forgotten */
	CHECK_U64(s->compared, 3);			/* each unshare was compared */
	/* the owner's zap: not shared, returns 0 */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, t, 0, 1, 1), 0);
	CHECK_U64(pmdstat_shadow_unshare_end(s, t, 0, 0), 0);
	free(s);
}

/*
 * Two threads prefault one range: both attach (count 2) under the read
 * lock, the one that loses the race to populate the PUD drops its count
 * again (1) before it leaves.  The shares leave in that order; each reads
 * the count under the shadow's lock.  The later value is the truth: a
 * shadow that kept the maximum (2) reported shadow_mismatch here.
 */
static void test_share_losing_racer(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 7, 2), 0);	/* the winner leaves */
	CHECK_U64(pmdstat_shadow_share(s, 7, 1), 0);	/* the loser, after its decrement */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 7, 1, 1, 1), 0);
	/* and a count that really differs from the last one seen is caught */
	CHECK_U64(pmdstat_shadow_share(s, 8, 1), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 8, 2, 1, 1), V(PMDSTAT_V_SHADOW_MISMATCH));
	free(s);
}

/*
 * Stale entries: a table whose sharers went away unseen (the module was
 * loaded later, say) must not produce a mismatch when its page comes back
 * as a fresh table (count 0 at share or unshare: forgotten), and entries
 * that are never cleaned up must not fill the shadow (the oldest in a
 * full probe window is evicted).
 */
static void test_shadow_stale(void)
{
	struct pmdstat_shadow *s = new_shadow();
	unsigned long long t;

	CHECK_U64(pmdstat_shadow_share(s, 21, 3), 0);
	CHECK_U64(pmdstat_shadow_share(s, 21, 0), 0);	/* reused: one mm */
	CHECK_U64(s->nr, 0);
	CHECK_U64(pmdstat_shadow_share(s, 22, 2), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 22, 0, 1, 1), 0);
	CHECK_U64(s->nr, 0);
	CHECK_U64(pmdstat_shadow_share(s, 22, 1), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 22, 1, 1, 1), 0);
	/* 10x the table's size of tables that are never unshared */
	for (t = 100; t < 100 + 10 * PMDSTAT_SHADOW_SLOTS; t++)
		CHECK_U64(pmdstat_shadow_share(s, t, 1), 0);
	CHECK(s->nr <= PMDSTAT_SHADOW_SLOTS);
	CHECK(s->full > 0);
	/* the newest table is still followed */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, t - 1, 2, 1, 1), V(PMDSTAT_V_SHADOW_MISMATCH));
	CHECK_U64(pmdstat_shadow_unshare_begin(s, t - 1, 1, 1, 1), 0);
	free(s);
}

static void test_stray_ref(void)
{
	struct pmdstat_shadow *s = new_shadow();

	/* pt_share_count era: a table page has one reference; two is a stray */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 9, 0, 2, 1), V(PMDSTAT_V_STRAY_REF));
	free(s);
}

static void test_shadow_mismatch(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 5, 1), 0);
	/* an attach nobody saw under the rules: the kernel says 2 */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 5, 2, 1, 1), V(PMDSTAT_V_SHADOW_MISMATCH));
	/* and a count that dropped outside an unshare */
	CHECK_U64(pmdstat_shadow_share(s, 6, 2), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 6, 1, 1, 1), V(PMDSTAT_V_SHADOW_MISMATCH));
	free(s);
}

static void test_negative(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 3, -1), V(PMDSTAT_V_NEGATIVE));
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 3, -1, 1, 1), V(PMDSTAT_V_NEGATIVE));
	/* an unshare that returns 1 on a table nobody shares */
	CHECK_U64(pmdstat_shadow_unshare_end(s, 3, 0, 1), V(PMDSTAT_V_NEGATIVE));
	free(s);
}

static void test_several_at_once(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 11, 3), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 11, -1, 4, 1),
		  V(PMDSTAT_V_NEGATIVE) | V(PMDSTAT_V_STRAY_REF) | V(PMDSTAT_V_SHADOW_MISMATCH));
	free(s);
}

static void test_unshare_rules(void)
{
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_YES, PMDSTAT_YES, false), 0);
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_NO, PMDSTAT_YES, false),
		  V(PMDSTAT_V_UNSHARE_NO_IMMAP));
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_YES, PMDSTAT_NO, false),
		  V(PMDSTAT_V_UNSHARE_NO_VMALOCK));
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_NO, PMDSTAT_NO, false),
		  V(PMDSTAT_V_UNSHARE_NO_IMMAP) | V(PMDSTAT_V_UNSHARE_NO_VMALOCK));
	/* hugetlb_split() holds the rmap lock only, by design */
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_YES, PMDSTAT_NO, true), 0);
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_NO, PMDSTAT_NO, true),
		  V(PMDSTAT_V_UNSHARE_NO_IMMAP));
	/* what cannot be read is not a violation */
	CHECK_U64(pmdstat_rule_unshare(1, PMDSTAT_UNKNOWN, PMDSTAT_UNKNOWN, false), 0);
	/* an unshare that found nothing shared changed nothing */
	CHECK_U64(pmdstat_rule_unshare(0, PMDSTAT_NO, PMDSTAT_NO, false), 0);
}

static void test_share_and_acquire_rules(void)
{
	CHECK_U64(pmdstat_rule_share(PMDSTAT_YES), 0);
	CHECK_U64(pmdstat_rule_share(PMDSTAT_NO), V(PMDSTAT_V_SHARE_NO_IMMAP));
	CHECK_U64(pmdstat_rule_share(PMDSTAT_UNKNOWN), 0);
	CHECK_U64(pmdstat_rule_acquire(true, false), V(PMDSTAT_V_RECURSION));
	CHECK_U64(pmdstat_rule_acquire(true, true), 0);	/* a trylock never blocks */
	CHECK_U64(pmdstat_rule_acquire(false, false), 0);
}

static void test_names(void)
{
	unsigned int k;

	for (k = 0; k < PMDSTAT_NR_VIOLATIONS; k++)
		CHECK(strcmp(pmdstat_violation_name(k), "unknown") != 0);
	CHECK_STR(pmdstat_violation_name(PMDSTAT_NR_VIOLATIONS), "unknown");
}

/* many tables: probe chains survive removals (backward-shift deletion) */
static void test_shadow_table(void)
{
	struct pmdstat_shadow *s = new_shadow();
	unsigned long long t;

	for (t = 1; t <= 600; t++)
		CHECK_U64(pmdstat_shadow_share(s, t, 2), 0);
	CHECK_U64(s->nr + s->full, 600);
	for (t = 1; t <= 600; t += 2)	/* take every other one to zero */
		if (pmdstat_shadow_unshare_begin(s, t, 2, 1, 1) == 0) {
			pmdstat_shadow_unshare_end(s, t, 2, 1);
			pmdstat_shadow_unshare_end(s, t, 1, 1);
		}
	for (t = 2; t <= 600; t += 2)	/* the others are all still found */
		CHECK_U64(pmdstat_shadow_unshare_begin(s, t, 2, 1, 1), 0);
	free(s);
}

/* shadow_hash() of detect.c */
static unsigned int home_of(unsigned long long table)
{
	return (unsigned int)((table * 0x9e3779b97f4a7c15ULL) >> 54) &
	       (PMDSTAT_SHADOW_SLOTS - 1);
}

/* n tables whose home slot is h, from *next on */
static void tables_at(unsigned int h, unsigned long long *out, unsigned int n,
		      unsigned long long *next)
{
	unsigned int k = 0;

	for (; k < n; (*next)++)
		if (home_of(*next) == h)
			out[k++] = *next;
}

/*
 * A cluster longer than the probe window: 16 tables at home h fill
 * h..h+15, a table at home h+1 lands in h+16.  Removing the one at h moves
 * the other 15 back; the one at h+16 must follow into h+15, or a lookup
 * from h+1 stops at the empty h+15 and loses it.  (Deletion that scanned
 * only the 15 slots after the deleted one lost it.)
 */
static void test_shadow_long_cluster(void)
{
	struct pmdstat_shadow *s = new_shadow();
	unsigned long long a[16], b[1], next = 1;
	unsigned int i;

	tables_at(100, a, 16, &next);
	next = 1;
	tables_at(101, b, 1, &next);
	for (i = 0; i < 16; i++)
		CHECK_U64(pmdstat_shadow_share(s, a[i], 5), 0);
	CHECK_U64(pmdstat_shadow_share(s, b[0], 5), 0);
	CHECK_U64(s->full, 0);
	CHECK_U64(pmdstat_shadow_unshare_end(s, a[0], 1, 1), 0);	/* removed */
	CHECK_U64(s->nr, 16);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, b[0], 6, 1, 1), V(PMDSTAT_V_SHADOW_MISMATCH));
	for (i = 1; i < 16; i++)
		CHECK_U64(pmdstat_shadow_unshare_begin(s, a[i], 6, 1, 1),
			  V(PMDSTAT_V_SHADOW_MISMATCH));
	free(s);
}

/* A share that went unseen (the caller moved the epoch): no comparison. */
static void test_shadow_epoch(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 31, 1), 0);
	s->epoch++;	/* e.g. a filtered-out share attached to it */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 31, 2, 1, 1), 0);
	CHECK_U64(s->blind, 1);
	CHECK_U64(s->compared, 0);
	/* the unshare's own update brings the entry into this epoch */
	CHECK_U64(pmdstat_shadow_unshare_end(s, 31, 2, 1), 0);
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 31, 1, 1, 1), 0);
	CHECK_U64(s->compared, 1);
	free(s);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_shadow_long_cluster),
	TAP_TEST(test_shadow_epoch),
	TAP_TEST(test_correct_sequence),
	TAP_TEST(test_share_losing_racer),
	TAP_TEST(test_shadow_stale),
	TAP_TEST(test_stray_ref),
	TAP_TEST(test_shadow_mismatch),
	TAP_TEST(test_negative),
	TAP_TEST(test_several_at_once),
	TAP_TEST(test_unshare_rules),
	TAP_TEST(test_share_and_acquire_rules),
	TAP_TEST(test_names),
	TAP_TEST(test_shadow_table),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
