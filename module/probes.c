// SPDX-License-Identifier: GPL-2.0
/*
 * probes.c - find every probe site of hugetlb PMD sharing at load time and
 * probe it: share sites with a kretprobe (entry to return: the wait for
 * i_mmap_rwsem and the scan), unshare sites with an entry kprobe only.
 * An unshare's outcome is decided at its entry: a table that no other mm
 * shares (count 0) returns 0 at once, a shared one is detached (1).  With
 * time_unshare=1, unshare sites get kretprobes too and are timed.
 *
 * Sites come from a table of base names (huge_pmd_share, huge_pmd_unshare,
 * __huge_pmd_unshare).  Their compiler clones (".constprop.0.isra.0",
 * ".part.0", ...) are found by walking kallsyms with sprint_symbol() over
 * the kernel text, so no clone name is hard-coded, and registered by
 * address (a static function's name need not be unique).  ".cold" parts
 * are not function entries and are skipped.  The argument registers of a
 * clone, or of an uncloned __huge_pmd_unshare whose prototype differs
 * between kernels, are named only when their layout was verified on this
 * kernel by decoding the trampoline that calls it (see decode.h).
 *
 * Probe context only bumps per-CPU counters and per-CPU histograms.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mm_types.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "decode.h"
#include "pmdstat.h"
#include "filter.h"
#include "races.h"

#ifndef MCOUNT_INSN_SIZE	/* no function tracer: no ftrace slot either */
#define MCOUNT_INSN_SIZE 5
#endif

struct pmdstat_site pmdstat_sites[PMDSTAT_MAX_SITES];
unsigned int pmdstat_nr_sites;
struct pmdstat_pcpu __percpu *pmdstat_pcpu;

/* The outermost share call that the task on this CPU is in. */
static DEFINE_PER_CPU(struct task_struct *, pmdstat_active_share);
/*
 * An unshare trampoline (huge_pmd_unshare tail-jumping into its clone) is
 * running on this CPU: the next unshare site entry of this task is nested.
 */
static DEFINE_PER_CPU(struct task_struct *, pmdstat_pending_nested);
unsigned long pmdstat_gen = 1;
static bool pmdstat_time_unshare;

#define NO_ARGS { NULL }

static const struct pmdstat_kind {
	const char *base;
	unsigned int role;
	const char *args[PMDSTAT_NR_ARG_REGS];	/* C prototype, if trusted */
	const char *ret;
} pmdstat_kinds[] = {
	{ "huge_pmd_share", PMDSTAT_ROLE_SHARE, PMDSTAT_SHARE_ARGS, "table" },
	{ "huge_pmd_unshare", PMDSTAT_ROLE_UNSHARE, PMDSTAT_UNSHARE_ARGS, "int" },
	/* static, and its prototype is not visible to conftest */
	{ "__huge_pmd_unshare", PMDSTAT_ROLE_UNSHARE, NO_ARGS, "int" },
};

/* Fields of a vma argument that a trampoline may load for a clone. */
static const struct {
	unsigned int off;
	const char *name;
} pmdstat_vma_fields[] = {
	{ offsetof(struct vm_area_struct, vm_mm), "vma->vm_mm" },
	{ offsetof(struct vm_area_struct, vm_file), "vma->vm_file" },
	{ offsetof(struct vm_area_struct, vm_private_data), "vma->vm_private_data" },
	{ offsetof(struct vm_area_struct, vm_pgoff), "vma->vm_pgoff" },
};

/* Per-call state, in the kretprobe instance. */
struct pmdstat_call {
	u64 start_ns;
	unsigned long caller;
	int cpu;
	int rec;	/* in-flight record of a share call (scan length) */
	bool outer;
	bool recorded;	/* not filtered out */
};

void pmdstat_pcpu_renew(struct pmdstat_pcpu *pc, unsigned long gen)
{
	memset(pc, 0, sizeof(*pc));
	/* zeroed before a reader may sum it */
	smp_store_release(&pc->gen, gen);
}

