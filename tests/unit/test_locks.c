// SPDX-License-Identifier: GPL-2.0
/*
 * test_locks.c - the lock timing lines of the stats file and the events
 * and live files (loader/parse.c): round trips of hand-built snapshots
 * through module/format.c, every malformed value rejected with its line,
 * and the delta of lock and caller counters used by interval mode.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "parse.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x10c4ed5eedULL

static void check_event(const struct pmdstat_kvs *o, const struct pmdstat_snap_event *e,
			unsigned int rank)
{
	static const char *const keys[] = {
		"rank", "what", "ns", "lock", "mode", "dev", "ino", "func",
		"comm", "pid", "cpu", "at_ns", "stack_at", "stack",
	};
	char dev[32];

	check_keys(o, keys, TAP_COUNT(keys));
	CHECK_U64(kv_num(o, "rank"), rank);
	CHECK_STR(kv_str(o, "what"), pmdstat_what_name(e->what));
	CHECK_U64(kv_num(o, "ns"), e->ns);
	CHECK_STR(kv_str(o, "lock"), pmdstat_lock_name(e->kind));
	CHECK_STR(kv_str(o, "mode"), pmdstat_mode_name(e->mode));
	snprintf(dev, sizeof(dev), "%u:%u", e->dev_major, e->dev_minor);
	CHECK_STR(kv_str(o, "dev"), dev);
	CHECK_U64(kv_num(o, "ino"), e->ino);
	CHECK_STR(kv_str(o, "func"), e->func[0] ? e->func : "?");
	CHECK_STR(kv_str(o, "comm"), e->comm[0] ? e->comm : "?");
	CHECK_U64(kv_num(o, "pid"), e->pid);
	CHECK_U64(kv_num(o, "cpu"), e->cpu);
	CHECK_U64(kv_num(o, "at_ns"), e->at_ns);
	CHECK_STR(kv_str(o, "stack_at"), e->what == PMDSTAT_WAIT ? "acquire" : "release");
	CHECK_STR(kv_str(o, "stack"), e->stack[0] ? e->stack : "none");
}

/* Every lock timing field of st against the snapshot it came from. */
static void check_locks(const struct pmdstat_stats *st, const struct pmdstat_snapshot *s)
{
	static const char *const layout_keys[] = {
		"vm_file", "f_mapping", "i_mmap_rwsem", "vm_private_data",
		"vma_lock_rw_sema", "rt_rtmutex",
	};
	static const char *const lock_keys[] = {
		"kind", "mode", "acquired", "contended", "try_ok", "try_fail", "failed",
	};
	static const char *const caller_keys[] = {
		"func", "lock", "mode", "acquired", "contended", "try_ok",
		"try_fail", "wait_total_ns", "wait_max_ns", "holds",
		"hold_total_ns", "hold_max_ns",
	};
	static const char *const state_keys[] = {
		"tracked_i_mmap", "tracked_vma_lock", "track_full", "inflight_full",
		"unmatched_releases", "stale_records", "track_busy", "callers_full", "events", "event_drops",
		"threshold_us", "blame", "blame_full", "blame_off",
	};
	static const char *const base[PMDSTAT_NR_LK][2] = {
		{ "i_mmap_wait_ns", "i_mmap_hold_ns" },
		{ "vma_lock_wait_ns", "vma_lock_hold_ns" },
	};
	char name[64];
	size_t i, n = 0;
	unsigned int k, m, w;

	check_keys(&st->layout, layout_keys, TAP_COUNT(layout_keys));
	CHECK_U64(kv_num(&st->layout, "vm_file"), s->off_vm_file);
	CHECK_U64(kv_num(&st->layout, "f_mapping"), s->off_f_mapping);
	CHECK_U64(kv_num(&st->layout, "i_mmap_rwsem"), s->off_i_mmap_rwsem);
	CHECK_U64(kv_num(&st->layout, "vm_private_data"), s->off_vm_private_data);
	CHECK_U64(kv_num(&st->layout, "vma_lock_rw_sema"), s->off_vma_lock_rw_sema);
	CHECK_U64(kv_num(&st->layout, "rt_rtmutex"), s->off_rt_rtmutex);

	/* probes on lock functions follow the share/unshare sites */
	if (CHECK_U64(st->nr_probes, s->nr_sites + s->nr_lockprobes))
		for (i = 0; i < s->nr_lockprobes; i++) {
			const struct pmdstat_probe *pr = &st->probe[s->nr_sites + i];
			const struct pmdstat_snap_lockprobe *l = &s->lockprobe[i];
			static const char *const keys[] = { "hits", "missed", "calls" };

			CHECK_STR(pr->symbol, l->symbol);
			CHECK_STR(pr->role, "lock");
			check_keys(&pr->keys, keys, TAP_COUNT(keys));
			CHECK_U64(kv_num(&pr->keys, "hits"), l->hits);
			CHECK_U64(kv_num(&pr->keys, "missed"), l->missed);
			CHECK_U64(kv_num(&pr->keys, "calls"), l->calls);
		}

	if (CHECK_U64(st->locks.nr, PMDSTAT_NR_LK * PMDSTAT_NR_MODES))
		for (k = 0; k < PMDSTAT_NR_LK; k++)
			for (m = 0; m < PMDSTAT_NR_MODES; m++) {
				const struct pmdstat_kvs *l = &st->locks.rec[n++];
				const struct pmdstat_lock_stats *x = &s->lock[k][m];

				check_keys(l, lock_keys, TAP_COUNT(lock_keys));
				CHECK(l == pmdstat_find_lock(st, pmdstat_lock_name(k),
							     pmdstat_mode_name(m)));
				CHECK_STR(kv_str(l, "kind"), pmdstat_lock_name(k));
				CHECK_STR(kv_str(l, "mode"), pmdstat_mode_name(m));
				CHECK_U64(kv_num(l, "acquired"), x->acquired);
				CHECK_U64(kv_num(l, "contended"), x->contended);
				CHECK_U64(kv_num(l, "try_ok"), x->try_ok);
				CHECK_U64(kv_num(l, "try_fail"), x->try_fail);
				CHECK_U64(kv_num(l, "failed"), x->failed);
				snprintf(name, sizeof(name), "%s.%s", base[k][0],
					 pmdstat_mode_name(m));
				test_check_hist(pmdstat_find_hist(st, name), name, &x->wait);
				snprintf(name, sizeof(name), "%s.%s", base[k][1],
					 pmdstat_mode_name(m));
				test_check_hist(pmdstat_find_hist(st, name), name, &x->hold);
			}
	test_check_hist(pmdstat_find_hist(st, "share_i_mmap_wait_ns"),
			"share_i_mmap_wait_ns", &s->share_wait);
	test_check_hist(pmdstat_find_hist(st, "share_i_mmap_hold_ns"),
			"share_i_mmap_hold_ns", &s->share_hold);
	test_check_hist_unit(pmdstat_find_hist(st, "scan_vmas"), "scan_vmas", "vmas",
			     &s->scan);
	/* 2 + sites, then 8 by lock and mode, 2 of share, scan */
	CHECK_U64(st->nr_hists, 2 + s->nr_sites + 8 + 3);

	if (CHECK_U64(st->callers.nr, s->nr_callers))
		for (i = 0; i < s->nr_callers; i++) {
			const struct pmdstat_kvs *c = &st->callers.rec[i];
			const struct pmdstat_snap_caller *x = &s->caller[i];

			check_keys(c, caller_keys, TAP_COUNT(caller_keys));
			CHECK_STR(kv_str(c, "func"), x->func);
			CHECK_STR(kv_str(c, "lock"), pmdstat_lock_name(x->kind));
			CHECK_STR(kv_str(c, "mode"), pmdstat_mode_name(x->mode));
			CHECK_U64(kv_num(c, "acquired"), x->acquired);
			CHECK_U64(kv_num(c, "contended"), x->contended);
			CHECK_U64(kv_num(c, "try_ok"), x->try_ok);
			CHECK_U64(kv_num(c, "try_fail"), x->try_fail);
			CHECK_U64(kv_num(c, "wait_total_ns"), x->wait_total);
			CHECK_U64(kv_num(c, "wait_max_ns"), x->wait_max);
			CHECK_U64(kv_num(c, "holds"), x->holds);
			CHECK_U64(kv_num(c, "hold_total_ns"), x->hold_total);
			CHECK_U64(kv_num(c, "hold_max_ns"), x->hold_max);
		}

	n = 0;
	for (w = 0; w < PMDSTAT_NR_WHAT; w++)
		for (i = 0; i < s->nr_top[w]; i++) {
			if (!CHECK(n < st->outliers.nr))
				return;
			check_event(&st->outliers.rec[n++], &s->top[w][i],
				    (unsigned int)i + 1);
		}
	CHECK_U64(st->outliers.nr, n);

	check_keys(&st->lock_state, state_keys, TAP_COUNT(state_keys));
	CHECK_U64(kv_num(&st->lock_state, "tracked_i_mmap"), s->tracked[PMDSTAT_LK_IMMAP]);
	CHECK_U64(kv_num(&st->lock_state, "tracked_vma_lock"), s->tracked[PMDSTAT_LK_VMA]);
	CHECK_U64(kv_num(&st->lock_state, "track_full"), s->track_full);
	CHECK_U64(kv_num(&st->lock_state, "inflight_full"), s->inflight_full);
	CHECK_U64(kv_num(&st->lock_state, "unmatched_releases"), s->unmatched);
	CHECK_U64(kv_num(&st->lock_state, "stale_records"), s->stale);
	CHECK_U64(kv_num(&st->lock_state, "track_busy"), s->track_busy);
	CHECK_U64(kv_num(&st->lock_state, "callers_full"), s->callers_full);
	CHECK_U64(kv_num(&st->lock_state, "events"), s->events);
	CHECK_U64(kv_num(&st->lock_state, "event_drops"), s->event_drops);
	CHECK_U64(kv_num(&st->lock_state, "threshold_us"), s->threshold_us);
	CHECK_U64(kv_num(&st->lock_state, "blame"), s->blame);
	CHECK_U64(kv_num(&st->lock_state, "blame_full"), s->blame_full);
	CHECK_U64(kv_num(&st->lock_state, "blame_off"), s->blame_off);
}

