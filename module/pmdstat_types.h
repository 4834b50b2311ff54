/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat_types.h - the few types and helpers that the histogram, format,
 * decoder and detector code needs, from the kernel or, in userspace, from
 * loader/pmdstat_user.h (the tools/testing/vma pattern): hist.c, format.c,
 * decode.c and detect.c include it and nothing else, so the very same .c
 * files compile in both.
 */
#ifndef PMDSTAT_TYPES_H
#define PMDSTAT_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/seq_file.h>

#define pmdstat_out_t struct seq_file
#define pmdstat_printf seq_printf
/* code that probe handlers call must not itself be probed */
#include <linux/kprobes.h>
#define PMDSTAT_NOKPROBE(sym) NOKPROBE_SYMBOL(sym)

static inline unsigned int pmdstat_fls64(u64 v)
{
	return fls64(v);
}
#else
#include "pmdstat_user.h"	/* loader/: the userspace stand-ins */
#define PMDSTAT_NOKPROBE(sym)
#endif

#endif /* PMDSTAT_TYPES_H */