NOKPROBE_SYMBOL(pmdstat_pcpu_renew);

int pmdstat_pcpu_alloc(void)
{
	/* alloc_percpu() refuses more than PCPU_MIN_UNIT_SIZE (32 KB) */
	BUILD_BUG_ON(sizeof(struct pmdstat_pcpu) > PCPU_MIN_UNIT_SIZE);
	pmdstat_pcpu = alloc_percpu(struct pmdstat_pcpu);
	return pmdstat_pcpu ? 0 : -ENOMEM;
}

void pmdstat_pcpu_free(void)
{
	free_percpu(pmdstat_pcpu);
	pmdstat_pcpu = NULL;
}

/*
 * What every unshare site does at entry.  Returns true when the call is
 * nested in a trampoline's (its outcome was counted for the role there).
 */
static bool pmdstat_unshare_entry(struct pmdstat_site *site, struct pt_regs *regs,
				  struct pmdstat_pcpu *pc, bool *recorded)
{
	struct task_struct **pending = this_cpu_ptr(&pmdstat_pending_nested);
	unsigned int idx = site - pmdstat_sites, out;
	struct pmdstat_unshare_ctx u = { 0 };
	bool nested = false, filtered;
	void *ptep = NULL;
	long long k = -1;

	if (*pending == current) {
		*pending = NULL;
		nested = true;
	}
	if (site->tramp_to >= 0)
		*pending = current;	/* its target is entered next */
	filtered = pmdstat_filtered_out();
	*recorded = !filtered;
	if (filtered)
		pc->site[idx].filtered++;
	else
		pc->site[idx].hits++;
	if (nested && !filtered)
		pc->site[idx].nested++;
	if (site->ptep_arg >= 0)
		ptep = (void *)regs_get_kernel_argument(regs, site->ptep_arg);
	if (ptep && virt_addr_valid(ptep))
		k = pmdstat_table_share_count(ptep);
	else if (!nested)
		pmdstat_share_unseen();	/* an unshare the shadow cannot follow */
	/*
	 * Nearly every call finds its table unshared (munmap of 1 GiB makes
	 * 512 calls): those touch nothing else.  The others make their
	 * file's locks tracked and go to the detector.
	 */
	if (k && site->vma_arg >= 0) {
		struct vm_area_struct *vma = (struct vm_area_struct *)
			regs_get_kernel_argument(regs, site->vma_arg);

		pmdstat_track_vma(vma);
		u.vma = (unsigned long)vma;
		u.immap = (unsigned long)pmdstat_file_mapping(pmdstat_vma_file(vma));
	} else if (k && site->file_arg >= 0) {
		struct address_space *mapping = pmdstat_file_mapping((struct file *)
			regs_get_kernel_argument(regs, site->file_arg));

		pmdstat_track_mapping(mapping);
		u.immap = (unsigned long)mapping;
	}
	/*
	 * The detector sees every call whose table is shared, filtered or
	 * not, once per call (at the outer site), however the site is timed.
	 */
	if (k > 0 && !nested) {
		if (u.immap)
			u.immap += offsetof(struct address_space, i_mmap_rwsem);
		pmdstat_races_unshare(&u, ptep, k, pmdstat_entry_return_address(regs),
				      !filtered);
	}
	if (!site->entry_only)
		return nested;
	/*
	 * The outcome is decided here: a table that no other mm shares
	 * (count 0) returns 0 at once; a shared one is detached and the call
	 * returns 1 (under the lock rules, which the detector checks).
	 */
	out = k > 0 ? PMDSTAT_OUT_UNSHARE_RET1 : PMDSTAT_OUT_UNSHARE_RET0;
	if (!filtered) {
		pc->site[idx].out[out]++;
		if (!nested)
			pc->role[PMDSTAT_ROLE_UNSHARE].out[out]++;
	}
	return nested;
}

NOKPROBE_SYMBOL(pmdstat_unshare_entry);

