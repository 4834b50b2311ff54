// SPDX-License-Identifier: GPL-2.0
/*
 * source.c - read the debugfs files, write the control file, and explain a
 * failure to open them: the difference between "not root", "debugfs not
 * mounted" and "module not loaded" is what the user needs to know.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "out.h"
#include "source.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720	/* include/uapi/linux/magic.h */
#endif

#define READ_CHUNK	16384

int pmdstat_read_file(const char *path, pmdstat_out_t *out)
{
	char chunk[READ_CHUNK];
	int fd, err = 0;

	pmdstat_out_clear(out);
	if (!strcmp(path, "-"))
		fd = STDIN_FILENO;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		pmdstat_out_append(out, chunk, (size_t)n);
		if (pmdstat_out_failed(out)) {
			err = -ENOMEM;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

int pmdstat_write_control(const char *dir, const char *cmd)
{
	size_t len = strlen(cmd);
	char path[PATH_MAX];
	ssize_t n;
	int fd, err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, PMDSTAT_CONTROL_FILE) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, cmd, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void explain_not_root(const char *path, int err)
{
	if (geteuid() != 0)
		fprintf(stderr, "pmdstat: cannot open %s: %s: run as root: the pmdstat debugfs files are root-only\n",
			path, strerror(err));
	else
		fprintf(stderr, "pmdstat: cannot open %s: %s, even as root: kernel lockdown may restrict debugfs (see /sys/kernel/security/lockdown)\n",
			path, strerror(err));
}

void pmdstat_explain_open(const char *dir, const char *file, int err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const char *parent;
	struct statfs sfs;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (err == EACCES || err == EPERM) {
		explain_not_root(path, err);
		return;
	}
	if (err != ENOENT && err != ENOTDIR) {
		fprintf(stderr, "pmdstat: cannot open %s: %s\n", path, strerror(err));
		return;
	}

	/* Missing: is it debugfs, the module, or the file that is absent? */
	snprintf(tmp, sizeof(tmp), "%s", dir);
	parent = dirname(tmp);
	if (statfs(parent, &sfs)) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			explain_not_root(path, e);
		else
			fprintf(stderr, "pmdstat: cannot open %s: %s is missing (%s): check -D, or the kernel lacks debugfs (CONFIG_DEBUG_FS=y)\n",
				path, parent, strerror(e));
		return;
	}
	if (sfs.f_type != DEBUGFS_MAGIC && !strcmp(parent, "/sys/kernel/debug")) {
		fprintf(stderr, "pmdstat: cannot open %s: debugfs is not mounted on %s: mount it: mount -t debugfs none %s\n",
			path, parent, parent);
		return;
	}
	if (sfs.f_type != DEBUGFS_MAGIC) {
		fprintf(stderr, "pmdstat: cannot open %s: %s is not a debugfs mount: check -D (debugfs is normally on /sys/kernel/debug)\n",
			path, parent);
		return;
	}
	if (stat(dir, &sb) && (errno == ENOENT || errno == ENOTDIR)) {
		fprintf(stderr, "pmdstat: the pmdstat module is not loaded (%s is missing): load it: insmod pmdstat.ko (build it with make module)\n",
			dir);
		return;
	}
	fprintf(stderr, "pmdstat: cannot open %s: %s: is %s the pmdstat debugfs directory (-D), and the module as new as this pmdstat?\n",
		path, strerror(err), dir);
}
