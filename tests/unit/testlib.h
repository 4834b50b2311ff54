/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - helpers shared by the unit tests: a fixed-seed random
 * generator, a hand-built snapshot, checks of parsed data against the
 * snapshot it came from, and a small strict JSON parser to read the
 * reader's JSON back.
 *
 * Header-only, like tap.h: each test program is one .c file that includes
 * it (see the unit-test rule of the Makefile).
 */
#ifndef PMDSTAT_TESTLIB_H
#define PMDSTAT_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "out.h"
#include "parse.h"
#include "snapshot.h"
#include "tap.h"

/* Not every test program uses every helper. */
#define TESTLIB_FN	static __attribute__((unused))

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	bool b;
	bool is_u64;		/* a number that is an unsigned integer in u64 */
	u64 num;
	char *str;		/* J_STR: decoded UTF-8 */
	size_t n;		/* J_ARR, J_OBJ: members */
	struct json **item;
	char **key;		/* J_OBJ */
};

/* xorshift64*: the same sequence on every run. */
TESTLIB_FN u64 test_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* A value of random magnitude: every log2 bucket gets hit. */
TESTLIB_FN u64 rand_value(u64 *state)
{
	u64 r = test_rand(state);

	return r >> (test_rand(state) % 64);
}

static const struct {
	const char *symbol;
	const char *reads;
	unsigned int role;
} test_sites[] = {
	{ "huge_pmd_share", "args:mm,vma,addr,pud;ret:table", PMDSTAT_ROLE_SHARE },
	{ "huge_pmd_unshare", "args:tlb,vma,addr,ptep;ret:int", PMDSTAT_ROLE_UNSHARE },
	{ "__huge_pmd_unshare.constprop.0.isra.0",
	  "args:tlb,mm,file,addr,ptep;ret:int;layout:from-huge_pmd_unshare",
	  PMDSTAT_ROLE_UNSHARE },
	{ "huge_pmd_share.part.0", "", PMDSTAT_ROLE_SHARE },
};

/* Add n more random events to every counter and histogram of s. */
TESTLIB_FN void test_add_events(struct pmdstat_snapshot *s, u64 *state, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < s->nr_sites; i++) {
		struct pmdstat_snap_site *site = &s->site[i];

		site->missed += test_rand(state) % 3;
		for (k = 0; k < n; k++) {
			u64 v = rand_value(state);
			unsigned int out = (unsigned int)(test_rand(state) %
				(site->role == PMDSTAT_ROLE_SHARE ? 3 : 2));
			bool nested = test_rand(state) % 5 == 0;

			site->st.hits++;
			if (test_rand(state) % 7 == 0)
				site->st.filtered++;
			site->st.out[out]++;
			pmdstat_hist_add(&site->st.lat, v);
			if (nested) {
				site->st.nested++;
				continue;
			}
			s->role[site->role].out[out]++;
			pmdstat_fhist_add(&s->role[site->role].lat, v);
		}
	}
	s->elapsed_ns += test_rand(state) % 1000000000;
}

static const char *const test_lock_symbols[] = {
	"down_read", "down_write", "down_read_killable", "down_write_killable",
	"down_read_trylock", "down_write_trylock", "up_read", "up_write",
	"downgrade_write",
};

static const char *const test_callers[] = {
	"huge_pmd_share", "hugetlb_vmdelete_list", "hugetlb_fault",
	"hugetlb_unshare_all_pmds", "__unmap_hugepage_range_final",
	"try_to_unmap_one", "rmap_walk_file",
	/* as long as the module's buffer allows */
	"a_function_name_of_sixty_three_characters_xxxxxxxxxxxxxxxxxxxxx",
};

/* An event of the top lists, by its index in the list of what. */
TESTLIB_FN void test_make_event(struct pmdstat_snap_event *e, u64 *state,
				unsigned int what, unsigned int i, u64 ns)
{
	static const char *const frames[] = {
		"huge_pmd_share+0x4d/0x360", "huge_pte_alloc+0x17e/0x1d0",
		"hugetlb_fault+0x161/0xd30", "handle_mm_fault+0x2ad/0x2d0",
		"do_user_addr_fault+0x1e3/0x660", "exc_page_fault+0x72/0x170",
		"asm_exc_page_fault+0x22/0x30", "mod_fn+0x1/0x20?[some_module]",
	};
	unsigned int k, depth = (unsigned int)(test_rand(state) % 9);
	size_t off = 0;

	memset(e, 0, sizeof(*e));
	e->what = what;
	e->kind = (unsigned int)(test_rand(state) % PMDSTAT_NR_LK);
	e->mode = (unsigned int)(test_rand(state) % PMDSTAT_NR_MODES);
	e->ns = ns;
	e->at_ns = test_rand(state) >> 4;
	e->dev_major = (u32)(test_rand(state) % 300);
	e->dev_minor = (u32)test_rand(state);
	e->ino = test_rand(state);
	e->pid = (u32)(test_rand(state) % 4194304);
	e->cpu = (u32)(test_rand(state) % 512);
	/* every few: no func, no comm, no stack (the module prints ?, ?, none) */
	if (i % 5 != 3)
		snprintf(e->func, sizeof(e->func), "%s",
			 test_callers[i % TAP_COUNT(test_callers)]);
	if (i % 7 != 5)
		snprintf(e->comm, sizeof(e->comm), "%s",
			 i % 2 ? "pmdstat-workloa" : "a?b,c");
	for (k = 0; k < depth; k++)
		off += (size_t)snprintf(e->stack + off, sizeof(e->stack) - off,
					"%s%s", k ? "," : "", frames[k]);
}

