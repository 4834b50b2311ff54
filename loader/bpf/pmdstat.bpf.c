// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat.bpf.c - the BPF backend of pmdstat: the same measurements as the
 * module's share/unshare probes (calls, outcome, latency) and its
 * i_mmap_rwsem wait/hold timing for the files that huge_pmd_share touches.
 * The loader (pmdstat-bpf.c) gives each site that BTF describes an
 * fentry/fexit pair, and the others (compiler clones) a kprobe/kretprobe
 * pair with the site index and role as the attach cookie.
 * Only the kernel types it needs are declared, with preserve_access_index
 * (CO-RE against the running kernel's BTF).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pmdstat_bpf.h"

struct rw_semaphore {
	long count;
} __attribute__((preserve_access_index));

struct address_space {
	struct rw_semaphore i_mmap_rwsem;
} __attribute__((preserve_access_index));

struct file {
	struct address_space *f_mapping;
} __attribute__((preserve_access_index));

struct inode {
	struct address_space i_data;
} __attribute__((preserve_access_index));

struct vm_area_struct {
	struct file *vm_file;
} __attribute__((preserve_access_index));

/*
 * The share count of a PMD table (module/compat.h's
 * pmdstat_table_share_count): in struct ptdesc since 59d9094df3d7, in
 * struct page in the 6.1.y backport of it, and before it the page's
 * references minus the owner's.  CO-RE picks whichever exists.
 */
typedef struct {
	int counter;
} atomic_t;

struct ptdesc {
	atomic_t pt_share_count;
} __attribute__((preserve_access_index));

struct page {
	atomic_t pt_share_count;
	atomic_t _refcount;
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

struct call_key {
	__u64 pid_tgid;
	__u64 what;	/* site cookie, or a lock address */
};

/* entry time of a share call in flight, and start of a lock hold */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct call_key);
	__type(value, __u64);
} start SEC(".maps");

/*
 * Unshare calls run under the page-table lock (no preemption, no
 * migration), so their entry times live in a per-CPU slot instead of a
 * hash map: cheaper, so the backend adds less to the latency it measures.
 * depth 2 is the trampoline's tail call into the clone (nested).
 */
struct ucall {
	__u64 id;
	__u64 t0[2];
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ucall);
} ucalls SEC(".maps");

/* tracked i_mmap_rwsem addresses */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} tracked SEC(".maps");

/* the lock a task waits for in down_*, and since when, by task */
struct wait_v {
	__u64 lock;
	__u64 t0;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct wait_v);
} waiting SEC(".maps");

static __always_inline struct pb_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
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
 * A share or unshare call begins.  cookie: site index | role << 8; vma:
 * the second argument (huge_pmd_share's vma; unused for unshare).
 */
static __always_inline int on_entry(__u64 cookie, struct vm_area_struct *vma)
{
	/* masks, not just checks: the verifier must see the bounds */
	__u32 site = cookie & (PB_MAX_SITES - 1), role = (cookie >> 8) & 1;
	__u64 id = bpf_get_current_pid_tgid(), now;
	struct call_key k = { .pid_tgid = id, .what = cookie };
	struct pb_stats *s = get_stats();

	if (!s)
		return 0;
	s->site[site].hits++;
	if (role == PB_SHARE) {
		/* huge_pmd_share(mm, vma, addr, pud): track the file's i_mmap_rwsem */
		struct file *file = BPF_CORE_READ(vma, vm_file);
		struct address_space *m = file ? BPF_CORE_READ(file, f_mapping) : NULL;
		__u64 lock = (__u64)m + bpf_core_field_offset(struct address_space, i_mmap_rwsem);
		__u8 t = 1;

		if (m && !bpf_map_lookup_elem(&tracked, &lock) &&
		    !bpf_map_update_elem(&tracked, &lock, &t, BPF_NOEXIST))
			s->tracked++;
	} else {
		__u32 zero = 0;
		struct ucall *u = bpf_map_lookup_elem(&ucalls, &zero);

		if (!u)
			return 0;
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
	now = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&start, &k, &now, BPF_ANY))
		s->missed++;
	return 0;
}

/*
 * The share count of the PMD table that holds the entry huge_pmd_share
 * returned, or -1 if it cannot be read.  The caller holds the vma lock,
 * so the table stays; a sharer attaching meanwhile makes a fresh table
 * count as attached, as in the module.
 */
