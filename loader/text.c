// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - the reader's text outputs.  The report of parsed stats: a
 * header, the probe sites, a percentile table of the histograms or (--hist)
 * their log2 bars, drawn like bcc's print_log2_hist (libbpf-tools
 * trace_helpers.c) so that they read like funclatency's, but from the first
 * to the last non-empty bucket as bpftrace prints them; then the lock
 * timing, after klockstat (bcc): acquisitions per lock and mode, callers
 * by the time they waited for and held the locks, whom waits waited
 * behind, the longest waits and holds with their stacks; then the race and
 * lock-rule detector: the overlaps of shares and unshares, the unshares
 * whose lock rules were checked, the shadow share counts, the fault
 * injection state (loudly), the violation counts of every kind and the
 * logged violations (with their stacks) and overlaps.  And the events file
 * (every wait or hold at or above the threshold, with its stack) and the
 * live file (who waits for or holds a tracked lock right now).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "fields.h"
#include "hist.h"
#include "out.h"
#include "render.h"
#include "table.h"

/* ---- log2 histograms, notes, stacks, rows ---- */

#define STARS_MAX	40

/* floor(val * width / val_max) for val <= val_max, val_max > 0. */
static unsigned int scale(u64 val, unsigned int width, u64 val_max)
{
#ifdef __SIZEOF_INT128__
	return (unsigned int)((unsigned __int128)val * width / val_max);
#else
	return (unsigned int)((long double)val * width / val_max);
#endif
}

static void print_stars(pmdstat_out_t *out, u64 val, u64 val_max,
			unsigned int width)
{
	unsigned int i, stars = scale(val < val_max ? val : val_max, width, val_max);
	char bar[STARS_MAX + 1];

	for (i = 0; i < width; i++)
		bar[i] = i < stars ? '*' : ' ';
	bar[width] = '\0';
	pmdstat_printf(out, "%s%s", bar, val > val_max ? "+" : "");
}

static void print_row(pmdstat_out_t *out, int width, u64 lo, u64 hi, u64 val,
		      u64 val_max, unsigned int stars)
{
	pmdstat_printf(out, "%*llu -> %-*llu : %-8llu |", width,
		       (unsigned long long)lo, width, (unsigned long long)hi,
		       (unsigned long long)val);
	print_stars(out, val, val_max, stars);
	pmdstat_printf(out, "|\n");
}

void pmdstat_render_log2_hist(pmdstat_out_t *out, const struct pmdstat_phist *h,
			      const char *val_type)
{
	u64 vals[PMDSTAT_HIST_SLOTS] = { 0 };
	u64 val_max = 0;
	bool log2 = true;
	int idx_min = PMDSTAT_HIST_SLOTS, idx_max = -1, i;
	unsigned int stars;
	int width;
	size_t k;

	for (k = 0; k < h->nr_buckets; k++) {
		const struct pmdstat_bucket *b = &h->bucket[k];
		int slot = pmdstat_bucket_slot(b);

		if (slot < 0)
			log2 = false;
		else
			vals[slot] = b->count;
		if (b->count && slot > idx_max)
			idx_max = slot;
		if (b->count && slot >= 0 && slot < idx_min)
			idx_min = slot;
		if (b->count > val_max)
			val_max = b->count;
		/* a non-log2 bucket: size the columns by its bounds */
		if (b->count && slot < 0 && b->hi > pmdstat_hist_hi(32))
			idx_max = 33;
	}
	if (!val_max)
		return;
	if (idx_max < 0)
		idx_max = 0;

	/* bcc: wider columns and half-length bars past 2^32 */
	width = idx_max <= 32 ? 10 : 20;
	stars = idx_max <= 32 ? STARS_MAX : STARS_MAX / 2;
	pmdstat_printf(out, "%*s%-*s : count     distribution\n",
		       idx_max <= 32 ? 5 : 15, "", idx_max <= 32 ? 19 : 29,
		       val_type);
	if (!log2) {
		/* not the module's log2 buckets: show them as they are */
		for (k = 0; k < h->nr_buckets; k++)
			print_row(out, width, h->bucket[k].lo, h->bucket[k].hi,
				  h->bucket[k].count, val_max, stars);
		return;
	}
	/* as bpftrace: from the first to the last non-empty bucket */
	for (i = idx_min; i <= idx_max; i++)
		print_row(out, width, pmdstat_hist_lo((unsigned int)i),
			  pmdstat_hist_hi((unsigned int)i), vals[i], val_max, stars);
}

/* A number of a record line (0 if absent), a string ("?" if absent). */
static u64 num(const struct pmdstat_kvs *kvs, const char *key)
{
	return pmdstat_kv_get(kvs, key, 0);
}

static const char *str(const struct pmdstat_kvs *kvs, const char *key)
{
	return pmdstat_kv_str(kvs, key, "?");
}

/* what a counter means when it is not 0: text, with its value for %llu */
struct render_note {
	const char *key;
	const char *text;
};

#define STACK_INDENT	"        "

/* A duration in ns with its unit: "91.3 us". */
static void cell_ns(struct pmdstat_table *t, u64 ns)
{
	char buf[PMDSTAT_DURATION_LEN];

	pmdstat_table_cell(t, "%s", pmdstat_fmt_ns(buf, sizeof(buf), ns));
}

/* "S.UUUUUU": seconds after boot of a time in ns. */
static void cell_at(struct pmdstat_table *t, u64 at)
{
	pmdstat_table_cell(t, "%llu.%06llu", (unsigned long long)(at / 1000000000),
			   (unsigned long long)(at % 1000000000 / 1000));
}

/* The value of key, or "-" without it. */
static void cell_opt(struct pmdstat_table *t, const struct pmdstat_kvs *kvs,
		     const char *key)
{
	pmdstat_table_cell(t, "%s", pmdstat_kv_str(kvs, key, "-"));
}