static void test_roundtrip_locks(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st;
	u64 seed;

	for (seed = SEED; seed < SEED + 10; seed++) {
		test_make_snapshot(s, seed);
		if (!CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK))
			continue;
		check_locks(&st, s);
		pmdstat_stats_free(&st);
	}
	/* full tables: every caller, every outlier slot, the longest names */
	test_make_snapshot(s, SEED);
	test_fill_locks(s, SEED, true);
	memset(s->top[PMDSTAT_HOLD][2].stack, 'f', PMDSTAT_STACK_TEXT - 1);
	s->top[PMDSTAT_HOLD][2].stack[PMDSTAT_STACK_TEXT - 1] = '\0';
	memset(s->caller[9].func, 'g', PMDSTAT_FUNC_LEN - 1);
	s->caller[9].func[PMDSTAT_FUNC_LEN - 1] = '\0';
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		check_locks(&st, s);
		CHECK_U64(st.callers.nr, PMDSTAT_MAX_CALLERS);
		CHECK_U64(st.outliers.nr, 2 * PMDSTAT_TOP);
		pmdstat_stats_free(&st);
	}
	/* a snapshot of a module that saw no lock at all */
	memset(s, 0, sizeof(*s));
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		check_locks(&st, s);
		CHECK_U64(st.callers.nr, 0);
		CHECK_U64(st.outliers.nr, 0);
		pmdstat_stats_free(&st);
	}
	free(s);
}