static __always_inline int table_share_count(__u64 entry)
{
	__u64 pob = 0, vmb = 0;
	struct page *pg;

	if (!&page_offset_base || !&vmemmap_base ||
	    bpf_probe_read_kernel(&pob, sizeof(pob), &page_offset_base) ||
	    bpf_probe_read_kernel(&vmb, sizeof(vmb), &vmemmap_base) || entry < pob)
		return -1;
	pg = (void *)(vmb + ((entry - pob) >> 12) * bpf_core_type_size(struct page));
	if (bpf_core_field_exists(struct ptdesc, pt_share_count))
		return BPF_CORE_READ((struct ptdesc *)pg, pt_share_count.counter);
	if (bpf_core_field_exists(struct page, pt_share_count))
		return BPF_CORE_READ(pg, pt_share_count.counter);
	return BPF_CORE_READ(pg, _refcount.counter) - 1;
}

static __always_inline void account(struct pb_stats *s, __u32 site, __u32 role,
				    __u64 d, long ret, int nested)
{
	__u32 out;

	if (role == PB_UNSHARE)
		out = (int)ret == 1 ? 0 : 1;
	else if (!ret)
		out = 2;
	else	/* attached; or fresh, also when the count cannot be read */
		out = table_share_count(ret) > 0 ? 0 : 1;
	s->site[site].out[out]++;
	hist_add(&s->site[site].lat, d);
	if (!nested) {
		s->role_out[role][out]++;
		fhist_add(&s->role[role], d);
	}
}

/* The call returns ret; now was read first thing in the return probe. */
static __always_inline int on_exit(__u64 now, __u64 cookie, long ret)
{
	__u32 site = cookie & (PB_MAX_SITES - 1), role = (cookie >> 8) & 1, zero = 0;
	__u64 id = bpf_get_current_pid_tgid(), *t0;
	struct pb_stats *s = get_stats();
	struct call_key k = { .pid_tgid = id, .what = cookie };
	struct ucall *u;

	if (!s)
		return 0;
	if (role == PB_UNSHARE) {
		u = bpf_map_lookup_elem(&ucalls, &zero);
		if (!u || u->id != id || !u->depth) {
			s->missed++;	/* migrated: not timed */
			return 0;
		}
		if (u->depth == 2) {
			u->depth = 1;
			account(s, site, role, now - u->t0[1], ret, 1);
		} else {
			u->depth = 0;
			account(s, site, role, now - u->t0[0], ret, 0);
		}
		return 0;
	}
	t0 = bpf_map_lookup_elem(&start, &k);
	if (!t0)
		return 0;
	account(s, site, role, now - *t0, ret, 0);
	bpf_map_delete_elem(&start, &k);
	return 0;
}

/* kprobes: every site, compiler clones included (the cookie names it) */
SEC("kprobe")
int BPF_KPROBE(site_entry)
{
	return on_entry(bpf_get_attach_cookie(ctx), (void *)PT_REGS_PARM2(ctx));
}

SEC("kretprobe")
int BPF_KRETPROBE(site_exit)
{
	__u64 now = bpf_ktime_get_ns();

	return on_exit(now, bpf_get_attach_cookie(ctx), PT_REGS_RC(ctx));
}

/*
 * fentry/fexit: the sites that BTF describes (plain symbols, not clones),
 * cheaper than kprobes.  One program pair per site: the loader sets each
 * pair's target and cookie before load, and does not load unused pairs.
 * Both functions take the vma (share) or something else (unshare) second.
 */
const volatile __u64 tsite_cookie[PB_TSITES];

#define TRACING_SITE(k)								\
SEC("fentry")									\
int tsite_entry##k(__u64 *ctx)							\
{										\
	return on_entry(tsite_cookie[k], (void *)ctx[1]);			\
}										\
										\
SEC("fexit")									\
int tsite_exit##k(__u64 *ctx)							\
{										\
	__u64 now = bpf_ktime_get_ns(), ret = 0;				\
										\
	bpf_get_func_ret(ctx, &ret);						\
	return on_exit(now, tsite_cookie[k], (long)ret);			\
}

TRACING_SITE(0)
TRACING_SITE(1)
TRACING_SITE(2)

