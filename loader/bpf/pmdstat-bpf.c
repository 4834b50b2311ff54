// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-bpf - the libbpf companion of the pmdstat module, for test hosts
 * that refuse unsigned modules (Secure Boot, lockdown).  It attaches to the
 * same probe sites the module resolves (huge_pmd_share, huge_pmd_unshare,
 * __huge_pmd_unshare and every compiler clone of them that kallsyms lists,
 * .cold parts excepted): fentry where the kernel's BTF describes the
 * function (the plain symbols), kprobes otherwise (the clones, which BTF
 * omits, or where fentry/fexit do not load or attach), and times the
 * i_mmap_rwsem of the files that huge_pmd_share touches.  Like the module
 * it decides an unshare's outcome at entry (-u adds return probes that
 * time the calls); a clone's argument registers are named by decoding the
 * trampoline that calls it (module/decode.c), as the module does.  At the
 * end it writes the module's own stats format (docs/format.md), so the
 * pmdstat reader renders both backends with one code path:
 *
 *	pmdstat-bpf -d 10 | pmdstat -f -          # 10 s, text report
 *	pmdstat-bpf -- ./repro | pmdstat -f - -j  # while ./repro runs, JSON
 *
 * or, the same in one command, pmdstat --backend bpf runs it (with -o, so
 * that a command's output cannot get into the stats):
 *
 *	pmdstat --backend bpf -d 10
 *	pmdstat --backend bpf -j -- ./repro
 *
 * Exit: 0 ok, 1 runtime error, 2 usage error; with a command, its status.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "decode.h"
#include "out.h"
#include "snapshot.h"
#include "pmdstat_bpf.h"
#include "pmdstat.skel.h"

/* the BPF side's outcome slots are the module's (snapshot.h) */
_Static_assert((int)PB_NR_OUT == (int)PMDSTAT_NR_OUTCOMES, "outcome slots differ");

static const char usage[] =
"Usage: pmdstat-bpf [-d SECS] [-o FILE] [-k] [-u] [-v] [-h|--help] [-- CMD [ARGS...]]\n"
"\n"
"The BPF backend of pmdstat: share/unshare calls, outcomes and latency, and\n"
"i_mmap_rwsem wait/hold of the hugetlb files they touch, measured with BPF\n"
"(fentry/fexit where BTF has the function, kprobes on compiler clones)\n"
"instead of the module.  Prints the module's stats format; pipe it\n"
"to the reader for the report, or let the reader run it: pmdstat --backend\n"
"bpf [-j | --prom] [-d SECS | -- CMD [ARGS...]] (pmdstat-bpf next to pmdstat\n"
"or in PATH).\n"
"\n"
"Examples:\n"
"    pmdstat-bpf -d 10 | pmdstat -f -            # 10 seconds, text report\n"
"    pmdstat-bpf -- ./repro | pmdstat -f - -j    # while ./repro runs, JSON\n"
"    pmdstat --backend bpf -d 10                 # the same, one command\n"
"    pmdstat --backend bpf -j -- ./repro\n"
"\n"
"  -d SECS   measure for SECS seconds (1..86400; default 5 without a command)\n"
"  -o FILE   write the stats to FILE instead of standard output\n"
"  -k        kprobes everywhere, as on a kernel without BPF trampolines\n"
"            (to compare the probe costs)\n"
"  -u        time unshare calls (unshare_ns) with a return probe; without\n"
"            it their outcome is read at entry and unshare_ns is empty\n"
"  -v        which probe each site gets, and libbpf's debug messages, on\n"
"            standard error\n"
"  -h, --help  this text\n"
"\n"
"Needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN; CAP_SYSLOG to read share\n"
"counts), kprobes, kernel BTF (/sys/kernel/btf/vmlinux), and no\n"
"lockdown=confidentiality.  Each site's line in the stats says how it was\n"
"probed (reads=...;attach:fentry or attach:kprobe).\n";

#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
static const char *const bases[] = { "huge_pmd_share", "huge_pmd_unshare", "__huge_pmd_unshare" };
static int verbose, kprobes_only, time_unshare;
/* the slow paths (read, write) whose contended waits are not timed */
static int slow_missing[2];
static volatile sig_atomic_t stop;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * A probe point: a share/unshare site, or a lock function (role LOCKFN).
 * It gets fentry/fexit programs where it can, else a kprobe (and a
 * kretprobe): decided, and fallen back from when they do not load or
 * attach, one probe point at a time.
 */
#define LOCKFN	PMDSTAT_NR_ROLES
struct probe {
	char name[PMDSTAT_SYM_LEN];
	unsigned long long addr;
	int role;
	const char *prog[4];	/* fentry, fexit, kprobe, kretprobe (NULL: none) */
	bool tracing;	/* with prog[0..1]: wanted, then loaded, then attached */
	int tslot;	/* a site's fentry/fexit pair, or -1 */
	int arg;	/* share: pud, unshare: ptep argument register; -1: unknown */
	int timed;	/* has a return probe (fexit or kretprobe) */
	int at_unlock;	/* a share that ends at its release of i_mmap_rwsem */
	int tramp;	/* a trampoline into another site (decoded) */
	char args[96];	/* the argument names it knows, for reads= */
	char layout[PMDSTAT_SYM_LEN];	/* a clone: whose code named its registers */
};

/* the lock functions' programs; a slow path's return is its wait's end */
static const struct { const char *fn, *prog[4]; } lockfns[] = {
	{ "down_read", { "down_read_fentry", NULL, "down_read_entry" } },
	{ "down_write", { "down_write_fentry", NULL, "down_write_entry" } },
	{ "up_read", { "up_read_fentry", NULL, "up_read_entry" } },
	{ "up_write", { "up_write_fentry", NULL, "up_write_entry" } },
	{ "rwsem_down_read_slowpath",
	  { NULL, "read_slow_fexit", "read_slow_entry", "read_slow_exit" } },
	{ "rwsem_down_write_slowpath",
	  { NULL, "write_slow_fexit", "write_slow_entry", "write_slow_exit" } },
	{ "hugetlbfs_destroy_inode", { NULL, NULL, "untrack_inode" } },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_LOCKFN	((int)ARRAY_LEN(lockfns))
static bool lockfn_in_kallsyms[NR_LOCKFN];

/*
 * The probe sites: the module's rule, read from /proc/kallsyms; the first
 * max are kept, and how many match is returned.  And which lock functions
 * kallsyms has.
 */
static int find_sites(struct probe *sites, int max)
{
	char line[512], type, name[256];
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");
	int n = 0, i, j;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 ||
		    (type != 't' && type != 'T') || strchr(line, '[') || strstr(name, ".cold"))
			continue;
		for (i = 0; i < NR_LOCKFN; i++)
			lockfn_in_kallsyms[i] |= !strcmp(name, lockfns[i].fn);
		for (i = 0; i < 3; i++) {
			size_t len = strlen(bases[i]);

			if (strncmp(name, bases[i], len) || (name[len] && name[len] != '.'))
				continue;
			for (j = 0; j < n && j < max; j++)
				if (!strcmp(sites[j].name, name))
					break;
			if (j < n && j < max)
				break;
			if (n++ >= max)
				break;
			memset(&sites[j], 0, sizeof(sites[j]));
			snprintf(sites[j].name, sizeof(sites[j].name), "%.127s", name);
			sites[j].addr = addr;
			sites[j].role = i ? PMDSTAT_ROLE_UNSHARE : PMDSTAT_ROLE_SHARE;
		}
	}
	fclose(f);
	return n;
}