static void test_example_file(void)
{
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	const struct pmdstat_kvs *l;

	if (!CHECK(test_parse_str(test_example_stats, &st, &err) == PMDSTAT_PARSE_OK)) {
		printf("# %s\n", err.msg);
		return;
	}
	CHECK_U64(st.nr_probes, 4);
	CHECK_STR(st.probe[2].role, "lock");
	CHECK_U64(pmdstat_kv_get(&st.probe[3].keys, "calls", 0), 1200);
	CHECK_U64(st.locks.nr, 4);
	l = pmdstat_find_lock(&st, "vma_lock", "write");
	CHECK(l && pmdstat_kv_get(l, "try_ok", 0) == 20);
	CHECK(pmdstat_find_lock(&st, "vma_lock", "intr") == NULL);
	CHECK_U64(st.callers.nr, 4);
	CHECK_U64(st.outliers.nr, 3);
	CHECK_STR(pmdstat_kv_str(&st.outliers.rec[1], "stack", ""), "none");
	CHECK_STR(pmdstat_kv_str(&st.outliers.rec[1], "comm", ""), "a?b");
	CHECK_U64(pmdstat_kv_get(&st.lock_state, "unmatched_releases", 0), 6);
	CHECK_U64(pmdstat_kv_get(&st.layout, "i_mmap_rwsem", 0), 88);
	CHECK_STR(pmdstat_find_hist(&st, "scan_vmas")->unit, "vmas");
	CHECK_U64(st.nr_hists, 14);
	pmdstat_stats_free(&st);
}

enum which { STATS, EVENTS, LIVE };

static enum pmdstat_parse_code parse_which(enum which w, const char *text,
					   struct pmdstat_parse_error *err)
{
	struct pmdstat_recfile f;
	struct pmdstat_stats st;
	enum pmdstat_parse_code rc;

