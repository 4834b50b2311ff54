// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat.bpf.c - the BPF backend of pmdstat: the same measurements as the
 * module's share/unshare probes (calls, outcome, latency) and its
 * i_mmap_rwsem wait/hold timing for the files that huge_pmd_share touches.
 * The loader (pmdstat-bpf.c) gives each site that BTF describes an
 * fentry program (and an fexit where it times the call), and the others
 * (compiler clones) a kprobe (and a kretprobe where it times the call),
 * with the site index and role as the attach cookie.
 * The kernel types come from vmlinux.h (scripts/gen-vmlinux-h), CO-RE
 * relocated against the running kernel's BTF.
 *
 * What it costs.  The contention benchmark is bound by sections that one
 * task at a time runs (i_mmap_rwsem held for write, the hugetlb fault
 * mutex), so what a probe does inside them counts several times over:
 *
 *  - down_read/down_write/up_read/up_write run on every rwsem in the
 *    system.  They get entry programs only (fexit would run every call
 *    through the trampoline, and was dearer even on up_*, where it would
 *    keep a hold's bookkeeping out of the hold).  An operation on a lock
 *    that is not tracked is decided by one
 *    load from a read-mostly filter in .bss (tfilter): no helper call, no
 *    clock read, no store.  Only a filter hit looks the lock up in the
 *    tracked map.  A tracked acquisition's state is its task's own (task
 *    storage), the counters are per CPU, and a wait is timed only when it
 *    is contended, at the return of rwsem_down_{read,write}_slowpath
 *    (which runs only then).  Nothing on these paths writes a cache line
 *    that another CPU uses, except tracking and untracking a lock (a
 *    file's first share, its inode's destruction).
 *  - An unshare's outcome is decided at its entry from the share count of
 *    its table (0: it returns 0 at once; shared: it detaches and returns
 *    1), so unshare sites have no return probe unless -u times them.
 *  - A share ends where huge_pmd_share releases i_mmap_rwsem, its last
 *    step: its outcome is read there from the PUD it filled, and it needs
 *    no return probe either (where BTF names its pud argument).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pmdstat_bpf.h"

/*
 * The share count of a PMD table (module/compat.h's
 * pmdstat_table_share_count): in struct ptdesc since 59d9094df3d7, in
 * struct page in the 6.1.y backport of it (this flavor: CO-RE matches it
 * to struct page), and before it the page's references minus the owner's.
 */
struct page___v61 {
	atomic_t pt_share_count;
} __attribute__((preserve_access_index));

/* virt_to_page() on x86-64: weak, so a kernel without them still loads */
extern const void page_offset_base __ksym __weak;
extern const void vmemmap_base __ksym __weak;

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pb_stats);
} stats SEC(".maps");

/* set by the loader before load */
const volatile __u64 tsite_cookie[PB_TSITES];

/*
 * Set by the loader after load, before attaching (pb_cfg in
 * pmdstat_bpf.h); the setup program fills in what it reads.
 */
struct pb_cfg cfg;

/*
 * What a task has in flight: a share call and the tracked locks it asked
 * for or holds.  A held lock's t0 is when its hold began: the call of
 * down_* on the fast path, the return of the slow path when contended
 * (then t0 until that return is the start of the wait).  Task storage: no
 * shared map bucket, no lock, and it goes with the task.
 */
struct held {
	__u64 lock;	/* 0: a free slot */
	__u64 t0;
	__u32 mode;
	__u32 slow;	/* -k: entered the slow path, its kretprobe is pending */
};