/* A line for each key of kvs that is not 0: text, with its value for %llu. */
static void render_notes(pmdstat_out_t *out, const struct pmdstat_kvs *kvs,
			 const struct render_note *notes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u64 v = pmdstat_kv_get(kvs, notes[i].key, 0);

		if (v)
			pmdstat_printf(out, notes[i].text, (unsigned long long)v);
	}
}

/* "nsecs" for "ns", ...; other units as they are. */
static const char *render_unit_name(const char *unit)
{
	if (!strcmp(unit, "ns"))
		return "nsecs";
	if (!strcmp(unit, "us"))
		return "usecs";
	if (!strcmp(unit, "ms"))
		return "msecs";
	return unit;
}

/* A blank line, title, the log2 histogram and a count/avg/p50/... line. */
static void render_hist_titled(pmdstat_out_t *out, const struct pmdstat_phist *h,
			       const char *title)
{
	const char *u = h->unit;

	pmdstat_printf(out, "\n%s\n", title);
	pmdstat_render_log2_hist(out, h, render_unit_name(u));
	pmdstat_printf(out,
		       "count %llu, avg %llu %s, p50 %llu %s, p90 %llu %s, p99 %llu %s, max %llu %s\n",
		       (unsigned long long)h->count,
		       (unsigned long long)pmdstat_hist_avg(h), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 50), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 90), u,
		       (unsigned long long)pmdstat_hist_percentile(h, 99), u,
		       (unsigned long long)h->max, u);
}

/* Is name one of the lock timing histograms (shown in the lock section)? */
static bool render_is_lock_hist(const char *name)
{
	const struct pmdstat_hist_info *hi = pmdstat_hist_info(name);

	return hi && hi->lock;
}

static bool render_is_lock_probe(const struct pmdstat_probe *pr)
{
	return pr->role && !strcmp(pr->role, "lock");
}

/*
 * The frames of stack= one per line after STACK_INDENT, "(no stack)" for
 * none: as lines of t after its current row, or to out if t is NULL.
 */
static void render_stack(pmdstat_out_t *out, struct pmdstat_table *t, const char *stack)
{
	const char *s, *comma;
	int n;

	for (s = stack; *s; s = comma + 1) {
		comma = strchr(s, ',');
		n = comma ? (int)(comma - s) : (int)strlen(s);
		if (!strcmp(stack, "none"))
			s = "(no stack)", n = 10;
		if (t)
			pmdstat_table_line(t, STACK_INDENT "%.*s", n, s);
		else
			pmdstat_printf(out, STACK_INDENT "%.*s\n", n, s);
		if (!comma)
			break;
	}
}

/* qsort order of render_rows() rows by rank= */
static int render_cmp_rank(const void *x, const void *y)
{
	u64 a = num(*(const struct pmdstat_kvs *const *)x, "rank");
	u64 b = num(*(const struct pmdstat_kvs *const *)y, "rank");

	return a < b ? -1 : a > b;
}

/*
 * The lines of r that keep(line, arg) accepts (every line if keep is
 * NULL), sorted by cmp, and their number in *n; NULL if none (or out of
 * memory: out is then failed).  Free the array.
 */
static const struct pmdstat_kvs **
render_rows(pmdstat_out_t *out, const struct pmdstat_records *r,
	    bool (*keep)(const struct pmdstat_kvs *, const void *), const void *arg,
	    int (*cmp)(const void *, const void *), size_t *n)
{
	const struct pmdstat_kvs **row;
	size_t i;

	*n = 0;
	row = r->nr ? calloc(r->nr, sizeof(*row)) : NULL;
	if (r->nr && !row)
		pmdstat_out_set_failed(out);
	for (i = 0; row && i < r->nr; i++)
		if (!keep || keep(&r->rec[i], arg))
			row[(*n)++] = &r->rec[i];
	if (!*n) {
		free(row);
		return NULL;
	}
	qsort(row, *n, sizeof(*row), cmp);
	return row;
}

/* ---- the lock timing ---- */

static bool has_locks(const struct pmdstat_stats *st)
{
	size_t i;

	if (st->locks.nr || st->callers.nr || st->outliers.nr || st->lock_state.nr)
		return true;
	for (i = 0; i < st->nr_probes; i++)
		if (render_is_lock_probe(&st->probe[i]))
			return true;
	for (i = 0; i < st->nr_hists; i++)
		if (st->hist[i].count && render_is_lock_hist(st->hist[i].name))
			return true;
	return false;
}

static void render_acquisitions(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	struct pmdstat_table t;
	size_t i;

	if (!st->locks.nr)
		return;
	pmdstat_table_init(&t, "llrrrrr", "Lock,Mode,Acquired,Contended,Try ok,Try fail,Failed");
	for (i = 0; i < st->locks.nr; i++) {
		const struct pmdstat_kvs *l = &st->locks.rec[i];

		pmdstat_table_cell(&t, "%s", str(l, "kind"));
		pmdstat_table_cell(&t, "%s", str(l, "mode"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "acquired"));
		if (st->contention_unknown)
			pmdstat_table_cell(&t, "unknown");
		else
			pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "contended"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "try_ok"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "try_fail"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "failed"));
	}
	pmdstat_printf(out, "\nLock acquisitions of i_mmap_rwsem (hugetlb files) and hugetlb vma locks, trylocks included:\n");
	pmdstat_table_print(out, &t);
	if (st->contention_unknown)
		pmdstat_printf(out, "Contended acquisitions and waits are unknown: this kernel's contended lock paths could not be probed (see dmesg | grep pmdstat).\n");
	pmdstat_table_free(&t);
}

