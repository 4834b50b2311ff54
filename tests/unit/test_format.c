// SPDX-License-Identifier: GPL-2.0
/*
 * test_format.c - the module's writer (module/format.c) against the
 * reader's parser (loader/parse.c): round trips of hand-built snapshots,
 * every parse error the format defines, tolerance of unknown keys and
 * lines, and the delta of two snapshots used by interval mode.
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

#define SEED	0x5eed1234abcdULL

/* A small valid file; tests splice errors into it. */
static const char good[] =
	"pmdstat-stats version=1\n"
	"kernel release=6.1.0-56-amd64 module=0.1\n"
	"state elapsed_ns=81234567 resets=0 maxactive=64\n"
	"probe symbol=huge_pmd_share role=share hits=10 missed=0 nested=0 attached=9 fresh=1 failed=0 reads=args:mm,vma,addr,pud;ret:table\n"
	"hist name=share_ns unit=ns count=10 sum=123456 max=30000\n"
	"bucket 8192 16383 3\n"
	"bucket 16384 32767 7\n"
	"end\n"
	"Totals: hits=10 missed=0 share_calls=10 attached=9 unshare_calls=0 unshared=0\n";

static const char *role_of(const struct pmdstat_snap_site *site)
{
	return pmdstat_role_name(site->role);
}

static void check_probe(const struct pmdstat_probe *pr,
			const struct pmdstat_snap_site *site)
{
	const struct pmdstat_site_stats *st = &site->st;
	const struct pmdstat_kv *reads;

	CHECK_STR(pr->symbol, site->symbol);
	CHECK_STR(pr->role, role_of(site));
	CHECK_U64(pmdstat_kv_get(&pr->keys, "hits", 12345), st->hits);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "missed", 12345), site->missed);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "nested", 12345), st->nested);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "filtered", 12345), st->filtered);
	if (site->role == PMDSTAT_ROLE_SHARE) {
		CHECK_U64(pmdstat_kv_get(&pr->keys, "attached", 12345),
			  st->out[PMDSTAT_OUT_SHARE_ATTACHED]);
		CHECK_U64(pmdstat_kv_get(&pr->keys, "fresh", 12345),
			  st->out[PMDSTAT_OUT_SHARE_FRESH]);
		CHECK_U64(pmdstat_kv_get(&pr->keys, "failed", 12345),
			  st->out[PMDSTAT_OUT_SHARE_FAILED]);
		CHECK_U64(pmdstat_kv_get(&pr->keys, "unknown", 12345),
			  st->out[PMDSTAT_OUT_SHARE_UNKNOWN]);
		CHECK_U64(pr->keys.nr, 9);
	} else {
		CHECK_U64(pmdstat_kv_get(&pr->keys, "ret1", 12345),
			  st->out[PMDSTAT_OUT_UNSHARE_RET1]);
		CHECK_U64(pmdstat_kv_get(&pr->keys, "ret0", 12345),
			  st->out[PMDSTAT_OUT_UNSHARE_RET0]);
		CHECK_U64(pr->keys.nr, 7);
	}
	reads = pmdstat_kv_find(&pr->keys, "reads");
	if (CHECK(reads != NULL))
		CHECK_STR(reads->value, site->reads[0] ? site->reads : "none");
	/* order of the line is kept */
	CHECK_STR(pr->keys.kv[0].key, "hits");
	CHECK_STR(pr->keys.kv[1].key, "missed");
	CHECK_STR(pr->keys.kv[pr->keys.nr - 1].key, "reads");
}

/*
 * Every field of st against the snapshot it was formatted from.  Lines the
 * module may add later (more probe roles, more hists) are allowed after
 * the ones checked here.
 */
