// SPDX-License-Identifier: GPL-2.0
/*
 * fields.c - the table of fields and histograms (see fields.h).  A line's
 * fields are in the order of the line; Prometheus families come in this
 * order too.
 */
#include <string.h>
#include "fields.h"

static const char *const lock_kinds[] = { "i_mmap", "vma_lock", NULL };
static const char *const lock_modes[] = { "read", "write", NULL };
static const char *const whats[] = { "wait", "hold", NULL };
static const char *const live_states[] = { "wait", "hold", "share", NULL };
static const char *const stack_ats[] = { "acquire", "release", NULL };

#define NUM	PMDSTAT_F_NUM
#define STR	PMDSTAT_F_STR
#define LIST	PMDSTAT_F_LIST
#define DEV	PMDSTAT_F_DEV
#define SUM	PMDSTAT_R_SUM
#define GAUGE	PMDSTAT_R_GAUGE
#define MAX	PMDSTAT_R_MAX
#define IDENT	PMDSTAT_R_IDENT

/* line, key, type, rule: the least a field has */
#define F(l, k, t, r)	.line = l, .key = k, .type = t, .rule = r
#define CHOICE(l, k, c, r)	.line = l, .key = k, .type = PMDSTAT_F_CHOICE, .choices = c, .rule = r
#define PROM(n, h)	.prom = n, .help = h

