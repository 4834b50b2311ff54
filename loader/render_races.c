// SPDX-License-Identifier: GPL-2.0
/*
 * render_races.c - the race and lock-rule detector in the report: the
 * overlaps of shares and unshares, the unshares whose lock rules were
 * checked, the shadow share counts, the fault injection state (loudly),
 * the violation counts of every kind, and the logged violations (with
 * their stacks) and overlaps.  Also the "races" member of the JSON object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "fields.h"
#include "out.h"
#include "render_priv.h"
#include "table.h"

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

/* "S.UUUUUU": seconds after boot of a time in ns. */
static void cell_at(struct pmdstat_table *t, u64 at)
{
	pmdstat_table_cell(t, "%llu.%06llu", (unsigned long long)(at / 1000000000),
			   (unsigned long long)(at % 1000000000 / 1000));
}

/* ---- text ---- */

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
	char dur[PMDSTAT_DURATION_LEN];

	pmdstat_table_cell(t, "%llu", (unsigned long long)num(o, "rank"));
	cell_at(t, num(o, "at_ns"));
	pmdstat_table_cell(t, "%s/%llu", str(o, "share_comm"),
			   (unsigned long long)num(o, "share_pid"));
	pmdstat_table_cell(t, "%llu", (unsigned long long)num(o, "share_cpu"));
	pmdstat_table_cell(t, "%s", pmdstat_fmt_ns(dur, sizeof(dur), num(o, "share_age_ns")));
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

void render_races_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
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

/* ---- JSON ---- */

static bool is_races_member(const char *key)
{
	return !strcmp(key, "violations") || !strcmp(key, "violation_log") ||
	       !strcmp(key, "overlap_log");
}

void render_races_json(pmdstat_out_t *out, bool *first,
		       const struct pmdstat_stats *st)
{
	const struct pmdstat_field *f = NULL;
	bool sub = true, kinds = true;
	size_t i;

	render_json_key(out, first, "races");
	pmdstat_out_append(out, "{", 1);
	/* the races line's keys (the contract's first), or zeros without it */
	while ((f = pmdstat_field_next("races", f)))
		render_json_u64(out, &sub, f->key, num(&st->races, f->key));
	for (i = 0; i < st->races.nr; i++) {
		const struct pmdstat_kv *kv = &st->races.kv[i];

		if (pmdstat_field_find("races", kv->key) || is_races_member(kv->key))
			continue;
		if (kv->numeric)
			render_json_u64(out, &sub, kv->key, kv->num);
		else
			render_json_str(out, &sub, kv->key, kv->value);
	}

	render_json_key(out, &sub, "violations");
	pmdstat_out_append(out, "{", 1);
	if (st->violations.nr)
		render_json_kvs(out, &kinds, &st->violations);
	else
		for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++)
			render_json_u64(out, &kinds, pmdstat_violation_name((unsigned int)i), 0);
	pmdstat_out_append(out, "}", 1);
	render_json_key(out, &sub, "violation_log");
	render_json_records(out, &st->violation_log);
	render_json_key(out, &sub, "overlap_log");
	render_json_records(out, &st->overlap_log);
	pmdstat_out_append(out, "}", 1);
}
