// SPDX-License-Identifier: GPL-2.0
/*
 * test_render_locks.c - the lock timing in the reader's outputs
 * (loader/text.c, loader/json.c, loader/table.c): the
 * JSON contract keys read back with the strict JSON parser, the
 * klockstat-style text tables, and the events and live files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "parse.h"
#include "render.h"
#include "snapshot.h"
#include "table.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x5eedf00dULL

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

/* A HIST object against the parsed hist h (or an empty one of unit). */
static void check_jhist(const struct json *j, const struct pmdstat_phist *h,
			const char *unit)
{
	static const char *const keys[] = {
		"unit", "count", "sum", "max", "avg", "p50", "p90", "p99", "buckets",
	};
	struct pmdstat_phist empty = { 0 };
	const struct pmdstat_bucket *bk;
	const struct json *b;
	u64 sum = 0;
	size_t i;

	if (!CHECK(j && j->type == J_OBJ))
		return;
	if (!h) {
		empty.unit = (char *)unit;
		h = &empty;
	}
	if (CHECK_U64(j->n, TAP_COUNT(keys)))
		for (i = 0; i < TAP_COUNT(keys); i++)
			CHECK_STR(j->key[i], keys[i]);
	CHECK_STR(jstr(j, "unit"), h->unit);
	CHECK_U64(jnum(j, "count"), h->count);
	CHECK_U64(jnum(j, "sum"), h->sum);
	CHECK_U64(jnum(j, "max"), h->max);
	CHECK_U64(jnum(j, "avg"), pmdstat_hist_avg(h));
	CHECK_U64(jnum(j, "p50"), pmdstat_hist_percentile(h, 50));
	CHECK_U64(jnum(j, "p90"), pmdstat_hist_percentile(h, 90));
	CHECK_U64(jnum(j, "p99"), pmdstat_hist_percentile(h, 99));
	b = json_get(j, "buckets");
	/* the buckets as measured: fine ones where the hist has them */
	bk = h->nr_fine ? h->fine : h->bucket;
	if (!CHECK(b && b->type == J_ARR) ||
	    !CHECK_U64(b->n, h->nr_fine ? h->nr_fine : h->nr_buckets))
		return;
	for (i = 0; i < b->n; i++) {
		const struct json *t = b->item[i];

		if (!CHECK(t->type == J_ARR && t->n == 3))
			continue;
		CHECK_U64(t->item[0]->num, bk[i].lo);
		CHECK_U64(t->item[1]->num, bk[i].hi);
		CHECK_U64(t->item[2]->num, bk[i].count);
		sum += t->item[2]->num;
	}
	/* the buckets add up to count */
	CHECK_U64(sum, jnum(j, "count"));
}

/* A JSON object with exactly the keys of kvs, values as the record's. */
static void check_jrecord(const struct json *j, const struct pmdstat_kvs *kvs,
			  size_t extra)
{
	size_t i, k;

	if (!CHECK(j && j->type == J_OBJ) || !CHECK_U64(j->n, kvs->nr + extra))
		return;
	for (i = 0; i < kvs->nr; i++) {
		const struct pmdstat_kv *kv = &kvs->kv[i];
		const struct json *v = json_get(j, kv->key);
		const char *p, *c;

		CHECK_STR(j->key[i], kv->key);
		if (!CHECK(v != NULL))
			continue;
		if (!strcmp(kv->key, "stack")) {
			/* frames in order; none: [] */
			if (!CHECK(v->type == J_ARR))
				continue;
			if (!strcmp(kv->value, "none")) {
				CHECK_U64(v->n, 0);
				continue;
			}
			for (k = 0, p = kv->value; k < v->n && p; k++) {
				c = strchr(p, ',');
				CHECK(v->item[k]->type == J_STR &&
				      strlen(v->item[k]->str) == (size_t)(c ? c - p : (long)strlen(p)) &&
				      !strncmp(v->item[k]->str, p, strlen(v->item[k]->str)));
				p = c ? c + 1 : NULL;
			}
			CHECK(k == v->n && !p);
		} else if (!strcmp(kv->key, "func") || !strcmp(kv->key, "comm") ||
			   !strcmp(kv->key, "dev") || !kv->numeric) {
			CHECK(v->type == J_STR && !strcmp(v->str, kv->value));
		} else {
			CHECK(v->type == J_NUM && v->is_u64 && v->num == kv->num);
		}
	}
}

static void check_jrecords(const struct json *j, const struct pmdstat_records *r)
{
	size_t i;

	if (!CHECK(j && j->type == J_ARR) || !CHECK_U64(j->n, r->nr))
		return;
	for (i = 0; i < r->nr; i++)
		check_jrecord(j->item[i], &r->rec[i], 0);
}

