// SPDX-License-Identifier: GPL-2.0
/*
 * format.c - write a snapshot in the versioned text format of
 * docs/format.md.  Builds in the kernel (output to a seq_file) and in
 * userspace (output to a buffer) from the same source.
 */
#include "detect.h"
#include "snapshot.h"

static const char *const role_names[PMDSTAT_NR_ROLES] = {
	[PMDSTAT_ROLE_SHARE] = "share",
	[PMDSTAT_ROLE_UNSHARE] = "unshare",
};

static const char *const lock_names[PMDSTAT_NR_LK] = {
	[PMDSTAT_LK_IMMAP] = "i_mmap",
	[PMDSTAT_LK_VMA] = "vma_lock",
};

static const char *const mode_names[PMDSTAT_NR_MODES] = {
	[PMDSTAT_MODE_READ] = "read",
	[PMDSTAT_MODE_WRITE] = "write",
};

static const char *const what_names[PMDSTAT_NR_WHAT] = {
	[PMDSTAT_WAIT] = "wait",
	[PMDSTAT_HOLD] = "hold",
};

const char *pmdstat_role_name(unsigned int role)
{
	return role < PMDSTAT_NR_ROLES ? role_names[role] : "unknown";
}

const char *pmdstat_lock_name(unsigned int kind)
{
	return kind < PMDSTAT_NR_LK ? lock_names[kind] : "unknown";
}

const char *pmdstat_mode_name(unsigned int mode)
{
	return mode < PMDSTAT_NR_MODES ? mode_names[mode] : "unknown";
}

const char *pmdstat_what_name(unsigned int what)
{
	return what < PMDSTAT_NR_WHAT ? what_names[what] : "unknown";
}

const char *pmdstat_block_name(unsigned int state)
{
	static const char *const names[] = {
		[PMDSTAT_BLOCK_UNKNOWN] = "unknown",
		[PMDSTAT_BLOCK_HOLD] = "hold",
		[PMDSTAT_BLOCK_WAIT] = "wait",
	};

	return state < PMDSTAT_NR_BLOCK ? names[state] : "unknown";
}

/* " key=value": the lines below are built from these */
static void kv(pmdstat_out_t *out, const char *key, u64 v)
{
	pmdstat_printf(out, " %s=%llu", key, (unsigned long long)v);
}

static void ks(pmdstat_out_t *out, const char *key, const char *v)
{
	pmdstat_printf(out, " %s=%s", key, v);
}

/*
 * A hist line, a bucket line per non-empty slot (fine: slot is a
 * pmdstat_fhist's, else a pmdstat_hist's), and end.
 */
static void format_slots(pmdstat_out_t *out, const char *prefix, const char *name,
			 const char *unit, u64 count, u64 sum, u64 max,
			 const u64 *slot, unsigned int nr, bool fine)
{
	unsigned int i;

	pmdstat_printf(out, "hist name=%s%s unit=%s count=%llu sum=%llu max=%llu\n",
		       prefix, name, unit, (unsigned long long)count,
		       (unsigned long long)sum, (unsigned long long)max);
	for (i = 0; i < nr; i++) {
		u64 lo = fine ? pmdstat_fhist_lo(i) : pmdstat_hist_lo(i);
		u64 hi = fine ? pmdstat_fhist_hi(i) : pmdstat_hist_hi(i);

		if (!slot[i])
			continue;
		pmdstat_printf(out, "bucket %llu %llu %llu\n", (unsigned long long)lo,
			       (unsigned long long)hi, (unsigned long long)slot[i]);
	}
	pmdstat_printf(out, "end\n");
}

static void format_hist_unit(pmdstat_out_t *out, const char *prefix,
			     const char *name, const char *unit,
			     const struct pmdstat_hist *h)
{
	format_slots(out, prefix, name, unit, h->count, h->sum, h->max, h->slot,
		     PMDSTAT_HIST_SLOTS, false);
}

static void format_fhist(pmdstat_out_t *out, const char *name,
			 const struct pmdstat_fhist *h)
{
	format_slots(out, "", name, "ns", h->count, h->sum, h->max, h->slot,
		     PMDSTAT_FHIST_SLOTS, true);
}

static void format_hist(pmdstat_out_t *out, const char *prefix,
			const char *name, const struct pmdstat_hist *h)
{
	format_hist_unit(out, prefix, name, "ns", h);
}

