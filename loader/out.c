// SPDX-License-Identifier: GPL-2.0
/*
 * out.c - userspace pmdstat_printf(): vsnprintf into a growing buffer.
 * Used by the reader and the unit tests in place of the kernel's seq_file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "out.h"

#define OUT_MIN_CAP	256
/* cap value that marks a failed allocation (buf is then NULL). */
#define OUT_FAILED	SIZE_MAX

void pmdstat_out_init(pmdstat_out_t *out)
{
	out->buf = NULL;
	out->len = 0;
	out->cap = 0;
}

void pmdstat_out_free(pmdstat_out_t *out)
{
	free(out->buf);
	pmdstat_out_init(out);
}

void pmdstat_out_clear(pmdstat_out_t *out)
{
	if (pmdstat_out_failed(out)) {
		pmdstat_out_init(out);
		return;
	}
	out->len = 0;
	if (out->buf)
		out->buf[0] = '\0';
}

bool pmdstat_out_failed(const pmdstat_out_t *out)
{
	return out->cap == OUT_FAILED;
}

const char *pmdstat_out_str(const pmdstat_out_t *out)
{
	return out->buf ? out->buf : "";
}

static void out_fail(pmdstat_out_t *out)
{
	free(out->buf);
	out->buf = NULL;
	out->len = 0;
	out->cap = OUT_FAILED;
}

void pmdstat_out_set_failed(pmdstat_out_t *out)
{
	out_fail(out);
}

/* Make room for len more bytes plus the NUL; false if out of memory. */
static bool out_reserve(pmdstat_out_t *out, size_t len)
{
	size_t need, cap;
	char *p;

	if (pmdstat_out_failed(out))
		return false;
	if (len >= SIZE_MAX / 2 - out->len) {
		out_fail(out);
		return false;
	}
	need = out->len + len + 1;
	if (need <= out->cap)
		return true;
	cap = out->cap ? out->cap : OUT_MIN_CAP;
	while (cap < need)
		cap *= 2;
	p = realloc(out->buf, cap);
	if (!p) {
		out_fail(out);
		return false;
	}
	out->buf = p;
	out->cap = cap;
	return true;
}

void pmdstat_out_append(pmdstat_out_t *out, const char *s, size_t len)
{
	if (!out_reserve(out, len))
		return;
	memcpy(out->buf + out->len, s, len);
	out->len += len;
	out->buf[out->len] = '\0';
}

void pmdstat_printf(pmdstat_out_t *out, const char *fmt, ...)
{
	va_list ap;
	size_t avail;
	int n;

	if (!out_reserve(out, 0))
		return;
	avail = out->cap - out->len;
	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, avail, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* Only an invalid format or EOVERFLOW: drop the text. */
		out->buf[out->len] = '\0';
		return;
	}
	if ((size_t)n >= avail) {
		if (!out_reserve(out, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(out->buf + out->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	out->len += (size_t)n;
}

int pmdstat_out_write(const pmdstat_out_t *out, FILE *f)
{
	if (pmdstat_out_failed(out)) {
		errno = ENOMEM;
		return -1;
	}
	if (out->len && fwrite(out->buf, 1, out->len, f) != out->len)
		return -1;
	return 0;
}