const struct pmdstat_field pmdstat_fields[] = {
	/* probe: symbol and role are taken apart by the parser */
	{ F("probe", "hits", NUM, SUM), PROM("pmdstat_probe_hits_total",
	  "Calls of the probe site seen by its entry handler (lock probes: calls on a tracked lock).") },
	{ F("probe", "missed", NUM, SUM), PROM("pmdstat_probe_missed_total",
	  "Calls of the probe site the kprobe layer could not instrument.") },
	{ F("probe", "nested", NUM, SUM), .optional = true, PROM("pmdstat_probe_nested_total",
	  "Calls made while the task was already inside a site of the same role.") },
	{ F("probe", "filtered", NUM, SUM), .optional = true, PROM("pmdstat_probe_filtered_total",
	  "Calls by tasks outside the process or cgroup filter, not recorded.") },
	{ F("probe", "calls", NUM, SUM), .optional = true, PROM("pmdstat_probe_calls_total",
	  "Every call of the lock function.") },
	/* outcomes: one family, the outcome a label (prom.c) */
	{ F("probe", "attached", NUM, SUM), .optional = true },
	{ F("probe", "fresh", NUM, SUM), .optional = true },
	{ F("probe", "failed", NUM, SUM), .optional = true },
	{ F("probe", "unknown", NUM, SUM), .optional = true },
	{ F("probe", "ret1", NUM, SUM), .optional = true },
	{ F("probe", "ret0", NUM, SUM), .optional = true },
	{ F("probe", "reads", STR, SUM), .optional = true },

	{ F("layout", "vm_file", NUM, GAUGE) },
	{ F("layout", "f_mapping", NUM, GAUGE) },
	{ F("layout", "i_mmap_rwsem", NUM, GAUGE) },
	{ F("layout", "vm_private_data", NUM, GAUGE) },
	{ F("layout", "vma_lock_rw_sema", NUM, GAUGE) },
	{ F("layout", "rt_rtmutex", NUM, GAUGE), .optional = true },

	{ CHOICE("lock", "kind", lock_kinds, IDENT) },
	{ CHOICE("lock", "mode", lock_modes, IDENT) },
	{ F("lock", "acquired", NUM, SUM), PROM("pmdstat_lock_acquired_total",
	  "Acquisitions of tracked locks, trylocks included.") },
	{ F("lock", "contended", NUM, SUM), PROM("pmdstat_lock_contended_total",
	  "Acquisitions that entered the rwsem slow path.") },
	{ F("lock", "try_ok", NUM, SUM), PROM("pmdstat_lock_try_ok_total",
	  "Successful trylocks of tracked locks.") },
	{ F("lock", "try_fail", NUM, SUM), PROM("pmdstat_lock_try_fail_total",
	  "Failed trylocks of tracked locks.") },
	{ F("lock", "failed", NUM, SUM), PROM("pmdstat_lock_failed_total",
	  "Killable or interruptible waits for tracked locks that gave up.") },

	{ F("caller", "func", STR, IDENT) },
	{ CHOICE("caller", "lock", lock_kinds, IDENT) },
	{ CHOICE("caller", "mode", lock_modes, IDENT) },
	{ F("caller", "acquired", NUM, SUM), PROM("pmdstat_lock_caller_acquired_total",
	  "Acquisitions of tracked locks by the calling function.") },
	{ F("caller", "contended", NUM, SUM), PROM("pmdstat_lock_caller_contended_total",
	  "Contended acquisitions of tracked locks by the calling function.") },
	{ F("caller", "try_ok", NUM, SUM) },
	{ F("caller", "try_fail", NUM, SUM) },
	{ F("caller", "wait_total_ns", NUM, SUM), .unit = "ns",
	  PROM("pmdstat_lock_caller_wait_seconds_total",
	  "Time the calling function waited for tracked locks.") },
	{ F("caller", "wait_max_ns", NUM, MAX), .unit = "ns" },
	{ F("caller", "holds", NUM, SUM), PROM("pmdstat_lock_caller_holds_total",
	  "Holds of tracked locks ended, attributed to the acquiring function.") },
	{ F("caller", "hold_total_ns", NUM, SUM), .unit = "ns",
	  PROM("pmdstat_lock_caller_hold_seconds_total",
	  "Time tracked locks were held, attributed to the acquiring function.") },
	{ F("caller", "hold_max_ns", NUM, MAX), .unit = "ns" },

	/* whom contended waits waited behind: waiter x blocker */
	{ CHOICE("blocked_by", "lock", lock_kinds, IDENT) },
	{ F("blocked_by", "waiter", STR, IDENT) },
	{ CHOICE("blocked_by", "waiter_mode", lock_modes, IDENT) },
	{ F("blocked_by", "blocker", STR, IDENT) },
	{ F("blocked_by", "blocker_mode", STR, IDENT) },
	{ F("blocked_by", "blocker_state", STR, IDENT) },
	{ F("blocked_by", "waits", NUM, SUM), PROM("pmdstat_blocked_by_waits_total",
	  "Contended waits, by waiter and the blocker seen when the wait began.") },
	{ F("blocked_by", "wait_total_ns", NUM, SUM), .unit = "ns",
	  PROM("pmdstat_blocked_by_wait_seconds_total",
	  "Time of contended waits, by waiter and the blocker seen when the wait began.") },
	{ F("blocked_by", "wait_max_ns", NUM, MAX), .unit = "ns" },
	{ F("blocked_by", "max_pid", NUM, GAUGE) },
	{ F("blocked_by", "max_comm", STR, GAUGE) },

	/* the event lines of the events file have these keys too */
	{ F("outlier", "rank", NUM, IDENT) },
	{ CHOICE("outlier", "what", whats, IDENT) },
	{ F("outlier", "ns", NUM, GAUGE), .unit = "ns" },
	{ CHOICE("outlier", "lock", lock_kinds, GAUGE) },
	{ CHOICE("outlier", "mode", lock_modes, GAUGE) },
	{ F("outlier", "dev", DEV, GAUGE) },
	{ F("outlier", "ino", NUM, GAUGE) },
	{ F("outlier", "func", STR, GAUGE) },
	{ F("outlier", "comm", STR, GAUGE) },
	{ F("outlier", "pid", NUM, GAUGE) },
	{ F("outlier", "cpu", NUM, GAUGE) },
	{ F("outlier", "at_ns", NUM, GAUGE), .unit = "ns" },
	/* where the stack was taken; lines of early modules lack it */
	{ CHOICE("outlier", "stack_at", stack_ats, GAUGE), .optional = true },
	{ F("outlier", "stack", LIST, GAUGE) },

	{ F("locks", "tracked_i_mmap", NUM, GAUGE) },
	{ F("locks", "tracked_vma_lock", NUM, GAUGE) },
	{ F("locks", "track_full", NUM, SUM), PROM("pmdstat_locks_track_full_total",
	  "Locks not tracked because the table of tracked locks was full.") },
	{ F("locks", "inflight_full", NUM, SUM), PROM("pmdstat_locks_inflight_full_total",
	  "Lock calls that found no free in-flight record.") },
	{ F("locks", "unmatched_releases", NUM, SUM), PROM("pmdstat_locks_unmatched_releases_total",
	  "Releases of a tracked lock without a seen acquisition.") },
	{ F("locks", "stale_records", NUM, SUM), .optional = true },
	{ F("locks", "callers_full", NUM, SUM), PROM("pmdstat_locks_callers_full_total",
	  "Caller entries that did not fit in the caller table.") },
	{ F("locks", "events", NUM, SUM), PROM("pmdstat_events_total",
	  "Waits and holds at or above the threshold, logged to the event log.") },
	{ F("locks", "event_drops", NUM, SUM), PROM("pmdstat_event_drops_total",
	  "Events dropped because the event log was full.") },
	{ F("locks", "threshold_us", NUM, GAUGE), .unit = "us",
	  PROM("pmdstat_event_threshold_seconds", "Threshold of the event log (0: off).") },
	{ F("locks", "blame", NUM, GAUGE), .optional = true,
	  PROM("pmdstat_blame_enabled", "1 if each contended wait notes whom it waited behind.") },
	{ F("locks", "blame_full", NUM, SUM), .optional = true,
	  PROM("pmdstat_blame_full_total", "Contended waits that found no free blocked_by line.") },
	{ F("locks", "blame_off", NUM, SUM), .optional = true,
	  PROM("pmdstat_blame_off_total", "Contended waits that began while blame was off.") },

	{ F("races", "overlaps", NUM, SUM), .title = "Overlaps of share and unshare",
	  PROM("pmdstat_race_overlaps_total",
	  "Unshares that detached a table of a file while a share of that file was in flight.") },
	{ F("races", "checked_unshares", NUM, SUM), .title = "unshares with lock rules checked",
	  PROM("pmdstat_race_checked_unshares_total",
	  "Unshares returning 1 whose lock rules were both checked.") },
	{ F("races", "unverified_vma_lock", NUM, SUM), .title = "vma lock unverified",
	  PROM("pmdstat_race_unverified_vma_lock_total",
	  "Unshares returning 1 whose vma or vma lock was unknown.") },
	{ F("races", "split_exempt", NUM, SUM), .optional = true,
	  .title = "VMA-split unshares exempt from the vma-lock rule",
	  PROM("pmdstat_race_split_exempt_total",
	  "Unshares of a VMA split, made without the vma lock by design: not reported.") },
	{ F("races", "shadow_tables", NUM, GAUGE), .title = "shadow tables now",
	  PROM("pmdstat_race_shadow_tables", "PMD tables with a shadow share count now.") },
	{ F("races", "shadow_full", NUM, SUM),
	  PROM("pmdstat_race_shadow_full_total",
	  "Tables not checked because the shadow table was full.") },
	{ F("races", "shadow_compared", NUM, SUM), .optional = true,
	  .title = "share counts compared with the shadow",
	  PROM("pmdstat_race_shadow_compared_total",
	  "Unshares whose table's share count was compared with its shadow count.") },
	{ F("races", "log_drops", NUM, SUM),
	  PROM("pmdstat_race_log_drops_total",
	  "Violation or overlap records that did not fit in the logs.") },
	{ F("races", "inject_delay_us", NUM, GAUGE), .unit = "us",
	  PROM("pmdstat_race_inject_delay_seconds",
	  "Test-only fault injection: delay added to every share (0: off).") },

	/* kind: a name of pmdstat_violation_name(), or one of a later module */
	{ F("violation", "rank", NUM, IDENT) },
	{ F("violation", "kind", STR, GAUGE) },
	{ F("violation", "comm", STR, GAUGE) },
	{ F("violation", "pid", NUM, GAUGE) },
	{ F("violation", "cpu", NUM, GAUGE) },
	{ F("violation", "func", STR, GAUGE) },
	{ F("violation", "at_ns", NUM, GAUGE), .unit = "ns" },
	{ F("violation", "detail", STR, GAUGE) },
	{ F("violation", "stack", LIST, GAUGE) },

	{ F("overlap", "rank", NUM, IDENT) },
	{ F("overlap", "at_ns", NUM, GAUGE), .unit = "ns" },
	{ F("overlap", "share_pid", NUM, GAUGE) },
	{ F("overlap", "share_comm", STR, GAUGE) },
	{ F("overlap", "share_cpu", NUM, GAUGE) },
	{ F("overlap", "share_age_ns", NUM, GAUGE), .unit = "ns" },
	{ F("overlap", "unshare_pid", NUM, GAUGE) },
	{ F("overlap", "unshare_comm", STR, GAUGE) },
	{ F("overlap", "unshare_cpu", NUM, GAUGE) },
	{ F("overlap", "unshare_func", STR, GAUGE) },

	/* a wait or hold has lock, mode, dev, ino, contended; a share has scan */
	{ CHOICE("live", "state", live_states, GAUGE) },
	{ CHOICE("live", "lock", lock_kinds, GAUGE), .optional = true },
	{ CHOICE("live", "mode", lock_modes, GAUGE), .optional = true },
	{ F("live", "dev", DEV, GAUGE), .optional = true },
	{ F("live", "ino", NUM, GAUGE), .optional = true },
	{ F("live", "func", STR, GAUGE) },
	{ F("live", "comm", STR, GAUGE) },
	{ F("live", "pid", NUM, GAUGE) },
	{ F("live", "cpu", NUM, GAUGE) },
	{ F("live", "age_ns", NUM, GAUGE), .unit = "ns" },
	{ F("live", "contended", NUM, GAUGE), .optional = true },
	{ F("live", "scan", NUM, GAUGE), .optional = true },
	{ F("live", "blocker", STR, GAUGE), .optional = true },
	{ F("live", "blocker_mode", STR, GAUGE), .optional = true },
	{ F("live", "blocker_state", STR, GAUGE), .optional = true },
	{ F("live", "blocker_pid", NUM, GAUGE), .optional = true },
	{ F("live", "blocker_comm", STR, GAUGE), .optional = true },

	{ F("Totals:", "hits", NUM, SUM) },
	{ F("Totals:", "missed", NUM, SUM) },
	{ F("Totals:", "share_calls", NUM, SUM) },
	{ F("Totals:", "attached", NUM, SUM) },
	{ F("Totals:", "unshare_calls", NUM, SUM) },
	{ F("Totals:", "unshared", NUM, SUM) },
};

