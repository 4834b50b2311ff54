/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapshot.h - the plain data that the stats file is formatted from.  The
 * module sums its per-CPU counters into one of these when the stats file is
 * opened; userspace tests fill one by hand.  No kernel types, no pointers.
 */
#ifndef PMDSTAT_SNAPSHOT_H
#define PMDSTAT_SNAPSHOT_H

#include "hist.h"

#define PMDSTAT_FORMAT_VERSION	1
#define PMDSTAT_MAX_SITES	16
#define PMDSTAT_SYM_LEN		128
#define PMDSTAT_READS_LEN	128
#define PMDSTAT_RELEASE_LEN	65

enum pmdstat_role {
	PMDSTAT_ROLE_SHARE,
	PMDSTAT_ROLE_UNSHARE,
	PMDSTAT_NR_ROLES,
};

/*
 * Outcome slots: share uses all four, unshare the first two.  UNKNOWN: a
 * share that returned a table whose share count could not be read (the
 * BPF backend without the kernel's direct map addresses; the module when a
 * clone's return value is not a valid kernel address).
 */
enum pmdstat_outcome {
	PMDSTAT_OUT_SHARE_ATTACHED = 0,
	PMDSTAT_OUT_SHARE_FRESH = 1,
	PMDSTAT_OUT_SHARE_FAILED = 2,
	PMDSTAT_OUT_SHARE_UNKNOWN = 3,
	PMDSTAT_OUT_UNSHARE_RET1 = 0,
	PMDSTAT_OUT_UNSHARE_RET0 = 1,
	PMDSTAT_NR_OUTCOMES = 4,
};

/* Counters of one probe site (per CPU in the module). */
struct pmdstat_site_stats {
	u64 hits;
	u64 filtered;	/* calls by tasks outside the filter: not recorded */
	u64 nested;
	u64 out[PMDSTAT_NR_OUTCOMES];
	struct pmdstat_hist lat;
};

/* Counters of one role, outermost calls only (per CPU in the module). */
struct pmdstat_role_stats {
	u64 out[PMDSTAT_NR_OUTCOMES];
	struct pmdstat_fhist lat;	/* fine: medians are compared */
};

/* Lock timing (tracked i_mmap_rwsem and hugetlb vma locks). */
enum pmdstat_lock_kind {
	PMDSTAT_LK_IMMAP,
	PMDSTAT_LK_VMA,
	PMDSTAT_NR_LK,
};

enum pmdstat_mode {
	PMDSTAT_MODE_READ,
	PMDSTAT_MODE_WRITE,
	PMDSTAT_NR_MODES,
};

enum pmdstat_what {
	PMDSTAT_WAIT,
	PMDSTAT_HOLD,
	PMDSTAT_NR_WHAT,
};

/* What blocked a contended wait, as it stood when the wait began. */
enum pmdstat_block {
	PMDSTAT_BLOCK_UNKNOWN,	/* no holder or writer ahead that pmdstat saw */
	PMDSTAT_BLOCK_HOLD,	/* it held the lock */
	PMDSTAT_BLOCK_WAIT,	/* a writer waiting ahead (rwsem hand-off) */
	PMDSTAT_NR_BLOCK,
};

struct pmdstat_lock_stats {
	u64 acquired;	/* successful acquisitions, trylocks included */
	u64 contended;	/* acquisitions that entered the rwsem slow path */
	u64 try_ok;
	u64 try_fail;
	u64 failed;	/* killable/interruptible waits that gave up */
	struct pmdstat_hist wait;
	struct pmdstat_hist hold;
};

#define PMDSTAT_FUNC_LEN	64
#define PMDSTAT_COMM_LEN	16
#define PMDSTAT_MAX_CALLERS	128
#define PMDSTAT_TOP		16
#define PMDSTAT_STACK_DEPTH	12
#define PMDSTAT_STACK_TEXT	896