/* Every lock contract key of the JSON of st, against st. */
static void check_lock_json(const char *text, const struct pmdstat_stats *st)
{
	static const char *const by_mode[] = {
		"i_mmap_wait_ns", "i_mmap_hold_ns", "vma_lock_wait_ns", "vma_lock_hold_ns",
	};
	static const char *const single[] = {
		"share_i_mmap_wait_ns", "share_i_mmap_hold_ns", "scan_vmas",
	};
	const struct json *v, *h;
	const char *err;
	struct json *root;
	char name[64], quoted[72];
	size_t i, k;

	root = json_parse(text, &err);
	if (!CHECK(root != NULL)) {
		printf("# JSON error: %s\n", err);
		return;
	}
	/* the keys from before are all still there */
	CHECK(json_get(root, "version") && json_get(root, "kernel") &&
	      json_get(root, "probes") && json_get(root, "totals") &&
	      json_get(root, "elapsed_ns") && json_get(root, "maxactive"));
	v = json_get(root, "probes");
	CHECK(v && v->type == J_ARR && v->n == st->nr_probes);
	h = json_get(root, "histograms");
	if (CHECK(h && h->type == J_OBJ) && CHECK_U64(h->n, st->nr_hists))
		for (i = 0; i < st->nr_hists; i++)
			check_jhist(json_get(h, st->hist[i].name), &st->hist[i], NULL);

	/* version 2: each histogram once, under "histograms" only */
	CHECK_U64(jnum(root, "version"), 2);
	for (i = 0; i < TAP_COUNT(by_mode); i++) {
		CHECK(json_get(root, by_mode[i]) == NULL);
		for (k = 0; k < 2; k++) {
			snprintf(name, sizeof(name), "%s.%s", by_mode[i], k ? "write" : "read");
			snprintf(quoted, sizeof(quoted), "\"%s\":{", name);
			CHECK_U64(test_count(text, quoted), pmdstat_find_hist(st, name) ? 1 : 0);
		}
	}
	for (i = 0; i < TAP_COUNT(single); i++) {
		CHECK(json_get(root, single[i]) == NULL);
		snprintf(quoted, sizeof(quoted), "\"%s\":{", single[i]);
		CHECK_U64(test_count(text, quoted), pmdstat_find_hist(st, single[i]) ? 1 : 0);
	}

	v = json_get(root, "layout");
	if (CHECK(v != NULL))
		check_jrecord(v, &st->layout, 0);
	check_jrecords(json_get(root, "locks"), &st->locks);
	v = json_get(root, "lock_state");
	if (CHECK(v != NULL))
		check_jrecord(v, &st->lock_state, 0);
	check_jrecords(json_get(root, "outliers"), &st->outliers);

	v = json_get(root, "callers");
	if (CHECK(v && v->type == J_ARR) && CHECK_U64(v->n, st->callers.nr))
		for (i = 0; i < v->n; i++) {
			const struct pmdstat_kvs *c = &st->callers.rec[i];
			const struct json *o = v->item[i];
			u64 acq = pmdstat_kv_get(c, "acquired", 0);
			u64 holds = pmdstat_kv_get(c, "holds", 0);

			/* the line's keys, then the two averages */
			check_jrecord(o, c, 2);
			CHECK_U64(jnum(o, "wait_avg_ns"),
				  acq ? pmdstat_kv_get(c, "wait_total_ns", 0) / acq : 0);
			CHECK_U64(jnum(o, "hold_avg_ns"),
				  holds ? pmdstat_kv_get(c, "hold_total_ns", 0) / holds : 0);
		}
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
	const struct json *v, *o;
	struct json *root;
	pmdstat_out_t out;

	if (!CHECK(test_parse_str(test_example_stats, &st, NULL) == PMDSTAT_PARSE_OK))
		return;
	render_json(&st, &out);
	check_lock_json(out.buf, &st);

	/* spot checks by hand, in case both sides share a mistake */
	root = json_parse(out.buf, NULL);
	if (CHECK(root != NULL)) {
		char jq[256];

		/* jq: valid JSON, version 2, every histogram once */
		CHECK(test_jq(out.buf, "[.version, (.histograms[\"i_mmap_wait_ns.read\"] | .count, .sum), .histograms.scan_vmas.unit, has(\"i_mmap_wait_ns\"), has(\"scan_vmas\"), (.histograms | has(\"i_mmap_wait_ns.write\"))]",
			      jq, sizeof(jq)));
		CHECK_STR(jq, "[2,48,142070,\"vmas\",false,false,true]");
		CHECK(test_jq(out.buf, "[.histograms | keys[]] | length", jq, sizeof(jq)));
		CHECK_U64(strtoull(jq, NULL, 10), st.nr_hists);
		o = json_get(root, "callers")->item[0];
		CHECK_STR(jstr(o, "func"), "huge_pmd_share");
		CHECK_U64(jnum(o, "wait_avg_ns"), 142070 / 48);
		CHECK_U64(jnum(o, "hold_avg_ns"), 2720810 / 48);
		o = json_get(root, "callers")->item[2];
		CHECK_U64(jnum(o, "wait_avg_ns"), 0);	/* never acquired */
		o = json_get(root, "outliers")->item[0];
		CHECK_STR(jstr(o, "dev"), "0:15");
		CHECK_STR(jstr(o, "stack_at"), "acquire");
		v = json_get(o, "stack");
		CHECK(v && v->type == J_ARR && v->n == 4 &&
		      !strcmp(v->item[3]->str, "handle_mm_fault+0x2ad/0x2d0"));
		v = json_get(json_get(root, "outliers")->item[1], "stack");
		CHECK(v && v->type == J_ARR && v->n == 0);
		CHECK_STR(jstr(json_get(root, "outliers")->item[1], "comm"), "a?b");
		CHECK_U64(jnum(json_get(root, "lock_state"), "tracked_vma_lock"), 33);
		CHECK_U64(jnum(json_get(root, "layout"), "vma_lock_rw_sema"), 8);
		CHECK_STR(jstr(json_get(root, "locks")->item[3], "kind"), "vma_lock");
		CHECK_U64(jnum(json_get(root, "locks")->item[3], "try_ok"), 20);
		CHECK(json_get(json_get(root, "histograms"), "vma_lock_hold_ns.write") != NULL);
	}
	json_free(root);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
}