struct task_state {
	__u64 share_t0;		/* 0: no share in flight, or not begun */
	__u64 share_wait;	/* a share whose i_mmap_rwsem request begins it */
	__u64 share_cookie;
	__u64 share_lock;	/* its i_mmap_rwsem */
	__u64 share_pud;	/* its pud argument, 0: unknown */
	struct held held[PB_HELD];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tstate SEC(".maps");

/*
 * Unshare calls run under the page-table lock (no preemption, no
 * migration), so what they keep lives in a per-CPU slot: a timed call's
 * entry times (depth 2 is the trampoline's tail call into the clone), and
 * for untimed calls the task that entered a trampoline site, whose next
 * unshare call on this CPU is the trampoline's target (nested).
 */
struct ucall {
	__u64 id;
	__u64 t0[2];
	__u32 depth;
	__u64 pending;	/* pid_tgid + 1 of a trampoline's caller, 0: none */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ucall);
} ucalls SEC(".maps");

/* tracked i_mmap_rwsem addresses (the module's table holds 8192 too) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PB_MAX_TRACKED);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

/*
 * A counting filter in front of the tracked map: slot tf_slot(lock) counts
 * the tracked locks that hash there, so a zero proves a lock untracked
 * with one load.  tlock[slot] is one tracked lock of the slot (or 0), so
 * that one more load confirms a tracked lock without the map lookup; other
 * locks of a shared slot are looked up.  Both are written only when a lock
 * becomes tracked or stops being tracked, so they stay in every CPU's
 * cache.  Plain stores suffice for tlock: a lost race only sends a lock to
 * the map lookup, and a lock is never tracked and untracked at once (a
 * share runs with its file's inode alive).
 */
#define TF_BITS	10	/* one page each */
__u32 tfilter[1 << TF_BITS];
__u64 tlock[1 << TF_BITS];

static __always_inline __u32 tf_slot(__u64 lock)
{
	return (((lock >> 3) * 0x9E3779B97F4A7C15ULL) >> (64 - TF_BITS)) & ((1 << TF_BITS) - 1);
}

static __always_inline int maybe_tracked(__u64 lock)
{
	return tfilter[tf_slot(lock)] != 0;
}

static __always_inline int is_tracked(__u64 lock)
{
	__u32 slot = tf_slot(lock);

	if (!tfilter[slot])
		return 0;
	return tlock[slot] == lock || bpf_map_lookup_elem(&tracked, &lock);
}

/* the file's i_mmap_rwsem becomes tracked (a share touched it) */
static __always_inline void track(struct pb_stats *s, __u64 lock)
{
	__u32 slot = tf_slot(lock);
	__u8 t = 1;

	/* the filter first: a tracked lock is never filtered out */
	__sync_fetch_and_add(&tfilter[slot], 1);
	if (bpf_map_update_elem(&tracked, &lock, &t, BPF_NOEXIST)) {
		__sync_fetch_and_add(&tfilter[slot], -1);
		return;
	}
	if (!tlock[slot])
		tlock[slot] = lock;
	s->tracked++;
}

