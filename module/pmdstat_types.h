/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat_types.h - the few types and helpers that the histogram and
 * format code needs, from the kernel or from libc.  This is the only header
 * that differs between the module build and the userspace unit-test build
 * (the tools/testing/vma pattern): hist.c and format.c include it and
 * nothing else, so the very same .c files compile in both.
 */
#ifndef PMDSTAT_TYPES_H
#define PMDSTAT_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/seq_file.h>

typedef struct seq_file pmdstat_out_t;
#define pmdstat_printf seq_printf

static inline unsigned int pmdstat_fls64(u64 v)
{
	return fls64(v);
}
#else
#include <assert.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdbool.h>

typedef uint64_t u64;
typedef uint32_t u32;

/* Userspace output sink: a growing buffer (tests and the reader). */
typedef struct pmdstat_out {
	char *buf;
	size_t len;
	size_t cap;
} pmdstat_out_t;

__attribute__((format(printf, 2, 3)))
void pmdstat_printf(pmdstat_out_t *out, const char *fmt, ...);

static inline unsigned int pmdstat_fls64(u64 v)
{
	return v ? 64 - (unsigned int)__builtin_clzll(v) : 0;
}
#endif

#endif /* PMDSTAT_TYPES_H */