static void check_stats(const struct pmdstat_stats *st,
			const struct pmdstat_snapshot *s)
{
	const struct pmdstat_role_stats *sh = &s->role[PMDSTAT_ROLE_SHARE];
	const struct pmdstat_role_stats *un = &s->role[PMDSTAT_ROLE_UNSHARE];
	u64 hits = 0, missed = 0;
	char name[PMDSTAT_SYM_LEN + 8];
	size_t i;

	CHECK_U64(st->version, 1);
	CHECK_STR(st->release, s->release);
	CHECK_STR(st->module, s->module_version);
	CHECK_U64(st->elapsed_ns, s->elapsed_ns);
	CHECK_U64(st->resets, s->resets);
	CHECK_U64(st->maxactive, s->maxactive);
	if (!CHECK(st->nr_probes >= s->nr_sites))
		return;
	for (i = 0; i < s->nr_sites; i++)
		check_probe(&st->probe[i], &s->site[i]);
	/* Totals: hits and missed are the sums over every probe line */
	for (i = 0; i < st->nr_probes; i++) {
		hits += pmdstat_kv_get(&st->probe[i].keys, "hits", 0);
		missed += pmdstat_kv_get(&st->probe[i].keys, "missed", 0);
	}
	if (!CHECK(st->nr_hists >= 2 + s->nr_sites))
		return;
	test_check_fhist(&st->hist[0], "share_ns", &sh->lat);
	test_check_fhist(&st->hist[1], "unshare_ns", &un->lat);
	for (i = 0; i < s->nr_sites; i++) {
		snprintf(name, sizeof(name), "site:%s", s->site[i].symbol);
		test_check_hist(&st->hist[2 + i], name, &s->site[i].st.lat);
		test_check_hist(pmdstat_find_hist(st, name), name, &s->site[i].st.lat);
	}
	CHECK_U64(st->totals.nr, 6);
	CHECK_U64(pmdstat_kv_get(&st->totals, "hits", 1), hits);
	CHECK_U64(pmdstat_kv_get(&st->totals, "missed", 1), missed);
	CHECK_U64(pmdstat_kv_get(&st->totals, "share_calls", 1), sh->lat.count);
	CHECK_U64(pmdstat_kv_get(&st->totals, "attached", 1),
		  sh->out[PMDSTAT_OUT_SHARE_ATTACHED]);
	CHECK_U64(pmdstat_kv_get(&st->totals, "unshare_calls", 1), un->lat.count);
	CHECK_U64(pmdstat_kv_get(&st->totals, "unshared", 1),
		  un->out[PMDSTAT_OUT_UNSHARE_RET1]);
}

static void test_roundtrip_random(void)
{
	struct pmdstat_snapshot s;
	struct pmdstat_stats st;
	u64 seed;

	for (seed = SEED; seed < SEED + 20; seed++) {
		test_make_snapshot(&s, seed);
		if (!CHECK(test_roundtrip(&s, &st) == PMDSTAT_PARSE_OK))
			continue;
		check_stats(&st, &s);
		pmdstat_stats_free(&st);
	}
	/* the generator really spreads values over all 64 buckets */
	test_make_snapshot(&s, SEED);
	CHECK(s.role[PMDSTAT_ROLE_SHARE].lat.slot[0] > 0);
	CHECK(s.role[PMDSTAT_ROLE_SHARE].lat.slot[PMDSTAT_FHIST_SLOTS - 1] > 0);
	CHECK(s.site[0].st.lat.slot[0] > 0);
	CHECK(s.site[0].st.lat.slot[63] > 0);
}

static void test_roundtrip_empty(void)
{
	struct pmdstat_snapshot s;
	struct pmdstat_stats st;

	/* no sites, empty hists: hist lines with no buckets */
	memset(&s, 0, sizeof(s));
	snprintf(s.release, sizeof(s.release), "6.18.0");
	snprintf(s.module_version, sizeof(s.module_version), "0.1");
	if (!CHECK(test_roundtrip(&s, &st) == PMDSTAT_PARSE_OK))
		return;
	check_stats(&st, &s);
	CHECK_U64(st.hist[0].nr_buckets, 0);
	pmdstat_stats_free(&st);

	/* all PMDSTAT_MAX_SITES sites with the longest symbols */
	test_make_snapshot(&s, SEED);
	for (; s.nr_sites < PMDSTAT_MAX_SITES; s.nr_sites++) {
		struct pmdstat_snap_site *site = &s.site[s.nr_sites];

		*site = s.site[s.nr_sites % 4];
		memset(site->symbol, 'a' + s.nr_sites, PMDSTAT_SYM_LEN - 1);
		site->symbol[PMDSTAT_SYM_LEN - 1] = '\0';
	}
	if (!CHECK(test_roundtrip(&s, &st) == PMDSTAT_PARSE_OK))
		return;
	check_stats(&st, &s);
	pmdstat_stats_free(&st);
}

/*
 * blocked_by lines: one per row, the blocker's names only when known, and
 * the parser (which does not keep them yet) still reads the file.
 */
