// SPDX-License-Identifier: GPL-2.0
/*
 * test_races.c - the race detector's lines of the stats file (races,
 * violations, violation, overlap) in the reader: round trips of
 * hand-built snapshots through module/format.c, malformed lines rejected
 * with their line numbers, the interval delta, the "races" JSON member
 * read back with the strict JSON parser, and the text section.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "out.h"
#include "parse.h"
#include "render.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x7ace5eedULL

/* The race lines of the example: the module's order, after the locks line. */
static const char example_race_lines[] =
	"races overlaps=7 checked_unshares=36 unverified_vma_lock=2 split_exempt=4 shadow_tables=5 shadow_full=1 log_drops=3 inject_delay_us=300\n"
	"violations stray_ref=0 shadow_mismatch=2 negative_count=0 unshare_without_i_mmap_write=0 unshare_without_vma_lock_write=1 share_without_i_mmap_read=0 recursive_acquire=0\n"
	"violation rank=1 kind=shadow_mismatch comm=pmdstat-contend pid=201 cpu=1 func=? at_ns=2539000505 detail=share_count?3,page_count?5,expected_refs?4 stack=huge_pmd_unshare+0x4d/0x360,__unmap_hugepage_range+0x1e4/0x7f0,unmap_single_vma+0x91/0xf0\n"
	"violation rank=2 kind=shadow_mismatch comm=pmdstat-contend pid=202 cpu=0 func=? at_ns=2539000999 detail=none stack=none\n"
	"violation rank=3 kind=unshare_without_vma_lock_write comm=a?b pid=203 cpu=3 func=hugetlb_change_protection at_ns=2600000000 detail=unshare stack=huge_pmd_unshare+0x4d/0x360\n"
	"overlap rank=1 at_ns=2588185875 share_pid=301 share_comm=sharer share_cpu=0 share_age_ns=310000 unshare_pid=302 unshare_comm=unsharer unshare_cpu=1 unshare_func=__unmap_hugepage_range\n"
	"overlap rank=2 at_ns=2588190000 share_pid=303 share_comm=12345 share_cpu=2 share_age_ns=950 unshare_pid=302 unshare_comm=unsharer unshare_cpu=1 unshare_func=hugetlb_unshare_pmds\n";

static const char old_module[] =
	"pmdstat-stats version=1\n"
	"kernel release=r module=m\n"
	"state elapsed_ns=1 resets=0 maxactive=64\n"
	"Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n";

/* test_example_stats with the race lines before Totals: (malloc'd). */
static char *example(void)
{
	const char *totals = strstr(test_example_stats, "Totals:");
	size_t n = sizeof(test_example_stats) + sizeof(example_race_lines);
	char *s = malloc(n);

	snprintf(s, n, "%.*s%s%s", (int)(totals - test_example_stats),
		 test_example_stats, example_race_lines, totals);
	return s;
}

static const char *const races_keys[] = {
	"overlaps", "checked_unshares", "unverified_vma_lock", "split_exempt",
	"shadow_tables", "shadow_full", "shadow_compared", "log_drops", "inject_delay_us",
};
static const char *const violation_keys[] = {
	"rank", "kind", "comm", "pid", "cpu", "func", "at_ns", "detail", "stack",
};
static const char *const overlap_keys[] = {
	"rank", "at_ns", "share_pid", "share_comm", "share_cpu", "share_age_ns",
	"unshare_pid", "unshare_comm", "unshare_cpu", "unshare_func",
};

static const char *or_default(const char *s, const char *def)
{
	return s[0] ? s : def;
}

/* Every race field of st against the snapshot it came from. */
static void check_races(const struct pmdstat_stats *st, const struct pmdstat_snapshot *s)
{
	unsigned int i;

	check_keys(&st->races, races_keys, TAP_COUNT(races_keys));
	CHECK_U64(kv_num(&st->races, "overlaps"), s->overlaps);
	CHECK_U64(kv_num(&st->races, "checked_unshares"), s->checked_unshares);
	CHECK_U64(kv_num(&st->races, "unverified_vma_lock"), s->unverified);
	CHECK_U64(kv_num(&st->races, "split_exempt"), s->split_exempt);
	CHECK_U64(kv_num(&st->races, "shadow_tables"), s->shadow_tables);
	CHECK_U64(kv_num(&st->races, "shadow_full"), s->shadow_full);
	CHECK_U64(kv_num(&st->races, "shadow_compared"), s->shadow_compared);
	CHECK_U64(kv_num(&st->races, "log_drops"), s->race_log_drops);
	CHECK_U64(kv_num(&st->races, "inject_delay_us"), s->inject_delay_us);

	if (CHECK_U64(st->violations.nr, PMDSTAT_NR_VIOLATIONS))
		for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++) {
			CHECK_STR(st->violations.kv[i].key, pmdstat_violation_name(i));
			CHECK_U64(kv_num(&st->violations, pmdstat_violation_name(i)),
				  s->violations[i]);
		}

	if (CHECK_U64(st->violation_log.nr, s->nr_vlog))
		for (i = 0; i < s->nr_vlog; i++) {
			const struct pmdstat_kvs *v = &st->violation_log.rec[i];
			const struct pmdstat_snap_violation *x = &s->vlog[i];

			check_keys(v, violation_keys, TAP_COUNT(violation_keys));
			CHECK_U64(kv_num(v, "rank"), i + 1);
			CHECK_STR(kv_str(v, "kind"), pmdstat_violation_name(x->kind));
			CHECK_STR(kv_str(v, "comm"), or_default(x->comm, "?"));
			CHECK_U64(kv_num(v, "pid"), x->pid);
			CHECK_U64(kv_num(v, "cpu"), x->cpu);
			CHECK_STR(kv_str(v, "func"), or_default(x->func, "?"));
			CHECK_U64(kv_num(v, "at_ns"), x->at_ns);
			CHECK_STR(kv_str(v, "detail"), or_default(x->detail, "none"));
			CHECK_STR(kv_str(v, "stack"), or_default(x->stack, "none"));
		}

	if (CHECK_U64(st->overlap_log.nr, s->nr_olog))
		for (i = 0; i < s->nr_olog; i++) {
			const struct pmdstat_kvs *o = &st->overlap_log.rec[i];
			const struct pmdstat_snap_overlap *x = &s->olog[i];

			check_keys(o, overlap_keys, TAP_COUNT(overlap_keys));
			CHECK_U64(kv_num(o, "rank"), i + 1);
			CHECK_U64(kv_num(o, "at_ns"), x->at_ns);
			CHECK_U64(kv_num(o, "share_pid"), x->share_pid);
			CHECK_STR(kv_str(o, "share_comm"), or_default(x->share_comm, "?"));
			CHECK_U64(kv_num(o, "share_cpu"), x->share_cpu);
			CHECK_U64(kv_num(o, "share_age_ns"), x->share_age_ns);
			CHECK_U64(kv_num(o, "unshare_pid"), x->unshare_pid);
			CHECK_STR(kv_str(o, "unshare_comm"), or_default(x->unshare_comm, "?"));
			CHECK_U64(kv_num(o, "unshare_cpu"), x->unshare_cpu);
			CHECK_STR(kv_str(o, "unshare_func"), or_default(x->func, "?"));
		}
}

