// SPDX-License-Identifier: GPL-2.0
/*
 * format.c - write a snapshot in the versioned text format of
 * docs/format.md.  Builds in the kernel (output to a seq_file) and in
 * userspace (output to a buffer) from the same source.
 */
#include "snapshot.h"

static const char *const role_names[PMDSTAT_NR_ROLES] = {
	[PMDSTAT_ROLE_SHARE] = "share",
	[PMDSTAT_ROLE_UNSHARE] = "unshare",
};

const char *pmdstat_role_name(unsigned int role)
{
	return role < PMDSTAT_NR_ROLES ? role_names[role] : "unknown";
}

static void format_hist(pmdstat_out_t *out, const char *prefix,
			const char *name, const struct pmdstat_hist *h)
{
	unsigned int i;

	pmdstat_printf(out, "hist name=%s%s unit=ns count=%llu sum=%llu max=%llu\n",
		       prefix, name, (unsigned long long)h->count,
		       (unsigned long long)h->sum, (unsigned long long)h->max);
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		if (!h->slot[i])
			continue;
		pmdstat_printf(out, "bucket %llu %llu %llu\n",
			       (unsigned long long)pmdstat_hist_lo(i),
			       (unsigned long long)pmdstat_hist_hi(i),
			       (unsigned long long)h->slot[i]);
	}
	pmdstat_printf(out, "end\n");
}

static void format_probe(pmdstat_out_t *out, const struct pmdstat_snap_site *p)
{
	const struct pmdstat_site_stats *st = &p->st;

	pmdstat_printf(out, "probe symbol=%s role=%s hits=%llu missed=%llu nested=%llu",
		       p->symbol, pmdstat_role_name(p->role),
		       (unsigned long long)st->hits, (unsigned long long)p->missed,
		       (unsigned long long)st->nested);
	if (p->role == PMDSTAT_ROLE_SHARE)
		pmdstat_printf(out, " attached=%llu fresh=%llu failed=%llu",
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_ATTACHED],
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_FRESH],
			       (unsigned long long)st->out[PMDSTAT_OUT_SHARE_FAILED]);
	else
		pmdstat_printf(out, " ret1=%llu ret0=%llu",
			       (unsigned long long)st->out[PMDSTAT_OUT_UNSHARE_RET1],
			       (unsigned long long)st->out[PMDSTAT_OUT_UNSHARE_RET0]);
	pmdstat_printf(out, " reads=%s\n", p->reads[0] ? p->reads : "none");
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
	pmdstat_printf(out, "state elapsed_ns=%llu resets=%llu maxactive=%llu\n",
		       (unsigned long long)s->elapsed_ns,
		       (unsigned long long)s->resets,
		       (unsigned long long)s->maxactive);
	for (i = 0; i < s->nr_sites; i++) {
		format_probe(out, &s->site[i]);
		hits += s->site[i].st.hits;
		missed += s->site[i].missed;
	}
	format_hist(out, "", "share_ns", &sh->lat);
	format_hist(out, "", "unshare_ns", &un->lat);
	for (i = 0; i < s->nr_sites; i++)
		format_hist(out, "site:", s->site[i].symbol, &s->site[i].st.lat);
	pmdstat_printf(out,
		       "Totals: hits=%llu missed=%llu share_calls=%llu attached=%llu unshare_calls=%llu unshared=%llu\n",
		       (unsigned long long)hits, (unsigned long long)missed,
		       (unsigned long long)sh->lat.count,
		       (unsigned long long)sh->out[PMDSTAT_OUT_SHARE_ATTACHED],
		       (unsigned long long)un->lat.count,
		       (unsigned long long)un->out[PMDSTAT_OUT_UNSHARE_RET1]);
}