/*
 * down_* called on a tracked lock: the wait starts.  The clock is read
 * last, so that the map updates are not part of the wait, and only for a
 * tracked lock (down_read and up_read run everywhere, all the time).
 */
static __always_inline int lock_entry(struct rw_semaphore *sem)
{
	__u64 lock = (__u64)sem, id = bpf_get_current_pid_tgid();
	struct wait_v v = { .lock = lock }, *w;

	if (!bpf_map_lookup_elem(&tracked, &lock))
		return 0;
	bpf_map_update_elem(&waiting, &id, &v, BPF_ANY);
	w = bpf_map_lookup_elem(&waiting, &id);
	if (w)
		w->t0 = bpf_ktime_get_ns();
	return 0;
}

/* down_* returned with the lock: the wait ends, the hold starts. */
static __always_inline int lock_acquired(__u32 mode)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	struct pb_stats *s = get_stats();
	struct call_key k = { .pid_tgid = id };
	struct wait_v *w;

	w = bpf_map_lookup_elem(&waiting, &id);
	mode &= 1;
	if (!w || !s)
		return 0;
	k.what = w->lock;
	if (w->t0) {
		s->acquired[mode]++;
		hist_add(&s->wait[mode], now - w->t0);
	}
	bpf_map_delete_elem(&waiting, &id);
	bpf_map_update_elem(&start, &k, &now, BPF_ANY);
	return 0;
}

/* up_* on a tracked lock that this task took: the hold ends. */
static __always_inline int lock_release(struct rw_semaphore *sem, __u32 mode)
{
	__u64 lock = (__u64)sem, id = bpf_get_current_pid_tgid(), now, *t0;
	struct call_key k = { .pid_tgid = id, .what = lock };
	struct pb_stats *s;

	if (!bpf_map_lookup_elem(&tracked, &lock))
		return 0;
	now = bpf_ktime_get_ns();
	s = get_stats();
	t0 = bpf_map_lookup_elem(&start, &k);
	mode &= 1;
	if (!s || !t0)
		return 0;
	hist_add(&s->hold[mode], now - *t0);
	bpf_map_delete_elem(&start, &k);
	return 0;
}

/*
 * The rwsem functions run all the time, on every lock in the system, so
 * their probes are fentry/fexit (a direct call) where the kernel has BPF
 * trampolines, and kprobes only where it has not: the loader loads one set.
 */
SEC("fentry/down_read")
int BPF_PROG(down_read_fentry, struct rw_semaphore *sem) { return lock_entry(sem); }

SEC("fexit/down_read")
int BPF_PROG(down_read_fexit, struct rw_semaphore *sem) { return lock_acquired(PB_READ); }

SEC("fentry/down_write")
int BPF_PROG(down_write_fentry, struct rw_semaphore *sem) { return lock_entry(sem); }

SEC("fexit/down_write")
int BPF_PROG(down_write_fexit, struct rw_semaphore *sem) { return lock_acquired(PB_WRITE); }

SEC("fentry/up_read")
int BPF_PROG(up_read_fentry, struct rw_semaphore *sem) { return lock_release(sem, PB_READ); }

SEC("fentry/up_write")
int BPF_PROG(up_write_fentry, struct rw_semaphore *sem) { return lock_release(sem, PB_WRITE); }

SEC("kprobe/down_read")
int BPF_KPROBE(down_read_entry, struct rw_semaphore *sem) { return lock_entry(sem); }

SEC("kretprobe/down_read")
int BPF_KRETPROBE(down_read_exit) { return lock_acquired(PB_READ); }

SEC("kprobe/down_write")
int BPF_KPROBE(down_write_entry, struct rw_semaphore *sem) { return lock_entry(sem); }

SEC("kretprobe/down_write")
int BPF_KRETPROBE(down_write_exit) { return lock_acquired(PB_WRITE); }

SEC("kprobe/up_read")
int BPF_KPROBE(up_read_entry, struct rw_semaphore *sem) { return lock_release(sem, PB_READ); }

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

	if (!bpf_map_delete_elem(&tracked, &lock) && s)
		s->untracked++;
	return 0;
}

SEC("kprobe/up_write")
int BPF_KPROBE(up_write_entry, struct rw_semaphore *sem) { return lock_release(sem, PB_WRITE); }