static void format_probe(pmdstat_out_t *out, const struct pmdstat_snap_site *p)
{
	const struct pmdstat_site_stats *st = &p->st;

	pmdstat_printf(out, "probe symbol=%s role=%s hits=%llu missed=%llu nested=%llu",
		       p->symbol, pmdstat_role_name(p->role),
		       (unsigned long long)st->hits, (unsigned long long)p->missed,
		       (unsigned long long)st->nested);
	if (p->role == PMDSTAT_ROLE_SHARE)
		pmdstat_printf(out, " attached=%llu fresh=%llu failed=%llu unknown=%llu",
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_ATTACHED],
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_FRESH],
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_FAILED],
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_UNKNOWN]);
	else
		pmdstat_printf(out, " ret1=%llu ret0=%llu",
			       (unsigned long long)st->out[PMDSTAT_OUT_UNSHARE_RET1],
			       (unsigned long long)st->out[PMDSTAT_OUT_UNSHARE_RET0]);
	kv(out, "filtered", st->filtered);
	pmdstat_printf(out, " reads=%s\n", p->reads[0] ? p->reads : "none");
}

void pmdstat_format_event(pmdstat_out_t *out, const char *keyword,
			  unsigned int rank, const struct pmdstat_snap_event *e)
{
	pmdstat_printf(out, "%s", keyword);
	kv(out, "rank", rank);
	ks(out, "what", pmdstat_what_name(e->what));
	kv(out, "ns", e->ns);
	ks(out, "lock", pmdstat_lock_name(e->kind));
	ks(out, "mode", pmdstat_mode_name(e->mode));
	pmdstat_printf(out, " dev=%u:%u", e->dev_major, e->dev_minor);
	kv(out, "ino", e->ino);
	ks(out, "func", e->func[0] ? e->func : "?");
	ks(out, "comm", e->comm[0] ? e->comm : "?");
	kv(out, "pid", e->pid);
	kv(out, "cpu", e->cpu);
	kv(out, "at_ns", e->at_ns);
	ks(out, "stack_at", e->what == PMDSTAT_WAIT ? "acquire" : "release");
	ks(out, "stack", e->stack[0] ? e->stack : "none");
	pmdstat_printf(out, "\n");
}