static void test_json_snapshots(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st;
	pmdstat_out_t out;
	u64 seed;

	for (seed = SEED; seed < SEED + 6; seed++) {
		test_make_snapshot(s, seed);
		test_fill_locks(s, seed, seed & 1);
		/* names that look like numbers stay strings */
		snprintf(s->top[PMDSTAT_WAIT][0].comm, PMDSTAT_COMM_LEN, "12345");
		snprintf(s->caller[1].func, PMDSTAT_FUNC_LEN, "007");
		if (!CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK))
			continue;
		render_json(&st, &out);
		check_lock_json(out.buf, &st);
		CHECK(strstr(out.buf, "\"comm\":\"12345\"") != NULL);
		CHECK(strstr(out.buf, "\"func\":\"007\"") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(s);
}

static void test_json_without_locks(void)
{
	static const char old[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=m\n"
		"state elapsed_ns=1 resets=0 maxactive=64\n"
		"Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n";
	struct pmdstat_stats st;
	struct json *root;
	pmdstat_out_t out;

	/* a module without lock timing: the contract keys, empty */
	if (!CHECK(test_parse_str(old, &st, NULL) == PMDSTAT_PARSE_OK))
		return;
	render_json(&st, &out);
	check_lock_json(out.buf, &st);
	root = json_parse(out.buf, NULL);
	if (CHECK(root != NULL)) {
		CHECK(json_get(root, "callers")->type == J_ARR);
		CHECK_U64(json_get(root, "callers")->n, 0);
		CHECK_U64(json_get(root, "outliers")->n, 0);
		CHECK_U64(json_get(root, "lock_state")->n, 0);
		CHECK_U64(json_get(root, "layout")->n, 0);
	}
	json_free(root);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
}

/*
 * The blocked-by table, by total wait, and the sentence per lock: the
 * largest blocker summed over its waiters and states (here 700 + 200 of
 * 1000 ms: 90%), and unknown never the blocker named; JSON (jq) has every
 * row, Prometheus (promtool) parses.
 */
static void test_blocked_by(void)
{
	static const char rows[] =
		"blocked_by lock=i_mmap waiter=huge_pmd_share waiter_mode=read blocker=unlink_file_vma blocker_mode=write blocker_state=hold waits=10 wait_total_ns=700000000 wait_max_ns=90000000 max_pid=412 max_comm=munmapper\n"
		"blocked_by lock=i_mmap waiter=hugetlb_fault waiter_mode=read blocker=unknown blocker_mode=unknown blocker_state=unknown waits=3 wait_total_ns=100000000 wait_max_ns=50000000 max_pid=0 max_comm=?\n"
		"blocked_by lock=i_mmap waiter=huge_pmd_share waiter_mode=read blocker=unlink_file_vma blocker_mode=write blocker_state=wait waits=4 wait_total_ns=200000000 wait_max_ns=80000000 max_pid=413 max_comm=munmapper\n"
		"blocked_by lock=vma_lock waiter=hugetlb_fault waiter_mode=read blocker=unknown blocker_mode=unknown blocker_state=unknown waits=1 wait_total_ns=5000 wait_max_ns=5000 max_pid=0 max_comm=?\n";
	struct pmdstat_render_opts ro = { .max_callers = 10 };
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char *text, buf[4096];
	const char *t, *tail;

	tail = strstr(test_example_stats, "Totals:");
	if (!CHECK(tail != NULL))
		return;
	text = malloc(strlen(test_example_stats) + sizeof(rows));
	sprintf(text, "%.*s%s%s", (int)(tail - test_example_stats), test_example_stats,
		rows, tail);
	if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK)) {
		free(text);
		return;
	}
	CHECK_U64(st.blocked_by.nr, 4);
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, &ro);
	t = out.buf;
	CHECK(strstr(t, "\nBlocked by: contended waits by waiter and what it waited behind:\n") != NULL);
	/* the first row is the largest, the unknown one says so */
	CHECK(strstr(t, "huge_pmd_share  i_mmap    read  unlink_file_vma (write, holding)") != NULL);
	CHECK(strstr(t, "unlink_file_vma (write, waiting ahead)") != NULL);
	CHECK(strstr(t, "  munmapper pid 412") != NULL);
	if (!CHECK(strstr(t, "Waits for i_mmap_rwsem: 1.0 s in all; 90% behind unlink_file_vma (munmapper, pid 412).\n") != NULL))
		printf("%s", t);
	CHECK(strstr(t, "Waits for the hugetlb vma locks: 5.0 us in all; no blocker known.\n") != NULL);
	if (!CHECK(strstr(t, "huge_pmd_share  i_mmap    read  unlink_file_vma (write, holding)") < strstr(t, "hugetlb_fault")))
		printf("%s", t);
	pmdstat_out_free(&out);

	pmdstat_out_init(&out);
	pmdstat_render_json(&out, &st, NULL);
	CHECK(test_jq(out.buf, "[.blocked_by[] | .wait_total_ns] | add", buf, sizeof(buf)));
	CHECK_STR(buf, "1000005000");
	CHECK(test_jq(out.buf, "[.blocked_by[] | select(.blocker == \"unknown\") | .waits] | add", buf, sizeof(buf)));
	CHECK_STR(buf, "4");
	pmdstat_out_free(&out);

	pmdstat_out_init(&out);
	pmdstat_render_prom(&out, &st, NULL);
	CHECK(strstr(out.buf, "pmdstat_blocked_by_wait_seconds_total{lock=\"i_mmap\",waiter=\"huge_pmd_share\",waiter_mode=\"read\",blocker=\"unlink_file_vma\",blocker_mode=\"write\",blocker_state=\"hold\"} 0.7\n") != NULL);
	CHECK_U64(test_promtool(out.buf, buf, sizeof(buf)), 0);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
	free(text);
}