static u64 caller_time(const struct pmdstat_kvs *c)
{
	return pmdstat_add_sat(num(c, "wait_total_ns"), num(c, "hold_total_ns"));
}

/* By total wait + hold, then acquisitions, descending; then by name. */
static int cmp_callers(const void *x, const void *y)
{
	const struct pmdstat_kvs *a = *(const struct pmdstat_kvs *const *)x;
	const struct pmdstat_kvs *b = *(const struct pmdstat_kvs *const *)y;
	static const char *const names[] = { "func", "lock", "mode" };
	u64 ta = caller_time(a), tb = caller_time(b);
	size_t i;
	int c;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	if (num(a, "acquired") != num(b, "acquired"))
		return num(a, "acquired") > num(b, "acquired") ? -1 : 1;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		c = strcmp(str(a, names[i]), str(b, names[i]));
		if (c)
			return c;
	}
	return 0;
}

static bool caller_busy(const struct pmdstat_kvs *c, const void *arg)
{
	(void)arg;
	return num(c, "acquired") || num(c, "holds") || num(c, "try_fail") || caller_time(c);
}

static void cell_avg(struct pmdstat_table *t, u64 total, u64 n)
{
	if (n)
		cell_ns(t, total / n);
	else
		pmdstat_table_cell(t, "-");
}

static void render_callers(pmdstat_out_t *out, const struct pmdstat_stats *st,
			   const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs **row;
	struct pmdstat_table t;
	size_t i, n, shown;

	if (!st->callers.nr)
		return;
	row = render_rows(out, &st->callers, caller_busy, NULL, cmp_callers, &n);
	shown = opts->max_callers && opts->max_callers < n ? opts->max_callers : n;
	if (!n) {
		pmdstat_printf(out, "\nNo caller took a tracked lock %s.\n",
			       opts->interval ? "in this interval" : "since load or reset");
		return;
	}
	if (shown < n)
		pmdstat_printf(out, "\nCallers by total wait + hold time (top %zu of %zu; -n 0 shows all):\n",
			       shown, n);
	else
		pmdstat_printf(out, "\nCallers by total wait + hold time:\n");
	pmdstat_table_init(&t, "lllrrrrrlrrrr", "Caller,Lock,Mode,Acq,Contended,"
			   "Avg wait,Max wait,Total wait,|,Holds,Avg hold,Max hold,Total hold");
	for (i = 0; i < shown; i++) {
		const struct pmdstat_kvs *c = row[i];

		pmdstat_table_cell(&t, "%s", str(c, "func"));
		pmdstat_table_cell(&t, "%s", str(c, "lock"));
		pmdstat_table_cell(&t, "%s", str(c, "mode"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(c, "acquired"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(c, "contended"));
		cell_avg(&t, num(c, "wait_total_ns"), num(c, "acquired"));
		cell_ns(&t, num(c, "wait_max_ns"));
		cell_ns(&t, num(c, "wait_total_ns"));
		pmdstat_table_cell(&t, "|");
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(c, "holds"));
		cell_avg(&t, num(c, "hold_total_ns"), num(c, "holds"));
		cell_ns(&t, num(c, "hold_max_ns"));
		cell_ns(&t, num(c, "hold_total_ns"));
	}
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
	if (opts->interval)
		pmdstat_printf(out, "Max wait and max hold are since load or reset.\n");
	free(row);
}

/* By total wait, descending; then by the names. */
static int cmp_blame(const void *x, const void *y)
{
	const struct pmdstat_kvs *a = *(const struct pmdstat_kvs *const *)x;
	const struct pmdstat_kvs *b = *(const struct pmdstat_kvs *const *)y;
	static const char *const names[] = { "lock", "waiter", "waiter_mode", "blocker",
					     "blocker_mode", "blocker_state" };
	u64 ta = num(a, "wait_total_ns"), tb = num(b, "wait_total_ns");
	size_t i;
	int c;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		c = strcmp(str(a, names[i]), str(b, names[i]));
		if (c)
			return c;
	}
	return 0;
}

/*
 * One sentence per lock kind, for a ticket: the total contended wait and
 * the share of it behind its largest blocker (summed over waiters and over
 * holding or waiting ahead), with the task of that blocker's longest wait.
 */
static void render_blame_summary(pmdstat_out_t *out, const struct pmdstat_kvs **row,
				 size_t n)
{
	static const char *const kinds[][2] = {
		{ "i_mmap", "i_mmap_rwsem" }, { "vma_lock", "the hugetlb vma locks" },
	};
	char buf[PMDSTAT_DURATION_LEN];
	size_t k, i, j;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		const struct pmdstat_kvs *top = NULL;
		u64 total = 0, best = 0;

		for (i = 0; i < n; i++) {
			u64 sum = 0;

			if (strcmp(str(row[i], "lock"), kinds[k][0]))
				continue;
			total += num(row[i], "wait_total_ns");
			if (!strcmp(str(row[i], "blocker"), "unknown"))
				continue;
			for (j = 0; j < n; j++)
				if (!strcmp(str(row[j], "lock"), kinds[k][0]) &&
				    !strcmp(str(row[j], "blocker"), str(row[i], "blocker")))
					sum += num(row[j], "wait_total_ns");
			if (sum > best) {
				best = sum;
				top = row[i];
			}
		}
		if (!total)
			continue;
		pmdstat_printf(out, "Waits for %s: %s in all", kinds[k][1],
			       pmdstat_fmt_ns(buf, sizeof(buf), total));
		if (top)
			pmdstat_printf(out, "; %llu%% behind %s (%s, pid %llu)",
				       (unsigned long long)(best * 100 / total),
				       str(top, "blocker"), str(top, "max_comm"),
				       (unsigned long long)num(top, "max_pid"));
		else
			pmdstat_printf(out, "; no blocker known");
		pmdstat_printf(out, ".\n");
	}
}

