// SPDX-License-Identifier: GPL-2.0
/*
 * detect.c - shadow share counts and lock rules (see detect.h).  Plain C:
 * builds in the kernel and in the userspace unit tests.  Callers serialise
 * access to a struct pmdstat_shadow.
 */
#include "detect.h"

#define BIT_V(v) (1U << (v))

static_assert(PMDSTAT_NR_VIOLATIONS == PMDSTAT_NR_VKINDS,
	      "snapshot.h PMDSTAT_NR_VKINDS must match enum pmdstat_violation");

static const char *const violation_names[PMDSTAT_NR_VIOLATIONS] = {
	[PMDSTAT_V_STRAY_REF] = "stray_ref",
	[PMDSTAT_V_SHADOW_MISMATCH] = "shadow_mismatch",
	[PMDSTAT_V_NEGATIVE] = "negative_count",
	[PMDSTAT_V_UNSHARE_NO_IMMAP] = "unshare_without_i_mmap_write",
	[PMDSTAT_V_UNSHARE_NO_VMALOCK] = "unshare_without_vma_lock_write",
	[PMDSTAT_V_SHARE_NO_IMMAP] = "share_without_i_mmap_read",
	[PMDSTAT_V_RECURSION] = "recursive_acquire",
};

const char *pmdstat_violation_name(unsigned int v)
{
	return v < PMDSTAT_NR_VIOLATIONS ? violation_names[v] : "unknown";
}

static unsigned int shadow_hash(u64 table)
{
	return (unsigned int)((table * 0x9e3779b97f4a7c15ULL) >> 54) &
	       (PMDSTAT_SHADOW_SLOTS - 1);
}

static struct pmdstat_shadow_ent *shadow_find(struct pmdstat_shadow *s,
					      u64 table)
{
	unsigned int h = shadow_hash(table), i;

	for (i = 0; i < PMDSTAT_SHADOW_PROBES; i++) {
		struct pmdstat_shadow_ent *e =
			&s->e[(h + i) & (PMDSTAT_SHADOW_SLOTS - 1)];

		if (e->table == table)
			return e;
	}
	return NULL;
}

/* A slot for @table; when its probe window is full, evict the oldest entry. */
static struct pmdstat_shadow_ent *shadow_insert(struct pmdstat_shadow *s,
						u64 table)
{
	struct pmdstat_shadow_ent *old = NULL;
	unsigned int h = shadow_hash(table), i;

	for (i = 0; i < PMDSTAT_SHADOW_PROBES; i++) {
		struct pmdstat_shadow_ent *e =
			&s->e[(h + i) & (PMDSTAT_SHADOW_SLOTS - 1)];

		if (!e->table) {
			e->table = table;
			e->count = 0;
			s->nr++;
			return e;
		}
		if (!old || e->stamp < old->stamp)
			old = e;
	}
	/* a stale entry (its table freed unseen) must not block new ones */
	s->full++;
	old->table = table;
	old->count = 0;
	return old;
}

static void shadow_remove(struct pmdstat_shadow *s, struct pmdstat_shadow_ent *e)
{
	unsigned int i, hole = (unsigned int)(e - s->e);

	e->table = 0;
	s->nr--;
	/*
	 * Keep probe chains intact: move back every later member of the
	 * cluster (up to the first empty slot) whose home is at or before
	 * the hole.  Stopping earlier would strand entries behind the hole.
	 */
	for (i = 1; i < PMDSTAT_SHADOW_SLOTS; i++) {
		unsigned int j = (hole + i) & (PMDSTAT_SHADOW_SLOTS - 1);
		struct pmdstat_shadow_ent *m = &s->e[j];
		unsigned int home, dist_hole, dist_j;

		if (!m->table)
			break;
		home = shadow_hash(m->table);
		dist_hole = (hole - home) & (PMDSTAT_SHADOW_SLOTS - 1);
		dist_j = (j - home) & (PMDSTAT_SHADOW_SLOTS - 1);
		if (dist_hole < dist_j) {
			s->e[hole] = *m;
			m->table = 0;
			hole = j;
			i = 0;
		}
	}
}

