// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - the process and cgroup filters (see filter.h).  Set through
 * the control file: filter_tgid=PID, filter_cgroup=ID (the cgroup v2
 * directory's inode number), filter=none.  A filtered-out task's share,
 * unshare and lock events are not recorded; lock tracking is unaffected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "compat.h"
#include "filter.h"

pid_t pmdstat_filter_tgid;
u64 pmdstat_filter_cgid;

bool pmdstat_filter_slow(void)
{
	pid_t tgid = READ_ONCE(pmdstat_filter_tgid);
	u64 cgid = READ_ONCE(pmdstat_filter_cgid);

	if (tgid && task_tgid_nr(current) != tgid)
		return true;
	if (cgid && !pmdstat_task_in_cgroup(current, cgid))
		return true;
	return false;
}

NOKPROBE_SYMBOL(pmdstat_filter_slow);

static int set_tgid(const char *arg)
{
	struct task_struct *task;
	struct pid *pid;
	pid_t global = 0;
	int nr;

	if (kstrtoint(arg, 10, &nr) || nr <= 0) {
		pr_warn_ratelimited("control: filter_tgid=%s: give a process id (a positive number)\n",
				    arg);
		return -EINVAL;
	}
	pid = find_get_pid(nr);		/* in the writer's pid namespace */
	if (pid) {
		rcu_read_lock();
		task = pid_task(pid, PIDTYPE_TGID);
		if (task)
			global = task_tgid_nr(task);
		rcu_read_unlock();
		put_pid(pid);
	}
	if (!global) {
		pr_warn_ratelimited("control: filter_tgid=%d: no such process\n", nr);
		return -EINVAL;
	}
	WRITE_ONCE(pmdstat_filter_cgid, 0);
	WRITE_ONCE(pmdstat_filter_tgid, global);
	pr_info("recording only process %d\n", global);
	return 0;
}

static int set_cgroup(const char *arg)
{
	u64 id;
	int err;

	if (kstrtou64(arg, 10, &id) || !id) {
		pr_warn_ratelimited("control: filter_cgroup=%s: give a cgroup v2 id (the inode number of its directory, stat -c %%i)\n",
				    arg);
		return -EINVAL;
	}
	err = pmdstat_cgroup_exists(id);
	if (err) {
		pr_warn_ratelimited("control: filter_cgroup=%llu: no such cgroup v2 (error %d)\n",
				    id, err);
		return -EINVAL;
	}
	WRITE_ONCE(pmdstat_filter_tgid, 0);
	WRITE_ONCE(pmdstat_filter_cgid, id);
	pr_info("recording only cgroup %llu and its descendants\n", id);
	return 0;
}

int pmdstat_filter_command(const char *cmd)
{
	if (!strncmp(cmd, "filter_tgid=", 12))
		return set_tgid(cmd + 12);
	if (!strncmp(cmd, "filter_cgroup=", 14))
		return set_cgroup(cmd + 14);
	if (!strcmp(cmd, "filter=none")) {
		WRITE_ONCE(pmdstat_filter_tgid, 0);
		WRITE_ONCE(pmdstat_filter_cgid, 0);
		return 0;
	}
	return 1;
}

void pmdstat_filter_fill(struct pmdstat_snapshot *s)
{
	s->filter_tgid = READ_ONCE(pmdstat_filter_tgid);
	s->filter_cgroup = READ_ONCE(pmdstat_filter_cgid);
}
