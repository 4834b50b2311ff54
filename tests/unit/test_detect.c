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

/* concurrent sharers under the read lock may report their counts late */
static void test_share_max(void)
{
	struct pmdstat_shadow *s = new_shadow();

	CHECK_U64(pmdstat_shadow_share(s, 7, 2), 0);
	CHECK_U64(pmdstat_shadow_share(s, 7, 1), 0);	/* stale, smaller */
	CHECK_U64(pmdstat_shadow_unshare_begin(s, 7, 2, 1, 1), 0);
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

static const struct tap_test tests[] = {
	TAP_TEST(test_correct_sequence),
	TAP_TEST(test_share_max),
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