static __always_inline struct pb_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline struct task_state *task_state(int create)
{
	return bpf_task_storage_get(&tstate, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* floor(log2(v)), 0 for 0: BPF has no count-leading-zeros instruction */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline void hist_add(struct pb_hist *h, __u64 v)
{
	__u32 slot = log2_u64(v);

	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (slot < PB_SLOTS)
		h->slot[slot]++;
}

/* module/hist.h's pmdstat_fhist_slot */
static __always_inline void fhist_add(struct pb_fhist *h, __u64 v)
{
	__u32 e = log2_u64(v), slot = v < 4 ? (__u32)v : (e - 1) * 4 + ((v >> (e - 2)) & 3);

	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (slot < PB_FSLOTS)
		h->slot[slot]++;
}

/*
 * The share count of the PMD table that holds entry (any address inside
 * the table page, in the direct map), or -1 if it cannot be read: no
 * direct map and vmemmap bases (not x86-64, or kallsyms hid them), or no
 * field that holds it.
 */
static __always_inline int table_share_count(__u64 entry)
{
	struct page *pg;

	if (!cfg.pob || !cfg.vmb || entry < cfg.pob)
		return -1;
	pg = (void *)(cfg.vmb + ((entry - cfg.pob) >> 12) * bpf_core_type_size(struct page));
	if (bpf_core_field_exists(struct ptdesc, pt_share_count))
		return BPF_CORE_READ((struct ptdesc *)pg, pt_share_count.counter);
	if (bpf_core_field_exists(struct page___v61, pt_share_count))
		return BPF_CORE_READ((struct page___v61 *)pg, pt_share_count.counter);
	if (bpf_core_field_exists(struct page, _refcount))
		return BPF_CORE_READ(pg, _refcount.counter) - 1;
	return -1;
}

/* a share that returned a table: attached, fresh, or unknown */
static __always_inline __u32 table_outcome(__u64 entry)
{
	int n = table_share_count(entry);

	return n < 0 ? PB_UNKNOWN : n > 0 ? PB_ATTACHED : PB_FRESH;
}

/*
 * The outcome of a share from the PUD it filled (huge_pmd_share ends with
 * pmd_alloc(mm, pud, addr) under the lock): none, a PMD table of this mm
 * only, or one shared with another.  x86-64: bit 0 is _PAGE_PRESENT, bits
 * 12..51 the table's physical address.
 */
static __always_inline __u32 share_outcome(__u64 pud)
{
	__u64 v = 0;

	if (bpf_probe_read_kernel(&v, sizeof(v), (void *)pud) || !(v & 1))
		return PB_FAILED;
	return table_outcome(cfg.pob + (v & 0x000ffffffffff000ULL));
}

static __always_inline void account(struct pb_stats *s, __u32 site, __u32 role,
				    __u32 out, __u64 d, int nested)
{
	out &= PB_NR_OUT - 1;
	s->site[site].out[out]++;
	hist_add(&s->lat[site], d);
	if (!nested) {
		s->role_out[role][out]++;
		fhist_add(&s->role[role], d);
	}
}

/*
 * huge_pmd_share(mm, vma, addr, pud) begins: track the file's
 * i_mmap_rwsem.  m: vma->vm_file->f_mapping, 0 if there is none.
 */
static __always_inline int share_entry(struct pb_stats *s, __u64 cookie, __u64 m, __u64 pud)
{
	__u32 site = cookie & (PB_MAX_SITES - 1);
	__u64 lock = m + bpf_core_field_offset(struct address_space, i_mmap_rwsem);
	struct task_state *ts;

	if (!s)
		return 0;
	s->site[site].hits++;
	if (m && !is_tracked(lock))
		track(s, lock);
	ts = task_state(1);
	if (!ts) {
		s->missed++;
		return 0;
	}
	ts->share_cookie = cookie;
	ts->share_lock = m ? lock : 0;
	ts->share_pud = cfg.share_at_unlock[site] ? pud : 0;
	/*
	 * Its first step is to ask for i_mmap_rwsem for read: the share is
	 * timed from there (lock_entry), one clock read fewer.
	 */
	ts->share_wait = !!m;
	ts->share_t0 = m ? 0 : bpf_ktime_get_ns();
	return 0;
}

/* a share ends (now): at its return (ret), or at its unlock (from its pud) */
static __always_inline void share_end(struct task_state *ts, __u64 now, long ret, int at_unlock)
{
	__u32 site = ts->share_cookie & (PB_MAX_SITES - 1), out;
	struct pb_stats *s = get_stats();

	if (!s)
		return;
	if (at_unlock)
		out = share_outcome(ts->share_pud);
	else
		out = ret ? table_outcome(ret) : PB_FAILED;
	account(s, site, PB_SHARE, out, now - ts->share_t0, 0);
	ts->share_t0 = 0;
	ts->share_wait = 0;
}

/* the return of a share site that has a return probe */
static __always_inline int share_exit(__u64 now, __u64 cookie, long ret)
{
	struct task_state *ts = task_state(0);

	if (ts && ts->share_t0 && !ts->share_pud && ts->share_cookie == cookie)
		share_end(ts, now, ret, 0);
	if (ts)
		ts->share_wait = 0;
	return 0;
}

/*
 * An unshare call begins.  ptep: its table entry, 0 if unknown.  Untimed
 * (no return probe), its outcome is decided here.
 */
static __always_inline int unshare_entry(__u64 cookie, __u64 ptep)
{
	__u32 site = cookie & (PB_MAX_SITES - 1), zero = 0, out;
	__u64 id = bpf_get_current_pid_tgid();
	struct pb_stats *s = get_stats();
	struct ucall *u = bpf_map_lookup_elem(&ucalls, &zero);
	int nested;

	if (!s || !u)
		return 0;
	s->site[site].hits++;
	if (cfg.timed[site]) {
		if (u->id == id && u->depth == 1) {
			s->site[site].nested++;
			u->depth = 2;
			u->t0[1] = bpf_ktime_get_ns();
		} else {
			u->id = id;
			u->depth = 1;
			u->t0[0] = bpf_ktime_get_ns();
		}
		return 0;
	}
	nested = u->pending == id + 1;
	u->pending = cfg.tramp[site] ? id + 1 : 0;	/* its target is entered next */
	if (nested)
		s->site[site].nested++;
	out = ptep && table_share_count(ptep) > 0 ? 0 : 1;
	s->site[site].out[out]++;
	if (!nested)
		s->role_out[PB_UNSHARE][out]++;
	return 0;
}

/* the return of a timed unshare call; now was read first thing */
static __always_inline int unshare_exit(__u64 now, __u64 cookie, long ret)
{
	__u32 site = cookie & (PB_MAX_SITES - 1), zero = 0, out = (int)ret == 1 ? 0 : 1;
	__u64 id = bpf_get_current_pid_tgid();
	struct pb_stats *s = get_stats();
	struct ucall *u = bpf_map_lookup_elem(&ucalls, &zero);

	if (!s || !u)
		return 0;
	if (u->id != id || !u->depth) {
		s->missed++;	/* migrated: not timed */
		return 0;
	}
	if (u->depth == 2) {
		u->depth = 1;
		account(s, site, PB_UNSHARE, out, now - u->t0[1], 1);
	} else {
		u->depth = 0;
		account(s, site, PB_UNSHARE, out, now - u->t0[0], 0);
	}
	return 0;
}

/*
 * A kprobe's argument register i (a clone's registers, as decoded).  All
 * six are loaded first: the verifier refuses a load through a context
 * pointer that the compiler has moved to the chosen field.
 */
static __always_inline __u64 reg_arg(struct pt_regs *ctx, int i)
{
	__u64 a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx), a2 = PT_REGS_PARM3(ctx);
	__u64 a3 = PT_REGS_PARM4(ctx), a4 = PT_REGS_PARM5(ctx), a5 = ctx->r9;

	asm volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5));
	return i == 0 ? a0 : i == 1 ? a1 : i == 2 ? a2 : i == 3 ? a3 : i == 4 ? a4 :
	       i == 5 ? a5 : 0;
}