static int pmdstat_unshare_kprobe(struct kprobe *kp, struct pt_regs *regs)
{
	struct pmdstat_site *site = container_of(kp, struct pmdstat_site, kp);
	bool recorded;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	pmdstat_unshare_entry(site, regs, pmdstat_this_pcpu(), &recorded);
	return 0;
}

NOKPROBE_SYMBOL(pmdstat_unshare_kprobe);

static inline struct pmdstat_site *ri_site(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct pmdstat_site, rp);
}

static int pmdstat_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_site *site = ri_site(ri);
	struct pmdstat_call *c = (struct pmdstat_call *)ri->data;
	struct pmdstat_pcpu *pc;
	unsigned int idx = site - pmdstat_sites;
	struct address_space *mapping = NULL;
	struct task_struct **active;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	pc = pmdstat_this_pcpu();
	c->cpu = smp_processor_id();
	c->rec = -1;
	c->caller = pmdstat_entry_return_address(regs);
	if (site->role == PMDSTAT_ROLE_UNSHARE) {
		/* unshare_timing=1, or a site whose ptep is not known */
		c->outer = !pmdstat_unshare_entry(site, regs, pc, &c->recorded);
		if (!c->recorded)
			return 1;
		c->start_ns = pmdstat_clock();
		return 0;
	}
	if (pmdstat_filtered_out()) {
		pc->site[idx].filtered++;
		pmdstat_share_unseen();	/* the shadow will not see its table */
		return 1;	/* not recorded: no return probe */
	}
	c->recorded = true;
	pc->site[idx].hits++;
	/* the locks this call touches become tracked (locks.c) */
	if (site->vma_arg >= 0) {
		struct vm_area_struct *vma = (struct vm_area_struct *)
			regs_get_kernel_argument(regs, site->vma_arg);

		pmdstat_track_vma(vma);
		mapping = pmdstat_file_mapping(pmdstat_vma_file(vma));
	} else if (site->file_arg >= 0) {
		mapping = pmdstat_file_mapping((struct file *)
			regs_get_kernel_argument(regs, site->file_arg));
		pmdstat_track_mapping(mapping);
	}
	active = this_cpu_ptr(&pmdstat_active_share);
	if (*active == current) {
		c->outer = false;
		pc->site[idx].nested++;
	} else {
		*active = current;
		c->outer = true;
		c->rec = pmdstat_share_begin(site->pud_arg < 0 ? 0 :
					     regs_get_kernel_argument(regs, site->pud_arg),
					     mapping ? (unsigned long)&mapping->i_mmap_rwsem : 0,
					     site->start);
		/* test-only fault injection, off by default (races.c) */
		if (pmdstat_inject_share_delay_us)
			udelay(pmdstat_inject_share_delay_us);
	}
	c->start_ns = pmdstat_clock();
	return 0;
}

NOKPROBE_SYMBOL(pmdstat_entry);

static unsigned int pmdstat_outcome(unsigned int role, unsigned long ret)
{
	if (role == PMDSTAT_ROLE_UNSHARE)
		return (int)ret == 1 ? PMDSTAT_OUT_UNSHARE_RET1 :
				       PMDSTAT_OUT_UNSHARE_RET0;
	if (!ret)
		return PMDSTAT_OUT_SHARE_FAILED;
	/*
	 * The caller holds the vma lock, so this table stays ours and
	 * readable.  A concurrent sharer attaching between our return and
	 * this read makes a fresh table count as attached: documented.  A
	 * clone's return value is not trusted to be a pointer.
	 */
	if (!virt_addr_valid((void *)ret))
		return PMDSTAT_OUT_SHARE_UNKNOWN;
	return pmdstat_table_share_count((void *)ret) > 0 ?
		PMDSTAT_OUT_SHARE_ATTACHED : PMDSTAT_OUT_SHARE_FRESH;
}

NOKPROBE_SYMBOL(pmdstat_outcome);