/*
 * The lock timing part of a snapshot: layout, probes on lock functions,
 * lock counters and histograms, callers (all PMDSTAT_MAX_CALLERS when
 * many), top lists and the tracking state, drawn from seed.
 */
TESTLIB_FN void test_fill_locks(struct pmdstat_snapshot *s, u64 seed, bool many)
{
	u64 state = seed ^ 0x10c5ULL;
	unsigned int k, m, i, w;

	if (!state)
		state = 1;
	s->off_vm_file = 112;
	s->off_f_mapping = 216;
	s->off_i_mmap_rwsem = 88;
	s->off_vm_private_data = 120;
	s->off_vma_lock_rw_sema = 8;
	s->off_rt_rtmutex = 8;
	s->nr_lockprobes = TAP_COUNT(test_lock_symbols);
	for (i = 0; i < s->nr_lockprobes; i++) {
		struct pmdstat_snap_lockprobe *l = &s->lockprobe[i];

		snprintf(l->symbol, sizeof(l->symbol), "%s", test_lock_symbols[i]);
		l->hits = test_rand(&state) % 100000;
		l->calls = l->hits + test_rand(&state) % 1000000;
		l->missed = test_rand(&state) % 4;
	}
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			struct pmdstat_lock_stats *l = &s->lock[k][m];

			for (i = 0; i < 60; i++) {
				pmdstat_hist_add(&l->wait, rand_value(&state) >> 20);
				pmdstat_hist_add(&l->hold, rand_value(&state) >> 16);
			}
			l->acquired = test_rand(&state) >> 8;
			l->contended = l->acquired / 3;
			l->try_ok = test_rand(&state) % 1000;
			l->try_fail = test_rand(&state) % 100;
			l->failed = test_rand(&state) % 10;
		}
	for (i = 0; i < 50; i++) {
		pmdstat_hist_add(&s->share_wait, rand_value(&state) >> 24);
		pmdstat_hist_add(&s->share_hold, rand_value(&state) >> 20);
		pmdstat_hist_add(&s->scan, test_rand(&state) % 64);
	}
	s->nr_callers = many ? PMDSTAT_MAX_CALLERS : TAP_COUNT(test_callers);
	for (i = 0; i < s->nr_callers; i++) {
		struct pmdstat_snap_caller *c = &s->caller[i];

		if (i < TAP_COUNT(test_callers))
			snprintf(c->func, sizeof(c->func), "%s", test_callers[i]);
		else
			snprintf(c->func, sizeof(c->func), "caller_%u+0x%x", i, i * 3);
		c->kind = i % PMDSTAT_NR_LK;
		c->mode = (i / 2) % PMDSTAT_NR_MODES;
		c->acquired = test_rand(&state) % 1000000;
		c->contended = c->acquired / 4;
		c->try_ok = test_rand(&state) % 100;
		c->try_fail = test_rand(&state) % 10;
		c->wait_max = test_rand(&state) % 10000000;
		c->wait_total = c->wait_max * (test_rand(&state) % 1000);
		c->holds = c->acquired;
		c->hold_max = test_rand(&state) % 100000000;
		c->hold_total = c->hold_max * (test_rand(&state) % 1000);
	}
	for (w = 0; w < PMDSTAT_NR_WHAT; w++) {
		u64 ns = UINT64_MAX - test_rand(&state) % 1000;

		s->nr_top[w] = many ? PMDSTAT_TOP : 3 + w;
		for (i = 0; i < s->nr_top[w]; i++) {
			test_make_event(&s->top[w][i], &state, w, i, ns);
			ns = ns / 2 + i;
		}
	}
	s->tracked[PMDSTAT_LK_IMMAP] = test_rand(&state) % 1024;
	s->tracked[PMDSTAT_LK_VMA] = test_rand(&state) % 1024;
	s->track_full = test_rand(&state) % 3;
	s->inflight_full = test_rand(&state) % 3;
	s->unmatched = test_rand(&state) % 30;
	s->callers_full = many ? 5 : 0;
	s->stale = many ? 7 : 0;
	s->events = test_rand(&state) % 100000;
	s->event_drops = s->events / 10;
	s->threshold_us = 60000000;
	s->blame = 1;
	s->blame_full = many ? 3 : 0;
	s->blame_off = many ? 2 : 0;
}