static void test_text_example(void)
{
	struct pmdstat_render_opts ro = { .max_callers = 10 };
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char buf[512];
	const char *t;

	if (!CHECK(test_parse_str(test_example_stats, &st, NULL) == PMDSTAT_PARSE_OK))
		return;
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, &ro);
	t = out.buf;

	/* the default report fits a screen */
	CHECK_U64(test_count(t, "\n"), 50);
	/* lock probes are rows of the probe table, role lock, nesting "-" */
	CHECK_STR(line_with(t, "SYMBOL", buf, sizeof(buf)),
		  "SYMBOL            ROLE     HITS  MISSED  NESTED  OUTCOMES");
	CHECK_STR(line_with(t, "down_read", buf, sizeof(buf)),
		  "down_read         lock      102       0       -  calls=421");
	CHECK_STR(line_with(t, "up_write", buf, sizeof(buf)),
		  "up_write          lock      236       2       -  calls=1200");
	CHECK(strstr(t, "Lock probes") == NULL);

	/* a table of percentiles, every histogram with values, no bars */
	CHECK_STR(line_with(t, "Histograms", buf, sizeof(buf)),
		  "Histograms (percentiles within log2 buckets; --hist draws them):");
	CHECK_STR(line_after(t, "Histograms", 1, buf, sizeof(buf)),
		  "Histogram               Count       p50       p90       p99       Max");
	/* share_ns p50: rank 24 of 30 in [16384, 32767]: 16384 + 16383 * 24 / 30 */
	CHECK_STR(line_after(t, "Histograms", 2, buf, sizeof(buf)),
		  "share_ns                   48   29.5 us    1.6 ms    1.6 ms    1.6 ms");
	CHECK_STR(line_after(t, "Histograms", 3, buf, sizeof(buf)),
		  "i_mmap_wait_ns.read        48    1.8 us   91.3 us   91.3 us   91.3 us");
	CHECK_STR(line_after(t, "Histograms", 6, buf, sizeof(buf)),
		  "vma_lock_hold_ns.write     20  101.9 us  131.1 us  842.4 us  842.4 us");
	CHECK_STR(line_after(t, "Histograms", 8, buf, sizeof(buf)),
		  "scan_vmas                  48    5 vmas    5 vmas    5 vmas    5 vmas");
	CHECK_STR(line_after(t, "Histograms", 9, buf, sizeof(buf)),
		  "site:huge_pmd_share: the same calls as share_ns, not shown again");
	CHECK(strstr(t, "distribution") == NULL);

	CHECK_STR(line_with(t, "Lock acquisitions", buf, sizeof(buf)),
		  "Lock acquisitions of i_mmap_rwsem (hugetlb files) and hugetlb vma locks, trylocks included:");
	CHECK_STR(line_after(t, "Lock acquisitions", 1, buf, sizeof(buf)),
		  "Lock      Mode   Acquired  Contended  Try ok  Try fail  Failed");
	CHECK_STR(line_after(t, "Lock acquisitions", 2, buf, sizeof(buf)),
		  "i_mmap    read         48          0       0         0       0");
	CHECK_STR(line_after(t, "Lock acquisitions", 5, buf, sizeof(buf)),
		  "vma_lock  write        96          0      20         1       0");

	/* callers by wait + hold, the idle one left out, times with units */
	CHECK_STR(line_with(t, "Callers", buf, sizeof(buf)),
		  "Callers by total wait + hold time:");
	CHECK_STR(line_after(t, "Callers", 1, buf, sizeof(buf)),
		  "Caller                    Lock      Mode   Acq  Contended  Avg wait  Max wait  Total wait  |  Holds  Avg hold  Max hold  Total hold");
	CHECK_STR(line_after(t, "Callers", 2, buf, sizeof(buf)),
		  "hugetlb_unshare_all_pmds  i_mmap    write  140          3   50.0 us    2.0 ms      7.0 ms  |    139    1.0 us    5.0 us    139.0 us");
	CHECK_STR(line_after(t, "Callers", 3, buf, sizeof(buf)),
		  "huge_pmd_share            i_mmap    read    48          0    3.0 us   91.3 us    142.1 us  |     48   56.7 us    1.6 ms      2.7 ms");
	CHECK_STR(line_after(t, "Callers", 4, buf, sizeof(buf)),
		  "hugetlb_vmdelete_list     vma_lock  write   20          0    1.7 us   20.4 us     34.5 us  |     20  108.1 us  842.4 us      2.2 ms");
	CHECK_STR(line_after(t, "Callers", 5, buf, sizeof(buf)), "");

	/* outliers: waits then holds, by rank, frames below each */
	CHECK_STR(line_with(t, "Longest", buf, sizeof(buf)),
		  "Longest waits and holds since load or reset (stacks taken at acquire for a wait, at release for a hold):");
	CHECK_STR(line_after(t, "Longest", 1, buf, sizeof(buf)),
		  "Rank  What     Time  Lock      Mode   Dev:Ino   Func                   Comm/PID             CPU");
	CHECK_STR(line_after(t, "Longest", 2, buf, sizeof(buf)),
		  "   1  wait  91.3 us  i_mmap    read   0:15:107  huge_pmd_share         pmdstat-workloa/104    0");
	CHECK_STR(line_after(t, "Longest", 3, buf, sizeof(buf)),
		  "        huge_pmd_share+0x4d/0x360");
	CHECK_STR(line_after(t, "Longest", 6, buf, sizeof(buf)),
		  "        handle_mm_fault+0x2ad/0x2d0");
	CHECK_STR(line_after(t, "Longest", 7, buf, sizeof(buf)),
		  "   2  wait  20.4 us  vma_lock  write  0:15:116  hugetlb_vmdelete_list  a?b/105                1");
	CHECK_STR(line_after(t, "Longest", 8, buf, sizeof(buf)),
		  "        (no stack)");
	CHECK_STR(line_after(t, "Longest", 9, buf, sizeof(buf)),
		  "   1  hold   8.0 ms  vma_lock  read   0:15:116  hugetlb_fault          pmdstat-workloa/108    1");
	CHECK_STR(line_after(t, "Longest", 10, buf, sizeof(buf)),
		  "        hugetlb_fault+0x7aa/0xd30");

	/* the state of the tracking, warnings, then Totals: */
	CHECK_STR(line_with(t, "Tracked now", buf, sizeof(buf)),
		  "Tracked now: 0 i_mmap, 33 vma_lock; unmatched releases 6; event log: threshold 1000 us, 2 events, 1 dropped");
	CHECK(strstr(t, "Warning: 1 events were dropped") != NULL);
	CHECK(strstr(t, "Warning: the table of tracked locks") == NULL);
	CHECK(strstr(t, "Totals: hits=8618") > strstr(t, "Tracked now"));
	CHECK(strstr(t, "No share or unshare calls") == NULL);
	pmdstat_out_free(&out);

	/* --hist: the histograms drawn, the share/unshare ones first */
	ro.bars = true;
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, &ro);
	t = out.buf;
	CHECK_U64(test_count(t, "\n"), 107);
	CHECK(strstr(t, "Histograms (") == NULL);
	CHECK_STR(line_with(t, "share_ns", buf, sizeof(buf)),
		  "share_ns: outermost share calls, entry to return");
	CHECK_STR(line_with(t, "site:huge_pmd_share", buf, sizeof(buf)),
		  "site:huge_pmd_share: the same calls as share_ns, not shown again");
	/* lock histograms with their labels; the empty ones left out */
	CHECK_STR(line_with(t, "i_mmap_wait_ns.read", buf, sizeof(buf)),
		  "i_mmap_wait_ns.read: i_mmap_rwsem wait, read (nsecs)");
	CHECK_STR(line_after(t, "i_mmap_wait_ns.read", 1, buf, sizeof(buf)),
		  "     nsecs               : count     distribution");
	CHECK_STR(line_with(t, "vma_lock_hold_ns.write", buf, sizeof(buf)),
		  "vma_lock_hold_ns.write: hugetlb vma lock hold, write (nsecs)");
	CHECK_STR(line_with(t, "share_i_mmap_wait_ns", buf, sizeof(buf)),
		  "share_i_mmap_wait_ns: i_mmap_rwsem wait in huge_pmd_share (nsecs)");
	CHECK_STR(line_with(t, "scan_vmas", buf, sizeof(buf)),
		  "scan_vmas: VMAs scanned per huge_pmd_share (vmas)");
	CHECK_STR(line_after(t, "scan_vmas", 1, buf, sizeof(buf)),
		  "     vmas                : count     distribution");
	/* from the first non-empty bucket on */
	CHECK_STR(line_after(t, "scan_vmas", 2, buf, sizeof(buf)),
		  "         4 -> 7          : 48       |****************************************|");
	CHECK_STR(line_after(t, "scan_vmas", 3, buf, sizeof(buf)),
		  "count 48, avg 4 vmas, p50 5 vmas, p90 5 vmas, p99 5 vmas, max 5 vmas");
	CHECK(strstr(t, "i_mmap_wait_ns.write") == NULL);
	CHECK(strstr(t, "share_i_mmap_hold_ns") == NULL);

	CHECK(strstr(t, "i_mmap_wait_ns.read") > strstr(t, "Callers"));
	pmdstat_out_free(&out);
	ro.bars = false;

	/* -n caps the caller rows */
	ro.max_callers = 2;
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &st, &ro);
	CHECK_STR(line_with(out.buf, "Callers", buf, sizeof(buf)),
		  "Callers by total wait + hold time (top 2 of 3; -n 0 shows all):");
	CHECK_STR(line_after(out.buf, "Callers", 4, buf, sizeof(buf)), "");
	CHECK(strstr(out.buf, "hugetlb_vmdelete_list     vma_lock") == NULL);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&st);
}