static void test_roundtrip_races(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st;
	u64 seed;

	for (seed = SEED; seed < SEED + 10; seed++) {
		test_make_snapshot(s, seed);
		test_fill_races(s, seed, seed & 1);
		if (!CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK))
			continue;
		check_races(&st, s);
		pmdstat_stats_free(&st);
	}
	/* full logs, the longest values the snapshot holds, counters at the top */
	test_make_snapshot(s, SEED);
	test_fill_races(s, SEED, true);
	memset(s->vlog[3].stack, 'f', PMDSTAT_STACK_TEXT - 1);
	s->vlog[3].stack[PMDSTAT_STACK_TEXT - 1] = '\0';
	memset(s->vlog[5].detail, 'd', PMDSTAT_DETAIL_LEN - 1);
	s->vlog[5].detail[PMDSTAT_DETAIL_LEN - 1] = '\0';
	memset(s->vlog[6].func, 'g', PMDSTAT_FUNC_LEN - 1);
	s->vlog[6].func[PMDSTAT_FUNC_LEN - 1] = '\0';
	memset(s->olog[7].unshare_comm, 'c', PMDSTAT_COMM_LEN - 1);
	s->olog[7].unshare_comm[PMDSTAT_COMM_LEN - 1] = '\0';
	s->overlaps = UINT64_MAX;
	s->violations[PMDSTAT_NR_VKINDS - 1] = UINT64_MAX;
	s->olog[0].share_age_ns = UINT64_MAX;
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		check_races(&st, s);
		CHECK_U64(st.violation_log.nr, PMDSTAT_MAX_RACE_LOG);
		CHECK_U64(st.overlap_log.nr, PMDSTAT_MAX_RACE_LOG);
		pmdstat_stats_free(&st);
	}
	/* more than the file holds: the first PMDSTAT_MAX_RACE_LOG */
	s->nr_vlog = PMDSTAT_MAX_RACE_LOG + 5;
	s->nr_olog = PMDSTAT_MAX_RACE_LOG + 1;
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(st.violation_log.nr, PMDSTAT_MAX_RACE_LOG);
		CHECK_U64(st.overlap_log.nr, PMDSTAT_MAX_RACE_LOG);
		pmdstat_stats_free(&st);
	}
	/* a module that saw nothing: every line, zeros, no log */
	memset(s, 0, sizeof(*s));
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		check_races(&st, s);
		CHECK_U64(st.races.nr, TAP_COUNT(races_keys));
		CHECK_U64(st.violation_log.nr, 0);
		pmdstat_stats_free(&st);
	}
	free(s);
}