/*
 * The race detector part of a snapshot: a count of every violation kind
 * (some 0), the counters, and logged violations and overlaps (all
 * PMDSTAT_MAX_RACE_LOG of each when many, with fault injection on), drawn
 * from seed.  Names and details are as the module sanitizes them: no
 * spaces, no '='.
 */
TESTLIB_FN void test_fill_races(struct pmdstat_snapshot *s, u64 seed, bool many)
{
	static const char *const details[] = {
		"share_count?3,page_count?5,expected_refs?4", "unshare",
		"write?request?while?holding", "", "unshare?in?hugetlb_split",
		"scan?without?i_mmap_rwsem",
	};
	static const char *const frames[] = {
		"down_write+0x12/0x60", "hugetlb_vmdelete_list+0x5c/0x110",
		"hugetlbfs_fallocate+0x2f1/0x4d0", "vfs_fallocate+0x14a/0x3b0",
		"__x64_sys_fallocate+0x44/0x80", "do_syscall_64+0x58/0xc0",
		"entry_SYSCALL_64_after_hwframe+0x64/0xce", "mod_fn+0x1/0x20?[some_module]",
	};
	u64 state = seed ^ 0x7ace5ULL;
	unsigned int i, k;

	if (!state)
		state = 1;
	for (i = 0; i < PMDSTAT_NR_VKINDS; i++)
		s->violations[i] = i % 3 == 1 ? 0 : test_rand(&state) % 1000;
	s->overlaps = test_rand(&state) % 100000;
	s->checked_unshares = test_rand(&state) >> 8;
	s->unverified = test_rand(&state) % 7;
	s->shadow_tables = test_rand(&state) % 1024;
	s->shadow_full = many ? 9 : 0;
	s->shadow_compared = many ? 41 : 0;
	s->inject_delay_us = many ? 300 : 0;
	s->race_log_drops = many ? 40 : 0;
	s->nr_vlog = many ? PMDSTAT_MAX_RACE_LOG : 5;
	for (i = 0; i < s->nr_vlog; i++) {
		struct pmdstat_snap_violation *v = &s->vlog[i];
		unsigned int depth = (unsigned int)(test_rand(&state) % 9);
		size_t off = 0;

		memset(v, 0, sizeof(*v));
		v->kind = i % PMDSTAT_NR_VKINDS;
		v->at_ns = test_rand(&state) >> 4;
		v->pid = (u32)(test_rand(&state) % 4194304);
		v->cpu = (u32)(test_rand(&state) % 512);
		/* every few: no comm, no func, no detail, no stack (?, ?, none, none) */
		if (i % 7 != 4)
			snprintf(v->comm, sizeof(v->comm), "%s",
				 i % 2 ? "pmdstat-contend" : "a?b,c");
		if (i % 5 != 2)
			snprintf(v->func, sizeof(v->func), "%s",
				 test_callers[i % TAP_COUNT(test_callers)]);
		snprintf(v->detail, sizeof(v->detail), "%s",
			 details[i % TAP_COUNT(details)]);
		for (k = 0; k < depth; k++)
			off += (size_t)snprintf(v->stack + off, sizeof(v->stack) - off,
						"%s%s", k ? "," : "", frames[k]);
	}
	s->nr_olog = many ? PMDSTAT_MAX_RACE_LOG : 3;
	for (i = 0; i < s->nr_olog; i++) {
		struct pmdstat_snap_overlap *o = &s->olog[i];

		memset(o, 0, sizeof(*o));
		o->at_ns = test_rand(&state) >> 4;
		o->share_age_ns = test_rand(&state) % 5000000;
		o->share_pid = (u32)(test_rand(&state) % 4194304);
		o->share_cpu = (u32)(test_rand(&state) % 512);
		o->unshare_pid = (u32)(test_rand(&state) % 4194304);
		o->unshare_cpu = (u32)(test_rand(&state) % 512);
		if (i % 4 != 3)
			snprintf(o->share_comm, sizeof(o->share_comm), "sharer-%u", i % 100);
		if (i % 5 != 1)
			snprintf(o->unshare_comm, sizeof(o->unshare_comm), "unsharer-%u", i % 100);
		if (i % 6 != 5)
			snprintf(o->func, sizeof(o->func), "%s",
				 test_callers[(i + 1) % TAP_COUNT(test_callers)]);
	}
}

/*
 * A snapshot with both roles, a compiler clone, a site without reads, big
 * counters, and histograms filled by pmdstat_hist_add() with values of
 * every magnitude (including 0 and UINT64_MAX) drawn from seed; and lock
 * timing data (test_fill_locks) and race detector data (test_fill_races).
 */