/* a BPF histogram into the snapshot's: as many slots as both have */
#define ADD_HIST(d, s) do {							\
	unsigned int i_;							\
										\
	(d)->count += (s)->count;						\
	(d)->sum += (s)->sum;							\
	(d)->max = (s)->max > (d)->max ? (s)->max : (d)->max;			\
	for (i_ = 0; i_ < ARRAY_LEN((s)->slot) && i_ < ARRAY_LEN((d)->slot); i_++) \
		(d)->slot[i_] += (s)->slot[i_];					\
} while (0)

static int collect(struct pmdstat_bpf *skel, struct probe *sites, int n,
		   unsigned long long elapsed, struct pmdstat_snapshot *s)
{
	int ncpu = libbpf_num_possible_cpus(), c, i, r, m;
	struct pb_stats *v;
	struct utsname u;
	__u32 zero = 0;

	if (ncpu <= 0)
		return -1;
	v = calloc(ncpu, sizeof(*v));
	if (!v || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, v)) {
		free(v);
		return -1;
	}
	uname(&u);
	snprintf(s->release, sizeof(s->release), "%s", u.release);
	snprintf(s->module_version, sizeof(s->module_version), "bpf-0.1");
	for (i = 0; i < n; i++)
		if (sites[i].role == PMDSTAT_ROLE_UNSHARE && sites[i].timed)
			s->time_unshare = 1;
	s->contention = slow_missing[0] && slow_missing[1] ? PMDSTAT_CONT_NONE :
			slow_missing[0] || slow_missing[1] ? PMDSTAT_CONT_PARTIAL :
			PMDSTAT_CONT_SLOWPATH;
	s->elapsed_ns = elapsed;
	s->nr_sites = n;
	for (i = 0; i < n; i++) {
		memcpy(s->site[i].symbol, sites[i].name, sizeof(s->site[i].symbol));
		snprintf(s->site[i].reads, sizeof(s->site[i].reads), "%s%s%s%s%s%s%s%sbackend:bpf;attach:%s",
			 sites[i].args[0] ? "args:" : "", sites[i].args, sites[i].args[0] ? ";" : "",
			 sites[i].timed ? (sites[i].role == PMDSTAT_ROLE_SHARE ? "ret:table;" : "ret:int;") : "",
			 sites[i].layout[0] ? "layout:from-" : "", sites[i].layout,
			 sites[i].layout[0] ? ";" : "",
			 sites[i].at_unlock ? "end:i_mmap_unlock;" : "",
			 sites[i].tracing ? "fentry" : "kprobe");
		s->site[i].role = sites[i].role;
	}
	for (c = 0; c < ncpu; c++) {
		const struct pb_stats *p = &v[c];

		for (i = 0; i < n; i++) {
			s->site[i].st.hits += p->site[i].hits;
			s->site[i].st.nested += p->site[i].nested;
			for (r = 0; r < PB_NR_OUT; r++)
				s->site[i].st.out[r] += p->site[i].out[r];
			ADD_HIST(&s->site[i].st.lat, &p->lat[i]);
		}
		for (r = 0; r < PB_NR_ROLES; r++) {
			for (i = 0; i < PB_NR_OUT; i++)
				s->role[r].out[i] += p->role_out[r][i];
			ADD_HIST(&s->role[r].lat, &p->role[r]);
		}
		for (m = 0; m < PB_NR_MODES; m++) {
			s->lock[PMDSTAT_LK_IMMAP][m].acquired += p->acquired[m];
			s->lock[PMDSTAT_LK_IMMAP][m].contended += p->contended[m];
			ADD_HIST(&s->lock[PMDSTAT_LK_IMMAP][m].wait, &p->wait[m]);
			ADD_HIST(&s->lock[PMDSTAT_LK_IMMAP][m].hold, &p->hold[m]);
		}
		/* tracked now, as the module reports it (per CPU it may wrap) */
		s->tracked[PMDSTAT_LK_IMMAP] += p->tracked - p->untracked;
		s->inflight_full += p->missed;
		s->stale += p->stale;
	}
	free(v);
	return 0;
}