static void test_example_file(void)
{
	struct pmdstat_parse_error err;
	struct pmdstat_stats st, c;
	char *text = example();

	if (!CHECK(test_parse_str(text, &st, &err) == PMDSTAT_PARSE_OK)) {
		printf("# %s\n", err.msg);
		free(text);
		return;
	}
	CHECK_U64(pmdstat_kv_get(&st.races, "inject_delay_us", 0), 300);
	CHECK_U64(pmdstat_kv_get(&st.violations, "shadow_mismatch", 0), 2);
	CHECK_U64(st.violation_log.nr, 3);
	CHECK_STR(kv_str(&st.violation_log.rec[0], "detail"),
		  "share_count?3,page_count?5,expected_refs?4");
	CHECK_STR(kv_str(&st.violation_log.rec[1], "stack"), "none");
	CHECK_U64(st.overlap_log.nr, 2);
	CHECK_STR(kv_str(&st.overlap_log.rec[1], "share_comm"), "12345");
	/* the lock timing is as without the race lines */
	CHECK_U64(st.outliers.nr, 3);
	CHECK_U64(pmdstat_kv_get(&st.lock_state, "unmatched_releases", 0), 6);
	/* a copy has them too */
	if (CHECK(pmdstat_stats_dup(&st, &c) == 0)) {
		pmdstat_stats_free(&st);
		CHECK_U64(pmdstat_kv_get(&c.races, "overlaps", 0), 7);
		CHECK_U64(c.violations.nr, PMDSTAT_NR_VIOLATIONS);
		CHECK_U64(c.violation_log.nr, 3);
		CHECK_STR(kv_str(&c.overlap_log.rec[0], "unshare_func"),
			  "__unmap_hugepage_range");
		pmdstat_stats_free(&c);
	} else {
		pmdstat_stats_free(&st);
	}
	free(text);

	/* an older module: no race line at all */
	if (CHECK(test_parse_str(test_example_stats, &st, &err) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(st.races.nr, 0);
		CHECK_U64(st.violations.nr, 0);
		CHECK_U64(st.violation_log.nr, 0);
		CHECK_U64(st.overlap_log.nr, 0);
		pmdstat_stats_free(&st);
	}
}

/* A later module: kinds, keys and values this reader does not know. */
static void test_future_lines(void)
{
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	char *a = example(), *b, *c;

	b = edit_text(a, "recursive_acquire=0\n", "recursive_acquire=0 lost_wakeup=4\n");
	c = edit_text(b, "kind=unshare_without_vma_lock_write", "kind=lost_wakeup");
	free(b);
	b = edit_text(c, "inject_delay_us=300\n", "inject_delay_us=300 flavour=x\n");
	free(c);
	c = edit_text(b, "unshare_func=hugetlb_unshare_pmds\n",
		      "unshare_func=hugetlb_unshare_pmds extra=1\n");
	if (CHECK(test_parse_str(c, &st, &err) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(st.violations.nr, PMDSTAT_NR_VIOLATIONS + 1);
		CHECK_U64(pmdstat_kv_get(&st.violations, "lost_wakeup", 0), 4);
		CHECK_STR(kv_str(&st.violation_log.rec[2], "kind"), "lost_wakeup");
		CHECK_STR(kv_str(&st.races, "flavour"), "x");
		CHECK_U64(pmdstat_kv_get(&st.overlap_log.rec[1], "extra", 0), 1);
		pmdstat_stats_free(&st);
	} else {
		printf("# %s\n", err.msg);
	}
	free(a);
	free(b);
	free(c);
}

/* The line number of the first line of text containing from. */
static unsigned int line_of(const char *text, const char *from)
{
	const char *at = strstr(text, from), *s;
	unsigned int n = 1;

	for (s = text; at && s < at; s++)
		n += *s == '\n';
	return n;
}

/*
 * Edit the example; expect a malformed line at the edited line (plus skip:
 * the edit inserted lines before the bad one), a message containing want.
 */
static void expect_at(const char *from, const char *to, unsigned int skip,
		      const char *want)
{
	char *base = example();
	unsigned int line = line_of(base, from) + skip;
	struct pmdstat_parse_error err;
	char *s = edit_text(base, from, to);
	struct pmdstat_stats st;
	char prefix[32];
	enum pmdstat_parse_code rc;

	memset(&st, 0x55, sizeof(st));
	rc = test_parse_str(s, &st, &err);
	if (!rc)
		pmdstat_stats_free(&st);
	else
		CHECK(st.races.kv == NULL && st.violation_log.rec == NULL &&
		      st.overlap_log.rec == NULL && st.violations.kv == NULL);
	if (!CHECK_U64(rc, PMDSTAT_PARSE_MALFORMED) || !CHECK_U64(err.line, line))
		printf("#   edit '%s' -> '%s': %s\n", from, to, err.msg);
	snprintf(prefix, sizeof(prefix), "line %u: ", line);
	CHECK(!strncmp(err.msg, prefix, strlen(prefix)));
	if (want && !CHECK(strstr(err.msg, want) != NULL))
		printf("#   message '%s' lacks '%s'\n", err.msg, want);
	free(s);
	free(base);
}

#define BAD(from, to, want)		expect_at(from, to, 0, want)
/* an inserted line before the one that is wrong */
#define BAD_NEXT(from, to, want)	expect_at(from, to, 1, want)

static void test_errors(void)
{
	BAD("overlaps=7", "overlaps=seven",
	    "'races' line: overlaps=seven is not an unsigned decimal number");
	BAD(" inject_delay_us=300", "", "'races' line has no inject_delay_us=");
	BAD("checked_unshares=36", "checked_unshares=-36",
	    "checked_unshares=-36 is not an unsigned decimal number");
	BAD("shadow_full=1", "shadow_full", "'races' line: expected key=value, got 'shadow_full'");
	BAD("log_drops=3", "log_drops=3 log_drops=4", "'races' line: key 'log_drops' appears twice");
	BAD_NEXT("races ", "races overlaps=0 checked_unshares=0 unverified_vma_lock=0 shadow_tables=0 shadow_full=0 log_drops=0 inject_delay_us=0\nraces ",
		 "a second 'races' line");

	BAD(" recursive_acquire=0", "", "'violations' line has no recursive_acquire=");
	BAD("violations stray_ref=0", "violations stray_ref=", "stray_ref= is not an unsigned decimal number");
	BAD("shadow_mismatch=2", "shadow_mismatch=0x2",
	    "'violations' line: shadow_mismatch=0x2 is not an unsigned decimal number");
	BAD("recursive_acquire=0\n", "recursive_acquire=0 lost_wakeup=many\n",
	    "'violations' line: lost_wakeup=many is not an unsigned decimal number");
	BAD("negative_count=0", "negative_count=18446744073709551616",
	    "negative_count=18446744073709551616 is not");
	BAD_NEXT("violations ", "violations stray_ref=0 shadow_mismatch=0 negative_count=0 unshare_without_i_mmap_write=0 unshare_without_vma_lock_write=0 share_without_i_mmap_read=0 recursive_acquire=0\nviolations ",
		 "a second 'violations' line");

	BAD("violation rank=1", "violation rank=one", "'violation' line: rank=one is not");
	BAD("violation rank=2", "violation rank=1",
	    "a second 'violation' line with rank=1");
	BAD("kind=shadow_mismatch comm=pmdstat-contend pid=201", "kind= comm=pmdstat-contend pid=201",
	    "'violation' line: kind= is empty");
	BAD("comm=a?b pid=203", "comm= pid=203", "'violation' line: comm= is empty");
	BAD("pid=202", "pid=-1", "'violation' line: pid=-1 is not");
	BAD("cpu=3 ", "", "'violation' line has no cpu=");
	BAD(" func=hugetlb_change_protection", "", "'violation' line has no func=");
	BAD("at_ns=2539000999 detail", "at_ns=2.5e9 detail", "'violation' line: at_ns=2.5e9 is not");
	BAD("detail=unshare", "detail=", "'violation' line: detail= is empty");
	BAD(" detail=none", "", "'violation' line has no detail=");
	BAD("unmap_single_vma+0x91/0xf0\n", "unmap_single_vma+0x91/0xf0,\n",
	    "'violation' line: stack=huge_pmd_unshare+0x4d/0x360,__unmap_hugepage_ran is not 'none' or a list");
	BAD("detail=none stack=none", "detail=none stack=", "stack= is not 'none' or a list");
	BAD("detail=none stack=none", "detail=none stack=,f+0x1/0x2", "is not 'none' or a list");
	BAD(" stack=huge_pmd_unshare+0x4d/0x360\n", "\n", "'violation' line has no stack=");

	BAD("overlap rank=2", "overlap rank=1", "a second 'overlap' line with rank=1");
	BAD("share_age_ns=310000", "share_age_ns=310us",
	    "'overlap' line: share_age_ns=310us is not an unsigned decimal number");
	BAD("share_comm=sharer", "share_comm=", "'overlap' line: share_comm= is empty");
	BAD(" unshare_func=hugetlb_unshare_pmds", "", "'overlap' line has no unshare_func=");
	BAD("unshare_cpu=1 unshare_func=__unmap", "unshare_func=__unmap",
	    "'overlap' line has no unshare_cpu=");
	BAD("share_pid=303", "share_pid=", "'overlap' line: share_pid= is not");
	BAD("unshare_comm=unsharer unshare_cpu=1 unshare_func=hugetlb",
	    "unshare_comm= unshare_cpu=1 unshare_func=hugetlb", "unshare_comm= is empty");
}

/* b = a plus some activity; the delta against what happened in between. */
static void test_delta_races(void)
{
	struct pmdstat_snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct pmdstat_snapshot *want = malloc(sizeof(*want));
	struct pmdstat_stats sa, sb, d;
	unsigned int i;

	test_make_snapshot(a, SEED);
	*b = *a;
	b->elapsed_ns += 1000;
	for (i = 0; i < PMDSTAT_NR_VKINDS; i++)
		b->violations[i] += i;
	b->overlaps += 11;
	b->checked_unshares += 100;
	b->unverified += 2;
	b->shadow_tables = a->shadow_tables / 2;	/* a gauge: went down */
	b->shadow_full += 3;
	b->race_log_drops += 5;
	b->inject_delay_us = 700;
	/* the logs of the newer snapshot: one more of each, one changed */
	b->vlog[b->nr_vlog] = b->vlog[0];
	b->vlog[b->nr_vlog].pid = 4242;
	b->nr_vlog++;
	b->vlog[0].at_ns += 5;
	b->olog[b->nr_olog] = b->olog[1];
	b->nr_olog++;

	if (!CHECK(test_roundtrip(a, &sa) == PMDSTAT_PARSE_OK) ||
	    !CHECK(test_roundtrip(b, &sb) == PMDSTAT_PARSE_OK))
		goto out;
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 0);
	*want = *b;
	for (i = 0; i < PMDSTAT_NR_VKINDS; i++)
		want->violations[i] = i;
	want->overlaps = 11;
	want->checked_unshares = 100;
	want->unverified = 2;
	want->shadow_full = 3;
	want->race_log_drops = 5;
	check_races(&d, want);
	CHECK_U64(kv_num(&d.races, "shadow_tables"), b->shadow_tables);
	CHECK_U64(kv_num(&d.races, "inject_delay_us"), 700);
	CHECK_U64(kv_num(&d.violation_log.rec[a->nr_vlog], "pid"), 4242);
	pmdstat_stats_free(&d);

	/* a counter that went back (a racy read) gives 0, not a wrap */
	sb.violations.kv[1].num = 0;
	strcpy(sb.violations.kv[1].value, "0");
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 0);
	CHECK_U64(kv_num(&d.violations, pmdstat_violation_name(1)), 0);
	pmdstat_stats_free(&d);

	/* a reset in between: the newer snapshot as it is */
	sb.resets++;
	pmdstat_stats_free(&sb);
	CHECK(test_roundtrip(b, &sb) == PMDSTAT_PARSE_OK);
	sb.resets++;
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 1);
	check_races(&d, b);
	pmdstat_stats_free(&d);

	/* the older snapshot from a module without race lines */
	pmdstat_stats_free(&sa);
	if (CHECK(test_parse_str(old_module, &sa, NULL) == PMDSTAT_PARSE_OK)) {
		sb.resets = 0;
		sb.elapsed_ns = 2;
		CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 0);
		check_races(&d, b);
		pmdstat_stats_free(&d);
	}