	switch (w) {
	case STATS:
		memset(&st, 0x55, sizeof(st));
		rc = test_parse_str(text, &st, err);
		if (!rc)
			pmdstat_stats_free(&st);
		else
			CHECK(st.nr_probes == 0 && st.callers.rec == NULL &&
			      st.layout.kv == NULL);
		return rc;
	case EVENTS:
	case LIVE:
		memset(&f, 0x55, sizeof(f));
		rc = (w == EVENTS ? pmdstat_parse_events : pmdstat_parse_live)
			(text, strlen(text), &f, err);
		if (!rc)
			pmdstat_recfile_free(&f);
		else
			CHECK(f.rec.nr == 0 && f.rec.rec == NULL && f.header.kv == NULL);
		return rc;
	}
	return PMDSTAT_PARSE_OK;
}

static const char *base_of(enum which w)
{
	return w == STATS ? test_example_stats :
	       w == EVENTS ? test_example_events : test_example_live;
}

/* The line number of the first line of base_of(w) containing from. */
static unsigned int line_of(enum which w, const char *from)
{
	const char *text = base_of(w), *at = strstr(text, from), *s;
	unsigned int n = 1;

	for (s = text; at && s < at; s++)
		n += *s == '\n';
	return n;
}

/*
 * Edit the example of w; expect code at the edited line (plus skip: the
 * edit inserted lines before the bad one), msg containing want.
 */
static void expect_at(enum which w, const char *from, const char *to,
		      enum pmdstat_parse_code code, unsigned int skip,
		      const char *want)
{
	unsigned int line = line_of(w, from) + skip;
	struct pmdstat_parse_error err;
	char *s = edit_text(base_of(w), from, to);
	char prefix[32];
	enum pmdstat_parse_code rc = parse_which(w, s, &err);

	if (!CHECK_U64(rc, code) || !CHECK_U64(err.line, line))
		printf("#   edit '%s' -> '%s': %s\n", from, to, err.msg);
	snprintf(prefix, sizeof(prefix), "line %u: ", line);
	CHECK(!strncmp(err.msg, prefix, strlen(prefix)));
	if (want && !CHECK(strstr(err.msg, want) != NULL))
		printf("#   message '%s' lacks '%s'\n", err.msg, want);
	free(s);
}

static void expect(enum which w, const char *from, const char *to,
		   enum pmdstat_parse_code code, const char *want)
{
	expect_at(w, from, to, code, 0, want);
}

#define BAD(w, from, to, want)	expect(w, from, to, PMDSTAT_PARSE_MALFORMED, want)
/* an inserted line before the one that is wrong */
#define BAD_NEXT(w, from, to, want) \
	expect_at(w, from, to, PMDSTAT_PARSE_MALFORMED, 1, want)