static bool blame_waits(const struct pmdstat_kvs *b, const void *arg)
{
	(void)arg;
	return num(b, "waits");
}

/* Contended waits by waiter and blocker, by total wait. */
static void render_blocked_by(pmdstat_out_t *out, const struct pmdstat_stats *st,
			      const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs **row;
	struct pmdstat_table t;
	size_t i, n, shown;

	row = render_rows(out, &st->blocked_by, blame_waits, NULL, cmp_blame, &n);
	if (!row)
		return;
	shown = opts->max_callers && opts->max_callers < n ? opts->max_callers : n;
	pmdstat_printf(out, "\nBlocked by: contended waits by waiter and what it waited behind%s:\n",
		       shown < n ? " (top rows; -n 0 shows all)" : "");
	pmdstat_table_init(&t, "llllrrrl", "Waiter,Lock,Mode,Blocked by,Waits,"
			   "Total wait,Max wait,Longest behind");
	for (i = 0; i < shown; i++) {
		const struct pmdstat_kvs *b = row[i];
		bool known = strcmp(str(b, "blocker"), "unknown");

		pmdstat_table_cell(&t, "%s", str(b, "waiter"));
		pmdstat_table_cell(&t, "%s", str(b, "lock"));
		pmdstat_table_cell(&t, "%s", str(b, "waiter_mode"));
		if (known)
			pmdstat_table_cell(&t, "%s (%s, %s)", str(b, "blocker"),
					   str(b, "blocker_mode"),
					   !strcmp(str(b, "blocker_state"), "wait") ?
					   "waiting ahead" : "holding");
		else
			pmdstat_table_cell(&t, "unknown");
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(b, "waits"));
		cell_ns(&t, num(b, "wait_total_ns"));
		cell_ns(&t, num(b, "wait_max_ns"));
		if (known)
			pmdstat_table_cell(&t, "%s pid %llu", str(b, "max_comm"),
					   (unsigned long long)num(b, "max_pid"));
		else
			pmdstat_table_cell(&t, "-");
	}
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
	render_blame_summary(out, row, n);
	free(row);
}

static void render_lock_hists(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	char title[256];
	size_t i;

	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];
		const struct pmdstat_hist_info *hi = pmdstat_hist_info(h->name);
		const char *what = hi && hi->lock ? hi->title : NULL;

		if (!what || !h->count)
			continue;
		snprintf(title, sizeof(title), "%s: %s (%s)", h->name, what,
			 render_unit_name(h->unit));
		render_hist_titled(out, h, title);
	}
}

static bool is_what(const struct pmdstat_kvs *e, const void *what)
{
	return !strcmp(str(e, "what"), what);
}

/* An outlier's row, and its stack in lines below it. */
static void outlier_row(struct pmdstat_table *t, const struct pmdstat_kvs *e)
{
	const char *at = pmdstat_kv_str(e, "stack_at", NULL);
	const char *usual = strcmp(str(e, "what"), "wait") ? "release" : "acquire";

	pmdstat_table_cell(t, "%llu", (unsigned long long)num(e, "rank"));
	pmdstat_table_cell(t, "%s", str(e, "what"));
	cell_ns(t, num(e, "ns"));
	pmdstat_table_cell(t, "%s", str(e, "lock"));
	pmdstat_table_cell(t, "%s", str(e, "mode"));
	pmdstat_table_cell(t, "%s:%llu", str(e, "dev"), (unsigned long long)num(e, "ino"));
	pmdstat_table_cell(t, "%s", str(e, "func"));
	pmdstat_table_cell(t, "%s/%llu", str(e, "comm"), (unsigned long long)num(e, "pid"));
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(e, "cpu"));
	if (at && strcmp(at, usual))
		pmdstat_table_line(t, STACK_INDENT "(stack taken at %s)", at);
	render_stack(NULL, t, str(e, "stack"));
}

/* The longest waits, then the longest holds, by rank. */
static void render_outliers(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	static const char *const what[] = { "wait", "hold" };
	const struct pmdstat_kvs **row;
	struct pmdstat_table t;
	bool at = false;
	size_t i, k, n, rows = 0;

	pmdstat_table_init(&t, "rlrlllllr", "Rank,What,Time,Lock,Mode,Dev:Ino,Func,Comm/PID,CPU");
	for (k = 0; k < ARRAY_SIZE(what); k++) {
		row = render_rows(out, &st->outliers, is_what, what[k], render_cmp_rank, &n);
		for (i = 0; i < n; i++) {
			outlier_row(&t, row[i]);
			at |= pmdstat_kv_find(row[i], "stack_at") != NULL;
		}
		rows += n;
		free(row);
	}
	if (!rows)
		pmdstat_printf(out, "\nLongest waits and holds since load or reset: none.\n");
	else if (at)
		pmdstat_printf(out, "\nLongest waits and holds since load or reset (stacks taken at acquire for a wait, at release for a hold):\n");
	else
		pmdstat_printf(out, "\nLongest waits and holds since load or reset:\n");
	if (rows)
		pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
}

/* what lock_state counters mean when they are not 0 */
static const struct render_note lock_notes[] = {
	{ "track_full", "Warning: the table of tracked locks was full %llu times: some locks were not timed.\n" },
	{ "inflight_full", "Warning: %llu lock calls found no free in-flight record: their waits and holds are missing.\n" },
	{ "callers_full", "Warning: %llu caller entries did not fit: the caller table is incomplete.\n" },
	{ "stale_records", "Note: %llu stale lock records were dropped (a trylock that the lock word denied; pmdstat-bpf -k: a slow path whose kretprobe was missed): their waits are not counted.\n" },
	{ "event_drops", "Warning: %llu events were dropped: the event log was full (read it with pmdstat events).\n" },
	{ "blame_full", "Warning: %llu contended waits found no free blocked_by row: the blocked-by table is incomplete.\n" },
	{ "blame_off", "Note: %llu contended waits began while blame was off: they are in no blocked-by row.\n" },
};