static int pmdstat_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_site *site = ri_site(ri);
	struct pmdstat_call *c = (struct pmdstat_call *)ri->data;
	u64 ns = pmdstat_since(c->start_ns, pmdstat_clock());
	struct pmdstat_pcpu *pc;
	unsigned int idx = site - pmdstat_sites;
	unsigned int out;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	pc = pmdstat_this_pcpu();
	out = pmdstat_outcome(site->role, regs_return_value(regs));
	pc->site[idx].out[out]++;
	pmdstat_hist_add(&pc->site[idx].lat, ns);
	if (c->rec >= 0)
		pmdstat_share_end(c->rec, out == PMDSTAT_OUT_SHARE_ATTACHED);
	if (c->outer) {
		pc->role[site->role].out[out]++;
		pmdstat_fhist_add(&pc->role[site->role].lat, ns);
		/* The task may have migrated: clear the slot it set. */
		if (site->role == PMDSTAT_ROLE_SHARE)
			cmpxchg(per_cpu_ptr(&pmdstat_active_share, c->cpu),
				current, NULL);
	}
	return 0;
}

NOKPROBE_SYMBOL(pmdstat_return);

unsigned long pmdstat_site_raw_missed(const struct pmdstat_site *site)
{
	if (!site->registered)
		return 0;
	if (site->entry_only)
		return site->kp.nmissed;
	return site->rp.nmissed + site->rp.kp.nmissed;
}

/* Share and unshare calls that no handler saw (missed by their probes). */
unsigned long pmdstat_share_sites_missed(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < pmdstat_nr_sites; i++)
		n += pmdstat_site_raw_missed(&pmdstat_sites[i]);
	return n;
}

NOKPROBE_SYMBOL(pmdstat_share_sites_missed);

NOKPROBE_SYMBOL(pmdstat_site_raw_missed);

unsigned long pmdstat_site_nmissed(const struct pmdstat_site *site)
{
	return pmdstat_site_raw_missed(site) - site->missed_base;
}

/* ---- resolution ---------------------------------------------------- */

static char pmdstat_symbuf[KSYM_SYMBOL_LEN];

/*
 * The core-kernel symbol containing @addr: its name, start and size.
 * Module symbols and addresses without a symbol are refused.
 */
static int pmdstat_sym_at(unsigned long addr, const char **name,
			  unsigned long *start, unsigned long *size)
{
	char *plus, *slash;
	unsigned long off;

	sprint_symbol(pmdstat_symbuf, addr);
	if (strchr(pmdstat_symbuf, ' '))
		return -ENOENT;
	plus = strrchr(pmdstat_symbuf, '+');
	if (!plus || plus == pmdstat_symbuf)
		return -ENOENT;
	*plus++ = '\0';
	slash = strchr(plus, '/');
	if (!slash)
		return -ENOENT;
	*slash++ = '\0';
	if (kstrtoul(plus, 16, &off) || kstrtoul(slash, 16, size) || off > addr)
		return -ENOENT;
	*name = pmdstat_symbuf;
	*start = addr - off;
	return 0;
}

static const struct pmdstat_kind *pmdstat_match(const char *name)
{
	size_t n = strcspn(name, ".");
	unsigned int i;

	if (strstr(name, ".cold"))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(pmdstat_kinds); i++)
		if (strlen(pmdstat_kinds[i].base) == n &&
		    !strncmp(name, pmdstat_kinds[i].base, n))
			return &pmdstat_kinds[i];
	return NULL;
}