/* kprobes: every site, compiler clones included (the cookie names it) */
SEC("kprobe")
int BPF_KPROBE(site_entry)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 site = cookie & (PB_MAX_SITES - 1);

	if (((cookie >> 8) & 1) == PB_SHARE) {
		struct vm_area_struct *vma = (void *)PT_REGS_PARM2(ctx);
		struct file *file = BPF_CORE_READ(vma, vm_file);

		return share_entry(get_stats(), cookie,
				   file ? (__u64)BPF_CORE_READ(file, f_mapping) : 0,
				   reg_arg(ctx, cfg.arg[site]));
	}
	return unshare_entry(cookie, cfg.arg[site] >= 0 ? reg_arg(ctx, cfg.arg[site]) : 0);
}

SEC("kretprobe")
int BPF_KRETPROBE(site_exit)
{
	__u64 now = bpf_ktime_get_ns(), cookie = bpf_get_attach_cookie(ctx);

	if (((cookie >> 8) & 1) == PB_SHARE)
		return share_exit(now, cookie, PT_REGS_RC(ctx));
	return unshare_exit(now, cookie, PT_REGS_RC(ctx));
}

/*
 * fentry/fexit: the sites that BTF describes (plain symbols, not clones),
 * cheaper than kprobes.  One program pair per site: the loader sets each
 * pair's target and cookie before load, and loads the fexit only where
 * the call is timed at its return.  cfg.arg: the pud (share) or ptep
 * (unshare) argument's index, from BTF.
 */
