/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat_user.h - the userspace stand-ins for the kernel types and
 * helpers that module/hist.c, format.c, decode.c and detect.c use
 * (module/pmdstat_types.h includes this outside the kernel): the
 * tools/testing/vma pattern, so the very same .c files build here.
 */
#ifndef PMDSTAT_USER_H
#define PMDSTAT_USER_H

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

#endif /* PMDSTAT_USER_H */
