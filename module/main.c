// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat - instrument hugetlb PMD page-table sharing.
 *
 * Load with `insmod pmdstat.ko`, then read /sys/kernel/debug/pmdstat/stats
 * (or run the `pmdstat` reader).  `echo reset > .../control` zeroes the
 * counters.  pmdstat only observes: it never changes what the kernel does.
 * The text format is described in docs/format.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "compat.h"
#include "pmdstat.h"
#include "filter.h"
#include "races.h"

static unsigned int maxactive;
module_param(maxactive, uint, 0444);
MODULE_PARM_DESC(maxactive,
		 "kretprobe instances per probe site, i.e. calls that can be in flight at once (0: 8 per possible CPU, at least 64; at most 4096). Calls beyond it are counted as missed.");

static bool time_unshare;
module_param(time_unshare, bool, 0444);
MODULE_PARM_DESC(time_unshare,
		 "Time every huge_pmd_unshare call with a return probe (unshare_ns). Off by default: an unshare's outcome is decided at its entry from the table's share count, and munmap of a 1 GiB mapping makes 512 calls.");

#define PMDSTAT_MAXACTIVE_MAX 4096

static struct dentry *pmdstat_dir;
static u64 pmdstat_reset_ns;
static u64 pmdstat_resets;
static DEFINE_MUTEX(pmdstat_lock);	/* serialises reset against snapshot */

static void pmdstat_fill(struct pmdstat_snapshot *s)
{
	unsigned int cpu, i, r;

	strscpy(s->release, init_utsname()->release, sizeof(s->release));
	strscpy(s->module_version, PMDSTAT_VERSION, sizeof(s->module_version));
	s->elapsed_ns = ktime_get_ns() - pmdstat_reset_ns;
	s->resets = pmdstat_resets;
	s->maxactive = maxactive;
	s->count_scan = pmdstat_count_scan;
	s->time_unshare = time_unshare;
	s->off_vm_file = offsetof(struct vm_area_struct, vm_file);
	s->off_f_mapping = offsetof(struct file, f_mapping);
	s->off_i_mmap_rwsem = offsetof(struct address_space, i_mmap_rwsem);
	s->off_vm_private_data = offsetof(struct vm_area_struct, vm_private_data);
	s->off_vma_lock_rw_sema = PMDSTAT_VMA_LOCK_RW_SEMA;
	s->off_rt_rtmutex = PMDSTAT_RT_RTMUTEX;
	s->nr_sites = pmdstat_nr_sites;
	for (i = 0; i < pmdstat_nr_sites; i++) {
		strscpy(s->site[i].symbol, pmdstat_sites[i].symbol,
			sizeof(s->site[i].symbol));
		strscpy(s->site[i].reads, pmdstat_sites[i].reads,
			sizeof(s->site[i].reads));
		s->site[i].role = pmdstat_sites[i].role;
		s->site[i].missed = pmdstat_site_nmissed(&pmdstat_sites[i]);
	}
	for_each_possible_cpu(cpu) {
		const struct pmdstat_pcpu *pc = pmdstat_pcpu_of(cpu);

		if (!pc)
			continue;	/* nothing ran there since the reset */
		for (i = 0; i < pmdstat_nr_sites; i++) {
			struct pmdstat_site_stats *d = &s->site[i].st;
			const struct pmdstat_site_stats *src = &pc->site[i];

			d->hits += READ_ONCE(src->hits);
			d->filtered += READ_ONCE(src->filtered);
			d->nested += READ_ONCE(src->nested);
			for (r = 0; r < PMDSTAT_NR_OUTCOMES; r++)
				d->out[r] += READ_ONCE(src->out[r]);
			pmdstat_hist_merge(&d->lat, &src->lat);
		}
		for (i = 0; i < PMDSTAT_NR_ROLES; i++) {
			for (r = 0; r < PMDSTAT_NR_OUTCOMES; r++)
				s->role[i].out[r] += READ_ONCE(pc->role[i].out[r]);
			pmdstat_fhist_merge(&s->role[i].lat, &pc->role[i].lat);
		}
	}
	pmdstat_locks_fill(s);
	pmdstat_races_fill(s);
	pmdstat_filter_fill(s);
}