static __always_inline __u64 func_arg(void *ctx, int i)
{
	__u64 v = 0;

	if (i >= 0)
		bpf_get_func_arg(ctx, i & 7, &v);
	return v;
}

static __always_inline int tsite_entry(__u64 *ctx, __u64 cookie)
{
	__u32 site = cookie & (PB_MAX_SITES - 1);

	if (((cookie >> 8) & 1) == PB_SHARE) {
		/*
		 * Typed by BTF, read without a helper call; the address goes
		 * through memory to become a number (the filter's hash).
		 */
		struct vm_area_struct *vma = (void *)ctx[1];
		struct pb_stats *s = get_stats();
		struct file *file = vma->vm_file;

		if (!s)
			return 0;
		*(volatile __u64 *)&s->scratch = file ? (__u64)file->f_mapping : 0;
		return share_entry(s, cookie, *(volatile __u64 *)&s->scratch,
				   func_arg(ctx, cfg.arg[site]));
	}
	return unshare_entry(cookie, func_arg(ctx, cfg.arg[site]));
}

static __always_inline int tsite_exit(void *ctx, __u64 cookie)
{
	__u64 now = bpf_ktime_get_ns(), ret = 0;

	bpf_get_func_ret(ctx, &ret);
	if (((cookie >> 8) & 1) == PB_SHARE)
		return share_exit(now, cookie, (long)ret);
	return unshare_exit(now, cookie, (long)ret);
}

#define TRACING_SITE(k)								\
SEC("fentry")									\
int tsite_entry##k(__u64 *ctx) { return tsite_entry(ctx, tsite_cookie[k]); }	\
										\
SEC("fexit")									\
int tsite_exit##k(void *ctx) { return tsite_exit(ctx, tsite_cookie[k]); }

TRACING_SITE(0)
TRACING_SITE(1)
TRACING_SITE(2)

/*
 * down_read/down_write called on a tracked lock: an acquisition.  Its
 * hold begins now unless it turns out to be contended.  The clock is read
 * last, so that the bookkeeping is not part of the wait or hold.
 */
static __always_inline int lock_entry(__u64 lock, __u32 mode)
{
	struct task_state *ts;
	struct pb_stats *s;
	int i;

	if (!is_tracked(lock))
		return 0;
	s = get_stats();
	if (!s)
		return 0;
	mode &= 1;
	s->acquired[mode]++;
	ts = task_state(1);
	if (!ts) {
		s->missed++;
		return 0;
	}
	for (i = 0; i < PB_HELD; i++) {
		if (ts->held[i].lock)
			continue;
		ts->held[i].lock = lock;
		ts->held[i].mode = mode;
		ts->held[i].slow = 0;
		ts->held[i].t0 = bpf_ktime_get_ns();
		if (ts->share_wait && ts->share_lock == lock && mode == PB_READ) {
			ts->share_t0 = ts->held[i].t0;
			ts->share_wait = 0;
		}
		return 0;
	}
	s->missed++;	/* more tracked locks held at once than PB_HELD */
	return 0;
}

/*
 * This task's latest acquisition of lock in mode: the one that the slow
 * path it is in belongs to (a task waits for one lock at a time).
 */
static __always_inline struct held *latest(struct task_state *ts, __u64 lock, __u32 mode)
{
	struct held *h = NULL;
	int i;

	for (i = 0; i < PB_HELD; i++)
		if (ts->held[i].lock == lock && ts->held[i].mode == mode &&
		    (!h || ts->held[i].t0 > h->t0))
			h = &ts->held[i];
	return h;
}

/*
 * The rwsem slow path returned with the lock (ok) or gave up (a killable
 * wait, which pmdstat-bpf does not count): the acquisition was contended,
 * its wait ends and its hold begins.
 */