/* lockdown=confidentiality: no bpf_probe_read_kernel, so no program */
static bool locked_down(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, "[confidentiality]") != NULL;
}

/*
 * BPF tracing needs CAP_BPF and CAP_PERFMON (kernels >= 5.8), or
 * CAP_SYS_ADMIN: the effective capabilities decide, not the user id.
 */
static bool capable_enough(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

#define HAS(c)	(d[CAP_TO_INDEX(c)].effective & CAP_TO_MASK(c))
	if (syscall(SYS_capget, &h, d))
		return false;
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON));
}

/*
 * What each probe point is to get.  Sites that BTF describes (plain
 * symbols: compiler clones are not in BTF) are given fentry/fexit, at most
 * PB_TSITES of them, the others kprobes; so are the lock functions (the
 * inode destructor has kprobes only).  A slow path that is neither in BTF
 * nor in kallsyms (inlined; PREEMPT_RT has none) is left out, with a
 * warning: then contended acquisitions are not told from the others and
 * no wait is timed.
 */
static int plan_probes(struct probe *p, int n, const struct btf *btf)
{
	static const char *const tent[] = { "tsite_entry0", "tsite_entry1", "tsite_entry2" };
	static const char *const texit[] = { "tsite_exit0", "tsite_exit1", "tsite_exit2" };
	int i, k = 0;

	for (i = 0; i < n; i++) {
		p[i].tslot = -1;
		p[i].tracing = !kprobes_only && k < PB_TSITES &&
			       btf__find_by_name_kind(btf, p[i].name, BTF_KIND_FUNC) >= 0;
		if (p[i].tracing) {
			p[i].tslot = k++;
			p[i].prog[0] = tent[p[i].tslot];
			p[i].prog[1] = texit[p[i].tslot];
		}
		p[i].prog[2] = "site_entry";
		p[i].prog[3] = "site_exit";
	}
	for (i = 0; i < NR_LOCKFN; i++) {
		struct probe *l = &p[n + i];
		bool in_btf = btf__find_by_name_kind(btf, lockfns[i].fn, BTF_KIND_FUNC) >= 0;

		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", lockfns[i].fn);
		memcpy(l->prog, lockfns[i].prog, sizeof(l->prog));
		l->role = LOCKFN;
		l->tslot = -1;
		l->timed = 1;
		l->tracing = !kprobes_only && in_btf && (l->prog[0] || l->prog[1]);
		if (!strstr(l->name, "slowpath") || in_btf || lockfn_in_kallsyms[i])
			continue;
		fprintf(stderr, "pmdstat-bpf: %s is not in BTF or kallsyms (a PREEMPT_RT kernel has none): i_mmap_rwsem %s waits are not timed, and the report says contended is unknown\n",
			l->name, strstr(l->name, "read") ? "read" : "write");
		slow_missing[!strstr(l->name, "read")] = 1;
		l->prog[2] = NULL;
		l->prog[3] = NULL;
	}
	return n + NR_LOCKFN;
}