out:
	pmdstat_stats_free(&sa);
	pmdstat_stats_free(&sb);
	free(a);
	free(b);
	free(want);
}

/* ---- JSON ---- */

static u64 jnum(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	if (!CHECK(v && v->type == J_NUM && v->is_u64)) {
		printf("# \"%s\" missing or not an unsigned integer\n", key);
		return 0;
	}
	return v->num;
}

static const char *jstr(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	if (!CHECK(v && v->type == J_STR)) {
		printf("# \"%s\" missing or not a string\n", key);
		return "";
	}
	return v->str;
}

/* stack=a,b as ["a","b"], none as []. */
static void check_jstack(const struct json *v, const char *stack)
{
	const char *p, *c;
	size_t k;

	if (!CHECK(v && v->type == J_ARR))
		return;
	if (!strcmp(stack, "none")) {
		CHECK_U64(v->n, 0);
		return;
	}
	for (k = 0, p = stack; k < v->n && p; k++) {
		size_t n;

		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		CHECK(v->item[k]->type == J_STR && strlen(v->item[k]->str) == n &&
		      !strncmp(v->item[k]->str, p, n));
		p = c ? c + 1 : NULL;
	}
	CHECK(k == v->n && !p);
}

/* One log record: exactly the keys of the line, in order; names strings. */
static void check_jlog(const struct json *j, const struct pmdstat_kvs *kvs)
{
	static const char *const names[] = {
		"kind", "comm", "func", "detail", "share_comm", "unshare_comm",
		"unshare_func",
	};
	size_t i, k;

	if (!CHECK(j && j->type == J_OBJ) || !CHECK_U64(j->n, kvs->nr))
		return;
	for (i = 0; i < kvs->nr; i++) {
		const struct pmdstat_kv *kv = &kvs->kv[i];
		const struct json *v = j->item[i];
		bool name = !kv->numeric;

		CHECK_STR(j->key[i], kv->key);
		for (k = 0; k < TAP_COUNT(names); k++)
			name |= !strcmp(kv->key, names[k]);
		if (!strcmp(kv->key, "stack"))
			check_jstack(v, kv->value);
		else if (name)
			CHECK(v->type == J_STR && !strcmp(v->str, kv->value));
		else
			CHECK(v->type == J_NUM && v->is_u64 && v->num == kv->num);
	}
}