static void test_errors_stats_lines(void)
{
	/* the example is fine as it is */
	CHECK(parse_which(STATS, test_example_stats, NULL) == PMDSTAT_PARSE_OK);

	BAD(STATS, "vm_file=112", "vm_file=0x70",
	    "'layout' line: vm_file=0x70 is not an unsigned decimal number");
	BAD(STATS, "f_mapping=216 ", "", "'layout' line has no f_mapping=");
	BAD_NEXT(STATS, "layout ", "layout vm_file=1 f_mapping=2 i_mmap_rwsem=3 vm_private_data=4 vma_lock_rw_sema=5\nlayout ",
	    "a second 'layout' line");
	BAD(STATS, "calls=421", "calls=many",
	    "'probe' line: calls=many is not an unsigned decimal number");

	BAD(STATS, "lock kind=i_mmap mode=read acquired=48", "lock kind=i_mmap mode=read acquired=-48",
	    "'lock' line: acquired=-48 is not an unsigned decimal number");
	BAD(STATS, "lock kind=i_mmap mode=write", "lock kind=i_mmap mode=rw",
	    "'lock' line: mode=rw is not one of read, write");
	BAD(STATS, "lock kind=vma_lock mode=read", "lock kind=mutex mode=read",
	    "kind=mutex is not one of i_mmap, vma_lock");
	BAD(STATS, "lock kind=vma_lock mode=write acquired=96 contended=0 try_ok=20 try_fail=1 failed=0",
	    "lock kind=vma_lock mode=write acquired=96 contended=0 try_ok=20 try_fail=1",
	    "'lock' line has no failed=");
	BAD(STATS, "lock kind=vma_lock mode=write", "lock kind=vma_lock mode=read",
	    "a second 'lock' line with kind=vma_lock mode=read");
	BAD(STATS, "lock kind=i_mmap mode=read acquired=48", "lock kind=i_mmap mode=read acquired",
	    "expected key=value, got 'acquired'");

	BAD(STATS, "wait_max_ns=91310", "wait_max_ns=9.1e4",
	    "'caller' line: wait_max_ns=9.1e4 is not an unsigned decimal number");
	BAD(STATS, "caller func=huge_pmd_share", "caller func=",
	    "'caller' line: func= is empty");
	BAD(STATS, "caller func=hugetlb_fault lock=vma_lock", "caller lock=vma_lock",
	    "'caller' line has no func=");
	BAD(STATS, "hold_total_ns=2162030", "hold_total_ns=18446744073709551616",
	    "hold_total_ns=18446744073709551616 is not");
	BAD(STATS, "caller func=hugetlb_fault lock=vma_lock mode=read",
	    "caller func=hugetlb_vmdelete_list lock=vma_lock mode=write",
	    "a second 'caller' line with func=hugetlb_vmdelete_list lock=vma_lock mode=write");
	BAD(STATS, "caller func=hugetlb_fault lock=vma_lock mode=read",
	    "caller func=hugetlb_fault lock=vma mode=read", "lock=vma is not one of");

	BAD(STATS, "dev=0:15 ino=107", "dev=0-15 ino=107",
	    "'outlier' line: dev=0-15 is not MAJOR:MINOR");
	BAD(STATS, "dev=0:15 ino=107", "dev=:15 ino=107", "dev=:15 is not MAJOR:MINOR");
	BAD(STATS, "dev=0:15 ino=107", "dev=0: ino=107", "dev=0: is not MAJOR:MINOR");
	BAD(STATS, "dev=0:15 ino=107", "dev=0:1:5 ino=107", "dev=0:1:5 is not");
	BAD(STATS, "what=wait ns=91310", "what=spin ns=91310",
	    "what=spin is not one of wait, hold");
	BAD(STATS, "ns=7950520", "ns=7950520ns", "ns=7950520ns is not an unsigned");
	BAD(STATS, "huge_pte_alloc+0x17e/0x1d0,", "huge_pte_alloc+0x17e/0x1d0,,",
	    "'outlier' line: stack=huge_pmd_share+0x4d/0x360,huge_pte_alloc+0x17e/0 is not 'none' or a list");
	BAD(STATS, "stack=hugetlb_fault+0x7aa/0xd30,handle_mm_fault+0x2ad/0x2d0\n",
	    "stack=hugetlb_fault+0x7aa/0xd30,\n", "is not 'none' or a list");
	BAD(STATS, "stack=none", "stack=", "stack= is not 'none' or a list");
	BAD(STATS, "comm=a?b ", "comm= ", "'outlier' line: comm= is empty");
	BAD(STATS, "stack_at=release", "stack_at=later",
	    "stack_at=later is not one of acquire, release");
	BAD(STATS, "outlier rank=2 what=wait", "outlier rank=1 what=wait",
	    "a second 'outlier' line with rank=1 what=wait");
	BAD(STATS, "pid=108 cpu=1", "pid=108", "'outlier' line has no cpu=");

	BAD(STATS, "unmatched_releases=6", "unmatched_releases=six",
	    "'locks' line: unmatched_releases=six is not");
	BAD(STATS, "threshold_us=1000", "", "'locks' line has no threshold_us=");
	BAD_NEXT(STATS, "locks tracked", "locks tracked_i_mmap=0 tracked_vma_lock=0 track_full=0 inflight_full=0 unmatched_releases=0 callers_full=0 events=0 event_drops=0 threshold_us=0\nlocks tracked",
	    "a second 'locks' line");

	/* a record line where a hist's end should be */
	expect(STATS, "end\ncaller func=huge_pmd_share", "caller func=huge_pmd_share",
	       PMDSTAT_PARSE_NOEND, "hist scan_vmas (line ");
}