/* Where the module cannot see contention, the report says unknown, not 0. */
static void test_contention_unknown(void)
{
	static const char *const modes[] = { "slowpath", "tracepoint", "partial", "none" };
	struct pmdstat_render_opts ro = { .max_callers = 10 };
	const char *state = "state elapsed_ns=3081234567 resets=0 maxactive=64";
	char text[8192], buf[512];
	unsigned int i;

	for (i = 0; i < TAP_COUNT(modes); i++) {
		bool unknown = i >= 2;
		struct pmdstat_stats st;
		pmdstat_out_t out;
		const char *at = strstr(test_example_stats, state);

		if (!CHECK(at != NULL))
			return;
		snprintf(text, sizeof(text), "%.*s%s contention=%s%s",
			 (int)(at - test_example_stats), test_example_stats, state,
			 modes[i], at + strlen(state));
		if (!CHECK(test_parse_str(text, &st, NULL) == PMDSTAT_PARSE_OK))
			return;
		CHECK(st.contention_unknown == unknown);
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, &ro);
		CHECK_STR(line_after(out.buf, "Lock acquisitions", 2, buf, sizeof(buf)),
			  unknown ?
			  "i_mmap    read         48    unknown       0         0       0" :
			  "i_mmap    read         48          0       0         0       0");
		CHECK((strstr(out.buf, "Contended acquisitions and waits are unknown") != NULL) ==
		      unknown);
		pmdstat_out_free(&out);
		pmdstat_out_init(&out);
		pmdstat_render_json(&out, &st, &ro);
		CHECK(strstr(out.buf, unknown ? "\"contention_known\":false" :
			     "\"contention_known\":true") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
}

static void test_text_interval(void)
{
	struct pmdstat_render_opts ro = { .interval = true, .bars = true };
	struct pmdstat_stats a, d;
	pmdstat_out_t out;
	char buf[512];

	if (!CHECK(test_parse_str(test_example_stats, &a, NULL) == PMDSTAT_PARSE_OK))
		return;
	/* nothing happened: no caller row, the max note, outliers still shown */
	CHECK(pmdstat_stats_delta(&a, &a, &d) == 0);
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &d, &ro);
	CHECK_STR(line_with(out.buf, "No caller", buf, sizeof(buf)),
		  "No caller took a tracked lock in this interval.");
	CHECK_STR(line_after(out.buf, "Lock acquisitions", 2, buf, sizeof(buf)),
		  "i_mmap    read          0          0       0         0       0");
	CHECK(strstr(out.buf, "(nsecs)") == NULL);	/* no lock histogram */
	CHECK(strstr(out.buf, "   1  wait  91.3 us") != NULL);
	CHECK_STR(line_with(out.buf, "Tracked now", buf, sizeof(buf)),
		  "Tracked now: 0 i_mmap, 33 vma_lock; unmatched releases 0; event log: threshold 1000 us, 0 events, 0 dropped (counts of this interval)");
	pmdstat_out_free(&out);
	pmdstat_stats_free(&d);

	/* with callers: the max columns are since load */
	pmdstat_out_init(&out);
	pmdstat_render_text(&out, &a, &ro);
	CHECK(strstr(out.buf, "Max wait and max hold are since load or reset.\n") != NULL);
	pmdstat_out_free(&out);
	pmdstat_stats_free(&a);
}