/* The "races" member of the JSON text against st. */
static void check_races_json(const char *text, const struct pmdstat_stats *st)
{
	static const char *const members[] = { "violations", "violation_log", "overlap_log" };
	const struct json *r, *v;
	struct json *root;
	const char *err;
	size_t i;

	root = json_parse(text, &err);
	if (!CHECK(root != NULL)) {
		printf("# JSON error: %s\n", err);
		return;
	}
	/* the other contract keys are still there; races last */
	CHECK(json_get(root, "version") && json_get(root, "probes") &&
	      json_get(root, "histograms") && json_get(root, "totals") &&
	      json_get(root, "locks") && json_get(root, "outliers"));
	CHECK_STR(root->key[root->n - 1], "races");
	r = json_get(root, "races");
	if (!CHECK(r && r->type == J_OBJ) ||
	    !CHECK_U64(r->n, TAP_COUNT(races_keys) + TAP_COUNT(members))) {
		json_free(root);
		return;
	}
	for (i = 0; i < TAP_COUNT(races_keys); i++) {
		CHECK_STR(r->key[i], races_keys[i]);
		CHECK_U64(jnum(r, races_keys[i]), pmdstat_kv_get(&st->races, races_keys[i], 0));
	}
	for (i = 0; i < TAP_COUNT(members); i++)
		CHECK_STR(r->key[TAP_COUNT(races_keys) + i], members[i]);

	/* every kind, the file's or (without the line) this reader's, zeros too */
	v = json_get(r, "violations");
	if (CHECK(v && v->type == J_OBJ)) {
		if (st->violations.nr) {
			if (CHECK_U64(v->n, st->violations.nr))
				for (i = 0; i < v->n; i++) {
					CHECK_STR(v->key[i], st->violations.kv[i].key);
					CHECK(v->item[i]->type == J_NUM && v->item[i]->is_u64 &&
					      v->item[i]->num == st->violations.kv[i].num);
				}
		} else if (CHECK_U64(v->n, PMDSTAT_NR_VIOLATIONS)) {
			for (i = 0; i < v->n; i++) {
				CHECK_STR(v->key[i], pmdstat_violation_name((unsigned int)i));
				CHECK_U64(jnum(v, v->key[i]), 0);
			}
		}
	}
	v = json_get(r, "violation_log");
	if (CHECK(v && v->type == J_ARR) && CHECK_U64(v->n, st->violation_log.nr))
		for (i = 0; i < v->n; i++)
			check_jlog(v->item[i], &st->violation_log.rec[i]);
	v = json_get(r, "overlap_log");
	if (CHECK(v && v->type == J_ARR) && CHECK_U64(v->n, st->overlap_log.nr))
		for (i = 0; i < v->n; i++)
			check_jlog(v->item[i], &st->overlap_log.rec[i]);
	json_free(root);
}