static void render_lock_state(pmdstat_out_t *out, const struct pmdstat_stats *st,
			      const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs *ls = &st->lock_state;
	u64 thr = num(ls, "threshold_us");

	if (!ls->nr)
		return;
	pmdstat_printf(out, "\nTracked now: %llu i_mmap, %llu vma_lock; unmatched releases %llu; event log: ",
		       (unsigned long long)num(ls, "tracked_i_mmap"),
		       (unsigned long long)num(ls, "tracked_vma_lock"),
		       (unsigned long long)num(ls, "unmatched_releases"));
	if (thr)
		pmdstat_printf(out, "threshold %llu us, ", (unsigned long long)thr);
	else
		pmdstat_printf(out, "off (threshold 0), ");
	pmdstat_printf(out, "%llu events, %llu dropped%s\n",
		       (unsigned long long)num(ls, "events"),
		       (unsigned long long)num(ls, "event_drops"),
		       opts->interval ? " (counts of this interval)" : "");
	render_notes(out, ls, lock_notes, ARRAY_SIZE(lock_notes));
	if (pmdstat_kv_find(ls, "blame") && !num(ls, "blame"))
		pmdstat_printf(out, "Blame is off (blame=0 in the control file): waits are not attributed to their blockers.\n");
}

/* The lock section of the text report; nothing for a module without it. */
static void render_locks_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			      const struct pmdstat_render_opts *opts)
{
	if (!has_locks(st))
		return;
	render_acquisitions(out, st);
	render_callers(out, st, opts);
	render_blocked_by(out, st, opts);
	if (opts->bars)
		render_lock_hists(out, st);
	render_outliers(out, st);
	render_lock_state(out, st, opts);
}

/* ---- the race and lock-rule detector ---- */

/* What each kind of detect.h means, for the table of counts. */
static const struct {
	const char *kind;
	const char *meaning;
} kind_meanings[] = {
	{ "stray_ref", "page_count above what the sharing explains" },
	{ "shadow_mismatch", "kernel share count differs from the shadow count" },
	{ "negative_count", "a share count below zero" },
	{ "unshare_without_i_mmap_write", "unshare returned 1, i_mmap_rwsem not write-held by the task" },
	{ "unshare_without_vma_lock_write", "unshare returned 1, vma lock not write-held by the task" },
	{ "share_without_i_mmap_read", "share scanned without i_mmap_rwsem read-held by the task" },
	{ "recursive_acquire", "task asked for a tracked rwsem it already holds" },
};

static const char *kind_meaning(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_meanings); i++)
		if (!strcmp(kind, kind_meanings[i].kind))
			return kind_meanings[i].meaning;
	return "(a kind this pmdstat does not know)";
}

static bool has_races(const struct pmdstat_stats *st)
{
	return st->races.nr || st->violations.nr || st->violation_log.nr ||
	       st->overlap_log.nr;
}

/* what race counters mean when they are not 0 */
static const struct render_note race_notes[] = {
	{ "unverified_vma_lock", "Note: %llu unshares returned 1 whose vma or vma lock was unknown: their vma lock rule was not checked.\n" },
	{ "shadow_full", "Warning: the shadow table was full %llu times: some tables' share counts were not checked.\n" },
	{ "log_drops", "Warning: %llu violation or overlap records did not fit in the logs: the counts are complete, the lists below are not.\n" },
};

static void render_race_state(pmdstat_out_t *out, const struct pmdstat_stats *st,
			      const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs *r = &st->races;
	u64 inject = num(r, "inject_delay_us");
	const struct pmdstat_field *f = NULL;
	const char *sep = "";

	if (!r->nr)
		return;
	if (inject)
		pmdstat_printf(out, "\n*** FAULT INJECTION ON: +%llu us per share (test only): the module delays every huge_pmd_share call; timings and overlaps are not those of an unmodified kernel ***\n",
			       (unsigned long long)inject);
	/* the fields with a title, as fields.c names them */
	pmdstat_printf(out, "\n");
	while ((f = pmdstat_field_next("races", f))) {
		if (!f->title || (f->optional && !pmdstat_kv_find(r, f->key)))
			continue;
		pmdstat_printf(out, "%s%s %llu", sep, f->title,
			       (unsigned long long)num(r, f->key));
		sep = ", ";
	}
	pmdstat_printf(out, "%s; fault injection ",
		       opts->interval ? " (counts of this interval; shadow tables: now)" : "");
	if (inject)
		pmdstat_printf(out, "ON (+%llu us per share)\n", (unsigned long long)inject);
	else
		pmdstat_printf(out, "off\n");
	render_notes(out, r, race_notes, ARRAY_SIZE(race_notes));
}

static void render_violation_counts(pmdstat_out_t *out, const struct pmdstat_stats *st,
				    const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs *vs = &st->violations;
	struct pmdstat_table t;
	size_t i;
	u64 total = 0;

	if (!vs->nr)
		return;
	pmdstat_table_init(&t, "lrl", "Violation,Count,Meaning");
	for (i = 0; i < vs->nr; i++) {
		const struct pmdstat_kv *kv = &vs->kv[i];

		pmdstat_table_cell(&t, "%s", kv->key);
		pmdstat_table_cell(&t, "%llu", (unsigned long long)kv->num);
		pmdstat_table_cell(&t, "%s", kind_meaning(kv->key));
		total += kv->num;
	}
	pmdstat_printf(out, "\nLock-rule and share-count violations %s (every kind checked):\n",
		       opts->interval ? "in this interval" : "since load or reset");
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
	if (!total)
		pmdstat_printf(out, "No violation.\n");
}