/*
 * The parameters of function fn in BTF, as a comma-separated list of
 * names into names; returns the index of the one called want, or -1.
 */
static int btf_params_of(const struct btf *btf, const char *fn, const char *want,
			 const char *names[PMDSTAT_NR_ARG_REGS])
{
	int id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC), i, found = -1;
	const struct btf_type *t;
	const struct btf_param *p;

	for (i = 0; i < PMDSTAT_NR_ARG_REGS; i++)
		names[i] = NULL;
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t))
		return -1;
	p = btf_params(t);
	for (i = 0; i < btf_vlen(t) && i < PMDSTAT_NR_ARG_REGS; i++) {
		names[i] = btf__name_by_offset(btf, p[i].name_off);
		if (names[i] && want && !strcmp(names[i], want))
			found = i;
	}
	return found;
}

/* the name of the member of struct sname at byte offset off, or NULL */
static const char *btf_member_at(const struct btf *btf, const char *sname, int off)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT), i;
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);
	const struct btf_member *m;

	if (!t)
		return NULL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++)
		if (btf_member_bit_offset(t, i) == (unsigned int)off * 8 && m[i].name_off)
			return btf__name_by_offset(btf, m[i].name_off);
	return NULL;
}

static void join_names(char *buf, size_t len, const char *const names[PMDSTAT_NR_ARG_REGS])
{
	size_t used = 0;
	int i, last = -1;

	buf[0] = 0;
	for (i = 0; i < PMDSTAT_NR_ARG_REGS; i++)
		if (names[i])
			last = i;
	for (i = 0; i <= last && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 names[i] ? names[i] : "?");
}

