// SPDX-License-Identifier: GPL-2.0
/*
 * render_locks.c - the lock timing part of the report, after klockstat
 * (bcc): probes on the lock functions, acquisitions per lock and mode,
 * callers by the time they waited for and held the locks, log2
 * histograms, and the longest waits and holds with their stacks.  Also the
 * lock members of the JSON object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fields.h"
#include "out.h"
#include "render_priv.h"
#include "table.h"

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

/* ---- text ---- */

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

static void cell_ns(struct pmdstat_table *t, u64 ns)
{
	char buf[PMDSTAT_DURATION_LEN];

	pmdstat_table_cell(t, "%s", pmdstat_fmt_ns(buf, sizeof(buf), ns));
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

void render_stack(pmdstat_out_t *out, struct pmdstat_table *t, const char *stack)
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

int render_cmp_rank(const void *x, const void *y)
{
	u64 a = num(*(const struct pmdstat_kvs *const *)x, "rank");
	u64 b = num(*(const struct pmdstat_kvs *const *)y, "rank");

	return a < b ? -1 : a > b;
}

const struct pmdstat_kvs **render_rows(pmdstat_out_t *out, const struct pmdstat_records *r,
				       bool (*keep)(const struct pmdstat_kvs *, const void *),
				       const void *arg, int (*cmp)(const void *, const void *),
				       size_t *n)
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

void render_locks_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
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

/* ---- JSON ---- */

static void json_callers(pmdstat_out_t *out, const struct pmdstat_records *r)
{
	size_t i;

	pmdstat_out_append(out, "[", 1);
	for (i = 0; i < r->nr; i++) {
		const struct pmdstat_kvs *c = &r->rec[i];
		u64 acq = num(c, "acquired"), holds = num(c, "holds");
		bool first = true;

		pmdstat_out_append(out, i ? ",{" : "{", i ? 2 : 1);
		render_json_kvs(out, &first, c);
		render_json_u64(out, &first, "wait_avg_ns",
				acq ? num(c, "wait_total_ns") / acq : 0);
		render_json_u64(out, &first, "hold_avg_ns",
				holds ? num(c, "hold_total_ns") / holds : 0);
		pmdstat_out_append(out, "}", 1);
	}
	pmdstat_out_append(out, "]", 1);
}

void render_locks_json(pmdstat_out_t *out, bool *first,
		       const struct pmdstat_stats *st)
{
	render_json_object(out, first, "layout", &st->layout);
	render_json_key(out, first, "locks");
	render_json_records(out, &st->locks);
	render_json_object(out, first, "lock_state", &st->lock_state);
	render_json_key(out, first, "callers");
	json_callers(out, &st->callers);
	render_json_key(out, first, "blocked_by");
	render_json_records(out, &st->blocked_by);
	render_json_key(out, first, "outliers");
	render_json_records(out, &st->outliers);
}