static void test_blocked_by(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_snap_blame *b;
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	pmdstat_out_t out;
	char line[512];

	if (!CHECK(s != NULL))
		return;
	test_make_snapshot(s, SEED);
	s->nr_blame = 2;
	b = &s->blocked_by[0];
	snprintf(b->waiter, sizeof(b->waiter), "huge_pmd_share");
	snprintf(b->blocker, sizeof(b->blocker), "hugetlbfs_punch_hole");
	b->kind = PMDSTAT_LK_IMMAP;
	b->wmode = PMDSTAT_MODE_READ;
	b->bmode = PMDSTAT_MODE_WRITE;
	b->bstate = PMDSTAT_BLOCK_WAIT;
	b->waits = 12;
	b->wait_total = 345678;
	b->wait_max = 99999;
	b->max_pid = 412;
	snprintf(b->max_comm, sizeof(b->max_comm), "blame-writer");
	b = &s->blocked_by[1];
	snprintf(b->waiter, sizeof(b->waiter), "hugetlb_fault");
	snprintf(b->blocker, sizeof(b->blocker), "stale");	/* not printed */
	b->kind = PMDSTAT_LK_VMA;
	b->wmode = PMDSTAT_MODE_READ;
	b->bmode = PMDSTAT_MODE_WRITE;
	b->bstate = PMDSTAT_BLOCK_UNKNOWN;
	b->waits = 1;
	b->wait_total = 7;
	b->wait_max = 7;
	pmdstat_out_init(&out);
	pmdstat_format(&out, s);
	CHECK_STR(line_with(out.buf, "blocked_by lock=i_mmap", line, sizeof(line)),
		  "blocked_by lock=i_mmap waiter=huge_pmd_share waiter_mode=read blocker=hugetlbfs_punch_hole blocker_mode=write blocker_state=wait waits=12 wait_total_ns=345678 wait_max_ns=99999 max_pid=412 max_comm=blame-writer");
	CHECK_STR(line_with(out.buf, "blocked_by lock=vma_lock", line, sizeof(line)),
		  "blocked_by lock=vma_lock waiter=hugetlb_fault waiter_mode=read blocker=unknown blocker_mode=unknown blocker_state=unknown waits=1 wait_total_ns=7 wait_max_ns=7 max_pid=0 max_comm=?");
	CHECK(strstr(out.buf, " blame=1 blame_full=0 blame_off=0\n") != NULL);
	if (CHECK(test_parse_str(out.buf, &st, &err) == PMDSTAT_PARSE_OK))
		pmdstat_stats_free(&st);
	pmdstat_out_free(&out);
	free(s);
}

static void test_good_file(void)
{
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;

	if (!CHECK(test_parse_str(good, &st, &err) == PMDSTAT_PARSE_OK)) {
		printf("# %s\n", err.msg);
		return;
	}
	CHECK_U64(st.nr_probes, 1);
	CHECK_U64(st.nr_hists, 1);
	CHECK_U64(st.hist[0].nr_buckets, 2);
	CHECK_U64(st.hist[0].bucket[1].lo, 16384);
	CHECK_U64(st.hist[0].bucket[1].hi, 32767);
	CHECK_U64(st.hist[0].bucket[1].count, 7);
	CHECK_STR(pmdstat_kv_find(&st.probe[0].keys, "reads")->value,
		  "args:mm,vma,addr,pud;ret:table");
	pmdstat_stats_free(&st);
	/* err is optional */
	CHECK(test_parse_str(good, &st, NULL) == PMDSTAT_PARSE_OK);
	pmdstat_stats_free(&st);
	CHECK(test_parse_str("pmdstat-stats version=7\n", &st, NULL) ==
	      PMDSTAT_PARSE_VERSION);
}