static void test_errors_recfiles(void)
{
	struct pmdstat_parse_error err;
	char *s;

	CHECK(parse_which(EVENTS, test_example_events, &err) == PMDSTAT_PARSE_OK);
	CHECK(parse_which(LIVE, test_example_live, &err) == PMDSTAT_PARSE_OK);

	expect(EVENTS, "pmdstat-events", "pmdstat-live", PMDSTAT_PARSE_NOVERSION,
	       "not a pmdstat events file: the first line must be 'pmdstat-events version=N'");
	expect(LIVE, "version=1", "version=2", PMDSTAT_PARSE_VERSION,
	       "live format version 2 is newer than this pmdstat understands (1)");
	BAD(EVENTS, " threshold_us=1000", "", "'pmdstat-events' line has no threshold_us=");
	BAD(EVENTS, "threshold_us=1000", "threshold_us=1ms", "threshold_us=1ms is not");
	BAD(EVENTS, "ino=107", "ino=x107", "'event' line: ino=x107 is not");
	BAD(EVENTS, "lock=i_mmap mode=write", "lock=i_mmap mode=WRITE",
	    "mode=WRITE is not one of read, write");
	BAD(EVENTS, "capacity=4096", "capacity=", "'Totals:' line: capacity= is not");
	BAD(EVENTS, " drops=1", "", "'Totals:' line has no drops=");
	BAD(LIVE, "state=hold", "state=held", "state=held is not one of wait, hold, share");
	BAD(LIVE, "age_ns=1100", "age_ns=", "age_ns= is not");
	BAD(LIVE, " scan=3", "", "'live' line of state=share has no scan=");
	BAD(LIVE, " contended=1 blocker=", " blocker=", "'live' line of state=wait has no contended=");
	BAD(LIVE, "hold lock=i_mmap ", "hold ", "'live' line of state=hold has no lock=");
	BAD(LIVE, "dev=0:15 ino=116", "dev=0x0:15 ino=116", "dev=0x0:15 is not MAJOR:MINOR");
	BAD(LIVE, "pid=124", "pid=-1", "pid=-1 is not");
	BAD(LIVE, "Totals:", "pmdstat-live version=1\nTotals:",
	    "a second 'pmdstat-live' header");

	/* the count of Totals: must match the lines: reported at the end */
	s = edit_text(test_example_events, "logged=2", "logged=3");
	CHECK_U64(parse_which(EVENTS, s, &err), PMDSTAT_PARSE_MALFORMED);
	CHECK_U64(err.line, 5);
	CHECK(strstr(err.msg, "Totals: logged=3, but the file has 2 'event' lines") != NULL);
	free(s);
	s = edit_text(test_example_live, "live=3", "live=0");
	CHECK_U64(parse_which(LIVE, s, &err), PMDSTAT_PARSE_MALFORMED);
	CHECK(strstr(err.msg, "Totals: live=0, but the file has 3 'live' lines") != NULL);
	free(s);
	/* truncated: no Totals:, or a line cut short */
	s = edit_text(test_example_live, "Totals: live=3 tracked_i_mmap=1 tracked_vma_lock=2\n", "");
	CHECK_U64(parse_which(LIVE, s, &err), PMDSTAT_PARSE_NOTOTALS);
	CHECK_U64(err.line, 5);
	free(s);
	s = edit_text(test_example_events, "capacity=4096\n", "capacity=4096");
	CHECK_U64(parse_which(EVENTS, s, &err), PMDSTAT_PARSE_TRUNCATED);
	CHECK_U64(err.line, 4);
	free(s);
	CHECK_U64(parse_which(EVENTS, "", &err), PMDSTAT_PARSE_NOVERSION);
	CHECK(strstr(err.msg, "empty file: not a pmdstat events file") != NULL);
	/* after Totals: nothing */
	s = malloc(2 * sizeof(test_example_live));
	snprintf(s, 2 * sizeof(test_example_live), "%s%s", test_example_live,
		 test_example_live);
	CHECK_U64(parse_which(LIVE, s, &err), PMDSTAT_PARSE_MALFORMED);
	CHECK_U64(err.line, 6);
	CHECK(strstr(err.msg, "after the Totals: line") != NULL);
	free(s);
}