static void test_text_without_locks(void)
{
	struct pmdstat_snapshot *s = malloc(sizeof(*s));
	struct pmdstat_stats st;
	pmdstat_out_t out;

	/* a module without lock timing: no lock section at all */
	if (CHECK(test_parse_str("pmdstat-stats version=1\n"
				 "kernel release=r module=m\n"
				 "state elapsed_ns=1 resets=0 maxactive=64\n"
				 "Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n",
				 &st, NULL) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK(strstr(out.buf, "Lock") == NULL);
		CHECK(strstr(out.buf, "No share or unshare calls since load or reset.") != NULL);
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	/* a full snapshot renders without trouble, every table */
	test_make_snapshot(s, SEED);
	test_fill_locks(s, SEED, true);
	if (CHECK(test_roundtrip(s, &st) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_init(&out);
		pmdstat_render_text(&out, &st, NULL);
		CHECK(!pmdstat_out_failed(&out));
		CHECK(strstr(out.buf, "Callers by total wait + hold time:") != NULL);
		CHECK(strstr(out.buf, "Warning: 5 caller entries did not fit") != NULL);
		CHECK(strstr(out.buf, "Note: 7 stale lock records were dropped") != NULL);
		CHECK(strstr(out.buf, "  16  ") != NULL);	/* rank 16 */
		pmdstat_out_free(&out);
		pmdstat_stats_free(&st);
	}
	free(s);
}

static void test_events(void)
{
	struct pmdstat_render_opts ro = { .timestamp = "10:11:12" };
	struct pmdstat_recfile f;
	const struct json *v;
	struct json *root;
	pmdstat_out_t out;
	char buf[512];
	char *off;

	if (!CHECK(pmdstat_parse_events(test_example_events, strlen(test_example_events),
					&f, NULL) == PMDSTAT_PARSE_OK))
		return;
	pmdstat_out_init(&out);
	pmdstat_render_events_text(&out, &f, NULL);
	CHECK_STR(line_with(out.buf, "Event log", buf, sizeof(buf)),
		  "Event log: waits and holds of at least 1000 us: 3 seen, 2 logged, 1 dropped (capacity 4096)");
	CHECK_STR(line_with(out.buf, "#1", buf, sizeof(buf)),
		  "#1 hold 8.0 ms  vma_lock read  dev 0:15 ino 116  func hugetlb_fault  comm pmdstat-workloa pid 108 cpu 1  at 2.588185 s after boot, stack at release");
	CHECK_STR(line_after(out.buf, "#1", 1, buf, sizeof(buf)),
		  "        hugetlb_fault+0x7aa/0xd30");
	CHECK_STR(line_after(out.buf, "#1", 2, buf, sizeof(buf)),
		  "        handle_mm_fault+0x2ad/0x2d0");
	CHECK_STR(line_with(out.buf, "#2", buf, sizeof(buf)),
		  "#2 wait 1.2 ms  i_mmap write  dev 0:15 ino 107  func hugetlb_unshare_all_pmds  comm a?b pid 11 cpu 0  at 2.589000 s after boot");
	CHECK_STR(line_after(out.buf, "#2", 1, buf, sizeof(buf)), "        (no stack)");
	CHECK(strstr(out.buf, "Warning: 1 events did not fit") != NULL);

	pmdstat_out_clear(&out);
	pmdstat_render_events_json(&out, &f, &ro);
	CHECK(strchr(out.buf, '\n') == NULL);
	root = json_parse(out.buf, NULL);
	if (CHECK(root != NULL)) {
		CHECK_U64(jnum(root, "version"), 1);
		CHECK_U64(jnum(root, "threshold_us"), 1000);
		CHECK_STR(jstr(root, "time"), "10:11:12");
		check_jrecords(json_get(root, "events"), &f.rec);
		v = json_get(root, "events");
		CHECK(v && v->n == 2 && json_get(v->item[0], "stack")->n == 2 &&
		      json_get(v->item[1], "stack")->n == 0);
		v = json_get(root, "totals");
		if (CHECK(v && v->type == J_OBJ && v->n == 4)) {
			CHECK_U64(jnum(v, "events"), 3);
			CHECK_U64(jnum(v, "logged"), 2);
			CHECK_U64(jnum(v, "drops"), 1);
			CHECK_U64(jnum(v, "capacity"), 4096);
		}
	}
	json_free(root);
	pmdstat_recfile_free(&f);

	/* the log off, nothing logged */
	off = strdup("pmdstat-events version=1 threshold_us=0\n"
		     "Totals: events=0 logged=0 drops=0 capacity=256\n");
	if (CHECK(pmdstat_parse_events(off, strlen(off), &f, NULL) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_clear(&out);
		pmdstat_render_events_text(&out, &f, NULL);
		CHECK_STR(out.buf,
			  "Event log: off (threshold_us=0): 0 logged, 0 dropped; turn it on with: pmdstat --threshold US\n");
		pmdstat_out_clear(&out);
		pmdstat_render_events_json(&out, &f, NULL);
		CHECK_STR(out.buf,
			  "{\"version\":1,\"threshold_us\":0,\"events\":[],\"totals\":{\"events\":0,\"logged\":0,\"drops\":0,\"capacity\":256}}");
		pmdstat_recfile_free(&f);
	}
	free(off);
	pmdstat_out_free(&out);
}

static void test_live(void)
{
	static const char empty[] =
		"pmdstat-live version=1\n"
		"Totals: live=0 tracked_i_mmap=4 tracked_vma_lock=5\n";
	struct pmdstat_recfile f;
	const struct json *v;
	struct json *root;
	pmdstat_out_t out;
	char buf[512];

	if (!CHECK(pmdstat_parse_live(test_example_live, strlen(test_example_live),
				      &f, NULL) == PMDSTAT_PARSE_OK))
		return;
	pmdstat_out_init(&out);
	pmdstat_render_live_text(&out, &f, NULL);
	/* oldest first */
	CHECK_STR(line_after(out.buf, "State", 0, buf, sizeof(buf)),
		  "State  Lock      Mode   Dev:Ino   Func                   Comm/PID  CPU     Age  Contended  Scan  Blocked by");
	CHECK_STR(line_after(out.buf, "State", 1, buf, sizeof(buf)),
		  "wait   vma_lock  read   0:15:116  hugetlb_fault          x/125       2  9.0 ms  yes           -  hugetlb_vmdelete_list (write holding, prog/123)");
	CHECK_STR(line_after(out.buf, "State", 2, buf, sizeof(buf)),
		  "hold   i_mmap    write  0:15:107  hugetlb_vmdelete_list  prog/123    1  5.2 ms  yes           -  -");
	CHECK_STR(line_after(out.buf, "State", 3, buf, sizeof(buf)),
		  "share  -         -      -         huge_pmd_share         prog/124    0  1.1 us  -             3  -");
	CHECK_STR(line_after(out.buf, "State", 4, buf, sizeof(buf)),
		  "Tracked now: 1 i_mmap, 2 vma_lock");

	pmdstat_out_clear(&out);
	pmdstat_render_live_json(&out, &f, NULL);
	root = json_parse(out.buf, NULL);
	if (CHECK(root != NULL)) {
		CHECK_U64(jnum(root, "version"), 1);
		check_jrecords(json_get(root, "live"), &f.rec);
		v = json_get(root, "live");
		CHECK(v && v->n == 3 && !json_get(v->item[1], "lock") &&
		      jnum(v->item[1], "scan") == 3 && jnum(v->item[0], "contended") == 1);
		v = json_get(root, "totals");
		CHECK(v && v->n == 3 && jnum(v, "live") == 3);
	}
	json_free(root);
	pmdstat_recfile_free(&f);

	if (CHECK(pmdstat_parse_live(empty, strlen(empty), &f, NULL) == PMDSTAT_PARSE_OK)) {
		pmdstat_out_clear(&out);
		pmdstat_render_live_text(&out, &f, NULL);
		CHECK_STR(out.buf,
			  "No task waits for or holds a tracked lock, or is in huge_pmd_share.\n"
			  "Tracked now: 4 i_mmap, 5 vma_lock\n");
		pmdstat_out_clear(&out);
		pmdstat_render_live_json(&out, &f, NULL);
		CHECK_STR(out.buf,
			  "{\"version\":1,\"live\":[],\"totals\":{\"live\":0,\"tracked_i_mmap\":4,\"tracked_vma_lock\":5}}");
		pmdstat_recfile_free(&f);
	}
	pmdstat_out_free(&out);
}

static void test_fmt_ns(void)
{
	static const struct {
		u64 ns;
		const char *want;
	} cases[] = {
		{ 0, "0 ns" }, { 999, "999 ns" }, { 1000, "1.0 us" },
		{ 1049, "1.0 us" }, { 1050, "1.1 us" }, { 91310, "91.3 us" },
		{ 999949, "999.9 us" }, { 999950, "1.0 ms" }, { 1575330, "1.6 ms" },
		{ 7950520, "8.0 ms" }, { 999949999, "999.9 ms" }, { 999950000, "1.0 s" },
		{ 61500000000ULL, "61.5 s" },
		{ UINT64_MAX, "18446744073.7 s" },
	};
	char buf[PMDSTAT_DURATION_LEN];
	size_t i;

	for (i = 0; i < TAP_COUNT(cases); i++)
		CHECK_STR(pmdstat_fmt_ns(buf, sizeof(buf), cases[i].ns), cases[i].want);
}

static void test_table(void)
{
	struct pmdstat_table t;
	pmdstat_out_t out;
	char big[600];

	pmdstat_table_init(&t, "lrl", "A,Num,Last");
	pmdstat_table_cell(&t, "longer");
	pmdstat_table_cell(&t, "%d", 12345);
	pmdstat_table_cell(&t, "x");
	pmdstat_table_line(&t, "  a line of its own, as wide as it likes");
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pmdstat_table_cell(&t, "b");
	pmdstat_table_cell(&t, "1");
	pmdstat_table_cell(&t, "%s", big);	/* longer than the formatting buffer */
	pmdstat_out_init(&out);
	pmdstat_table_print(&out, &t);
	CHECK(!pmdstat_out_failed(&out));
	/* the last column, left aligned, is not padded: no trailing spaces */
	CHECK(!strncmp(out.buf,
		       "A         Num  Last\n"
		       "longer  12345  x\n"
		       "  a line of its own, as wide as it likes\n"
		       "b           1  bbbb", 97));
	CHECK_U64(out.len, 93 + 599 + 1);
	CHECK(out.buf[out.len - 1] == '\n' && out.buf[out.len - 2] == 'b');
	pmdstat_table_free(&t);
	pmdstat_out_free(&out);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_blocked_by),
	TAP_TEST(test_json_example),
	TAP_TEST(test_json_snapshots),
	TAP_TEST(test_json_without_locks),
	TAP_TEST(test_text_example),
	TAP_TEST(test_text_interval),
	TAP_TEST(test_text_without_locks),
	TAP_TEST(test_events),
	TAP_TEST(test_live),
	TAP_TEST(test_contention_unknown),
	TAP_TEST(test_fmt_ns),
	TAP_TEST(test_table),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