const size_t pmdstat_nr_fields = ARRAY_SIZE(pmdstat_fields);

const struct pmdstat_field *pmdstat_field_next(const char *line,
					       const struct pmdstat_field *f)
{
	const struct pmdstat_field *end = pmdstat_fields + pmdstat_nr_fields;

	for (f = f ? f + 1 : pmdstat_fields; f < end; f++)
		if (!strcmp(f->line, line))
			return f;
	return NULL;
}

const struct pmdstat_field *pmdstat_field_find(const char *line, const char *key)
{
	const struct pmdstat_field *f = NULL;

	while ((f = pmdstat_field_next(line, f)))
		if (!strcmp(f->key, key))
			return f;
	return NULL;
}

enum pmdstat_frule pmdstat_field_rule(const char *line, const char *key)
{
	const struct pmdstat_field *f = line ? pmdstat_field_find(line, key) : NULL;

	return f ? f->rule : PMDSTAT_R_SUM;
}

bool pmdstat_key_is_text(const char *key)
{
	size_t i;

	for (i = 0; i < pmdstat_nr_fields; i++)
		if (!strcmp(pmdstat_fields[i].key, key))
			return pmdstat_fields[i].type != PMDSTAT_F_NUM;
	return false;
}

const struct pmdstat_hist_info pmdstat_hist_infos[] = {
	{ "share_ns", "ns", "outermost share calls, entry to return",
	  "Latency of outermost huge_pmd_share calls, entry to return.", false },
	{ "unshare_ns", "ns", "outermost unshare calls, entry to return",
	  "Latency of outermost huge_pmd_unshare calls, entry to return.", false },
	{ "site:", "ns", "every call of",
	  "Latency of every call of a probe site, nested or not, entry to return.", false },
	{ "i_mmap_wait_ns.read", "ns", "i_mmap_rwsem wait, read",
	  "Waits for i_mmap_rwsem, read.", true },
	{ "i_mmap_hold_ns.read", "ns", "i_mmap_rwsem hold, read",
	  "Holds of i_mmap_rwsem, read.", true },
	{ "i_mmap_wait_ns.write", "ns", "i_mmap_rwsem wait, write",
	  "Waits for i_mmap_rwsem, write.", true },
	{ "i_mmap_hold_ns.write", "ns", "i_mmap_rwsem hold, write",
	  "Holds of i_mmap_rwsem, write.", true },
	{ "vma_lock_wait_ns.read", "ns", "hugetlb vma lock wait, read",
	  "Waits for hugetlb vma locks, read.", true },
	{ "vma_lock_hold_ns.read", "ns", "hugetlb vma lock hold, read",
	  "Holds of hugetlb vma locks, read.", true },
	{ "vma_lock_wait_ns.write", "ns", "hugetlb vma lock wait, write",
	  "Waits for hugetlb vma locks, write.", true },
	{ "vma_lock_hold_ns.write", "ns", "hugetlb vma lock hold, write",
	  "Holds of hugetlb vma locks, write.", true },
	{ "share_i_mmap_wait_ns", "ns", "i_mmap_rwsem wait in huge_pmd_share",
	  "Waits for i_mmap_rwsem in huge_pmd_share.", true },
	{ "share_i_mmap_hold_ns", "ns", "i_mmap_rwsem hold in huge_pmd_share",
	  "Holds of i_mmap_rwsem in huge_pmd_share.", true },
	{ "scan_vmas", "vmas", "VMAs scanned per huge_pmd_share",
	  "VMAs of the file's interval tree considered per huge_pmd_share call.", true },
};

const size_t pmdstat_nr_hist_infos = ARRAY_SIZE(pmdstat_hist_infos);

const struct pmdstat_hist_info *pmdstat_hist_info(const char *name)
{
	size_t i;

	for (i = 0; i < pmdstat_nr_hist_infos; i++) {
		const char *n = pmdstat_hist_infos[i].name;
		size_t len = strlen(n);

		/* "site:" matches every site:<symbol> */
		if (n[len - 1] == ':' ? !strncmp(name, n, len) : !strcmp(name, n))
			return &pmdstat_hist_infos[i];
	}
	return NULL;
}