static void format_locks(pmdstat_out_t *out, const struct pmdstat_snapshot *s)
{
	static const char *const wait_name[PMDSTAT_NR_LK] = {
		"i_mmap_wait_ns.", "vma_lock_wait_ns.",
	};
	static const char *const hold_name[PMDSTAT_NR_LK] = {
		"i_mmap_hold_ns.", "vma_lock_hold_ns.",
	};
	unsigned int k, m, i, w;

	for (k = 0; k < PMDSTAT_NR_LK; k++) {
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			const struct pmdstat_lock_stats *l = &s->lock[k][m];

			pmdstat_printf(out, "lock kind=%s mode=%s",
				       pmdstat_lock_name(k), pmdstat_mode_name(m));
			kv(out, "acquired", l->acquired);
			kv(out, "contended", l->contended);
			kv(out, "try_ok", l->try_ok);
			kv(out, "try_fail", l->try_fail);
			kv(out, "failed", l->failed);
			pmdstat_printf(out, "\n");
		}
	}
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		for (m = 0; m < PMDSTAT_NR_MODES; m++) {
			format_hist(out, wait_name[k], pmdstat_mode_name(m),
				    &s->lock[k][m].wait);
			format_hist(out, hold_name[k], pmdstat_mode_name(m),
				    &s->lock[k][m].hold);
		}
	format_hist(out, "", "share_i_mmap_wait_ns", &s->share_wait);
	format_hist(out, "", "share_i_mmap_hold_ns", &s->share_hold);
	format_hist_unit(out, "", "scan_vmas", "vmas", &s->scan);
	for (i = 0; i < s->nr_callers; i++) {
		const struct pmdstat_snap_caller *c = &s->caller[i];

		pmdstat_printf(out, "caller func=%s lock=%s mode=%s", c->func,
			       pmdstat_lock_name(c->kind), pmdstat_mode_name(c->mode));
		kv(out, "acquired", c->acquired);
		kv(out, "contended", c->contended);
		kv(out, "try_ok", c->try_ok);
		kv(out, "try_fail", c->try_fail);
		kv(out, "wait_total_ns", c->wait_total);
		kv(out, "wait_max_ns", c->wait_max);
		kv(out, "holds", c->holds);
		kv(out, "hold_total_ns", c->hold_total);
		kv(out, "hold_max_ns", c->hold_max);
		pmdstat_printf(out, "\n");
	}
	for (i = 0; i < s->nr_blame && i < PMDSTAT_MAX_BLAME; i++) {
		const struct pmdstat_snap_blame *b = &s->blocked_by[i];
		bool known = b->bstate != PMDSTAT_BLOCK_UNKNOWN;

		pmdstat_printf(out, "blocked_by lock=%s waiter=%s waiter_mode=%s",
			       pmdstat_lock_name(b->kind), b->waiter,
			       pmdstat_mode_name(b->wmode));
		ks(out, "blocker", known ? b->blocker : "unknown");
		ks(out, "blocker_mode", known ? pmdstat_mode_name(b->bmode) : "unknown");
		ks(out, "blocker_state", pmdstat_block_name(b->bstate));
		kv(out, "waits", b->waits);
		kv(out, "wait_total_ns", b->wait_total);
		kv(out, "wait_max_ns", b->wait_max);
		kv(out, "max_pid", b->max_pid);
		ks(out, "max_comm", b->max_comm[0] ? b->max_comm : "?");
		pmdstat_printf(out, "\n");
	}
	for (w = 0; w < PMDSTAT_NR_WHAT; w++)
		for (i = 0; i < s->nr_top[w] && i < PMDSTAT_TOP; i++)
			pmdstat_format_event(out, "outlier", i + 1, &s->top[w][i]);
	pmdstat_printf(out, "locks");
	kv(out, "tracked_i_mmap", s->tracked[PMDSTAT_LK_IMMAP]);
	kv(out, "tracked_vma_lock", s->tracked[PMDSTAT_LK_VMA]);
	kv(out, "track_full", s->track_full);
	kv(out, "inflight_full", s->inflight_full);
	kv(out, "unmatched_releases", s->unmatched);
	kv(out, "stale_records", s->stale);
	kv(out, "track_busy", s->track_busy);
	kv(out, "callers_full", s->callers_full);
	kv(out, "events", s->events);
	kv(out, "event_drops", s->event_drops);
	kv(out, "threshold_us", s->threshold_us);
	kv(out, "blame", s->blame);
	kv(out, "blame_full", s->blame_full);
	kv(out, "blame_off", s->blame_off);
	pmdstat_printf(out, "\n");
}

static void format_races(pmdstat_out_t *out, const struct pmdstat_snapshot *s)
{
	unsigned int i;

	pmdstat_printf(out, "races");
	kv(out, "overlaps", s->overlaps);
	kv(out, "checked_unshares", s->checked_unshares);
	kv(out, "unverified_vma_lock", s->unverified);
	kv(out, "split_exempt", s->split_exempt);
	kv(out, "shadow_tables", s->shadow_tables);
	kv(out, "shadow_full", s->shadow_full);
	kv(out, "shadow_compared", s->shadow_compared);
	kv(out, "log_drops", s->race_log_drops);
	kv(out, "inject_delay_us", s->inject_delay_us);
	pmdstat_printf(out, "\n");
	pmdstat_printf(out, "violations");
	for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++)
		kv(out, pmdstat_violation_name(i), s->violations[i]);
	pmdstat_printf(out, "\n");
	for (i = 0; i < s->nr_vlog && i < PMDSTAT_MAX_RACE_LOG; i++) {
		const struct pmdstat_snap_violation *v = &s->vlog[i];

		pmdstat_printf(out, "violation");
		kv(out, "rank", i + 1);
		ks(out, "kind", pmdstat_violation_name(v->kind));
		ks(out, "comm", v->comm[0] ? v->comm : "?");
		kv(out, "pid", v->pid);
		kv(out, "cpu", v->cpu);
		ks(out, "func", v->func[0] ? v->func : "?");
		kv(out, "at_ns", v->at_ns);
		ks(out, "detail", v->detail[0] ? v->detail : "none");
		ks(out, "stack", v->stack[0] ? v->stack : "none");
		pmdstat_printf(out, "\n");
	}
	for (i = 0; i < s->nr_olog && i < PMDSTAT_MAX_RACE_LOG; i++) {
		const struct pmdstat_snap_overlap *o = &s->olog[i];

		pmdstat_printf(out, "overlap");
		kv(out, "rank", i + 1);
		kv(out, "at_ns", o->at_ns);
		kv(out, "share_pid", o->share_pid);
		ks(out, "share_comm", o->share_comm[0] ? o->share_comm : "?");
		kv(out, "share_cpu", o->share_cpu);
		kv(out, "share_age_ns", o->share_age_ns);
		kv(out, "unshare_pid", o->unshare_pid);
		ks(out, "unshare_comm", o->unshare_comm[0] ? o->unshare_comm : "?");
		kv(out, "unshare_cpu", o->unshare_cpu);
		ks(out, "unshare_func", o->func[0] ? o->func : "?");
		pmdstat_printf(out, "\n");
	}
}