static void pmdstat_reads(struct pmdstat_site *site, const char *const *args,
			  const char *ret, const char *layout)
{
	char *p = site->reads;
	size_t left = sizeof(site->reads);
	unsigned int i, n = 0;
	int len;

	while (n < PMDSTAT_NR_ARG_REGS && args[n])
		n++;
	site->vma_arg = -1;
	site->file_arg = -1;
	site->pud_arg = -1;
	site->ptep_arg = -1;
	for (i = 0; i < n; i++) {
		if (!strcmp(args[i], "vma"))
			site->vma_arg = i;
		else if (!strcmp(args[i], "vma->vm_file"))
			site->file_arg = i;
		else if (!strcmp(args[i], "pud"))
			site->pud_arg = i;
		else if (!strcmp(args[i], "ptep"))
			site->ptep_arg = i;
	}
	if (n) {
		len = scnprintf(p, left, "args:");
		p += len;
		left -= len;
		for (i = 0; i < n; i++) {
			len = scnprintf(p, left, "%s%s", i ? "," : "", args[i]);
			p += len;
			left -= len;
		}
		len = scnprintf(p, left, ";");
		p += len;
		left -= len;
	}
	len = scnprintf(p, left, "ret:%s", ret);
	p += len;
	left -= len;
	if (layout)
		scnprintf(p, left, ";layout:from-%s", layout);
}

static int pmdstat_add_site(const char *name, unsigned long start,
			    unsigned long size)
{
	const struct pmdstat_kind *k = pmdstat_match(name);
	static const char *const none[PMDSTAT_NR_ARG_REGS];
	struct pmdstat_site *site;
	unsigned int i;

	if (!k)
		return 0;
	for (i = 0; i < pmdstat_nr_sites; i++)
		if (pmdstat_sites[i].start == start)
			return 0;	/* an alias of a site we have */
	if (pmdstat_nr_sites == PMDSTAT_MAX_SITES) {
		pr_err("more than %d probe sites match; not probing %s\n",
		       PMDSTAT_MAX_SITES, name);
		return -E2BIG;
	}
	site = &pmdstat_sites[pmdstat_nr_sites++];
	strscpy(site->symbol, name, sizeof(site->symbol));
	site->role = k->role;
	site->start = start;
	site->size = size;
	site->tramp_to = -1;
	/* A clone's registers are not its prototype: claim nothing yet. */
	pmdstat_reads(site, strchr(name, '.') ? none : k->args, k->ret, NULL);
	return 0;
}

/*
 * Address of a core-kernel function, via a throwaway kprobe, registered
 * disabled (never armed: the text is not touched).  *slot, if given, gets
 * its ftrace slot, or 0: an ftrace-based kprobe sits there
 * (ftrace_location() is not exported).
 */
static unsigned long pmdstat_lookup(const char *name, unsigned long *slot)
{
	struct kprobe kp = { .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };
	unsigned long addr, start, size;
	const char *sym;

	if (register_kprobe(&kp))
		return 0;
	addr = (unsigned long)kp.addr;
	if (slot)
		*slot = kprobe_ftrace(&kp) ? addr : 0;
	unregister_kprobe(&kp);
	/* kp.addr may sit past an endbr64; return the symbol start */
	if (pmdstat_sym_at(addr, &sym, &start, &size) || strcmp(sym, name))
		return 0;
	return start;
}

/*
 * Walk the kernel text symbol by symbol, both ways from @anchor, and add
 * every symbol that matches the site table.
 */
static int pmdstat_walk(unsigned long anchor)
{
	unsigned long addr, start, size;
	unsigned int steps = 0;
	const char *name;
	int err;

	for (addr = anchor; steps < 2000000; steps++) {
		if (!(steps & 1023))
			cond_resched();
		if (pmdstat_sym_at(addr, &name, &start, &size) || !size ||
		    !strcmp(name, "_etext"))
			break;
		err = pmdstat_add_site(name, start, size);
		if (err)
			return err;
		addr = start + size;
	}
	for (addr = anchor - 1; steps < 4000000; steps++) {
		if (!(steps & 1023))
			cond_resched();
		if (pmdstat_sym_at(addr, &name, &start, &size))
			break;
		if (!strcmp(name, "_stext") || !strcmp(name, "_text"))
			break;
		err = pmdstat_add_site(name, start, size);
		if (err)
			return err;
		addr = start - 1;
	}
	pr_debug("walked %u kallsyms entries\n", steps);
	return 0;
}