TESTLIB_FN void test_make_snapshot(struct pmdstat_snapshot *s, u64 seed)
{
	u64 state = seed ? seed : 1;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	snprintf(s->release, sizeof(s->release), "6.1.0-56-amd64");
	snprintf(s->module_version, sizeof(s->module_version), "0.1");
	s->elapsed_ns = test_rand(&state) >> 8;
	s->resets = test_rand(&state) % 10;
	s->maxactive = 64;
	s->nr_sites = TAP_COUNT(test_sites);
	for (i = 0; i < s->nr_sites; i++) {
		struct pmdstat_snap_site *site = &s->site[i];

		snprintf(site->symbol, sizeof(site->symbol), "%s", test_sites[i].symbol);
		snprintf(site->reads, sizeof(site->reads), "%s", test_sites[i].reads);
		site->role = test_sites[i].role;
	}
	test_add_events(s, &state, 150);
	/* the extremes */
	pmdstat_fhist_add(&s->role[PMDSTAT_ROLE_SHARE].lat, 0);
	pmdstat_fhist_add(&s->role[PMDSTAT_ROLE_SHARE].lat, UINT64_MAX);
	pmdstat_hist_add(&s->site[0].st.lat, 0);
	pmdstat_hist_add(&s->site[0].st.lat, UINT64_MAX);
	/* counters as big as u64 gets */
	s->site[3].st.hits = UINT64_MAX - 5;
	s->site[3].missed = UINT64_MAX / 3;
	test_fill_locks(s, seed, false);
	test_fill_races(s, seed, false);
}

/* pmdstat_format(s) into a fresh buffer (to be freed by the caller). */
TESTLIB_FN void test_format(const struct pmdstat_snapshot *s, pmdstat_out_t *out)
{
	pmdstat_out_init(out);
	pmdstat_format(out, s);
}

TESTLIB_FN enum pmdstat_parse_code test_parse_str(const char *text,
						  struct pmdstat_stats *st,
						  struct pmdstat_parse_error *err)
{
	return pmdstat_parse(text, strlen(text), st, err);
}

/* Format s and parse the text; the parse code is returned. */
TESTLIB_FN enum pmdstat_parse_code test_roundtrip(const struct pmdstat_snapshot *s,
						  struct pmdstat_stats *st)
{
	struct pmdstat_parse_error err;
	enum pmdstat_parse_code rc;
	pmdstat_out_t out;

	test_format(s, &out);
	rc = pmdstat_parse(out.buf, out.len, st, &err);
	if (rc)
		printf("# parse failed: %s\n", err.msg);
	pmdstat_out_free(&out);
	return rc;
}

/* CHECK every field of the parsed hist h against the snapshot's hist. */
TESTLIB_FN void test_check_hist_unit(const struct pmdstat_phist *h, const char *name,
				     const char *unit, const struct pmdstat_hist *want)
{
	size_t k = 0;
	unsigned int i;

	if (!CHECK(h != NULL)) {
		printf("# no hist %s\n", name);
		return;
	}
	CHECK_STR(h->name, name);
	CHECK_STR(h->unit, unit);
	CHECK_U64(h->count, want->count);
	CHECK_U64(h->sum, want->sum);
	CHECK_U64(h->max, want->max);
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		if (!want->slot[i])
			continue;
		if (!CHECK(k < h->nr_buckets))
			return;
		CHECK_U64(h->bucket[k].lo, pmdstat_hist_lo(i));
		CHECK_U64(h->bucket[k].hi, pmdstat_hist_hi(i));
		CHECK_U64(h->bucket[k].count, want->slot[i]);
		k++;
	}
	CHECK_U64(h->nr_buckets, k);
}

TESTLIB_FN void test_check_hist(const struct pmdstat_phist *h, const char *name,
				const struct pmdstat_hist *want)
{
	test_check_hist_unit(h, name, "ns", want);
}

/*
 * The same for a fine histogram: the buckets as written are want's
 * non-empty fine slots, the display buckets their log2 sums.
 */
TESTLIB_FN void test_check_fhist(const struct pmdstat_phist *h, const char *name,
				 const struct pmdstat_fhist *want)
{
	struct pmdstat_hist log2;
	size_t k = 0;
	unsigned int i;

	if (!CHECK(h != NULL))
		return;
	memset(&log2, 0, sizeof(log2));
	log2.count = want->count;
	log2.sum = want->sum;
	log2.max = want->max;
	for (i = 0; i < PMDSTAT_FHIST_SLOTS; i++) {
		if (!want->slot[i])
			continue;
		log2.slot[pmdstat_hist_slot(pmdstat_fhist_lo(i))] += want->slot[i];
		if (!CHECK(k < h->nr_fine))
			return;
		CHECK_U64(h->fine[k].lo, pmdstat_fhist_lo(i));
		CHECK_U64(h->fine[k].hi, pmdstat_fhist_hi(i));
		CHECK_U64(h->fine[k].count, want->slot[i]);
		k++;
	}
	CHECK_U64(h->nr_fine, k);
	test_check_hist_unit(h, name, "ns", &log2);
}

