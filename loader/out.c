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
#include <string.h>
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

/* Length of the valid UTF-8 sequence at s (s < end), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	size_t n, i;
	u32 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void pmdstat_out_escaped(pmdstat_out_t *out, const char *str,
			 const char *const esc[0x80], const char *ctl, const char *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + strlen(str);
	size_t n;

	for (; s < end; s += n) {
		n = utf8_seq(s, end);
		if (*s < 0x80 && esc[*s])
			pmdstat_printf(out, "%s", esc[*s]);
		else if (*s < 0x20 && ctl)
			pmdstat_printf(out, ctl, *s);
		else if (n)
			pmdstat_out_append(out, (const char *)s, n);
		else if (bad)
			pmdstat_printf(out, "%s", bad);
		else
			pmdstat_out_append(out, (const char *)s, 1);
		n = n ? n : 1;
	}
}

int pmdstat_grow(void **arr, size_t *cap, size_t nr, size_t size)
{
	size_t ncap;
	void *na;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / size)
		return -ENOMEM;
	na = realloc(*arr, ncap * size);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

bool pmdstat_names_has(const struct pmdstat_names *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nr; i++)
		if (!strcmp(n->name[i], name))
			return true;
	return false;
}

int pmdstat_names_add(struct pmdstat_names *n, const char *name)
{
	if (pmdstat_names_has(n, name))
		return 0;
	if (pmdstat_grow((void **)&n->name, &n->cap, n->nr, sizeof(*n->name)))
		return -ENOMEM;
	n->name[n->nr] = strdup(name);
	if (!n->name[n->nr])
		return -ENOMEM;
	n->nr++;
	return 0;
}

void pmdstat_names_free(struct pmdstat_names *n)
{
	size_t i;

	for (i = 0; i < n->nr; i++)
		free(n->name[i]);
	free(n->name);
	memset(n, 0, sizeof(*n));
}