/* One caller of a lock function, by function name, lock kind and mode. */
struct pmdstat_snap_caller {
	char func[PMDSTAT_FUNC_LEN];
	unsigned int kind;
	unsigned int mode;
	u64 acquired;
	u64 contended;
	u64 try_ok;
	u64 try_fail;
	u64 wait_total;
	u64 wait_max;
	u64 holds;
	u64 hold_total;
	u64 hold_max;
};

/*
 * Contended waits by the waiter's caller and what blocked them: the
 * blocker's caller, mode and state (unknown: no blocker seen).  The pid and
 * comm are the blocker's in the row's longest wait.
 */
#define PMDSTAT_MAX_BLAME	128

struct pmdstat_snap_blame {
	char waiter[PMDSTAT_FUNC_LEN];
	char blocker[PMDSTAT_FUNC_LEN];
	unsigned int kind;
	unsigned int wmode;
	unsigned int bmode;
	unsigned int bstate;
	u64 waits;
	u64 wait_total;
	u64 wait_max;
	u32 max_pid;
	char max_comm[PMDSTAT_COMM_LEN];
};

/* One long wait or hold, with its context. */
struct pmdstat_snap_event {
	unsigned int what;
	unsigned int kind;
	unsigned int mode;
	u64 ns;
	u64 at_ns;		/* end of the wait or hold, ns since boot */
	u32 dev_major;
	u32 dev_minor;
	u64 ino;
	u32 pid;
	u32 cpu;
	char func[PMDSTAT_FUNC_LEN];	/* who asked for the lock */
	char comm[PMDSTAT_COMM_LEN];
	char stack[PMDSTAT_STACK_TEXT];	/* "f+0x1/0x20,g+0x2/0x40" */
};

struct pmdstat_snap_site {
	char symbol[PMDSTAT_SYM_LEN];
	char reads[PMDSTAT_READS_LEN];
	unsigned int role;
	u64 missed;
	struct pmdstat_site_stats st;
};

/* The race and lock-rule detector (detect.h lists the kinds). */
#define PMDSTAT_NR_VKINDS	7
#define PMDSTAT_DETAIL_LEN	96
#define PMDSTAT_MAX_RACE_LOG	32

struct pmdstat_snap_violation {
	unsigned int kind;
	u64 at_ns;
	u32 pid;
	u32 cpu;
	char comm[PMDSTAT_COMM_LEN];
	char func[PMDSTAT_FUNC_LEN];
	char detail[PMDSTAT_DETAIL_LEN];
	char stack[PMDSTAT_STACK_TEXT];
};

struct pmdstat_snap_overlap {
	u64 at_ns;
	u64 share_age_ns;	/* how long the share had been in flight */
	u32 share_pid;
	u32 share_cpu;
	u32 unshare_pid;
	u32 unshare_cpu;
	char share_comm[PMDSTAT_COMM_LEN];
	char unshare_comm[PMDSTAT_COMM_LEN];
	char func[PMDSTAT_FUNC_LEN];	/* the unshare's caller */
};

/*
 * How contended acquisitions are seen: at the rwsem slow paths (the
 * default, and the BPF backend's), at the lock:contention_* tracepoints
 * (PREEMPT_RT), for one mode only, or not at all (then "contended" and
 * the wait histograms are unknown, not zero).
 */
enum pmdstat_contention {
	PMDSTAT_CONT_SLOWPATH,
	PMDSTAT_CONT_TRACEPOINT,
	PMDSTAT_CONT_PARTIAL,
	PMDSTAT_CONT_NONE,
};

#define PMDSTAT_MAX_LOCKPROBES	24

/* A probe on a lock function (down_read, up_write, ...). */
struct pmdstat_snap_lockprobe {
	char symbol[PMDSTAT_SYM_LEN];
	/* handler runs: every call (lock:contention_*: events of tasks with a record) */
	u64 calls;
	u64 hits;	/* calls on a tracked lock */
	u64 missed;
};