/* Name the clone registers that a trampoline at @t loads from @args. */
static void pmdstat_name_regs(const struct pmdstat_trampoline *t,
			      const char *const *args,
			      const char *names[PMDSTAT_NR_ARG_REGS])
{
	unsigned int r, f, nargs = 0, last = 0;

	while (nargs < PMDSTAT_NR_ARG_REGS && args[nargs])
		nargs++;
	for (r = 0; r < PMDSTAT_NR_ARG_REGS; r++) {
		const struct pmdstat_argsrc *s = &t->reg[r];

		names[r] = NULL;
		if (s->arg < 0 || s->arg >= nargs)
			continue;
		if (s->off < 0) {
			names[r] = args[s->arg];
		} else if (!strcmp(args[s->arg], "vma")) {
			for (f = 0; f < ARRAY_SIZE(pmdstat_vma_fields); f++)
				if (pmdstat_vma_fields[f].off == s->off)
					names[r] = pmdstat_vma_fields[f].name;
		}
		if (names[r])
			last = r + 1;
	}
	/* A gap before the last known register is shown as "?" */
	for (r = 0; r < last; r++)
		if (!names[r])
			names[r] = "?";
	for (r = last; r < PMDSTAT_NR_ARG_REGS; r++)
		names[r] = NULL;
}

static bool pmdstat_is_site_start(u64 addr)
{
	unsigned int i;

	for (i = 0; i < pmdstat_nr_sites; i++)
		if (pmdstat_sites[i].start == addr)
			return true;
	return false;
}

/*
 * Decode the trampoline at @w.  A jmp in its fentry slot to no site is
 * ftrace's entry into a direct (BPF) trampoline (7.3 enters those with a
 * jmp where they have fexit programs): then the code past it is decoded.
 */
static int pmdstat_decode_site(const struct pmdstat_site *w,
			       const unsigned char *code, unsigned int len,
			       struct pmdstat_trampoline *t)
{
	struct pmdstat_trampoline f;

	if (pmdstat_decode_trampoline(code, len, w->start, t))
		return -1;
	if (!pmdstat_is_site_start(t->target) &&
	    !pmdstat_decode_trampoline_ftraced(code, len, w->start, &f) &&
	    pmdstat_is_site_start(f.target)) {
		pr_info("%s: its fentry slot jumps to %pS, past which it jumps to a site: decoded from there\n",
			w->symbol, (void *)(unsigned long)t->target);
		*t = f;
	}
	return 0;
}

/*
 * For each site with a trusted prototype, decode its code; if it is a
 * trampoline into another site without one (a clone, or an uncloned static
 * callee), that site's registers are known.
 */
static void pmdstat_verify_layouts(void)
{
	unsigned char code[64];
	unsigned int i, j;

	for (i = 0; i < pmdstat_nr_sites; i++) {
		struct pmdstat_site *w = &pmdstat_sites[i];
		const struct pmdstat_kind *k = pmdstat_match(w->symbol);
		const char *names[PMDSTAT_NR_ARG_REGS];
		struct pmdstat_trampoline t;

		if (strchr(w->symbol, '.') || !k->args[0])
			continue;
		if (copy_from_kernel_nofault(code, (void *)w->start, sizeof(code)))
			continue;
		if (pmdstat_decode_site(w, code, sizeof(code), &t)) {
			pr_debug("%s is not a trampoline I can decode (%*ph ...): its clones' arguments stay unread\n",
				 w->symbol, 24, code);
			continue;
		}
		for (j = 0; j < pmdstat_nr_sites; j++) {
			struct pmdstat_site *c = &pmdstat_sites[j];

			/*
			 * The target is a site whose prototype we do not trust:
			 * a compiler clone, or a static callee such as
			 * __huge_pmd_unshare(tlb, vma, addr, ptep, check_locks)
			 * where a build did not clone it (e.g. with KASAN).
			 */
			if (c == w || c->start != t.target ||
			    (!strchr(c->symbol, '.') &&
			     pmdstat_match(c->symbol)->args[0]))
				continue;
			pmdstat_name_regs(&t, k->args, names);
			pmdstat_reads(c, names, pmdstat_match(c->symbol)->ret,
				      w->symbol);
		}
		/* every call of a trampoline into another site nests there */
		for (j = 0; j < pmdstat_nr_sites; j++)
			if (j != i && pmdstat_sites[j].start == t.target &&
			    pmdstat_sites[j].role == w->role)
				w->tramp_to = j;
		if (w->tramp_to < 0)
			pr_debug("%s jumps to %pS, which is no site (%*ph ...)\n",
				 w->symbol, (void *)(unsigned long)t.target, 24, code);
	}
}