/* An owned parsed hist of the buckets of want (free with test_free_phist). */
TESTLIB_FN void test_phist_from(struct pmdstat_phist *h, const struct pmdstat_hist *want)
{
	unsigned int i;

	memset(h, 0, sizeof(*h));
	h->name = strdup("test");
	h->unit = strdup("ns");
	h->count = want->count;
	h->sum = want->sum;
	h->max = want->max;
	h->bucket = calloc(PMDSTAT_HIST_SLOTS, sizeof(*h->bucket));
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		if (!want->slot[i])
			continue;
		h->bucket[h->nr_buckets].lo = pmdstat_hist_lo(i);
		h->bucket[h->nr_buckets].hi = pmdstat_hist_hi(i);
		h->bucket[h->nr_buckets].count = want->slot[i];
		h->nr_buckets++;
	}
}

TESTLIB_FN void test_free_phist(struct pmdstat_phist *h)
{
	free(h->name);
	free(h->unit);
	free(h->bucket);
	memset(h, 0, sizeof(*h));
}

/*
 * A stats file as a 6.1 kernel in a VM wrote it (trimmed): every line kind
 * of the lock timing.  One outlier lacks stack_at=, as early modules wrote.
 */
static const char test_example_stats[] =
	"pmdstat-stats version=1\n"
	"kernel release=6.1.0-56-amd64 module=0.1\n"
	"state elapsed_ns=3081234567 resets=0 maxactive=64\n"
	"layout vm_file=112 f_mapping=216 i_mmap_rwsem=88 vm_private_data=120 vma_lock_rw_sema=8\n"
	"probe symbol=huge_pmd_share role=share hits=48 missed=0 nested=0 attached=36 fresh=12 failed=0 reads=args:mm,vma,addr,pud;ret:table\n"
	"probe symbol=huge_pmd_unshare role=unshare hits=8232 missed=0 nested=0 ret1=36 ret0=8196 reads=args:tlb,vma,addr,ptep;ret:int\n"
	"probe symbol=down_read role=lock hits=102 missed=0 calls=421\n"
	"probe symbol=up_write role=lock hits=236 missed=2 calls=1200\n"
	"hist name=share_ns unit=ns count=48 sum=2990000 max=1600000\n"
	"bucket 16384 32767 30\n"
	"bucket 1048576 2097151 18\n"
	"end\n"
	"hist name=unshare_ns unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=site:huge_pmd_share unit=ns count=48 sum=2990000 max=1600000\n"
	"bucket 16384 32767 30\n"
	"bucket 1048576 2097151 18\n"
	"end\n"
	"lock kind=i_mmap mode=read acquired=48 contended=0 try_ok=0 try_fail=0 failed=0\n"
	"lock kind=i_mmap mode=write acquired=140 contended=3 try_ok=0 try_fail=0 failed=0\n"
	"lock kind=vma_lock mode=read acquired=54 contended=0 try_ok=0 try_fail=0 failed=0\n"
	"lock kind=vma_lock mode=write acquired=96 contended=0 try_ok=20 try_fail=1 failed=0\n"
	"hist name=i_mmap_wait_ns.read unit=ns count=48 sum=142070 max=91310\n"
	"bucket 1024 2047 30\n"
	"bucket 65536 131071 18\n"
	"end\n"
	"hist name=i_mmap_hold_ns.read unit=ns count=48 sum=2720810 max=1575330\n"
	"bucket 16384 32767 40\n"
	"bucket 1048576 2097151 8\n"
	"end\n"
	"hist name=i_mmap_wait_ns.write unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=i_mmap_hold_ns.write unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=vma_lock_wait_ns.read unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=vma_lock_hold_ns.read unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=vma_lock_wait_ns.write unit=ns count=20 sum=34480 max=20390\n"
	"bucket 1024 2047 19\n"
	"bucket 16384 32767 1\n"
	"end\n"
	"hist name=vma_lock_hold_ns.write unit=ns count=20 sum=2162030 max=842400\n"
	"bucket 65536 131071 18\n"
	"bucket 524288 1048575 2\n"
	"end\n"
	"hist name=share_i_mmap_wait_ns unit=ns count=48 sum=142070 max=91310\n"
	"bucket 1024 2047 30\n"
	"bucket 65536 131071 18\n"
	"end\n"
	"hist name=share_i_mmap_hold_ns unit=ns count=0 sum=0 max=0\n"
	"end\n"
	"hist name=scan_vmas unit=vmas count=48 sum=204 max=5\n"
	"bucket 4 7 48\n"
	"end\n"
	"caller func=huge_pmd_share lock=i_mmap mode=read acquired=48 contended=0 try_ok=0 try_fail=0 wait_total_ns=142070 wait_max_ns=91310 holds=48 hold_total_ns=2720810 hold_max_ns=1575330\n"
	"caller func=hugetlb_vmdelete_list lock=vma_lock mode=write acquired=20 contended=0 try_ok=20 try_fail=0 wait_total_ns=34480 wait_max_ns=20390 holds=20 hold_total_ns=2162030 hold_max_ns=842400\n"
	"caller func=hugetlb_fault lock=vma_lock mode=read acquired=0 contended=0 try_ok=0 try_fail=0 wait_total_ns=0 wait_max_ns=0 holds=0 hold_total_ns=0 hold_max_ns=0\n"
	"caller func=hugetlb_unshare_all_pmds lock=i_mmap mode=write acquired=140 contended=3 try_ok=0 try_fail=0 wait_total_ns=7000000 wait_max_ns=2000000 holds=139 hold_total_ns=139000 hold_max_ns=5000\n"
	"outlier rank=1 what=wait ns=91310 lock=i_mmap mode=read dev=0:15 ino=107 func=huge_pmd_share comm=pmdstat-workloa pid=104 cpu=0 at_ns=2539000505 stack_at=acquire stack=huge_pmd_share+0x4d/0x360,huge_pte_alloc+0x17e/0x1d0,hugetlb_fault+0x161/0xd30,handle_mm_fault+0x2ad/0x2d0\n"
	"outlier rank=2 what=wait ns=20390 lock=vma_lock mode=write dev=0:15 ino=116 func=hugetlb_vmdelete_list comm=a?b pid=105 cpu=1 at_ns=2539000999 stack=none\n"
	"outlier rank=1 what=hold ns=7950520 lock=vma_lock mode=read dev=0:15 ino=116 func=hugetlb_fault comm=pmdstat-workloa pid=108 cpu=1 at_ns=2588185875 stack_at=release stack=hugetlb_fault+0x7aa/0xd30,handle_mm_fault+0x2ad/0x2d0\n"
	"locks tracked_i_mmap=0 tracked_vma_lock=33 track_full=0 inflight_full=0 unmatched_releases=6 callers_full=0 events=2 event_drops=1 threshold_us=1000\n"
	"Totals: hits=8618 missed=2 share_calls=48 attached=36 unshare_calls=0 unshared=0\n";