struct pmdstat_snapshot {
	char release[PMDSTAT_RELEASE_LEN];
	char module_version[16];
	u64 elapsed_ns;
	u64 resets;
	u64 maxactive;
	u64 filter_tgid;	/* 0: none */
	u64 filter_cgroup;	/* 0: none */
	u64 count_scan;		/* scan_vmas is counted (module parameter) */
	u64 time_unshare;	/* unshare calls are timed (module parameter) */
	u64 contention;		/* enum pmdstat_contention: how contention is seen */
	/* structure offsets (not pointers), for tracers that need addresses */
	u64 off_vm_file;
	u64 off_f_mapping;
	u64 off_i_mmap_rwsem;
	u64 off_vm_private_data;
	u64 off_vma_lock_rw_sema;
	u64 off_rt_rtmutex;	/* PREEMPT_RT: the rwsem's rtmutex; else 0 */
	unsigned int nr_sites;
	struct pmdstat_snap_site site[PMDSTAT_MAX_SITES];
	struct pmdstat_role_stats role[PMDSTAT_NR_ROLES];

	unsigned int nr_lockprobes;
	struct pmdstat_snap_lockprobe lockprobe[PMDSTAT_MAX_LOCKPROBES];
	struct pmdstat_lock_stats lock[PMDSTAT_NR_LK][PMDSTAT_NR_MODES];
	struct pmdstat_hist share_wait;	/* i_mmap_rwsem wait in huge_pmd_share */
	struct pmdstat_hist share_hold;	/* i_mmap_rwsem hold in huge_pmd_share */
	struct pmdstat_hist scan;	/* VMAs considered per huge_pmd_share */
	u64 tracked[PMDSTAT_NR_LK];
	u64 track_full;
	u64 inflight_full;
	u64 unmatched;
	u64 stale;
	u64 track_busy;
	u64 callers_full;
	u64 events;
	u64 event_drops;
	u64 threshold_us;
	unsigned int nr_callers;
	struct pmdstat_snap_caller caller[PMDSTAT_MAX_CALLERS];
	u64 blame;		/* blame tracking on */
	u64 blame_full;		/* waits without a row: the tables were full */
	u64 blame_off;		/* waits without a row: they began with blame off */
	unsigned int nr_blame;
	struct pmdstat_snap_blame blocked_by[PMDSTAT_MAX_BLAME];
	unsigned int nr_top[PMDSTAT_NR_WHAT];
	struct pmdstat_snap_event top[PMDSTAT_NR_WHAT][PMDSTAT_TOP];

	u64 violations[PMDSTAT_NR_VKINDS];
	u64 overlaps;
	u64 unverified;		/* unshares whose vma lock could not be checked */
	u64 split_exempt;	/* unshares of a VMA split: no vma lock, by design */
	u64 checked_unshares;	/* unshares returning 1 whose lock rules were checked */
	u64 shadow_tables;
	u64 shadow_full;
	u64 shadow_compared;
	u64 inject_delay_us;
	u64 race_log_drops;
	unsigned int nr_vlog;
	struct pmdstat_snap_violation vlog[PMDSTAT_MAX_RACE_LOG];
	unsigned int nr_olog;
	struct pmdstat_snap_overlap olog[PMDSTAT_MAX_RACE_LOG];
};

const char *pmdstat_role_name(unsigned int role);
const char *pmdstat_lock_name(unsigned int kind);
const char *pmdstat_mode_name(unsigned int mode);
const char *pmdstat_what_name(unsigned int what);
const char *pmdstat_block_name(unsigned int state);
void pmdstat_format(pmdstat_out_t *out, const struct pmdstat_snapshot *s);
void pmdstat_format_event(pmdstat_out_t *out, const char *keyword,
			  unsigned int rank, const struct pmdstat_snap_event *e);

#endif /* PMDSTAT_SNAPSHOT_H */