unsigned int pmdstat_shadow_share(struct pmdstat_shadow *s, u64 table,
				  long long k)
{
	struct pmdstat_shadow_ent *e;

	if (k < 0)
		return BIT_V(PMDSTAT_V_NEGATIVE);
	if (!table)
		return 0;
	e = shadow_find(s, table);
	if (!k) {
		if (e)	/* a table of one mm */
			shadow_remove(s, e);
		return 0;
	}
	if (!e)
		e = shadow_insert(s, table);
	e->count = k;
	e->stamp = ++s->clock;
	e->epoch = s->epoch;
	return 0;
}

unsigned int pmdstat_shadow_unshare_begin(struct pmdstat_shadow *s, u64 table,
					  long long k, long long refs,
					  long long expect_refs)
{
	struct pmdstat_shadow_ent *e = table ? shadow_find(s, table) : NULL;
	unsigned int v = 0;

	if (k < 0)
		v |= BIT_V(PMDSTAT_V_NEGATIVE);
	if (refs > expect_refs)
		v |= BIT_V(PMDSTAT_V_STRAY_REF);
	if (e && k && e->epoch != s->epoch) {
		s->blind++;	/* a share since then went unseen */
	} else if (e && k) {
		s->compared++;
		if (e->count != k)
			v |= BIT_V(PMDSTAT_V_SHADOW_MISMATCH);
	} else if (e && !k) {
		shadow_remove(s, e);
	}
	return v;
}

unsigned int pmdstat_shadow_unshare_end(struct pmdstat_shadow *s, u64 table,
					long long k, int ret)
{
	struct pmdstat_shadow_ent *e;

	if (ret != 1 || !table)
		return 0;
	e = shadow_find(s, table);
	if (k - 1 < 0)
		return BIT_V(PMDSTAT_V_NEGATIVE);
	if (k - 1 == 0) {
		if (e)
			shadow_remove(s, e);
		return 0;
	}
	if (!e)
		e = shadow_insert(s, table);
	e->count = k - 1;
	e->stamp = ++s->clock;
	e->epoch = s->epoch;
	return 0;
}

unsigned int pmdstat_rule_unshare(int ret, int immap_write_held,
				  int vmalock_write_held, bool in_split)
{
	unsigned int v = 0;

	if (ret != 1)
		return 0;
	if (immap_write_held == PMDSTAT_NO)
		v |= BIT_V(PMDSTAT_V_UNSHARE_NO_IMMAP);
	if (vmalock_write_held == PMDSTAT_NO && !in_split)
		v |= BIT_V(PMDSTAT_V_UNSHARE_NO_VMALOCK);
	return v;
}

unsigned int pmdstat_rule_share(int immap_read_held)
{
	return immap_read_held == PMDSTAT_NO ? BIT_V(PMDSTAT_V_SHARE_NO_IMMAP) : 0;
}

unsigned int pmdstat_rule_acquire(bool already_held, bool trylock)
{
	return already_held && !trylock ? BIT_V(PMDSTAT_V_RECURSION) : 0;
}

PMDSTAT_NOKPROBE(shadow_hash);
PMDSTAT_NOKPROBE(shadow_find);
PMDSTAT_NOKPROBE(shadow_insert);
PMDSTAT_NOKPROBE(shadow_remove);
PMDSTAT_NOKPROBE(pmdstat_shadow_share);
PMDSTAT_NOKPROBE(pmdstat_shadow_unshare_begin);
PMDSTAT_NOKPROBE(pmdstat_shadow_unshare_end);
PMDSTAT_NOKPROBE(pmdstat_rule_unshare);
PMDSTAT_NOKPROBE(pmdstat_rule_share);
PMDSTAT_NOKPROBE(pmdstat_rule_acquire);
