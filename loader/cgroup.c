// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - a cgroup v2 of pmdstat attach's own (see proc.h): found or
 * mounted, created fresh, removed once its processes are gone, and what
 * was mounted unmounted.  Mounting never hides another hierarchy.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "proc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270	/* include/uapi/linux/magic.h */
#endif

#define RMDIR_TRIES	100
#define RMDIR_WAIT_NS	10000000	/* 10 ms: a second in all */

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Is something mounted on path?  (Its device is not its parent's.) */
static bool is_mountpoint(const char *path)
{
	char parent[PATH_MAX + 4];
	size_t n = strlen(path);
	struct stat a, b;

	if (n >= PATH_MAX)
		return false;
	memcpy(parent, path, n);
	memcpy(parent + n, "/..", 4);
	return !stat(path, &a) && !stat(parent, &b) &&
	       (a.st_dev != b.st_dev || a.st_ino == b.st_ino);
}

/* mkdir -p: 0 or -errno. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof(buf), "%s", path);
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i])
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		if (i < n)
			buf[i] = '/';
	}
	return 0;
}

static int mount_cgroup2(struct pmdstat_cgroup *cg, const char *where)
{
	int err = mkdir_p(where);

	if (!err && mount("cgroup2", where, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		err = -errno;
	if (err) {
		fprintf(stderr, "pmdstat: no cgroup v2 hierarchy on %s, and mounting one there failed: %s: mount it (mount -t cgroup2 none %s; the kernel needs CONFIG_CGROUPS), or attach to the process once it runs: pmdstat attach -p PID\n",
			where, strerror(-err), where);
		return 1;
	}
	snprintf(cg->mnt, sizeof(cg->mnt), "%s", where);
	cg->mounted = true;
	return 0;
}

/* Unmount what mount_cgroup2() mounted; 0, or 1 after a message. */
static int unmount_ours(struct pmdstat_cgroup *cg)
{
	if (!cg->mounted)
		return 0;
	cg->mounted = false;
	if (!umount(cg->mnt))
		return 0;
	fprintf(stderr, "pmdstat: cannot unmount the cgroup2 hierarchy pmdstat mounted on %s: %s: unmount it when it is no longer used: umount %s\n",
		cg->mnt, strerror(errno), cg->mnt);
	return 1;
}

int pmdstat_cgroup_create(struct pmdstat_cgroup *cg, const char *root)
{
	char unified[PATH_MAX];
	struct stat sb;

	memset(cg, 0, sizeof(*cg));
	if (snprintf(unified, sizeof(unified), "%s/unified", root) >= (int)sizeof(unified)) {
		fprintf(stderr, "pmdstat: cgroup directory name too long: %s\n", root);
		return 1;
	}
	if (is_cgroup2(root)) {
		snprintf(cg->mnt, sizeof(cg->mnt), "%s", root);
	} else if (is_cgroup2(unified)) {
		snprintf(cg->mnt, sizeof(cg->mnt), "%s", unified);
	} else if (stat(root, &sb) || !is_mountpoint(root)) {
		if (mount_cgroup2(cg, root))
			return 1;
	} else if (mount_cgroup2(cg, unified)) {	/* never hide a cgroup v1 tmpfs */
		return 1;
	}
	if (snprintf(cg->path, sizeof(cg->path), "%s/pmdstat-%d", cg->mnt,
		     (int)getpid()) >= (int)sizeof(cg->path)) {
		fprintf(stderr, "pmdstat: cgroup directory name too long: %s\n", cg->mnt);
		unmount_ours(cg);
		return 1;
	}
	/* one left by an earlier pmdstat of the same pid is empty: replace it */
	if (mkdir(cg->path, 0755) && (errno != EEXIST || rmdir(cg->path) ||
				      mkdir(cg->path, 0755))) {
		fprintf(stderr, "pmdstat: cannot create the cgroup %s: %s: is %s a writable cgroup v2 hierarchy? (or attach to the process once it runs: pmdstat attach -p PID)\n",
			cg->path, strerror(errno), cg->mnt);
		unmount_ours(cg);
		return 1;
	}
	cg->created = true;
	if (stat(cg->path, &sb)) {
		fprintf(stderr, "pmdstat: cannot stat the cgroup %s: %s\n", cg->path,
			strerror(errno));
		pmdstat_cgroup_remove(cg);
		return 1;
	}
	cg->id = (u64)sb.st_ino;
	return 0;
}

int pmdstat_cgroup_remove(struct pmdstat_cgroup *cg)
{
	struct timespec pause = { 0, RMDIR_WAIT_NS };
	int i, err = 0;

	if (!cg->created)
		return unmount_ours(cg);
	for (i = 0; i < RMDIR_TRIES; i++) {
		err = !rmdir(cg->path) || errno == ENOENT ? 0 : errno;
		if (err != EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	cg->created = false;
	if (!err)
		return unmount_ours(cg);
	if (err == EBUSY)
		fprintf(stderr, "pmdstat: the cgroup %s still has processes that the command left running (see %s/cgroup.procs): remove it once they are gone: rmdir %s\n",
			cg->path, cg->path, cg->path);
	else
		fprintf(stderr, "pmdstat: cannot remove the cgroup %s: %s: remove it: rmdir %s\n",
			cg->path, strerror(err), cg->path);
	cg->mounted = false;	/* it holds the cgroup: it cannot be unmounted either */
	return 1;
}