static int pmdstat_resolve(void)
{
	unsigned long anchor;
	unsigned int i, roles = 0;
	int err;

	anchor = pmdstat_lookup("huge_pmd_share", NULL);
	if (!anchor) {
		pr_err("cannot resolve huge_pmd_share: this kernel has no hugetlb PMD sharing (CONFIG_HUGETLB_PAGE, CONFIG_ARCH_WANT_HUGE_PMD_SHARE) or no kprobes on it\n");
		return -ENOENT;
	}
	err = pmdstat_walk(anchor);
	if (err)
		return err;
	for (i = 0; i < pmdstat_nr_sites; i++)
		roles |= 1U << pmdstat_sites[i].role;
	if (!(roles & (1U << PMDSTAT_ROLE_UNSHARE))) {
		pr_err("found no huge_pmd_unshare, __huge_pmd_unshare or clone of them in kallsyms: cannot see unsharing\n");
		return -ENOENT;
	}
	pmdstat_verify_layouts();
	for (i = 0; i < pmdstat_nr_sites; i++)
		if (pmdstat_sites[i].role == PMDSTAT_ROLE_SHARE)
			pmdstat_add_share_range(pmdstat_sites[i].start,
						pmdstat_sites[i].start +
						pmdstat_sites[i].size);
	return 0;
}

/*
 * The return instructions of core-kernel function @name: "ret" (0xc3), or
 * a "jmp" to a return thunk (__x86_return_thunk and its retbleed/SRSO
 * variants), whichever the boot-time patching left.  A byte that looks
 * like one but sits inside another instruction is refused by
 * register_kprobe() (-EILSEQ), which checks instruction boundaries; the
 * caller skips those.  A jmp out of the function to anything else is a
 * tail call, whose return we would not see: -EOPNOTSUPP.  At most @max
 * candidates; -E2BIG if there are more.
 *
 * The function's ftrace slot is skipped: ftrace rewrites those 5 bytes at
 * run time (a nop, a call, or, on 7.3 with a BPF trampoline's fexit
 * programs attached, a jmp to that trampoline: DYNAMIC_FTRACE_WITH_JMP),
 * and the jmp is no tail call.  Without this, pmdstat loaded while
 * pmdstat-bpf -u ran found a "tail call" there and timed no slow path.
 */