/* Replace the first occurrence of from in good by to. */
static char *edit(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	if (!at) {
		printf("# test bug: '%s' not in the good file\n", from);
		CHECK(at != NULL);
		snprintf(s, n, "%s", good);
		return s;
	}
	snprintf(s, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return s;
}

/* Parse text: expect code at line, and msg containing want (if not NULL). */
static void expect_error(const char *text, enum pmdstat_parse_code code,
			 unsigned int line, const char *want)
{
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	char prefix[32];
	enum pmdstat_parse_code rc;

	memset(&st, 0x55, sizeof(st));
	rc = test_parse_str(text, &st, &err);
	if (!CHECK_U64(rc, code))
		printf("#   message: %s\n", err.msg);
	CHECK_U64(err.code, code);
	CHECK_U64(err.line, line);
	snprintf(prefix, sizeof(prefix), "line %u: ", line);
	CHECK(!strncmp(err.msg, prefix, strlen(prefix)));
	if (want && !CHECK(strstr(err.msg, want) != NULL))
		printf("#   message '%s' lacks '%s'\n", err.msg, want);
	/* nothing left behind */
	CHECK(st.nr_probes == 0 && st.probe == NULL && st.release == NULL);
	if (rc == PMDSTAT_PARSE_OK)
		pmdstat_stats_free(&st);
}

static void expect_error_edit(const char *from, const char *to,
			      enum pmdstat_parse_code code, unsigned int line,
			      const char *want)
{
	char *s = edit(from, to);

	expect_error(s, code, line, want);
	free(s);
}

static void test_error_version(void)
{
	expect_error_edit("version=1", "version=2", PMDSTAT_PARSE_VERSION, 1,
			  "stats format version 2 is newer than this pmdstat understands (1): use the pmdstat reader built with the module");
	/* a newer version may change the grammar: only version= is read */
	expect_error("pmdstat-stats flavour version=3\n\x01garbage \"\n",
		     PMDSTAT_PARSE_VERSION, 1, "version 3 is newer");
	expect_error_edit("version=1", "version=0", PMDSTAT_PARSE_VERSION, 1,
			  "version 0 is not one this pmdstat understands (1)");
	expect_error_edit("version=1", "version=99999999999999999999",
			  PMDSTAT_PARSE_NOVERSION, 1, "no valid version");
	expect_error_edit("version=1", "version=one", PMDSTAT_PARSE_NOVERSION, 1,
			  "no valid version");
	expect_error_edit("version=1", "v=1", PMDSTAT_PARSE_NOVERSION, 1, NULL);
	expect_error_edit("pmdstat-stats ", "pmdstat-statistics ",
			  PMDSTAT_PARSE_NOVERSION, 1, "not a pmdstat stats file");
	expect_error("", PMDSTAT_PARSE_NOVERSION, 1, "empty file");
	expect_error(good + strlen("pmdstat-stats version=1\n"),
		     PMDSTAT_PARSE_NOVERSION, 1, "first line must be");
	/* the version is checked before a missing newline */
	expect_error("pmdstat-stats version=2", PMDSTAT_PARSE_VERSION, 1, NULL);
}

static void test_error_totals(void)
{
	char *s = edit("Totals: hits=10 missed=0 share_calls=10 attached=9 unshare_calls=0 unshared=0\n", "");

	expect_error(s, PMDSTAT_PARSE_NOTOTALS, 9, "without a Totals: line");
	free(s);
	expect_error_edit("unshare_calls=0 ", "", PMDSTAT_PARSE_MALFORMED, 9,
			  "no unshare_calls=");
	expect_error_edit("unshared=0", "unshared=0x", PMDSTAT_PARSE_MALFORMED, 9,
			  "unshared=0x is not");
	/* Totals: is the last line */
	s = malloc(2 * sizeof(good));
	snprintf(s, 2 * sizeof(good), "%s%s", good, good);
	expect_error(s, PMDSTAT_PARSE_MALFORMED, 10, "after the Totals: line");
	free(s);
	s = malloc(sizeof(good) + 16);
	snprintf(s, sizeof(good) + 16, "%s\nfuture x=1\n", good);
	expect_error(s, PMDSTAT_PARSE_MALFORMED, 11, "'future' after the Totals:");
	free(s);
}

static void test_error_buckets(void)
{
	/* bucket after end */
	expect_error_edit("end\n", "end\nbucket 1 1 1\n", PMDSTAT_PARSE_STRAY, 9,
			  "'bucket' outside a hist");
	/* bucket before any hist */
	expect_error_edit("hist ", "bucket 2 3 1\nhist ", PMDSTAT_PARSE_STRAY, 5,
			  "outside a hist");
	expect_error_edit("end\n", "end\nend\n", PMDSTAT_PARSE_STRAY, 9,
			  "'end' outside a hist");
	/* hist without end */
	expect_error_edit("end\n", "", PMDSTAT_PARSE_NOEND, 8,
			  "hist share_ns (line 5) has no 'end' line before this 'Totals:' line");
	expect_error_edit("end\n", "hist name=x unit=ns count=0 sum=0 max=0\nend\n",
			  PMDSTAT_PARSE_NOEND, 8, "hist share_ns (line 5)");
	expect_error("pmdstat-stats version=1\nhist name=a unit=ns count=1 sum=1 max=1\nbucket 0 1 1\n",
		     PMDSTAT_PARSE_NOEND, 4, "end of file inside hist a (line 2)");
	/* bad buckets */
	expect_error_edit("bucket 8192 16383 3", "bucket 8192 16383 x",
			  PMDSTAT_PARSE_MALFORMED, 6, "'x' is not an unsigned");
	expect_error_edit("bucket 8192 16383 3", "bucket 8192 16383",
			  PMDSTAT_PARSE_MALFORMED, 6, "needs 3 numbers");
	expect_error_edit("bucket 8192 16383 3", "bucket 8192 16383 3 4",
			  PMDSTAT_PARSE_MALFORMED, 6, "needs 3 numbers");
	expect_error_edit("bucket 8192 16383 3", "bucket 16383 8192 3",
			  PMDSTAT_PARSE_MALFORMED, 6, "above hi");
	expect_error_edit("bucket 16384 32767 7", "bucket 4 7 7",
			  PMDSTAT_PARSE_MALFORMED, 7, "not above the previous");
	expect_error_edit("bucket 16384 32767 7", "bucket 16383 32767 7",
			  PMDSTAT_PARSE_MALFORMED, 7, "not above the previous");
	expect_error_edit("bucket 8192 16383 3", "bucket -1 16383 3",
			  PMDSTAT_PARSE_MALFORMED, 6, NULL);
	/* a second hist of the same name */
	expect_error_edit("Totals:", "hist name=share_ns unit=ns count=0 sum=0 max=0\nend\nTotals:",
			  PMDSTAT_PARSE_MALFORMED, 9, "a second hist named share_ns");
}

static void test_error_numbers(void)
{
	expect_error_edit("hits=10", "hits=12x", PMDSTAT_PARSE_MALFORMED, 4,
			  "hits=12x is not an unsigned decimal number");
	expect_error_edit("hits=10", "hits=-1", PMDSTAT_PARSE_MALFORMED, 4, "hits=-1");
	expect_error_edit("hits=10", "hits=+1", PMDSTAT_PARSE_MALFORMED, 4, "hits=+1");
	expect_error_edit("hits=10", "hits=", PMDSTAT_PARSE_MALFORMED, 4, "hits=");
	expect_error_edit("hits=10", "hits=0x10", PMDSTAT_PARSE_MALFORMED, 4, NULL);
	/* 2^64 does not fit; 2^64 - 1 does */
	expect_error_edit("hits=10", "hits=18446744073709551616",
			  PMDSTAT_PARSE_MALFORMED, 4, NULL);
	expect_error_edit("fresh=1", "fresh=1.5", PMDSTAT_PARSE_MALFORMED, 4,
			  "fresh=1.5");
	expect_error_edit("count=10", "count=1e3", PMDSTAT_PARSE_MALFORMED, 5,
			  "count=1e3");
	expect_error_edit("elapsed_ns=81234567", "elapsed_ns=8123 4567",
			  PMDSTAT_PARSE_MALFORMED, 3, "got '4567'");
	expect_error_edit("maxactive=64", "maxactive=", PMDSTAT_PARSE_MALFORMED, 3,
			  "maxactive=");
}

static void test_error_lines(void)
{
	char *s;

	expect_error_edit(" missed=0 nested", " nested", PMDSTAT_PARSE_MALFORMED, 4,
			  "'probe' line has no missed=");
	expect_error_edit("symbol=huge_pmd_share ", "", PMDSTAT_PARSE_MALFORMED, 4,
			  "no symbol=");
	expect_error_edit("role=share", "role=", PMDSTAT_PARSE_MALFORMED, 4,
			  "role= is empty");
	expect_error_edit(" nested=0", " nested=0 nested=1", PMDSTAT_PARSE_MALFORMED, 4,
			  "key 'nested' appears twice");
	expect_error_edit(" nested=0", " nested", PMDSTAT_PARSE_MALFORMED, 4,
			  "expected key=value, got 'nested'");
	expect_error_edit(" nested=0", " =0", PMDSTAT_PARSE_MALFORMED, 4,
			  "expected key=value");
	expect_error_edit("unit=ns ", "", PMDSTAT_PARSE_MALFORMED, 5, "no unit=");
	expect_error_edit("kernel release=6.1.0-56-amd64 module=0.1\n", "",
			  PMDSTAT_PARSE_MALFORMED, 9, "no 'kernel' line");
	expect_error_edit("state elapsed_ns=81234567 resets=0 maxactive=64\n", "",
			  PMDSTAT_PARSE_MALFORMED, 9, "no 'state' line");
	expect_error_edit("state ", "state elapsed_ns=1 resets=0 maxactive=1\nstate ",
			  PMDSTAT_PARSE_MALFORMED, 4, "a second 'state' line");
	expect_error_edit("state ", "pmdstat-stats version=1\nstate ",
			  PMDSTAT_PARSE_MALFORMED, 3, "second 'pmdstat-stats' header");
	/* a NUL byte inside a line */
	s = edit("hits=10", "hits=1");
	s[strstr(s, "hits=1") - s + 5] = '\0';
	{
		struct pmdstat_parse_error err;
		struct pmdstat_stats st;

		CHECK_U64(pmdstat_parse(s, sizeof(good) - 2, &st, &err),
			  PMDSTAT_PARSE_MALFORMED);
		CHECK_U64(err.line, 4);
		CHECK(strstr(err.msg, "NUL") != NULL);
	}
	free(s);
}

/* Every proper prefix of a valid file fails; cut mid-line says truncated. */
static void test_error_truncated(void)
{
	struct pmdstat_snapshot s;
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	pmdstat_out_t out;
	size_t n, accepted = 0, mid_line = 0;

	test_make_snapshot(&s, SEED);
	test_format(&s, &out);
	for (n = 0; n < out.len; n++) {
		enum pmdstat_parse_code rc = pmdstat_parse(out.buf, n, &st, &err);

		if (rc == PMDSTAT_PARSE_OK) {
			accepted++;
			pmdstat_stats_free(&st);
			continue;
		}
		if (n && out.buf[n - 1] != '\n') {
			mid_line++;
			if (rc != PMDSTAT_PARSE_TRUNCATED && rc != PMDSTAT_PARSE_VERSION &&
			    rc != PMDSTAT_PARSE_NOVERSION)
				CHECK_U64(rc, PMDSTAT_PARSE_TRUNCATED);
		} else if (n) {
			if (rc != PMDSTAT_PARSE_NOEND && rc != PMDSTAT_PARSE_NOTOTALS)
				printf("# prefix %zu: %s\n", n, err.msg);
			CHECK(rc == PMDSTAT_PARSE_NOEND || rc == PMDSTAT_PARSE_NOTOTALS);
		}
	}
	CHECK_U64(accepted, 0);
	CHECK(mid_line > 1000);
	CHECK(pmdstat_parse(out.buf, out.len, &st, &err) == PMDSTAT_PARSE_OK);
	pmdstat_stats_free(&st);

	/* one line cut short: "Totals: ... unshared=9" without newline */
	expect_error_edit("unshared=0\n", "unshared=0", PMDSTAT_PARSE_TRUNCATED, 9,
			  "no newline");
	pmdstat_out_free(&out);
}

static void test_unknown_keys_and_lines(void)
{
	/* unknown keys and line kinds (inside a hist too), blank lines, double spaces */
	static const char text[] =
		"pmdstat-stats version=1 flavour=debug\n"
		"# a comment, say\n"
		"new x=1\n"
		"\n"
		"kernel release=6.1.0-56-amd64 module=0.1 built=today\n"
		"state elapsed_ns=81234567 resets=0 maxactive=64 cpus=8\n"
		"probe symbol=huge_pmd_share role=share hits=10 missed=0 newnum=5 nested=0 attached=9 fresh=1 failed=0 newstr=a=b,c newempty= reads=args:mm\n"
		"hist name=share_ns unit=ns scale=2  count=10 sum=123456 max=30000\n"
		"sample 1 2 3\n"
		"\n"
		"foo  x=y z\n"
		"bucket 8192 16383 3\n"
		"bucket 16384 32767 7\n"
		"end note=fine\n"
		"Totals: hits=10 missed=0 share_calls=10 attached=9 unshare_calls=0 unshared=0 dropped=0\n";
	struct pmdstat_parse_error err;
	struct pmdstat_stats st;
	const struct pmdstat_kv *kv;
	u64 v;

	if (!CHECK(test_parse_str(text, &st, &err) == PMDSTAT_PARSE_OK)) {
		printf("# %s\n", err.msg);
		return;
	}
	CHECK_U64(st.elapsed_ns, 81234567);
	CHECK_U64(st.hist[0].count, 10);
	CHECK_U64(st.hist[0].nr_buckets, 2);
	CHECK_U64(st.probe[0].keys.nr, 10);
	CHECK_STR(st.probe[0].keys.kv[2].key, "newnum");
	CHECK_STR(st.probe[0].keys.kv[3].key, "nested");
	kv = pmdstat_kv_find(&st.probe[0].keys, "newnum");
	CHECK(kv && kv->numeric && kv->num == 5);
	kv = pmdstat_kv_find(&st.probe[0].keys, "newstr");
	CHECK(kv && !kv->numeric && !strcmp(kv->value, "a=b,c"));
	kv = pmdstat_kv_find(&st.probe[0].keys, "newempty");
	CHECK(kv && !kv->numeric && !strcmp(kv->value, ""));
	CHECK(pmdstat_kv_u64(&st.probe[0].keys, "newnum", &v) == 0 && v == 5);
	CHECK(pmdstat_kv_u64(&st.probe[0].keys, "newstr", &v) == -EINVAL);
	CHECK(pmdstat_kv_u64(&st.probe[0].keys, "absent", &v) == -ENOENT);
	CHECK(pmdstat_kv_u64(&st.probe[0].keys, "reads", &v) == -EINVAL);
	CHECK_U64(pmdstat_kv_get(&st.probe[0].keys, "absent", 77), 77);
	CHECK_U64(st.totals.nr, 7);
	CHECK_U64(pmdstat_kv_get(&st.totals, "dropped", 77), 0);
	pmdstat_stats_free(&st);
}

/* Parse what pmdstat_format writes for s into st. */
static bool snap_stats(const struct pmdstat_snapshot *s, struct pmdstat_stats *st)
{
	return CHECK(test_roundtrip(s, st) == PMDSTAT_PARSE_OK);
}

static void hist_diff(struct pmdstat_hist *d, const struct pmdstat_hist *b,
		      const struct pmdstat_hist *a)
{
	unsigned int i;

	d->count = b->count - a->count;
	/* the sums wrapped (UINT64_MAX was added): a drop reads as 0 */
	d->sum = b->sum > a->sum ? b->sum - a->sum : 0;
	d->max = b->max;
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++)
		d->slot[i] = b->slot[i] - a->slot[i];
}