static void test_recfiles(void)
{
	static const char empty_live[] =
		"pmdstat-live version=1\n"
		"Totals: live=0 tracked_i_mmap=0 tracked_vma_lock=0\n";
	/* unknown keys and lines kept or skipped, as in the stats file */
	static const char future_events[] =
		"pmdstat-events version=1 threshold_us=0 flavour=x\n"
		"note something\n"
		"event rank=1 what=wait ns=5 lock=i_mmap mode=read dev=8:1 ino=2 func=f comm=c pid=1 cpu=0 at_ns=9 stack=f+0x1/0x2 extra=7\n"
		"Totals: events=1 logged=1 drops=0 capacity=4096 more=1\n";
	struct pmdstat_parse_error err;
	struct pmdstat_recfile f;

	if (CHECK(pmdstat_parse_events(test_example_events, strlen(test_example_events),
				       &f, &err) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(f.version, 1);
		CHECK_U64(f.header.nr, 1);
		CHECK_U64(pmdstat_kv_get(&f.header, "threshold_us", 0), 1000);
		CHECK_U64(f.rec.nr, 2);
		CHECK_STR(pmdstat_kv_str(&f.rec.rec[0], "what", ""), "hold");
		CHECK_STR(pmdstat_kv_str(&f.rec.rec[1], "stack", ""), "none");
		CHECK_U64(pmdstat_kv_get(&f.totals, "capacity", 0), 4096);
		pmdstat_recfile_free(&f);
	}
	if (CHECK(pmdstat_parse_live(test_example_live, strlen(test_example_live),
				     &f, &err) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(f.header.nr, 0);
		CHECK_U64(f.rec.nr, 3);
		CHECK_STR(pmdstat_kv_str(&f.rec.rec[1], "state", ""), "share");
		CHECK(pmdstat_kv_find(&f.rec.rec[1], "lock") == NULL);
		CHECK_U64(pmdstat_kv_get(&f.rec.rec[1], "scan", 0), 3);
		CHECK_U64(pmdstat_kv_get(&f.totals, "tracked_vma_lock", 0), 2);
		pmdstat_recfile_free(&f);
	}
	if (CHECK(pmdstat_parse_live(empty_live, strlen(empty_live), &f, &err) ==
		  PMDSTAT_PARSE_OK)) {
		CHECK_U64(f.rec.nr, 0);
		pmdstat_recfile_free(&f);
	}
	if (CHECK(pmdstat_parse_events(future_events, strlen(future_events), &f, &err) ==
		  PMDSTAT_PARSE_OK)) {
		CHECK_U64(f.header.nr, 2);
		CHECK_STR(pmdstat_kv_str(&f.header, "flavour", ""), "x");
		CHECK_U64(pmdstat_kv_get(&f.rec.rec[0], "extra", 0), 7);
		CHECK_U64(pmdstat_kv_get(&f.totals, "more", 0), 1);
		pmdstat_recfile_free(&f);
	} else {
		printf("# %s\n", err.msg);
	}
}

/* The events file as the module writes it: pmdstat_format_event(). */
static void test_events_roundtrip(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_recfile f;
	pmdstat_out_t out;
	unsigned int i, w, n = 0;

	test_make_snapshot(s, SEED);
	test_fill_locks(s, SEED, true);
	pmdstat_out_init(&out);
	pmdstat_printf(&out, "pmdstat-events version=%d threshold_us=%llu\n",
		       PMDSTAT_FORMAT_VERSION, (unsigned long long)s->threshold_us);
	for (w = 0; w < PMDSTAT_NR_WHAT; w++)
		for (i = 0; i < s->nr_top[w]; i++, n++)
			pmdstat_format_event(&out, "event", n + 1, &s->top[w][i]);
	pmdstat_printf(&out, "Totals: events=%u logged=%u drops=0 capacity=4096\n", n, n);
	if (CHECK(pmdstat_parse_events(out.buf, out.len, &f, NULL) == PMDSTAT_PARSE_OK)) {
		CHECK_U64(f.rec.nr, n);
		n = 0;
		for (w = 0; w < PMDSTAT_NR_WHAT; w++)
			for (i = 0; i < s->nr_top[w] && n < f.rec.nr; i++, n++)
				check_event(&f.rec.rec[n], &s->top[w][i], n + 1);
		pmdstat_recfile_free(&f);
	}
	pmdstat_out_free(&out);
	free(s);
}

static void caller_sub(struct pmdstat_snap_caller *w, const struct pmdstat_snap_caller *a)
{
	w->acquired -= a->acquired;
	w->contended -= a->contended;
	w->try_ok -= a->try_ok;
	w->try_fail -= a->try_fail;
	w->wait_total -= a->wait_total;
	w->holds -= a->holds;
	w->hold_total -= a->hold_total;
	/* the max values are the newer snapshot's */
}

static void hist_diff(struct pmdstat_hist *d, const struct pmdstat_hist *a)
{
	unsigned int i;

	d->count -= a->count;
	d->sum -= a->sum;
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++)
		d->slot[i] -= a->slot[i];
}

/* b = a plus some lock activity; the delta against the snapshots' difference. */
static void test_delta_locks(void)
{
	struct pmdstat_snapshot *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct pmdstat_snapshot *want = malloc(sizeof(*want));
	struct pmdstat_stats sa, sb, d;
	u64 state = 7;
	unsigned int k, m, i;

	test_make_snapshot(a, SEED);
	*b = *a;
	b->elapsed_ns += 1000;
	for (i = 0; i < b->nr_lockprobes; i++) {
		b->lockprobe[i].hits += i;
		b->lockprobe[i].calls += 10 * i;
	}
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			struct pmdstat_lock_stats *l = &b->lock[k][m];

			l->acquired += 5 + k;
			l->contended += m;
			l->try_ok += 2;
			l->try_fail += 1;
			l->failed += k * m;
			for (i = 0; i < 7; i++) {
				pmdstat_hist_add(&l->wait, rand_value(&state) >> 30);
				pmdstat_hist_add(&l->hold, rand_value(&state) >> 30);
			}
		}
	pmdstat_hist_add(&b->share_wait, 12345);
	pmdstat_hist_add(&b->scan, 3);
	for (i = 0; i < b->nr_callers; i++) {
		struct pmdstat_snap_caller *c = &b->caller[i];

		c->acquired += i;
		c->wait_total += 1000 * i;
		c->wait_max += i;	/* a new max */
		c->holds += i;
		c->hold_total += 77 * i;
	}
	/* a caller seen only in b, in the middle of the list */
	b->caller[b->nr_callers] = b->caller[2];
	snprintf(b->caller[2].func, sizeof(b->caller[2].func), "new_caller");
	b->caller[2].acquired = 3;
	b->nr_callers++;
	/* new outliers, state: the newer snapshot's */
	b->top[PMDSTAT_WAIT][0].ns += 1;
	b->nr_top[PMDSTAT_HOLD] = 1;
	b->tracked[PMDSTAT_LK_VMA] += 3;
	b->unmatched += 2;
	b->events += 10;
	b->threshold_us = 5;
	b->off_vm_file = 113;

	if (!CHECK(test_roundtrip(a, &sa) == PMDSTAT_PARSE_OK) ||
	    !CHECK(test_roundtrip(b, &sb) == PMDSTAT_PARSE_OK))
		goto out;
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 0);

	*want = *b;
	for (i = 0; i < want->nr_lockprobes; i++) {
		want->lockprobe[i].hits -= a->lockprobe[i].hits;
		want->lockprobe[i].calls -= a->lockprobe[i].calls;
		want->lockprobe[i].missed -= a->lockprobe[i].missed;
	}
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			struct pmdstat_lock_stats *w = &want->lock[k][m];
			const struct pmdstat_lock_stats *x = &a->lock[k][m];

			w->acquired -= x->acquired;
			w->contended -= x->contended;
			w->try_ok -= x->try_ok;
			w->try_fail -= x->try_fail;
			w->failed -= x->failed;
			hist_diff(&w->wait, &x->wait);
			hist_diff(&w->hold, &x->hold);
		}
	hist_diff(&want->share_wait, &a->share_wait);
	hist_diff(&want->share_hold, &a->share_hold);
	hist_diff(&want->scan, &a->scan);
	for (i = 0; i < want->nr_callers; i++)
		if (i != 2)
			caller_sub(&want->caller[i], &a->caller[i == want->nr_callers - 1 ? 2 : i]);
	want->unmatched -= a->unmatched;
	want->events -= a->events;
	want->track_full -= a->track_full;
	want->inflight_full -= a->inflight_full;
	want->callers_full -= a->callers_full;
	want->event_drops -= a->event_drops;
	check_locks(&d, want);
	pmdstat_stats_free(&d);

	/* a reset in between: the newer snapshot as it is */
	sb.resets++;
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 1);
	check_locks(&d, b);
	pmdstat_stats_free(&d);
out:
	pmdstat_stats_free(&sa);
	pmdstat_stats_free(&sb);
	free(a);
	free(b);
	free(want);
}

static void test_dup_locks(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st, c;

	test_make_snapshot(s, SEED + 3);
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		CHECK(pmdstat_stats_dup(&st, &c) == 0);
		pmdstat_stats_free(&st);	/* the copy owns its memory */
		check_locks(&c, s);
		pmdstat_stats_free(&c);
	}
	free(s);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_roundtrip_locks),
	TAP_TEST(test_example_file),
	TAP_TEST(test_errors_stats_lines),
	TAP_TEST(test_errors_recfiles),
	TAP_TEST(test_recfiles),
	TAP_TEST(test_events_roundtrip),
	TAP_TEST(test_delta_locks),
	TAP_TEST(test_dup_locks),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