static void violation_row(struct pmdstat_table *t, const struct pmdstat_kvs *v)
{
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(v, "rank"));
	pmdstat_table_cell(t, "%s", str(v, "kind"));
	pmdstat_table_cell(t, "%s/%llu", str(v, "comm"), (unsigned long long)num(v, "pid"));
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(v, "cpu"));
	pmdstat_table_cell(t, "%s", str(v, "func"));
	cell_at(t, num(v, "at_ns"));
	pmdstat_table_cell(t, "%s", str(v, "detail"));
	render_stack(NULL, t, str(v, "stack"));
}

static void overlap_row(struct pmdstat_table *t, const struct pmdstat_kvs *o)
{
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(o, "rank"));
	cell_at(t, num(o, "at_ns"));
	pmdstat_table_cell(t, "%s/%llu", str(o, "share_comm"),
			   (unsigned long long)num(o, "share_pid"));
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(o, "share_cpu"));
	cell_ns(t, num(o, "share_age_ns"));
	pmdstat_table_cell(t, "%s/%llu", str(o, "unshare_comm"),
			   (unsigned long long)num(o, "unshare_pid"));
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(o, "unshare_cpu"));
	pmdstat_table_cell(t, "%s", str(o, "unshare_func"));
}

/* A log of the races line by rank: "<what> logged since load or reset". */
static void render_log(pmdstat_out_t *out, const struct pmdstat_records *r,
		       const char *what, const char *why, const char *align,
		       const char *head,
		       void (*row)(struct pmdstat_table *, const struct pmdstat_kvs *))
{
	const struct pmdstat_kvs **rec;
	struct pmdstat_table t;
	size_t i, n;

	rec = render_rows(out, r, NULL, NULL, render_cmp_rank, &n);
	if (!rec) {
		pmdstat_printf(out, "\n%s logged since load or reset: none.\n", what);
		return;
	}
	pmdstat_printf(out, "\n%s logged since load or reset (%s):\n", what, why);
	pmdstat_table_init(&t, align, head);
	for (i = 0; i < n; i++)
		row(&t, rec[i]);
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
	free(rec);
}

/* The race section of the text report; nothing for a module without it. */
static void render_races_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			      const struct pmdstat_render_opts *opts)
{
	if (!has_races(st))
		return;
	pmdstat_printf(out, "\n--- Races and lock rules: share counts, share/unshare overlaps, lock rules ---\n");
	render_race_state(out, st, opts);
	render_violation_counts(out, st, opts);
	render_log(out, &st->violation_log, "Violations", "stacks where they were seen",
		   "rllrlrl", "Rank,Kind,Comm/PID,CPU,Func,At (s),Detail", violation_row);
	render_log(out, &st->overlap_log, "Overlaps",
		   "an unshare detached a table of a file while a share of that file was in flight",
		   "rrlrrlrl", "Rank,At (s),Share Comm/PID,CPU,In flight,Unshare Comm/PID,CPU,Unshare caller",
		   overlap_row);
}

/* ---- the stats report ---- */

static const struct pmdstat_render_opts no_opts;

static bool is_column_key(const char *key)
{
	return !strcmp(key, "hits") || !strcmp(key, "missed") ||
	       !strcmp(key, "nested") || !strcmp(key, "reads");
}

/* Every probe, sites and lock functions: hits, missed, nested, the rest. */
static void render_probes(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	struct pmdstat_table t;
	size_t i, k, sites = 0;
	char more[1024];

	for (i = 0; i < st->nr_probes; i++)
		if (!render_is_lock_probe(&st->probe[i]))
			sites++;
	if (!sites)
		pmdstat_printf(out, "No probe sites: the module resolved none (see dmesg).\n");
	if (!st->nr_probes)
		return;
	pmdstat_table_init(&t, "llrrrl", "SYMBOL,ROLE,HITS,MISSED,NESTED,OUTCOMES");
	for (i = 0; i < st->nr_probes; i++) {
		const struct pmdstat_probe *pr = &st->probe[i];
		size_t n = 0;

		pmdstat_table_cell(&t, "%s", pr->symbol);
		pmdstat_table_cell(&t, "%s", pr->role);
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(&pr->keys, "hits"));
		pmdstat_table_cell(&t, "%llu", (unsigned long long)num(&pr->keys, "missed"));
		/* a site kind without nesting (e.g. role=lock) shows "-" */
		cell_opt(&t, &pr->keys, "nested");
		more[0] = '\0';
		for (k = 0; k < pr->keys.nr && n < sizeof(more); k++) {
			const struct pmdstat_kv *kv = &pr->keys.kv[k];

			if (!is_column_key(kv->key))
				n += (size_t)snprintf(more + n, sizeof(more) - n, "%s%s=%s",
						      n ? " " : "", kv->key, kv->value);
		}
		pmdstat_table_cell(&t, "%s", more);
	}
	pmdstat_table_print(out, &t);
	pmdstat_table_free(&t);
}

static void render_hist(pmdstat_out_t *out, const struct pmdstat_phist *h)
{
	const struct pmdstat_hist_info *hi = pmdstat_hist_info(h->name);
	bool site = !strncmp(h->name, "site:", 5);
	char title[512];

	snprintf(title, sizeof(title), "%s:%s%s%s%s", h->name, hi ? " " : "",
		 hi ? hi->title : "", site ? " " : "", site ? h->name + 5 : "");
	render_hist_titled(out, h, title);
}

/*
 * The role histogram (share_ns, unshare_ns) that site histogram h repeats
 * row for row, as it does when the role has one site and no nested calls;
 * else NULL.
 */