/*
 * Decode the code of each site that BTF describes: where it is a
 * trampoline that loads another site's registers and jumps there (the
 * clone that Debian's huge_pmd_unshare is), that site's registers are
 * named from this one's prototype, as the module does (module/decode.c).
 */
static void name_clone_regs(struct pmdstat_bpf *skel, struct probe *sites, int n,
			    const struct btf *btf)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int fd = bpf_program__fd(skel->progs.setup), i, j, r;

	for (i = 0; i < n; i++) {
		const char *proto[PMDSTAT_NR_ARG_REGS], *names[PMDSTAT_NR_ARG_REGS];
		struct pmdstat_trampoline t;
		struct probe *w = &sites[i];

		btf_params_of(btf, w->name, NULL, proto);
		if (strchr(w->name, '.') || !proto[0])
			continue;
		skel->bss->cfg.text_addr = w->addr;
		skel->bss->cfg.text_ok = 0;
		if (bpf_prog_test_run_opts(fd, &o) || !skel->bss->cfg.text_ok ||
		    pmdstat_decode_trampoline(skel->bss->cfg.text, sizeof(skel->bss->cfg.text),
					      w->addr, &t))
			continue;
		for (j = 0; j < n; j++) {
			struct probe *c = &sites[j];

			if (j == i || c->addr != t.target || c->role != w->role)
				continue;
			w->tramp = 1;	/* every call of w nests one of c */
			if (!strchr(c->name, '.') && btf__find_by_name_kind(btf, c->name, BTF_KIND_FUNC) >= 0)
				continue;	/* c has a prototype of its own */
			c->arg = -1;
			for (r = 0; r < PMDSTAT_NR_ARG_REGS; r++) {
				const struct pmdstat_argsrc *a = &t.reg[r];
				static char field[PMDSTAT_NR_ARG_REGS][64];
				const char *m = NULL;

				names[r] = NULL;
				if (a->arg < 0 || a->arg >= PMDSTAT_NR_ARG_REGS || !proto[a->arg])
					continue;
				if (a->off < 0) {
					names[r] = proto[a->arg];
					if (!strcmp(names[r], c->role == PMDSTAT_ROLE_SHARE ? "pud" : "ptep"))
						c->arg = r;
					continue;
				}
				/* a field of the vma, as the module names it */
				if (!strcmp(proto[a->arg], "vma"))
					m = btf_member_at(btf, "vm_area_struct", a->off);
				if (m) {
					snprintf(field[r], sizeof(field[r]), "vma->%s", m);
					names[r] = field[r];
				}
			}
			join_names(c->args, sizeof(c->args), names);
			memcpy(c->layout, w->name, sizeof(c->layout));
		}
	}
}

/*
 * Which sites have a return probe.  A share whose pud BTF names ends at
 * its release of i_mmap_rwsem, its last step, and needs none; an unshare
 * is timed with -u, and all of them are when one's ptep is not known (its
 * outcome needs the return value, and nesting is then followed from
 * entry to return everywhere), or when share counts cannot be read
 * (counts: the setup program found the direct map and vmemmap).
 */
static void plan_timing(struct probe *sites, int n, bool counts)
{
	bool all = time_unshare || !counts;
	int i;

	for (i = 0; i < n; i++)
		if (sites[i].role == PMDSTAT_ROLE_UNSHARE && sites[i].arg < 0)
			all = true;
	for (i = 0; i < n; i++) {
		struct probe *s = &sites[i];

		if (s->role == PMDSTAT_ROLE_SHARE) {
			s->at_unlock = s->arg >= 0;
			s->timed = !s->at_unlock;
		} else {
			s->timed = all;
		}
	}
}