static void fhist_diff(struct pmdstat_fhist *d, const struct pmdstat_fhist *b,
		       const struct pmdstat_fhist *a)
{
	unsigned int i;

	d->count = b->count - a->count;
	d->sum = b->sum > a->sum ? b->sum - a->sum : 0;
	d->max = b->max;
	for (i = 0; i < PMDSTAT_FHIST_SLOTS; i++)
		d->slot[i] = b->slot[i] - a->slot[i];
}

static void test_delta(void)
{
	struct pmdstat_snapshot a, b, want;
	struct pmdstat_stats sa, sb, d;
	u64 state = 99;
	unsigned int i, r;

	test_make_snapshot(&a, SEED);
	b = a;
	test_add_events(&b, &state, 40);
	b.site[3].st.hits = a.site[3].st.hits + 3;
	b.site[3].missed = a.site[3].missed + 2;
	if (!snap_stats(&a, &sa))
		return;
	if (!snap_stats(&b, &sb)) {
		pmdstat_stats_free(&sa);
		return;
	}
	CHECK(pmdstat_stats_delta(&sa, &sb, &d) == 0);

	/* what the delta must be, computed on the snapshots */
	want = b;
	want.elapsed_ns = b.elapsed_ns - a.elapsed_ns;
	want.resets = 0;
	for (i = 0; i < b.nr_sites; i++) {
		struct pmdstat_snap_site *w = &want.site[i];
		const struct pmdstat_snap_site *x = &a.site[i];

		w->missed -= x->missed;
		w->st.hits -= x->st.hits;
		w->st.nested -= x->st.nested;
		w->st.filtered -= x->st.filtered;
		for (r = 0; r < PMDSTAT_NR_OUTCOMES; r++)
			w->st.out[r] -= x->st.out[r];
		hist_diff(&w->st.lat, &b.site[i].st.lat, &x->st.lat);
	}
	for (r = 0; r < PMDSTAT_NR_ROLES; r++) {
		unsigned int k;

		for (k = 0; k < PMDSTAT_NR_OUTCOMES; k++)
			want.role[r].out[k] -= a.role[r].out[k];
		fhist_diff(&want.role[r].lat, &b.role[r].lat, &a.role[r].lat);
	}
	check_stats(&d, &want);
	pmdstat_stats_free(&d);
	pmdstat_stats_free(&sa);
	pmdstat_stats_free(&sb);
}