static void pmdstat_reset(void)
{
	unsigned int i;

	mutex_lock(&pmdstat_lock);
	/*
	 * No memset of live counters: a handler in the middle of an update
	 * would write pre-reset values back.  Each CPU zeroes its own block
	 * when it next sees the new generation.
	 */
	WRITE_ONCE(pmdstat_gen, pmdstat_gen + 1);
	for (i = 0; i < pmdstat_nr_sites; i++) {
		struct pmdstat_site *site = &pmdstat_sites[i];

		site->missed_base = pmdstat_site_raw_missed(site);
	}
	pmdstat_locks_reset();
	pmdstat_races_reset();
	pmdstat_reset_ns = ktime_get_ns();
	pmdstat_resets++;
	mutex_unlock(&pmdstat_lock);
}

static int pmdstat_stats_show(struct seq_file *m, void *v)
{
	pmdstat_format(m, m->private);
	return 0;
}

static int pmdstat_stats_open(struct inode *inode, struct file *file)
{
	struct pmdstat_snapshot *s;
	int err;

	s = kvzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&pmdstat_lock);
	pmdstat_fill(s);
	mutex_unlock(&pmdstat_lock);
	err = single_open(file, pmdstat_stats_show, s);
	if (err)
		kvfree(s);
	return err;
}

static int pmdstat_stats_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kvfree(m->private);
	return single_release(inode, file);
}

static const struct file_operations pmdstat_stats_fops = {
	.owner = THIS_MODULE,
	.open = pmdstat_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = pmdstat_stats_release,
};

#define PMDSTAT_CMD_MAX 64

static ssize_t pmdstat_control_write(struct file *file, const char __user *ubuf,
				     size_t len, loff_t *ppos)
{
	char buf[PMDSTAT_CMD_MAX];
	char *cmd;
	int err;

	if (len >= sizeof(buf)) {
		pr_warn_ratelimited("control: command too long (%zu bytes, at most %d); accepted: reset\n",
				    len, PMDSTAT_CMD_MAX - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);
	if (!strcmp(cmd, "reset")) {
		pmdstat_reset();
		return len;
	}
	if (!strncmp(cmd, "threshold_us=", 13)) {
		unsigned long us;

		if (kstrtoul(cmd + 13, 10, &us) || pmdstat_locks_set_threshold(us)) {
			pr_warn_ratelimited("control: bad threshold '%s': give threshold_us=N with N from 0 (log off) to 60000000\n",
					    cmd + 13);
			return -EINVAL;
		}
		return len;
	}
	if (!strncmp(cmd, "blame=", 6)) {
		unsigned long on;

		if (kstrtoul(cmd + 6, 10, &on) || pmdstat_locks_set_blame(on)) {
			pr_warn_ratelimited("control: bad blame '%s': give blame=1 (note what each contended wait waits behind) or blame=0\n",
					    cmd + 6);
			return -EINVAL;
		}
		return len;
	}
	err = pmdstat_filter_command(cmd);
	if (err <= 0)
		return err ? err : len;
	pr_warn_ratelimited("control: unknown command '%s'; accepted: reset, threshold_us=N, blame=0|1, filter_tgid=PID, filter_cgroup=ID, filter=none\n",
			    cmd);
	return -EINVAL;
}

static const struct file_operations pmdstat_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pmdstat_control_write,
	.llseek = noop_llseek,
};

/* Every probe of every file, unregistered in two batches: two RCU waits. */
static struct kprobe *pmdstat_kps[PMDSTAT_MAX_KPROBES];
static struct kretprobe *pmdstat_rps[PMDSTAT_MAX_KRETPROBES];