static void render_json(const struct pmdstat_stats *st, pmdstat_out_t *out)
{
	pmdstat_out_init(out);
	pmdstat_render_json(out, st, NULL);
	CHECK(!pmdstat_out_failed(out));
	CHECK(strchr(out->buf, '\n') == NULL);
}

static void test_json_example(void)
{
	struct pmdstat_stats st;
	const struct json *r, *v, *o;
	struct json *root;
	pmdstat_out_t out;
	char *text = example();

	if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK)) {
		free(text);
		return;
	}
	render_json(&st, &out);
	check_races_json(out.buf, &st);

	/* by hand, in case both sides share a mistake */
	root = json_parse(out.buf, NULL);
	r = json_get(root, "races");
	if (CHECK(r != NULL)) {
		CHECK_U64(jnum(r, "overlaps"), 7);
		CHECK_U64(jnum(r, "checked_unshares"), 36);
		CHECK_U64(jnum(r, "unverified_vma_lock"), 2);
		CHECK_U64(jnum(r, "shadow_tables"), 5);
		CHECK_U64(jnum(r, "shadow_full"), 1);
		CHECK_U64(jnum(r, "log_drops"), 3);
		CHECK_U64(jnum(r, "inject_delay_us"), 300);
		v = json_get(r, "violations");
		CHECK_U64(jnum(v, "shadow_mismatch"), 2);
		CHECK_U64(jnum(v, "unshare_without_vma_lock_write"), 1);
		CHECK_U64(jnum(v, "stray_ref"), 0);
		o = json_get(r, "violation_log")->item[0];
		CHECK_U64(jnum(o, "rank"), 1);
		CHECK_STR(jstr(o, "kind"), "shadow_mismatch");
		CHECK_STR(jstr(o, "comm"), "pmdstat-contend");
		CHECK_U64(jnum(o, "pid"), 201);
		CHECK_STR(jstr(o, "func"), "?");
		CHECK_U64(jnum(o, "at_ns"), 2539000505ULL);
		CHECK_STR(jstr(o, "detail"), "share_count?3,page_count?5,expected_refs?4");
		v = json_get(o, "stack");
		CHECK(v && v->type == J_ARR && v->n == 3 &&
		      !strcmp(v->item[2]->str, "unmap_single_vma+0x91/0xf0"));
		v = json_get(json_get(r, "violation_log")->item[1], "stack");
		CHECK(v && v->type == J_ARR && v->n == 0);
		o = json_get(r, "overlap_log")->item[1];
		CHECK_STR(jstr(o, "share_comm"), "12345");	/* a name, not a number */
		CHECK_U64(jnum(o, "share_age_ns"), 950);
		CHECK_STR(jstr(o, "unshare_func"), "hugetlb_unshare_pmds");
		CHECK_U64(json_get(r, "overlap_log")->n, 2);
	}
	json_free(root);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
	free(text);
}