/*
 * Open and load the BPF object: the fentry/fexit programs of the probe
 * points that want them (a site's pair given its target and cookie), and
 * every kprobe program, which a probe point falls back to if its
 * fentry/fexit do not attach.  With only >= 0, the fentry/fexit programs of
 * p[only] alone: whether they load.  libbpf loads an object's programs
 * all or none, so on a failure each probe point's are tried alone, and
 * those that fail get kprobes (a kernel without BPF trampolines: all).
 * NULL with errno set if it does not load.
 */
static struct pmdstat_bpf *open_load(struct probe *p, int np, int only)
{
	/*
	 * All its types are in vmlinux: CO-RE is not to look for a missing
	 * one (struct ptdesc before 6.6) in module BTF, whose listing needs
	 * CAP_SYS_ADMIN (libbpf 1.1 then fails).
	 */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path =
		    access(VMLINUX_BTF, R_OK) ? NULL : VMLINUX_BTF);
	struct pmdstat_bpf *skel = pmdstat_bpf__open_opts(&oo);
	struct bpf_program *prog;
	int i, k, err;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (i = 0; i < np; i++) {
		for (k = 0; k < 4; k++) {
			/* kprobes: all, to fall back to; fentry/fexit: as planned */
			if (!p[i].prog[k] || (k >= 2 ? only >= 0 :
					      !p[i].tracing || (only >= 0 && i != only)))
				continue;
			prog = bpf_object__find_program_by_name(skel->obj, p[i].prog[k]);
			bpf_program__set_autoload(prog, true);
			if (k < 2 && p[i].tslot >= 0)
				bpf_program__set_attach_target(prog, 0, p[i].name);
		}
		if (p[i].tslot >= 0)
			skel->rodata->tsite_cookie[p[i].tslot] = PB_COOKIE(i, p[i].role);
	}
	bpf_program__set_autoload(skel->progs.setup, only < 0);
	err = pmdstat_bpf__load(skel);
	if (err) {
		pmdstat_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static struct pmdstat_bpf *load(struct probe *p, int np)
{
	struct pmdstat_bpf *skel = open_load(p, np, -1), *t;
	int i, err = errno, dropped = 0;

	for (i = 0; !skel && i < np; i++) {
		if (!p[i].tracing)
			continue;
		t = open_load(p, np, i);
		if (t) {
			pmdstat_bpf__destroy(t);
			continue;
		}
		fprintf(stderr, "pmdstat-bpf: %s: fentry/fexit do not load (%s): kprobes instead\n",
			p[i].name, strerror(errno));
		p[i].tracing = false;
		dropped++;
	}
	if (!skel && dropped)
		return open_load(p, np, -1);
	errno = err;
	return skel;
}

/*
 * Before anything is attached: the setup program reads what the programs
 * need, the trampolines are decoded, and each site's plan goes to the
 * programs (cfg).
 */
static void configure(struct pmdstat_bpf *skel, struct probe *sites, int n, const struct btf *btf)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	const char *names[PMDSTAT_NR_ARG_REGS];
	struct pb_cfg *c = &skel->bss->cfg;
	int i;

	/*
	 * What each site reads, from BTF: a plain symbol's prototype names
	 * its registers (with fentry or a kprobe alike); a clone's are named
	 * from the code of a trampoline into it (name_clone_regs).
	 */
	for (i = 0; i < n; i++) {
		sites[i].arg = btf_params_of(btf, sites[i].name, sites[i].role ==
					     PMDSTAT_ROLE_SHARE ? "pud" : "ptep", names);
		join_names(sites[i].args, sizeof(sites[i].args), names);
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.setup), &o))
		c->pob = 0;
	name_clone_regs(skel, sites, n, btf);
	/* without them no share count is read: unshares are timed, shares unknown */
	if (!c->pob || !c->vmb)
		fprintf(stderr, "pmdstat-bpf: cannot read page-table share counts (%s): shares that got a table are counted as unknown (neither attached nor fresh), and unshares are timed to read their outcome\n",
			!sites[0].addr ? "/proc/kallsyms shows this process no kernel addresses: give it CAP_SYSLOG, or see kernel.kptr_restrict" :
			"no page_offset_base or vmemmap_base: not x86-64?");
	plan_timing(sites, n, c->pob && c->vmb);
	for (i = 0; i < n; i++) {
		c->arg[i] = sites[i].arg;
		c->timed[i] = sites[i].timed;
		c->tramp[i] = sites[i].tramp;
		c->share_at_unlock[i] = sites[i].at_unlock;
	}
}

