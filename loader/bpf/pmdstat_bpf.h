/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat_bpf.h - plain structs shared by the BPF program and its loader
 * (the funclatency.h pattern): per-site and per-lock counters, per CPU.
 */
#ifndef PMDSTAT_BPF_H
#define PMDSTAT_BPF_H

#define PB_MAX_SITES	16	/* more sites than this: refused (PMDSTAT_MAX_SITES) */
#define PB_SLOTS	64
#define PB_FSLOTS	252	/* module/hist.h's fine slots: log2 x 4 */
#define PB_TSITES	3	/* sites that can have fentry/fexit programs */
#define PB_HELD		4	/* tracked locks a task can wait for or hold at once */
#define PB_MAX_TRACKED	8192	/* tracked i_mmap_rwsem */

enum { PB_SHARE, PB_UNSHARE, PB_NR_ROLES };
enum { PB_READ, PB_WRITE, PB_NR_MODES };
/* outcomes (module/snapshot.h's): share's 4, unshare's first 2 (ret1, ret0) */
enum { PB_ATTACHED, PB_FRESH, PB_FAILED, PB_UNKNOWN, PB_NR_OUT };

struct pb_hist {
	__u64 count;
	__u64 sum;
	__u64 max;
	__u64 slot[PB_SLOTS];
};

/* the share/unshare latencies: fine, as the module's (module/hist.h) */
struct pb_fhist {
	__u64 count;
	__u64 sum;
	__u64 max;
	__u64 slot[PB_FSLOTS];
};

struct pb_site {
	__u64 hits;
	__u64 nested;
	__u64 out[PB_NR_OUT];
};

/*
 * The counters a probe bumps come first, so that a hit touches few pages
 * (under TCG, each page a probe touches after a context switch costs a
 * software TLB fill): the histograms follow, busiest first.
 */
struct pb_stats {
	struct pb_site site[PB_MAX_SITES];
	__u64 role_out[PB_NR_ROLES][PB_NR_OUT];
	__u64 acquired[PB_NR_MODES];
	__u64 contended[PB_NR_MODES];		/* entered the rwsem slow path */
	__u64 tracked;
	__u64 untracked;			/* their inodes destroyed */
	__u64 missed;				/* no room to record an event */
	__u64 stale;				/* -k: waits whose kretprobe was missed */
	__u64 scratch;				/* not a counter */
	struct pb_hist hold[PB_NR_MODES];	/* tracked i_mmap_rwsem */
	struct pb_hist wait[PB_NR_MODES];
	struct pb_fhist role[PB_NR_ROLES];
	struct pb_hist lat[PB_MAX_SITES];	/* per site */
};

/*
 * What the loader tells the programs after load (the .bss variable cfg),
 * per site index, and what the setup program reads for it.
 */
struct pb_cfg {
	__u64 pob;			/* page_offset_base (setup) */
	__u64 vmb;			/* vmemmap_base (setup) */
	__u64 text_addr;		/* code to read (setup) */
	__u8 text[64];
	__u32 text_ok;
	__s32 arg[PB_MAX_SITES];	/* share: pud, unshare: ptep register; -1 */
	__u32 timed[PB_MAX_SITES];	/* has a return probe */
	__u32 tramp[PB_MAX_SITES];	/* a trampoline into another site */
	__u32 share_at_unlock[PB_MAX_SITES];	/* a share ends at its i_mmap unlock */
};

/* attach cookie of a site probe: site index | role << 8 */
#define PB_COOKIE(site, role)	((__u64)(site) | (__u64)(role) << 8)

#endif /* PMDSTAT_BPF_H */