static const struct pmdstat_phist *repeated_role(const struct pmdstat_stats *st,
						  const struct pmdstat_phist *h)
{
	const struct pmdstat_probe *pr;
	const struct pmdstat_phist *r;
	char name[64];
	size_t i;

	if (strncmp(h->name, "site:", 5))
		return NULL;
	pr = pmdstat_find_probe(st, h->name + 5);
	if (!pr || !pr->role)
		return NULL;
	snprintf(name, sizeof(name), "%s_ns", pr->role);
	r = pmdstat_find_hist(st, name);
	if (!r || r->count != h->count || r->sum != h->sum || r->max != h->max ||
	    r->nr_buckets != h->nr_buckets)
		return NULL;
	for (i = 0; i < h->nr_buckets; i++)
		if (r->bucket[i].lo != h->bucket[i].lo || r->bucket[i].hi != h->bucket[i].hi ||
		    r->bucket[i].count != h->bucket[i].count)
			return NULL;
	return r;
}

static void cell_value(struct pmdstat_table *t, const char *unit, u64 v)
{
	if (!strcmp(unit, "ns"))
		cell_ns(t, v);
	else
		pmdstat_table_cell(t, "%llu %s", (unsigned long long)v, unit);
}

static void repeat_note(pmdstat_out_t *out, const struct pmdstat_phist *h,
			const struct pmdstat_phist *role)
{
	pmdstat_printf(out, "%s: the same calls as %s, not shown again\n",
		       h->name, role->name);
}

/* Count, p50, p90, p99 and max of every histogram with values. */
static void render_hist_table(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	struct pmdstat_table t;
	size_t i, rows = 0;

	pmdstat_table_init(&t, "lrrrrr", "Histogram,Count,p50,p90,p99,Max");
	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];

		if (!h->count || repeated_role(st, h))
			continue;
		pmdstat_table_cell(&t, "%s", h->name);
		pmdstat_table_cell(&t, "%llu", (unsigned long long)h->count);
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 50));
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 90));
		cell_value(&t, h->unit, pmdstat_hist_percentile(h, 99));
		cell_value(&t, h->unit, h->max);
		rows++;
	}
	if (rows) {
		pmdstat_printf(out, "\nHistograms (percentiles within log2 buckets; --hist draws them):\n");
		pmdstat_table_print(out, &t);
	}
	pmdstat_table_free(&t);
	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *role = repeated_role(st, &st->hist[i]);

		if (st->hist[i].count && role)
			repeat_note(out, &st->hist[i], role);
	}
}

/* The share and unshare histograms drawn (the lock ones: render_lock_hists()). */
static void render_hist_bars(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	size_t i;

	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *role;

		if (!st->hist[i].count || render_is_lock_hist(st->hist[i].name))
			continue;
		role = repeated_role(st, &st->hist[i]);
		if (role) {
			pmdstat_printf(out, "\n");
			repeat_note(out, &st->hist[i], role);
		} else {
			render_hist(out, &st->hist[i]);
		}
	}
}

void pmdstat_render_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
			 const struct pmdstat_render_opts *opts)
{
	u64 ms = st->elapsed_ns / 1000000;
	size_t i, shown = 0;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	if (opts->recording)
		pmdstat_printf(out, "Recording of %llu interval%s over %llu.%03llu s, the sum of their counts and histograms:\n",
			       (unsigned long long)opts->intervals,
			       opts->intervals == 1 ? "" : "s",
			       (unsigned long long)(opts->span_ms / 1000),
			       (unsigned long long)(opts->span_ms % 1000));
	pmdstat_printf(out, "Kernel %s, pmdstat module %s, %s %llu.%03llu s%s, resets %llu, maxactive %llu\n",
		       st->release ? st->release : "?",
		       st->module ? st->module : "?",
		       opts->interval ? "interval" : opts->recording ? "recorded" : "elapsed",
		       (unsigned long long)(ms / 1000),
		       (unsigned long long)(ms % 1000),
		       opts->interval || opts->recording ? "" : " since load or reset",
		       (unsigned long long)st->resets,
		       (unsigned long long)st->maxactive);
	if (opts->reset_seen)
		pmdstat_printf(out, "The counters were reset during this interval: counts since the reset.\n");
	pmdstat_printf(out, "\n");
	render_probes(out, st);
	for (i = 0; i < st->nr_hists; i++)
		if (st->hist[i].count && !render_is_lock_hist(st->hist[i].name))
			shown++;
	if (opts->bars)
		render_hist_bars(out, st);
	else
		render_hist_table(out, st);
	if (!shown)
		pmdstat_printf(out, "\nNo share or unshare calls %s.\n",
			       opts->interval ? "in this interval" :
			       opts->recording ? "in the recording" : "since load or reset");
	render_locks_text(out, st, opts);
	render_races_text(out, st, opts);
	if (st->totals.nr) {
		pmdstat_printf(out, "\nTotals:");
		for (i = 0; i < st->totals.nr; i++)
			pmdstat_printf(out, " %s=%s", st->totals.kv[i].key,
				       st->totals.kv[i].value);
		pmdstat_printf(out, "\n");
	}
	if (pmdstat_kv_get(&st->totals, "missed", 0))
		pmdstat_printf(out,
			       "Warning: %llu calls were missed by the kprobe layer (maxactive %llu): the counts above are low.\n",
			       (unsigned long long)pmdstat_kv_get(&st->totals, "missed", 0),
			       (unsigned long long)st->maxactive);
}

/* ---- the events and live files ---- */