int pmdstat_return_sites(const char *name, unsigned long *addr, unsigned int max)
{
	unsigned long slot, start = pmdstat_lookup(name, &slot), size, s, off;
	const char *sym;
	unsigned int n = 0;
	u8 *code;
	int err = 0;

	if (!start)
		return -ENOENT;
	if (pmdstat_sym_at(start, &sym, &s, &size) || !size || size > 65536)
		return -ENOENT;
	code = kmalloc(size, GFP_KERNEL);
	if (!code)
		return -ENOMEM;
	if (copy_from_kernel_nofault(code, (void *)start, size)) {
		err = -EFAULT;
		goto out;
	}
	for (off = 0; off < size; off++) {
		unsigned long target, ts, tsize;
		const char *tsym;
		s32 rel;

		if (slot && start + off >= slot && start + off < slot + MCOUNT_INSN_SIZE)
			continue;
		if (code[off] == 0xc3) {
			if (n == max) {
				err = -E2BIG;
				goto out;
			}
			addr[n++] = start + off;
			continue;
		}
		if (code[off] != 0xe9 || off + 5 > size)
			continue;
		memcpy(&rel, code + off + 1, sizeof(rel));
		target = start + off + 5 + (long)rel;
		if (target >= start && target < start + size)
			continue;	/* a jump inside the function */
		if (pmdstat_sym_at(target, &tsym, &ts, &tsize) ||
		    !strstr(tsym, "return_thunk")) {
			/*
			 * A tail call, or bytes inside another instruction:
			 * ask kprobes whether it is an instruction boundary.
			 */
			struct kprobe kp = { .addr = (kprobe_opcode_t *)(start + off) };

			if (!register_kprobe(&kp)) {
				unregister_kprobe(&kp);
				pr_warn("%s+0x%lx jumps out of the function: its return is not seen\n",
					name, off);
				err = -EOPNOTSUPP;
				goto out;
			}
			continue;
		}
		if (n == max) {
			err = -E2BIG;
			goto out;
		}
		addr[n++] = start + off;
	}
out:
	kfree(code);
	return err ? err : n;
}

static int pmdstat_register_site(struct pmdstat_site *site, unsigned int maxactive)
{
	int err;

	site->entry_only = site->role == PMDSTAT_ROLE_UNSHARE &&
			   site->ptep_arg >= 0 && !pmdstat_time_unshare;
	if (site->entry_only) {
		site->kp.addr = (kprobe_opcode_t *)site->start;
		site->kp.pre_handler = pmdstat_unshare_kprobe;
		err = register_kprobe(&site->kp);
	} else {
		/* by address: a static function's name need not be unique */
		site->rp.kp.addr = (kprobe_opcode_t *)site->start;
		site->rp.entry_handler = pmdstat_entry;
		site->rp.handler = pmdstat_return;
		site->rp.data_size = sizeof(struct pmdstat_call);
		site->rp.maxactive = maxactive;
		err = register_kretprobe(&site->rp);
	}
	if (!err)
		site->registered = true;
	return err;
}

/*
 * Resolve the sites; register them only in pmdstat_probes_arm(), after
 * every lock probe (they start the tracking that those probes follow).
 */
int pmdstat_probes_init(unsigned int maxactive, bool time_unshare)
{
	pmdstat_time_unshare = time_unshare;
	return pmdstat_resolve();
}

int pmdstat_probes_arm(unsigned int maxactive)
{
	unsigned int i;
	int err;

	for (i = 0; i < pmdstat_nr_sites; i++) {
		struct pmdstat_site *site = &pmdstat_sites[i];

		err = pmdstat_register_site(site, maxactive);
		if (err) {
			pr_err("cannot probe %s: error %d\n", site->symbol, err);
			return err;
		}
		pr_info("probing %s (%s; %s; %s)\n", site->symbol,
			pmdstat_role_name(site->role), site->reads,
			site->entry_only ? "entry only: outcome from the share count" :
			"entry and return");
	}
	return 0;
}

unsigned int pmdstat_probes_kprobes(struct kprobe **out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < pmdstat_nr_sites && n < max; i++)
		if (pmdstat_sites[i].registered && pmdstat_sites[i].entry_only)
			out[n++] = &pmdstat_sites[i].kp;
	return n;
}

unsigned int pmdstat_probes_kretprobes(struct kretprobe **out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < pmdstat_nr_sites && n < max; i++)
		if (pmdstat_sites[i].registered && !pmdstat_sites[i].entry_only)
			out[n++] = &pmdstat_sites[i].rp;
	return n;
}

void pmdstat_probes_forget(void)
{
	memset(pmdstat_sites, 0, sizeof(pmdstat_sites));
	pmdstat_nr_sites = 0;
}