static const char test_example_events[] =
	"pmdstat-events version=1 threshold_us=1000\n"
	"event rank=1 what=hold ns=7950520 lock=vma_lock mode=read dev=0:15 ino=116 func=hugetlb_fault comm=pmdstat-workloa pid=108 cpu=1 at_ns=2588185875 stack_at=release stack=hugetlb_fault+0x7aa/0xd30,handle_mm_fault+0x2ad/0x2d0\n"
	"event rank=2 what=wait ns=1200000 lock=i_mmap mode=write dev=0:15 ino=107 func=hugetlb_unshare_all_pmds comm=a?b pid=11 cpu=0 at_ns=2589000000 stack=none\n"
	"Totals: events=3 logged=2 drops=1 capacity=4096\n";

static const char test_example_live[] =
	"pmdstat-live version=1\n"
	"live state=hold lock=i_mmap mode=write dev=0:15 ino=107 func=hugetlb_vmdelete_list comm=prog pid=123 cpu=1 age_ns=5200000 contended=1\n"
	"live state=share func=huge_pmd_share comm=prog pid=124 cpu=0 age_ns=1100 scan=3\n"
	"live state=wait lock=vma_lock mode=read dev=0:15 ino=116 func=hugetlb_fault comm=x pid=125 cpu=2 age_ns=9000000 contended=1 blocker=hugetlb_vmdelete_list blocker_mode=write blocker_state=hold blocker_pid=123 blocker_comm=prog\n"
	"Totals: live=3 tracked_i_mmap=1 tracked_vma_lock=2\n";

/* ---- JSON ---- */

struct jp {
	const char *s;
	const char *err;
	int depth;
};

TESTLIB_FN void jskip(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

TESTLIB_FN struct json *jnew(enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	v->type = t;
	return v;
}

TESTLIB_FN void jpush(struct json *v, char *key, struct json *item)
{
	v->item = realloc(v->item, (v->n + 1) * sizeof(*v->item));
	v->key = realloc(v->key, (v->n + 1) * sizeof(*v->key));
	v->item[v->n] = item;
	v->key[v->n] = key;
	v->n++;
}

TESTLIB_FN int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

TESTLIB_FN bool read_hex4(struct jp *p, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(p->s[i]);

		if (h < 0)
			return false;
		*cp = *cp << 4 | (unsigned int)h;
	}
	p->s += 4;
	return true;
}

TESTLIB_FN void put_utf8(pmdstat_out_t *o, unsigned int cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	pmdstat_out_append(o, b, n);
}