static void test_json_snapshots(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st;
	pmdstat_out_t out;
	u64 seed;

	for (seed = SEED; seed < SEED + 6; seed++) {
		test_make_snapshot(s, seed);
		test_fill_races(s, seed, seed & 1);
		/* names that look like numbers stay strings */
		snprintf(s->vlog[0].comm, PMDSTAT_COMM_LEN, "12345");
		snprintf(s->vlog[1].detail, PMDSTAT_DETAIL_LEN, "42");
		snprintf(s->vlog[2].func, PMDSTAT_FUNC_LEN, "007");
		snprintf(s->olog[0].unshare_comm, PMDSTAT_COMM_LEN, "99");
		snprintf(s->olog[1].func, PMDSTAT_FUNC_LEN, "8");
		if (!CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK))
			continue;
		render_json(&st, &out);
		check_races_json(out.buf, &st);
		CHECK(strstr(out.buf, "\"comm\":\"12345\"") != NULL);
		CHECK(strstr(out.buf, "\"detail\":\"42\"") != NULL);
		CHECK(strstr(out.buf, "\"func\":\"007\"") != NULL);
		CHECK(strstr(out.buf, "\"unshare_comm\":\"99\"") != NULL);
		CHECK(strstr(out.buf, "\"unshare_func\":\"8\"") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(s);
}

/* A module without the detector: "races" all the same, zeros. */
static void test_json_old_module(void)
{
	static const char *const files[] = { old_module, test_example_stats };
	const struct json *r, *v;
	struct pmdstat_stats st;
	struct json *root;
	pmdstat_out_t out;
	size_t f, i;

	for (f = 0; f < TAP_COUNT(files); f++) {
		if (!CHECK(test_parse_str(files[f], &st, NULL) == PMDSTAT_PARSE_OK))
			continue;
		render_json(&st, &out);
		check_races_json(out.buf, &st);
		root = json_parse(out.buf, NULL);
		r = json_get(root, "races");
		if (CHECK(r && r->type == J_OBJ)) {
			for (i = 0; i < TAP_COUNT(races_keys); i++)
				CHECK_U64(jnum(r, races_keys[i]), 0);
			v = json_get(r, "violations");
			CHECK(v && v->type == J_OBJ && v->n == PMDSTAT_NR_VIOLATIONS);
			CHECK_U64(jnum(v, "recursive_acquire"), 0);
			v = json_get(r, "violation_log");
			CHECK(v && v->type == J_ARR && v->n == 0);
			v = json_get(r, "overlap_log");
			CHECK(v && v->type == J_ARR && v->n == 0);
		}
		json_free(root);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	/* exactly, for the simplest file */
	if (CHECK(test_parse_str(old_module, &st, NULL) == PMDSTAT_PARSE_OK)) {
		render_json(&st, &out);
		CHECK(strstr(out.buf, ",\"races\":{\"overlaps\":0,\"checked_unshares\":0,\"unverified_vma_lock\":0,\"split_exempt\":0,\"shadow_tables\":0,\"shadow_full\":0,\"shadow_compared\":0,\"log_drops\":0,\"inject_delay_us\":0,"
			      "\"violations\":{\"stray_ref\":0,\"shadow_mismatch\":0,\"negative_count\":0,\"unshare_without_i_mmap_write\":0,\"unshare_without_vma_lock_write\":0,\"share_without_i_mmap_read\":0,\"recursive_acquire\":0},"
			      "\"violation_log\":[],\"overlap_log\":[]}}") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
}

/* Keys of a later module's lines: in the JSON, no duplicate, nothing lost. */
static void test_json_future(void)
{
	struct pmdstat_stats st;
	const struct json *r;
	struct json *root;
	pmdstat_out_t out;
	char *a = example(), *b, *c;

	b = edit_text(a, "recursive_acquire=0\n", "recursive_acquire=0 lost_wakeup=4\n");
	c = edit_text(b, "inject_delay_us=300\n", "inject_delay_us=300 flavour=x violations=9\n");
	if (CHECK(test_parse_str(c, &st, NULL) == PMDSTAT_PARSE_OK)) {
		render_json(&st, &out);
		root = json_parse(out.buf, NULL);
		r = json_get(root, "races");
		if (CHECK(r != NULL)) {
			CHECK_STR(jstr(r, "flavour"), "x");
			CHECK(json_get(r, "violations")->type == J_OBJ);
			CHECK_U64(json_get(r, "violations")->n, PMDSTAT_NR_VIOLATIONS + 1);
			CHECK_U64(jnum(json_get(r, "violations"), "lost_wakeup"), 4);
		}
		json_free(root);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(a);
	free(b);
	free(c);
}

/* ---- text ---- */

static void test_text_example(void)
{
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char buf[512];
	const char *t, *sec;
	char *text = example();

	if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK)) {
		free(text);
		return;
	}
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, NULL);
	CHECK(!pmdstat_out_failed(&out));
	t = out.buf;
	sec = strstr(t, "--- Races and lock rules");
	/* after the lock section, before Totals: */
	CHECK(sec && sec > strstr(t, "Tracked now:") && sec < strstr(t, "Totals: hits="));
	CHECK_STR(line_with(t, "--- Races", buf, sizeof(buf)),
		  "--- Races and lock rules: share counts, share/unshare overlaps, lock rules ---");
	/* loud, first thing in the section */
	CHECK_STR(line_after(t, "--- Races", 2, buf, sizeof(buf)),
		  "*** FAULT INJECTION ON: +300 us per share (test only): the module delays every huge_pmd_share call; timings and overlaps are not those of an unmodified kernel ***");
	CHECK_STR(line_with(t, "Overlaps of share", buf, sizeof(buf)),
		  "Overlaps of share and unshare 7, unshares with lock rules checked 36, vma lock unverified 2, VMA-split unshares exempt from the vma-lock rule 4, shadow tables now 5; fault injection ON (+300 us per share)");
	CHECK(strstr(t, "Note: 2 unshares returned 1 whose vma or vma lock was unknown: their vma lock rule was not checked.\n") != NULL);
	CHECK(strstr(t, "Warning: the shadow table was full 1 times") != NULL);
	CHECK(strstr(t, "Warning: 3 violation or overlap records did not fit in the logs") != NULL);

	/* every kind, zeros included */
	CHECK_STR(line_with(t, "Lock-rule and share-count", buf, sizeof(buf)),
		  "Lock-rule and share-count violations since load or reset (every kind checked):");
	CHECK_STR(line_after(t, "Lock-rule and share-count", 1, buf, sizeof(buf)),
		  "Violation                       Count  Meaning");
	CHECK_STR(line_after(t, "Lock-rule and share-count", 2, buf, sizeof(buf)),
		  "stray_ref                           0  page_count above what the sharing explains");
	CHECK_STR(line_after(t, "Lock-rule and share-count", 3, buf, sizeof(buf)),
		  "shadow_mismatch                     2  kernel share count differs from the shadow count");
	CHECK_STR(line_after(t, "Lock-rule and share-count", 6, buf, sizeof(buf)),
		  "unshare_without_vma_lock_write      1  unshare returned 1, vma lock not write-held by the task");
	CHECK_STR(line_after(t, "Lock-rule and share-count", 8, buf, sizeof(buf)),
		  "recursive_acquire                   0  task asked for a tracked rwsem it already holds");
	CHECK(strstr(t, "No violation.") == NULL);

	/* logged violations: a row each, the stack below, one frame a line */
	CHECK_STR(line_with(t, "Violations logged", buf, sizeof(buf)),
		  "Violations logged since load or reset (stacks where they were seen):");
	CHECK_STR(line_after(t, "Violations logged", 1, buf, sizeof(buf)),
		  "Rank  Kind                            Comm/PID             CPU  Func                         At (s)  Detail");
	CHECK_STR(line_after(t, "Violations logged", 2, buf, sizeof(buf)),
		  "   1  shadow_mismatch                 pmdstat-contend/201    1  ?                          2.539000  share_count?3,page_count?5,expected_refs?4");
	CHECK_STR(line_after(t, "Violations logged", 3, buf, sizeof(buf)),
		  "        huge_pmd_unshare+0x4d/0x360");
	CHECK_STR(line_after(t, "Violations logged", 5, buf, sizeof(buf)),
		  "        unmap_single_vma+0x91/0xf0");
	CHECK_STR(line_after(t, "Violations logged", 6, buf, sizeof(buf)),
		  "   2  shadow_mismatch                 pmdstat-contend/202    0  ?                          2.539000  none");
	CHECK_STR(line_after(t, "Violations logged", 7, buf, sizeof(buf)),
		  "        (no stack)");
	CHECK_STR(line_after(t, "Violations logged", 8, buf, sizeof(buf)),
		  "   3  unshare_without_vma_lock_write  a?b/203                3  hugetlb_change_protection  2.600000  unshare");
	CHECK_STR(line_after(t, "Violations logged", 9, buf, sizeof(buf)),
		  "        huge_pmd_unshare+0x4d/0x360");

	/* overlaps: both tasks, how long the share had been in flight */
	CHECK_STR(line_with(t, "Overlaps logged", buf, sizeof(buf)),
		  "Overlaps logged since load or reset (an unshare detached a table of a file while a share of that file was in flight):");
	CHECK_STR(line_after(t, "Overlaps logged", 1, buf, sizeof(buf)),
		  "Rank    At (s)  Share Comm/PID  CPU  In flight  Unshare Comm/PID  CPU  Unshare caller");
	CHECK_STR(line_after(t, "Overlaps logged", 2, buf, sizeof(buf)),
		  "   1  2.588185  sharer/301        0   310.0 us  unsharer/302        1  __unmap_hugepage_range");
	CHECK_STR(line_after(t, "Overlaps logged", 3, buf, sizeof(buf)),
		  "   2  2.588190  12345/303         2     950 ns  unsharer/302        1  hugetlb_unshare_pmds");
	CHECK_STR(line_after(t, "Overlaps logged", 4, buf, sizeof(buf)), "");
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
	free(text);
}

static void test_text_quiet(void)
{
	struct pmdstat_render_opts ro = { .interval = true };
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st, d;
	pmdstat_out_t out;
	char buf[512];

	/* a module that saw nothing: the section, injection off, no loud line */
	memset(s, 0, sizeof(*s));
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK_STR(line_with(out.buf, "Overlaps of share", buf, sizeof(buf)),
			  "Overlaps of share and unshare 0, unshares with lock rules checked 0, vma lock unverified 0, VMA-split unshares exempt from the vma-lock rule 0, shadow tables now 0, share counts compared with the shadow 0; fault injection off");
		CHECK(strstr(out.buf, "FAULT INJECTION") == NULL);
		CHECK(strstr(out.buf, "Warning") == NULL);
		CHECK(strstr(out.buf, "No violation.\n") != NULL);
		CHECK(strstr(out.buf, "\nViolations logged since load or reset: none.\n") != NULL);
		CHECK(strstr(out.buf, "\nOverlaps logged since load or reset: none.\n") != NULL);
		/* the table still lists every kind */
		CHECK_STR(line_with(out.buf, "share_without_i_mmap_read", buf, sizeof(buf)),
			  "share_without_i_mmap_read           0  share scanned without i_mmap_rwsem read-held by the task");
		pmdstat_out_free(&out);

		/* an interval: its counts; the logs since load */
		CHECK(pmdstat_stats_delta(&st, &st, &d) == 0);
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &d, &ro);
		CHECK(strstr(out.buf, "vma lock unverified 0, VMA-split unshares exempt from the vma-lock rule 0, shadow tables now 0, share counts compared with the shadow 0 (counts of this interval; shadow tables: now); fault injection off\n") != NULL);
		CHECK(strstr(out.buf, "Lock-rule and share-count violations in this interval (every kind checked):") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&d);
		pmdstat_stats_free(&st);
	}
	/* an older module: no section at all */
	if (CHECK(test_parse_str(test_example_stats, &st, NULL) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK(strstr(out.buf, "Races") == NULL);
		CHECK(strstr(out.buf, "violation") == NULL);
		CHECK(strstr(out.buf, "Tracked now:") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	/* full logs, an unknown kind: every row, without trouble */
	test_make_snapshot(s, SEED);
	test_fill_races(s, SEED, true);
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK(!pmdstat_out_failed(&out));
		CHECK(strstr(out.buf, "*** FAULT INJECTION ON: +300 us per share") != NULL);
		CHECK(strstr(out.buf, "\n  32  ") != NULL);	/* rank 32 */
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(s);
}

static void test_text_unknown_kind(void)
{
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char buf[512];
	char *a = example();
	char *b = edit_text(a, "recursive_acquire=0\n", "recursive_acquire=0 lost_wakeup=4\n");

	if (CHECK(test_parse_str(b, &st, NULL) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK_STR(line_with(out.buf, "lost_wakeup", buf, sizeof(buf)),
			  "lost_wakeup                         4  (a kind this pmdstat does not know)");
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(a);
	free(b);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_roundtrip_races),
	TAP_TEST(test_example_file),
	TAP_TEST(test_future_lines),
	TAP_TEST(test_errors),
	TAP_TEST(test_delta_races),
	TAP_TEST(test_json_example),
	TAP_TEST(test_json_snapshots),
	TAP_TEST(test_json_old_module),
	TAP_TEST(test_json_future),
	TAP_TEST(test_text_example),
	TAP_TEST(test_text_quiet),
	TAP_TEST(test_text_unknown_kind),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