void pmdstat_render_events_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
				const struct pmdstat_render_opts *opts)
{
	u64 thr = num(&f->header, "threshold_us");
	const struct pmdstat_kvs *t = &f->totals;
	char dur[PMDSTAT_DURATION_LEN];
	size_t i;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	if (thr)
		pmdstat_printf(out, "Event log: waits and holds of at least %llu us: %llu seen, %llu logged, %llu dropped (capacity %llu)\n",
			       (unsigned long long)thr,
			       (unsigned long long)num(t, "events"),
			       (unsigned long long)num(t, "logged"),
			       (unsigned long long)num(t, "drops"),
			       (unsigned long long)num(t, "capacity"));
	else
		pmdstat_printf(out, "Event log: off (threshold_us=0): %llu logged, %llu dropped; turn it on with: pmdstat --threshold US\n",
			       (unsigned long long)num(t, "logged"),
			       (unsigned long long)num(t, "drops"));
	for (i = 0; i < f->rec.nr; i++) {
		const struct pmdstat_kvs *e = &f->rec.rec[i];
		u64 at = num(e, "at_ns");

		pmdstat_printf(out, "\n#%llu %s %s  %s %s  dev %s ino %llu  func %s  comm %s pid %llu cpu %llu  at %llu.%06llu s after boot",
			       (unsigned long long)num(e, "rank"), str(e, "what"),
			       pmdstat_fmt_ns(dur, sizeof(dur), num(e, "ns")),
			       str(e, "lock"), str(e, "mode"), str(e, "dev"),
			       (unsigned long long)num(e, "ino"), str(e, "func"),
			       str(e, "comm"), (unsigned long long)num(e, "pid"),
			       (unsigned long long)num(e, "cpu"),
			       (unsigned long long)(at / 1000000000),
			       (unsigned long long)(at % 1000000000 / 1000));
		if (pmdstat_kv_find(e, "stack_at"))
			pmdstat_printf(out, ", stack at %s", str(e, "stack_at"));
		pmdstat_printf(out, "\n");
		render_stack(out, NULL, str(e, "stack"));
	}
	if (num(t, "drops"))
		pmdstat_printf(out, "\nWarning: %llu events did not fit in the log (capacity %llu): reset with pmdstat --reset, or raise the threshold.\n",
			       (unsigned long long)num(t, "drops"),
			       (unsigned long long)num(t, "capacity"));
}

/* Oldest first; then by pid, for a stable order. */
static int cmp_age(const void *x, const void *y)
{
	const struct pmdstat_kvs *a = *(const struct pmdstat_kvs *const *)x;
	const struct pmdstat_kvs *b = *(const struct pmdstat_kvs *const *)y;

	if (num(a, "age_ns") != num(b, "age_ns"))
		return num(a, "age_ns") > num(b, "age_ns") ? -1 : 1;
	return num(a, "pid") < num(b, "pid") ? -1 : num(a, "pid") > num(b, "pid");
}

void pmdstat_render_live_text(pmdstat_out_t *out, const struct pmdstat_recfile *f,
			      const struct pmdstat_render_opts *opts)
{
	const struct pmdstat_kvs **row;
	struct pmdstat_table t;
	size_t i, n;

	if (!opts)
		opts = &no_opts;
	if (opts->timestamp)
		pmdstat_printf(out, "%-8s\n", opts->timestamp);
	row = render_rows(out, &f->rec, NULL, NULL, cmp_age, &n);
	if (!row) {
		pmdstat_printf(out, "No task waits for or holds a tracked lock, or is in huge_pmd_share.\n");
	} else {
		pmdstat_printf(out, "Tasks waiting for or holding a tracked lock, or in huge_pmd_share, oldest first:\n");
		pmdstat_table_init(&t, "llllllrrlrl",
				   "State,Lock,Mode,Dev:Ino,Func,Comm/PID,CPU,Age,Contended,Scan,Blocked by");
		for (i = 0; i < n; i++) {
			const struct pmdstat_kvs *l = row[i];
			u64 c;

			pmdstat_table_cell(&t, "%s", str(l, "state"));
			cell_opt(&t, l, "lock");
			cell_opt(&t, l, "mode");
			if (pmdstat_kv_find(l, "dev"))
				pmdstat_table_cell(&t, "%s:%llu", str(l, "dev"),
						   (unsigned long long)num(l, "ino"));
			else
				pmdstat_table_cell(&t, "-");
			pmdstat_table_cell(&t, "%s", str(l, "func"));
			pmdstat_table_cell(&t, "%s/%llu", str(l, "comm"),
					   (unsigned long long)num(l, "pid"));
			pmdstat_table_cell(&t, "%llu", (unsigned long long)num(l, "cpu"));
			cell_ns(&t, num(l, "age_ns"));
			if (pmdstat_kv_u64(l, "contended", &c))
				pmdstat_table_cell(&t, "-");
			else
				pmdstat_table_cell(&t, "%s", c ? "yes" : "no");
			cell_opt(&t, l, "scan");
			if (!pmdstat_kv_find(l, "blocker"))
				pmdstat_table_cell(&t, "-");
			else if (!strcmp(str(l, "blocker"), "unknown"))
				pmdstat_table_cell(&t, "unknown");
			else
				pmdstat_table_cell(&t, "%s (%s %s, %s/%llu)", str(l, "blocker"),
						   str(l, "blocker_mode"),
						   !strcmp(str(l, "blocker_state"), "wait") ?
						   "waiting" : "holding",
						   str(l, "blocker_comm"),
						   (unsigned long long)num(l, "blocker_pid"));
		}
		pmdstat_table_print(out, &t);
		pmdstat_table_free(&t);
		free(row);
	}
	pmdstat_printf(out, "Tracked now: %llu i_mmap, %llu vma_lock\n",
		       (unsigned long long)num(&f->totals, "tracked_i_mmap"),
		       (unsigned long long)num(&f->totals, "tracked_vma_lock"));
}