/*
 * Attach probe point i: its fentry (and fexit, if timed) programs, or, if
 * it has none or they do not attach, its kprobe (and kretprobe).
 */
static int attach(struct pmdstat_bpf *skel, struct probe *p, int i,
		  struct bpf_link **links, int *nl)
{
	int k, first = *nl;

	for (k = p[i].tracing ? 0 : 2; k < (p[i].tracing ? 2 : 4); k++) {
		struct bpf_program *prog = p[i].prog[k] && (k % 2 == 0 || p[i].timed) ?
			bpf_object__find_program_by_name(skel->obj, p[i].prog[k]) : NULL;
		LIBBPF_OPTS(bpf_kprobe_opts, o, .bpf_cookie = PB_COOKIE(i, p[i].role),
			    .retprobe = k == 3);

		if (!prog)
			continue;
		links[*nl] = k < 2 ? bpf_program__attach_trace(prog) :
			     bpf_program__attach_kprobe_opts(prog, p[i].name, &o);
		if (links[*nl]) {
			(*nl)++;
			continue;
		}
		if (k >= 2) {
			int e = errno;

			fprintf(stderr, "pmdstat-bpf: cannot attach a kprobe to %s: %s (%s)\n", p[i].name,
				strerror(e), e == EACCES ?
				"above kernel.perf_event_paranoid=2, Debian's kernels let only CAP_SYS_ADMIN open the perf events that kprobes are: set it to 2, or run as root" :
				"is it in /sys/kernel/tracing/available_filter_functions?");
			return -1;
		}
		fprintf(stderr, "pmdstat-bpf: %s: fentry/fexit do not attach (%s): kprobes instead\n",
			p[i].name, strerror(errno));
		while (*nl > first)
			bpf_link__destroy(links[--*nl]);
		p[i].tracing = false;
		k = 1;
	}
	if (verbose)
		fprintf(stderr, "pmdstat-bpf: %s: %s%s%s\n", p[i].name,
			*nl == first ? "none" : p[i].tracing ? "fentry" : "kprobe",
			!p[i].timed || !p[i].prog[3] ? "" : p[i].tracing ? "/fexit" : "/kretprobe",
			p[i].at_unlock ? ", ends at its i_mmap_rwsem release" : "");
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[2 * (PB_MAX_SITES + NR_LOCKFN)] = { 0 };
	struct probe p[PB_MAX_SITES + NR_LOCKFN];
	struct pmdstat_snapshot *snap;
	struct pmdstat_bpf *skel;
	const char *outpath = NULL;
	struct btf *btf;
	unsigned long long t0;
	long secs = 0;
	int n, np, i, opt, err, status = 0, nlinks = 0;
	pmdstat_out_t out;
	pid_t child = 0;
	char *end;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	while ((opt = getopt(argc, argv, "d:o:kuvh")) != -1) {
		switch (opt) {
		case 'd':
			errno = 0;
			secs = strtol(optarg, &end, 10);
			if (errno || *end || secs < 1 || secs > 86400) {
				fprintf(stderr, "pmdstat-bpf: -d %s: give 1..86400 seconds\n", optarg);
				return 2;
			}
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'k':
			kprobes_only = 1;
			break;
		case 'u':
			time_unshare = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind == argc && !secs)
		secs = 5;
	if (!capable_enough()) {
		fprintf(stderr, "pmdstat-bpf: needs CAP_BPF and CAP_PERFMON (kernel 5.8 or later), or CAP_SYS_ADMIN, and this process has neither: run it as root, or give it those capabilities (setcap cap_bpf,cap_perfmon,cap_syslog+ep pmdstat-bpf; without cap_syslog it cannot read share counts)\n");
		return 1;
	}
	n = find_sites(p, PB_MAX_SITES);
	if (n < 0) {
		fprintf(stderr, "pmdstat-bpf: cannot read /proc/kallsyms: %s\n", strerror(-n));
		return 1;
	}
	if (n > PB_MAX_SITES) {
		fprintf(stderr, "pmdstat-bpf: %d probe sites match in kallsyms, more than the %d it can probe: %d would not be probed and their calls not counted; raise PB_MAX_SITES and PMDSTAT_MAX_SITES and rebuild, or use the module\n",
			n, PB_MAX_SITES, n - PB_MAX_SITES);
		return 1;
	}
	for (i = 0; i < n && p[i].role != PMDSTAT_ROLE_SHARE; i++)
		;
	if (i == n) {
		fprintf(stderr, "pmdstat-bpf: kallsyms has no huge_pmd_share: this kernel has no hugetlb PMD sharing (CONFIG_HUGETLB_PAGE, CONFIG_ARCH_WANT_HUGE_PMD_SHARE)\n");
		return 1;
	}
	libbpf_set_print(libbpf_print);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "pmdstat-bpf: this kernel has no usable BTF (/sys/kernel/btf/vmlinux: %s; CONFIG_DEBUG_INFO_BTF): use the pmdstat module instead\n",
			strerror(errno));
		return 1;
	}
	np = plan_probes(p, n, btf);
	skel = load(p, np);
	err = errno;
	if (skel)
		configure(skel, p, n, btf);
	btf__free(btf);
	if (!skel) {
		if (locked_down()) {
			fprintf(stderr, "pmdstat-bpf: the kernel is locked down (/sys/kernel/security/lockdown: confidentiality, as under Secure Boot on some distributions): BPF programs may not read kernel memory, so pmdstat-bpf cannot run; boot without lockdown=confidentiality, or use a signed pmdstat module\n");
			return 1;
		}
		fprintf(stderr, "pmdstat-bpf: failed to load the BPF program: %s%s\n", strerror(err),
			err == EPERM ? " (BPF disabled, or capabilities missing?); -v shows libbpf's log" :
			"; -v shows libbpf's log");
		return 1;
	}
	/* the sites, then the lock functions */
	for (i = 0; i < np; i++)
		if (attach(skel, p, i, links, &nlinks))
			goto fail;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_ns();
	if (optind < argc) {
		child = fork();
		if (child == 0) {
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "pmdstat-bpf: cannot run %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	} else {
		while (!stop && now_ns() - t0 < (unsigned long long)secs * 1000000000ULL)
			usleep(100000);
	}
	snap = calloc(1, sizeof(*snap));
	if (!snap || collect(skel, p, n, now_ns() - t0, snap)) {
		fprintf(stderr, "pmdstat-bpf: cannot read the BPF maps: %s\n", strerror(errno));
		goto fail;
	}
	pmdstat_out_init(&out);
	pmdstat_format(&out, snap);
	f = outpath ? fopen(outpath, "w") : stdout;
	if (!f || pmdstat_out_write(&out, f) || (outpath && fclose(f))) {
		fprintf(stderr, "pmdstat-bpf: cannot write %s: %s\n", outpath ? outpath : "stdout",
			strerror(errno));
		goto fail;
	}
	pmdstat_out_free(&out);
	free(snap);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	pmdstat_bpf__destroy(skel);
	return status;

fail:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	pmdstat_bpf__destroy(skel);
	return 1;
}