static void test_delta_same(void)
{
	struct pmdstat_snapshot a;
	struct pmdstat_stats sa, d;
	size_t i, k;

	test_make_snapshot(&a, SEED);
	if (!snap_stats(&a, &sa))
		return;
	CHECK(pmdstat_stats_delta(&sa, &sa, &d) == 0);
	CHECK_U64(d.elapsed_ns, 0);
	CHECK_U64(d.resets, 0);
	CHECK_U64(d.maxactive, 64);
	CHECK_STR(d.release, "6.1.0-56-amd64");
	for (i = 0; i < d.nr_probes; i++)
		for (k = 0; k < d.probe[i].keys.nr; k++) {
			const struct pmdstat_kv *kv = &d.probe[i].keys.kv[k];

			if (!strcmp(kv->key, "reads")) {
				CHECK_STR(kv->value, sa.probe[i].keys.kv[k].value);
				continue;
			}
			CHECK(kv->numeric);
			CHECK_U64(kv->num, 0);
			CHECK_STR(kv->value, "0");
		}
	for (i = 0; i < d.nr_hists; i++) {
		CHECK_U64(d.hist[i].count, 0);
		CHECK_U64(d.hist[i].sum, 0);
		CHECK_U64(d.hist[i].nr_buckets, 0);
		CHECK_U64(d.hist[i].max, sa.hist[i].max);	/* max is b's */
	}
	for (k = 0; k < d.totals.nr; k++)
		CHECK_U64(d.totals.kv[k].num, 0);
	pmdstat_stats_free(&d);
	pmdstat_stats_free(&sa);
}

