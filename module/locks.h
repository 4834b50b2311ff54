/* SPDX-License-Identifier: GPL-2.0 */
/*
 * locks.h - lock timing for the i_mmap_rwsem of hugetlb files and the
 * hugetlb vma locks: which locks are tracked, who waits and holds them.
 */
#ifndef PMDSTAT_LOCKS_H
#define PMDSTAT_LOCKS_H

#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include "snapshot.h"

/* Per-CPU lock counters (part of struct pmdstat_pcpu). */
#define PMDSTAT_PCPU_CALLERS 64

struct pmdstat_caller_stats {
	unsigned long caller;	/* return address into the asking function */
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
 * Contended waits by waiter and blocker (struct pmdstat_snap_blame): as
 * many as callers, 4 KiB per CPU (the demo's repro needed more than 32).
 */
#define PMDSTAT_PCPU_BLAME 64

struct pmdstat_blame_stats {
	unsigned long waiter;	/* caller of the waiting request; 0: empty */
	unsigned long blocker;	/* caller of the blocker's request; 0: unknown */
	u8 kind;
	u8 wmode;
	u8 bmode;
	u8 bstate;
	u32 max_pid;
	u64 waits;
	u64 wait_total;
	u64 wait_max;
	char max_comm[TASK_COMM_LEN];
};

struct pmdstat_lockprobe_stats {
	u64 calls;
	u64 hits;
	u64 missed;	/* through ftrace: dropped by its recursion guard */
};

struct pmdstat_lock_pcpu {
	struct pmdstat_lock_stats lock[PMDSTAT_NR_LK][PMDSTAT_NR_MODES];
	struct pmdstat_hist share_wait;
	struct pmdstat_hist share_hold;
	struct pmdstat_hist scan;
	struct pmdstat_lockprobe_stats probe[PMDSTAT_MAX_LOCKPROBES];
	struct pmdstat_caller_stats caller[PMDSTAT_PCPU_CALLERS];
	struct pmdstat_blame_stats blame[PMDSTAT_PCPU_BLAME];
	u64 callers_full;
	u64 blame_full;
	u64 blame_off;	/* contended waits that began with blame off */
	u64 inflight_full;
	u64 unmatched;
	u64 stale;	/* records the lock word denied (trylock predictions) */
	u64 busy;	/* lookups that gave up: writers kept the table changing */
};

#define INFLIGHT_SLOTS	1024
#define INFLIGHT_PROBES	32

enum { ST_WAIT = 1, ST_HOLD, ST_SHARE, ST_CTX };

struct pmdstat_inflight {
	unsigned long task;	/* owner, 0: free */
	unsigned long lock;	/* 0 for a share call */
	u64 task_start;		/* the task's start time: a reused task_struct differs */
	unsigned long caller;
	u64 t0;			/* request, then acquisition */
	u32 pid;
	u32 cpu;
	u32 scan;
	u32 blk_pid;		/* contended: its blocker's pid (blk_*) */
	u32 gen;		/* bumped at each allocation (blame_peek) */
	unsigned long aux1;	/* share: pud pointer; context: vma; RT lock: request time */
	unsigned long aux2;	/* share: i_mmap_rwsem address; context: take_locks */
	u16 home;		/* the bucket its task hashes to */
	u8 state;
	u8 kind;
	u8 mode;
	u8 contended;
	u8 slow;		/* in rwsem_down_*_slowpath now */
	u8 predicted;		/* a trylock's success, not yet confirmed */
	u8 observed;		/* share: the shadow saw the table it left */
	u8 from_share;
	u8 checked;		/* share: the lock rule was checked */
	u8 wait_pending;	/* RT: a wait ended at t0, from aux1; not counted yet */
	u8 blk_state;		/* contended: what blocked it (PMDSTAT_BLOCK_*) */
	u8 blk_mode;
	u8 blamed;		/* blame was on when its wait began: it gets a row */
	u8 wslot;		/* it is its lock's first waiting writer (wwait) */
	unsigned long blk_caller;
	char comm[TASK_COMM_LEN];
	char blk_comm[TASK_COMM_LEN];
};

extern struct pmdstat_inflight pmdstat_inflight[INFLIGHT_SLOTS];

int pmdstat_inflight_alloc(unsigned long lock, unsigned int state,
			   unsigned int kind, unsigned int mode,
			   unsigned long caller);
struct pmdstat_inflight *pmdstat_inflight_find(unsigned long lock,
					       unsigned int state);
void pmdstat_inflight_free(struct pmdstat_inflight *r);
unsigned int pmdstat_inflight_span(unsigned int h);

void pmdstat_sanitize(char *p);
void pmdstat_symbolize(char *buf, size_t len, unsigned long addr);
void pmdstat_stack_text(char *buf, size_t len, const unsigned long *stack,
			unsigned int n);

extern bool pmdstat_count_scan;
int pmdstat_locks_set_blame(unsigned long on);

int pmdstat_locks_init(void);
void pmdstat_locks_exit(void);
void pmdstat_locks_disarm(void);
unsigned int pmdstat_locks_kprobes(struct kprobe **out, unsigned int max);
void pmdstat_locks_forget(void);
void pmdstat_locks_reset(void);
void pmdstat_locks_fill(struct pmdstat_snapshot *s);
int pmdstat_locks_set_threshold(unsigned long us);

/* Called from the share/unshare probes. */
void pmdstat_track_mapping(struct address_space *mapping);
void pmdstat_track_vma(struct vm_area_struct *vma);
struct file *pmdstat_vma_file(struct vm_area_struct *vma);
struct address_space *pmdstat_file_mapping(struct file *file);
int pmdstat_share_begin(unsigned long pud, unsigned long immap,
			unsigned long func);
void pmdstat_share_end(int rec, bool attached);
extern DECLARE_BITMAP(pmdstat_share_map, INFLIGHT_SLOTS);
bool pmdstat_shares_in_flight(void);
void pmdstat_add_share_range(unsigned long start, unsigned long end);

/* debugfs: the live view and the event log. */
extern const struct file_operations pmdstat_live_fops;
extern const struct file_operations pmdstat_events_fops;

#endif /* PMDSTAT_LOCKS_H */