TESTLIB_FN char *jstring(struct jp *p)
{
	pmdstat_out_t o;

	if (*p->s != '"') {
		p->err = "expected a string";
		return NULL;
	}
	p->s++;
	pmdstat_out_init(&o);
	pmdstat_out_append(&o, "", 0);
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		unsigned int cp, lo;

		if (!c || c < 0x20) {
			p->err = c ? "raw control character in a string" : "unterminated string";
			pmdstat_out_free(&o);
			return NULL;
		}
		if (c != '\\') {
			pmdstat_out_append(&o, p->s++, 1);
			continue;
		}
		p->s++;
		switch (*p->s++) {
		case '"':
			pmdstat_out_append(&o, "\"", 1);
			break;
		case '\\':
			pmdstat_out_append(&o, "\\", 1);
			break;
		case '/':
			pmdstat_out_append(&o, "/", 1);
			break;
		case 'b':
			pmdstat_out_append(&o, "\b", 1);
			break;
		case 'f':
			pmdstat_out_append(&o, "\f", 1);
			break;
		case 'n':
			pmdstat_out_append(&o, "\n", 1);
			break;
		case 'r':
			pmdstat_out_append(&o, "\r", 1);
			break;
		case 't':
			pmdstat_out_append(&o, "\t", 1);
			break;
		case 'u':
			if (!read_hex4(p, &cp))
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->s[0] != '\\' || p->s[1] != 'u')
					goto bad;
				p->s += 2;
				if (!read_hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			put_utf8(&o, cp);
			break;
		default:
			goto bad;
		}
	}
	p->s++;
	return o.buf;
bad:
	p->err = "bad escape in a string";
	pmdstat_out_free(&o);
	return NULL;
}

TESTLIB_FN struct json *jvalue(struct jp *p);
TESTLIB_FN void json_free(struct json *v);