static __always_inline void slow_done(struct held *h, __u32 mode, int ok)
{
	__u64 now = bpf_ktime_get_ns();
	struct pb_stats *s = get_stats();

	if (!s || !ok)
		return;
	s->contended[mode]++;
	hist_add(&s->wait[mode], now - h->t0);
	h->t0 = now;
}

static __always_inline int slow_exit(__u64 lock, __u32 mode, long ret)
{
	struct task_state *ts;
	struct held *h;

	if (!maybe_tracked(lock))
		return 0;
	ts = task_state(0);
	mode &= 1;
	if (!ts)
		return 0;
	h = latest(ts, lock, mode);
	if (h)
		slow_done(h, mode, ret == lock);
	return 0;
}

/*
 * up_* on a tracked lock that this task took: the hold ends.  A share in
 * flight on it ends too: huge_pmd_share's release of i_mmap_rwsem is its
 * last step.
 */
static __always_inline int lock_release(__u64 lock, __u32 mode)
{
	struct task_state *ts;
	struct pb_stats *s;
	__u64 now;
	int i;

	if (!maybe_tracked(lock))
		return 0;
	ts = task_state(0);
	if (!ts)
		return 0;
	now = bpf_ktime_get_ns();
	if (ts->share_t0 && ts->share_pud && ts->share_lock == lock)
		share_end(ts, now, 0, 1);
	for (i = 0; i < PB_HELD; i++) {
		if (ts->held[i].lock != lock)
			continue;
		s = get_stats();
		if (s) {
			hist_add(&s->hold[mode & 1], now - ts->held[i].t0);
			s->stale += ts->held[i].slow;	/* -k: its slow path's return went unseen */
		}
		ts->held[i].lock = 0;
		ts->held[i].slow = 0;
		return 0;
	}
	return 0;
}

/*
 * The rwsem functions run all the time, on every lock in the system, so
 * their probes are fentry programs (a direct call) where the kernel has
 * BPF trampolines, and kprobes only where it has not: the loader loads one
 * set.  Only the slow paths, which run when a lock is contended, have a
 * return probe.
 *
 * The lock's address as a number: a BTF-typed argument cannot take part in
 * arithmetic (the filter's hash), and bpf_get_func_arg is inlined.
 */
static __always_inline __u64 arg0(void *ctx)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, 0, &v);
	return v;
}

SEC("fentry/down_read")
int down_read_fentry(void *ctx) { return lock_entry(arg0(ctx), PB_READ); }

SEC("fentry/down_write")
int down_write_fentry(void *ctx) { return lock_entry(arg0(ctx), PB_WRITE); }

SEC("fentry/up_read")
int up_read_fentry(void *ctx) { return lock_release(arg0(ctx), PB_READ); }

SEC("fentry/up_write")
int up_write_fentry(void *ctx) { return lock_release(arg0(ctx), PB_WRITE); }

SEC("fexit/rwsem_down_read_slowpath")
int read_slow_fexit(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return slow_exit(arg0(ctx), PB_READ, (long)ret);
}

SEC("fexit/rwsem_down_write_slowpath")
int write_slow_fexit(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return slow_exit(arg0(ctx), PB_WRITE, (long)ret);
}

SEC("kprobe/down_read")
int BPF_KPROBE(down_read_entry, struct rw_semaphore *sem) { return lock_entry((__u64)sem, PB_READ); }

SEC("kprobe/down_write")
int BPF_KPROBE(down_write_entry, struct rw_semaphore *sem) { return lock_entry((__u64)sem, PB_WRITE); }

SEC("kprobe/up_read")
int BPF_KPROBE(up_read_entry, struct rw_semaphore *sem) { return lock_release((__u64)sem, PB_READ); }

SEC("kprobe/up_write")
int BPF_KPROBE(up_write_entry, struct rw_semaphore *sem) { return lock_release((__u64)sem, PB_WRITE); }