void pmdstat_format(pmdstat_out_t *out, const struct pmdstat_snapshot *s)
{
	const struct pmdstat_role_stats *sh = &s->role[PMDSTAT_ROLE_SHARE];
	const struct pmdstat_role_stats *un = &s->role[PMDSTAT_ROLE_UNSHARE];
	u64 hits = 0, missed = 0;
	unsigned int i;

	pmdstat_printf(out, "pmdstat-stats version=%d\n", PMDSTAT_FORMAT_VERSION);
	pmdstat_printf(out, "kernel release=%s module=%s\n", s->release,
		       s->module_version);
	pmdstat_printf(out, "state");
	kv(out, "elapsed_ns", s->elapsed_ns);
	kv(out, "resets", s->resets);
	kv(out, "maxactive", s->maxactive);
	kv(out, "filter_tgid", s->filter_tgid);
	kv(out, "filter_cgroup", s->filter_cgroup);
	kv(out, "count_scan", s->count_scan);
	kv(out, "time_unshare", s->time_unshare);
	pmdstat_printf(out, " contention=%s",
		       s->contention == PMDSTAT_CONT_TRACEPOINT ? "tracepoint" :
		       s->contention == PMDSTAT_CONT_PARTIAL ? "partial" :
		       s->contention == PMDSTAT_CONT_NONE ? "none" : "slowpath");
	pmdstat_printf(out, "\n");
	pmdstat_printf(out, "layout");
	kv(out, "vm_file", s->off_vm_file);
	kv(out, "f_mapping", s->off_f_mapping);
	kv(out, "i_mmap_rwsem", s->off_i_mmap_rwsem);
	kv(out, "vm_private_data", s->off_vm_private_data);
	kv(out, "vma_lock_rw_sema", s->off_vma_lock_rw_sema);
	kv(out, "rt_rtmutex", s->off_rt_rtmutex);
	pmdstat_printf(out, "\n");
	for (i = 0; i < s->nr_sites; i++) {
		format_probe(out, &s->site[i]);
		hits += s->site[i].st.hits;
		missed += s->site[i].missed;
	}
	for (i = 0; i < s->nr_lockprobes; i++) {
		const struct pmdstat_snap_lockprobe *l = &s->lockprobe[i];

		pmdstat_printf(out, "probe symbol=%s role=lock hits=%llu missed=%llu calls=%llu\n",
			       l->symbol, (unsigned long long)l->hits,
			       (unsigned long long)l->missed,
			       (unsigned long long)l->calls);
		hits += l->hits;
		missed += l->missed;
	}
	format_fhist(out, "share_ns", &sh->lat);
	format_fhist(out, "unshare_ns", &un->lat);
	for (i = 0; i < s->nr_sites; i++)
		format_hist(out, "site:", s->site[i].symbol, &s->site[i].st.lat);
	format_locks(out, s);
	format_races(out, s);
	pmdstat_printf(out,
		       "Totals: hits=%llu missed=%llu share_calls=%llu attached=%llu unshare_calls=%llu unshared=%llu\n",
		       (unsigned long long)hits, (unsigned long long)missed,
		       (unsigned long long)sh->lat.count,
		       (unsigned long long)sh->out[PMDSTAT_OUT_SHARE_ATTACHED],
		       (unsigned long long)un->lat.count,
		       (unsigned long long)un->out[PMDSTAT_OUT_UNSHARE_RET1]);
}