TESTLIB_FN struct json *jnumber(struct jp *p)
{
	const char *start = p->s;
	struct json *v = jnew(J_NUM);
	bool integer = true;
	u64 n = 0;

	if (*p->s == '-') {
		integer = false;
		p->s++;
	}
	if (*p->s == '0') {
		p->s++;
	} else if (*p->s >= '1' && *p->s <= '9') {
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	} else {
		p->err = "bad number";
		free(v);
		return NULL;
	}
	if (*p->s == '.') {
		integer = false;
		p->s++;
		if (*p->s < '0' || *p->s > '9')
			goto bad;
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	if (*p->s == 'e' || *p->s == 'E') {
		integer = false;
		p->s++;
		if (*p->s == '+' || *p->s == '-')
			p->s++;
		if (*p->s < '0' || *p->s > '9')
			goto bad;
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	v->is_u64 = integer;
	for (; integer && start < p->s; start++) {
		unsigned int d = (unsigned int)(*start - '0');

		if (n > (UINT64_MAX - d) / 10) {
			v->is_u64 = false;
			break;
		}
		n = n * 10 + d;
	}
	v->num = n;
	return v;
bad:
	p->err = "bad number";
	free(v);
	return NULL;
}

TESTLIB_FN struct json *jcontainer(struct jp *p, bool object)
{
	struct json *v = jnew(object ? J_OBJ : J_ARR);
	char close = object ? '}' : ']';

	p->s++;
	jskip(p);
	if (*p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct json *item;
		size_t i;

		jskip(p);
		if (object) {
			key = jstring(p);
			if (!key)
				goto bad;
			for (i = 0; i < v->n; i++)
				if (!strcmp(v->key[i], key)) {
					p->err = "duplicate key";
					free(key);
					goto bad;
				}
			jskip(p);
			if (*p->s != ':') {
				p->err = "expected ':'";
				free(key);
				goto bad;
			}
			p->s++;
		}
		item = jvalue(p);
		if (!item) {
			free(key);
			goto bad;
		}
		jpush(v, key, item);
		jskip(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s == close) {
			p->s++;
			return v;
		}
		p->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

TESTLIB_FN struct json *jvalue(struct jp *p)
{
	struct json *v = NULL;

	jskip(p);
	if (++p->depth > 64) {
		p->err = "nested too deep";
		return NULL;
	}
	switch (*p->s) {
	case '{':
		v = jcontainer(p, true);
		break;
	case '[':
		v = jcontainer(p, false);
		break;
	case '"':
		v = jnew(J_STR);
		v->str = jstring(p);
		if (!v->str) {
			free(v);
			v = NULL;
		}
		break;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
			v = jnew(J_BOOL);
			v->b = *p->s == 't';
			p->s += v->b ? 4 : 5;
		} else if (!strncmp(p->s, "null", 4)) {
			v = jnew(J_NULL);
			p->s += 4;
		} else {
			p->err = "bad literal";
		}
		break;
	default:
		v = jnumber(p);
		break;
	}
	p->depth--;
	return v;
}

/* Parse exactly one JSON value (RFC 8259, duplicate keys refused). */
TESTLIB_FN struct json *json_parse(const char *text, const char **err)
{
	struct jp p = { .s = text };
	struct json *v = jvalue(&p);

	if (v) {
		jskip(&p);
		if (*p.s) {
			p.err = "text after the value";
			json_free(v);
			v = NULL;
		}
	}
	if (err)
		*err = v ? NULL : (p.err ? p.err : "error");
	return v;
}

/*
 * Run cmd (a printf format with one %s: a file holding text) through the
 * shell: its output (stderr too), without the last newline, into buf.
 * Its exit status; -1, with buf "(... failed)", if it could not run.
 */
TESTLIB_FN int test_tool(const char *cmd, const char *text, char *buf, size_t size)
{
	char path[] = "/tmp/pmdstat-test-XXXXXX", line[2048];
	size_t n = 0;
	FILE *f, *p;
	int fd, st = -1;

	snprintf(buf, size, "(%s failed)", cmd);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || fputs(text, f) == EOF || fclose(f)) {
		unlink(path);
		return -1;
	}
	snprintf(line, sizeof(line), cmd, path);
	strncat(line, " 2>&1", sizeof(line) - strlen(line) - 1);
	p = popen(line, "r");
	if (p) {
		n = fread(buf, 1, size - 1, p);
		buf[n] = '\0';
		while (n && buf[n - 1] == '\n')
			buf[--n] = '\0';
		st = pclose(p);
	}
	unlink(path);
	return p && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* jq (Debian's, a real JSON parser) as "jq -c FILTER" on json, like test_tool(). */
TESTLIB_FN bool test_jq(const char *json, const char *filter, char *buf, size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "jq -c '%s' %%s", filter);
	return test_tool(cmd, json, buf, size) == 0;
}

/*
 * promtool (Debian's prometheus package) on a Prometheus exposition: 0 if
 * it parses it and its linter has nothing to say, 3 if only the linter
 * objects, 1 if it does not parse.
 */
TESTLIB_FN int test_promtool(const char *text, char *buf, size_t size)
{
	return test_tool("promtool check metrics < %s", text, buf, size);
}

/* How often needle occurs in text. */
TESTLIB_FN unsigned int test_count(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (; (text = strstr(text, needle)); text += strlen(needle))
		n++;
	return n;
}

/* Free a value of json_parse() (NULL is fine). */
TESTLIB_FN void json_free(struct json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(v->item[i]);
		free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	free(v->str);
	free(v);
}

/* Member key of object v, or NULL. */
TESTLIB_FN const struct json *json_get(const struct json *v, const char *key)
{
	size_t i;

	if (!v || v->type != J_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key))
			return v->item[i];
	return NULL;
}


/* ---- helpers shared by the lock, race and render tests ---- */

__attribute__((unused))
static u64 kv_num(const struct pmdstat_kvs *kvs, const char *key)
{
	u64 v = 0;

	if (pmdstat_kv_u64(kvs, key, &v))
		printf("# no number %s=\n", key);
	CHECK(pmdstat_kv_find(kvs, key) != NULL);
	return v;
}

__attribute__((unused))
static const char *kv_str(const struct pmdstat_kvs *kvs, const char *key)
{
	return pmdstat_kv_str(kvs, key, "(absent)");
}

/* The keys of kvs, in order, are exactly keys. */
__attribute__((unused))
static void check_keys(const struct pmdstat_kvs *kvs, const char *const *keys,
		       size_t nr)
{
	size_t i;

	if (!CHECK_U64(kvs->nr, nr))
		return;
	for (i = 0; i < nr; i++)
		CHECK_STR(kvs->kv[i].key, keys[i]);
}

/* The first line of text that starts with prefix, into buf. */
__attribute__((unused))
static const char *line_with(const char *text, const char *prefix, char *buf,
			     size_t size)
{
	const char *s = text;

	while (s && *s) {
		const char *e = strchr(s, '\n');

		if (!strncmp(s, prefix, strlen(prefix))) {
			snprintf(buf, size, "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
			return buf;
		}
		s = e ? e + 1 : NULL;
	}
	return "(no such line)";
}

/* The line n after the first that starts with prefix. */
__attribute__((unused))
static const char *line_after(const char *text, const char *prefix, unsigned int n,
			      char *buf, size_t size)
{
	const char *s = text;

	while (s && *s && strncmp(s, prefix, strlen(prefix)))
		s = (s = strchr(s, '\n')) ? s + 1 : NULL;
	while (s && n--)
		s = (s = strchr(s, '\n')) ? s + 1 : NULL;
	if (!s || !*s)
		return "(no such line)";
	return line_with(s, "", buf, size);
}

/* Replace the first occurrence of from in text by to (malloc'd). */
__attribute__((unused))
static char *edit_text(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	if (!at) {
		printf("# test bug: '%s' not in the text\n", from);
		CHECK(at != NULL);
		snprintf(s, n, "%s", text);
		return s;
	}
	snprintf(s, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return s;
}

#endif /* PMDSTAT_TESTLIB_H */