/*
 * -k: a kretprobe does not see the arguments, so the slow path's entry
 * marks the acquisition it belongs to, and its return, which returns the
 * lock it acquired, ends the wait of the mark on that lock.  A perf
 * kretprobe has few instances (max(10, 2 * CPUs)): when more tasks wait at
 * once, a return goes unseen and its mark stays.  A task is in one slow
 * path at a time, so a mark that the next slow path's entry finds, that a
 * return finds on another lock, or that the release finds, is stale: it is
 * dropped and counted (stale_records), never taken for a wait.
 */
static __always_inline void drop_marks(struct task_state *ts, __u32 mode, long ret)
{
	struct pb_stats *s = get_stats();
	int i;

	for (i = 0; i < PB_HELD; i++) {
		if (!ts->held[i].slow)
			continue;
		ts->held[i].slow = 0;
		if (ret == (long)ts->held[i].lock && ts->held[i].mode == mode)
			slow_done(&ts->held[i], mode, 1);
		else if (s)
			s->stale++;
	}
}

static __always_inline int slow_entry_k(__u64 lock, __u32 mode)
{
	struct task_state *ts;
	struct held *h;

	if (!maybe_tracked(lock))
		return 0;
	ts = task_state(0);
	if (!ts)
		return 0;
	drop_marks(ts, mode, 0);
	h = latest(ts, lock, mode);
	if (h)
		h->slow = 1;
	return 0;
}

static __always_inline int slow_exit_k(__u32 mode, long ret)
{
	struct task_state *ts = task_state(0);

	if (ts)
		drop_marks(ts, mode, ret);
	return 0;
}

SEC("kprobe/rwsem_down_read_slowpath")
int BPF_KPROBE(read_slow_entry, struct rw_semaphore *sem) { return slow_entry_k((__u64)sem, PB_READ); }

SEC("kretprobe/rwsem_down_read_slowpath")
int BPF_KRETPROBE(read_slow_exit, long ret) { return slow_exit_k(PB_READ, ret); }

SEC("kprobe/rwsem_down_write_slowpath")
int BPF_KPROBE(write_slow_entry, struct rw_semaphore *sem) { return slow_entry_k((__u64)sem, PB_WRITE); }

SEC("kretprobe/rwsem_down_write_slowpath")
int BPF_KRETPROBE(write_slow_exit, long ret) { return slow_exit_k(PB_WRITE, ret); }

/*
 * A hugetlbfs inode goes: its i_mmap_rwsem stops being tracked, or the
 * memory's next owner (any file) would be timed as if it were hugetlb.
 */
SEC("kprobe/hugetlbfs_destroy_inode")
int BPF_KPROBE(untrack_inode, struct inode *inode)
{
	__u64 lock = (__u64)inode + bpf_core_field_offset(struct inode, i_data) +
		     bpf_core_field_offset(struct address_space, i_mmap_rwsem);
	struct pb_stats *s = get_stats();
	__u32 slot = tf_slot(lock);

	if (!tfilter[slot])
		return 0;
	if (tlock[slot] == lock)
		tlock[slot] = 0;
	if (bpf_map_delete_elem(&tracked, &lock))
		return 0;
	__sync_fetch_and_add(&tfilter[slot], -1);
	if (s)
		s->untracked++;
	return 0;
}

/*
 * Run once by the loader (BPF_PROG_TEST_RUN) before anything is attached:
 * reads the direct map's and vmemmap's bases, and the first bytes of the
 * code at cfg.text_addr (a trampoline site, which the loader decodes).
 */
SEC("raw_tp")
int setup(void *ctx)
{
	if (&page_offset_base && &vmemmap_base) {
		bpf_probe_read_kernel(&cfg.pob, sizeof(cfg.pob), &page_offset_base);
		bpf_probe_read_kernel(&cfg.vmb, sizeof(cfg.vmb), &vmemmap_base);
	}
	if (cfg.text_addr)
		cfg.text_ok = !bpf_probe_read_kernel(cfg.text, sizeof(cfg.text),
						     (void *)cfg.text_addr);
	return 0;
}
