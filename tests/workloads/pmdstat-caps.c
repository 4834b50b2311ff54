// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat-caps - run a command as another user with exactly the given
 * capabilities (ambient, so that they survive exec), for the VM tests of
 * pmdstat-bpf's capability check (busybox has no setpriv --reuid or capsh).
 *
 * Usage: pmdstat-caps UID CAP[,CAP...]|none CMD [ARGS...]
 *   CAP: bpf, perfmon, syslog, sys_admin
 * Exit: CMD's status; 126 if the switch failed, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct { const char *name; int cap; } caps[] = {
	{ "bpf", CAP_BPF }, { "perfmon", CAP_PERFMON }, { "syslog", CAP_SYSLOG },
	{ "sys_admin", CAP_SYS_ADMIN },
};

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	int want[8], n = 0, i;
	char *c, *save = NULL;
	uid_t uid;

	if (argc < 4) {
		fprintf(stderr, "usage: pmdstat-caps UID CAP[,CAP...]|none CMD [ARGS...]\n");
		return 2;
	}
	uid = atoi(argv[1]);
	for (c = strtok_r(argv[2], ",", &save); c && n < 8; c = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < (int)(sizeof(caps) / sizeof(caps[0])); i++)
			if (!strcmp(c, caps[i].name))
				break;
		if (i < (int)(sizeof(caps) / sizeof(caps[0])))
			want[n++] = caps[i].cap;
		else if (strcmp(c, "none")) {
			fprintf(stderr, "pmdstat-caps: unknown capability %s\n", c);
			return 2;
		}
	}
	/* keep the permitted set across setuid, then make it exactly want */
	if (prctl(PR_SET_KEEPCAPS, 1) || setgid(uid) || setuid(uid))
		goto fail;
	for (i = 0; i < n; i++) {
		d[CAP_TO_INDEX(want[i])].permitted |= CAP_TO_MASK(want[i]);
		d[CAP_TO_INDEX(want[i])].inheritable |= CAP_TO_MASK(want[i]);
		d[CAP_TO_INDEX(want[i])].effective |= CAP_TO_MASK(want[i]);
	}
	if (syscall(SYS_capset, &h, d))
		goto fail;
	for (i = 0; i < n; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, want[i], 0, 0))
			goto fail;
	execvp(argv[3], argv + 3);
fail:
	perror("pmdstat-caps");
	return 126;
}