static void test_delta_reset_and_new(void)
{
	static const char a_txt[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=m\n"
		"state elapsed_ns=5000 resets=2 maxactive=64\n"
		"probe symbol=s1 role=share hits=10 missed=4 nested=0 attached=9 fresh=1 failed=0 reads=none\n"
		"hist name=share_ns unit=ns count=10 sum=100 max=40\n"
		"bucket 4 7 4\n"
		"bucket 8 15 6\n"
		"end\n"
		"Totals: hits=10 missed=4 share_calls=10 attached=9 unshare_calls=0 unshared=0\n";
	/* s1: hits +5, missed went back (racy): 0; s2 and its hist are new */
	static const char b_txt[] =
		"pmdstat-stats version=1\n"
		"kernel release=r module=m\n"
		"state elapsed_ns=9000 resets=2 maxactive=32\n"
		"probe symbol=s1 role=share hits=15 missed=3 nested=0 attached=13 fresh=2 failed=0 reads=none\n"
		"probe symbol=s2 role=unshare hits=7 missed=0 nested=1 ret1=3 ret0=4 reads=ret:int\n"
		"hist name=share_ns unit=ns count=15 sum=150 max=39\n"
		"bucket 2 3 1\n"
		"bucket 4 7 4\n"
		"bucket 8 15 10\n"
		"end\n"
		"hist name=site:s2 unit=ns count=7 sum=70 max=20\n"
		"bucket 8 15 3\n"
		"bucket 16 31 4\n"
		"end\n"
		"Totals: hits=22 missed=3 share_calls=15 attached=13 unshare_calls=0 unshared=0\n";
	struct pmdstat_stats a, b, d;
	const struct pmdstat_phist *h;
	const struct pmdstat_probe *pr;

	if (!CHECK(test_parse_str(a_txt, &a, NULL) == PMDSTAT_PARSE_OK))
		return;
	if (!CHECK(test_parse_str(b_txt, &b, NULL) == PMDSTAT_PARSE_OK))
		return;
	CHECK(pmdstat_stats_delta(&a, &b, &d) == 0);
	CHECK_U64(d.elapsed_ns, 4000);
	CHECK_U64(d.maxactive, 32);
	pr = pmdstat_find_probe(&d, "s1");
	CHECK(pr != NULL);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "hits", 99), 5);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "missed", 99), 0);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "attached", 99), 4);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "fresh", 99), 1);
	CHECK_STR(pmdstat_kv_find(&pr->keys, "reads")->value, "none");
	pr = pmdstat_find_probe(&d, "s2");
	CHECK(pr != NULL);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "hits", 99), 7);
	CHECK_U64(pmdstat_kv_get(&pr->keys, "ret0", 99), 4);
	h = pmdstat_find_hist(&d, "share_ns");
	CHECK_U64(h->count, 5);
	CHECK_U64(h->sum, 50);
	CHECK_U64(h->max, 39);
	CHECK_U64(h->nr_buckets, 2);	/* 4..7 did not change: dropped */
	CHECK_U64(h->bucket[0].lo, 2);
	CHECK_U64(h->bucket[0].count, 1);
	CHECK_U64(h->bucket[1].lo, 8);
	CHECK_U64(h->bucket[1].count, 4);
	h = pmdstat_find_hist(&d, "site:s2");
	CHECK_U64(h->count, 7);
	CHECK_U64(h->nr_buckets, 2);
	CHECK_U64(pmdstat_kv_get(&d.totals, "hits", 99), 12);
	CHECK_U64(pmdstat_kv_get(&d.totals, "missed", 99), 0);
	CHECK_STR(pmdstat_kv_find(&d.totals, "hits")->value, "12");
	pmdstat_stats_free(&d);

	/* a reset in between: d is b since the reset */
	b.resets = 3;
	b.elapsed_ns = 1000;
	CHECK(pmdstat_stats_delta(&a, &b, &d) == 1);
	CHECK_U64(d.resets, 1);
	CHECK_U64(d.elapsed_ns, 1000);
	CHECK_U64(pmdstat_kv_get(&pmdstat_find_probe(&d, "s1")->keys, "hits", 99), 15);
	CHECK_U64(pmdstat_find_hist(&d, "share_ns")->count, 15);
	CHECK_U64(pmdstat_find_hist(&d, "share_ns")->nr_buckets, 3);
	pmdstat_stats_free(&d);
	/* module reloaded: elapsed went back, resets the same */
	b.resets = 2;
	CHECK(pmdstat_stats_delta(&a, &b, &d) == 1);
	CHECK_U64(d.resets, 0);
	CHECK_U64(pmdstat_find_hist(&d, "share_ns")->count, 15);
	pmdstat_stats_free(&d);
	pmdstat_stats_free(&a);
	pmdstat_stats_free(&b);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_roundtrip_random),
	TAP_TEST(test_roundtrip_empty),
	TAP_TEST(test_blocked_by),
	TAP_TEST(test_good_file),
	TAP_TEST(test_error_version),
	TAP_TEST(test_error_totals),
	TAP_TEST(test_error_buckets),
	TAP_TEST(test_error_numbers),
	TAP_TEST(test_error_lines),
	TAP_TEST(test_error_truncated),
	TAP_TEST(test_unknown_keys_and_lines),
	TAP_TEST(test_delta),
	TAP_TEST(test_delta_same),
	TAP_TEST(test_delta_reset_and_new),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