static void pmdstat_unregister_all(void)
{
	unsigned int n, m;

	/* the share/unshare sites first: they start tracking */
	m = pmdstat_probes_kprobes(pmdstat_kps, PMDSTAT_MAX_SITES);
	m += pmdstat_locks_kprobes(pmdstat_kps + m, PMDSTAT_MAX_KPROBES - m);
	n = pmdstat_probes_kretprobes(pmdstat_rps, PMDSTAT_MAX_SITES);
	n += pmdstat_races_kretprobes(pmdstat_rps + n, PMDSTAT_MAX_KRETPROBES - n);
	if (m)
		unregister_kprobes(pmdstat_kps, m);
	if (n)
		unregister_kretprobes(pmdstat_rps, n);
	/* the lock functions' ftrace_ops: returns once no callback runs */
	pmdstat_locks_disarm();
	pmdstat_locks_forget();
	/* handlers that were already running have finished */
	synchronize_rcu();
}

/*
 * Order: everything the handlers use exists before the first probe is
 * armed; probes that end records are armed before those that open them,
 * and the share/unshare sites (which start the tracking) last.  Exit
 * disarms everything, waits, then frees.
 */
static int __init pmdstat_init(void)
{
	int err;

	if (maxactive > PMDSTAT_MAXACTIVE_MAX) {
		pr_err("maxactive=%u is out of range: give 0 (automatic) to %d\n",
		       maxactive, PMDSTAT_MAXACTIVE_MAX);
		return -EINVAL;
	}
	if (!maxactive)
		maxactive = max_t(unsigned int, 64, 8 * num_possible_cpus());
	maxactive = min_t(unsigned int, maxactive, PMDSTAT_MAXACTIVE_MAX);

	pmdstat_reset_ns = ktime_get_ns();
	err = pmdstat_pcpu_alloc();
	if (err)
		return err;
	err = pmdstat_races_init();
	if (err)
		goto out_pcpu;
	err = pmdstat_probes_init(maxactive, time_unshare);
	if (err)
		goto out_races;
	err = pmdstat_locks_init();
	if (err)
		goto out_races;
	pmdstat_races_arm();
	err = pmdstat_probes_arm(maxactive);
	if (err)
		goto out_probes;

	pmdstat_dir = debugfs_create_dir("pmdstat", NULL);
	if (IS_ERR(pmdstat_dir)) {
		err = PTR_ERR(pmdstat_dir);
		pr_err("cannot create debugfs directory pmdstat: error %d (is debugfs enabled?)\n",
		       err);
		goto out_probes;
	}
	debugfs_create_file("stats", 0400, pmdstat_dir, NULL, &pmdstat_stats_fops);
	debugfs_create_file("control", 0200, pmdstat_dir, NULL, &pmdstat_control_fops);
	debugfs_create_file("live", 0400, pmdstat_dir, NULL, &pmdstat_live_fops);
	debugfs_create_file("events", 0400, pmdstat_dir, NULL, &pmdstat_events_fops);
	pr_info("loaded: %u probe sites, maxactive=%u, count_scan=%d, time_unshare=%d\n",
		pmdstat_nr_sites, maxactive, pmdstat_count_scan, time_unshare);
	return 0;

out_probes:
	pmdstat_unregister_all();
out_races:
	pmdstat_probes_forget();
	pmdstat_races_exit();
out_pcpu:
	pmdstat_pcpu_free();
	return err;
}

static void __exit pmdstat_exit(void)
{
	debugfs_remove_recursive(pmdstat_dir);
	pmdstat_unregister_all();
	pmdstat_probes_forget();
	pmdstat_races_exit();
	pmdstat_pcpu_free();
	pr_info("unloaded\n");
}

module_init(pmdstat_init);
module_exit(pmdstat_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("pmdstat developers");
MODULE_DESCRIPTION("Instrument hugetlb PMD page-table sharing: share/unshare latency and outcomes");
MODULE_VERSION(PMDSTAT_VERSION);
