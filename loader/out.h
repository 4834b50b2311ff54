/* SPDX-License-Identifier: GPL-2.0 */
/*
 * out.h - the userspace output sink of the shared format code: a growing,
 * always NUL-terminated buffer that pmdstat_printf() (declared in
 * module/pmdstat_types.h) appends to.
 *
 * An allocation failure is sticky: the buffer is freed, later appends do
 * nothing, and pmdstat_out_failed() says so.  Check it once, after the last
 * append, instead of after every call.  Also the escaping of text for the
 * output formats, and the reader's growing arrays and lists of names.
 */
#ifndef PMDSTAT_OUT_H
#define PMDSTAT_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "pmdstat_types.h"

void pmdstat_out_init(pmdstat_out_t *out);
void pmdstat_out_free(pmdstat_out_t *out);
/* Forget the contents, keep the memory. */
void pmdstat_out_clear(pmdstat_out_t *out);
/* Append len bytes (may contain NUL bytes). */
void pmdstat_out_append(pmdstat_out_t *out, const char *s, size_t len);
bool pmdstat_out_failed(const pmdstat_out_t *out);
/* Mark out failed: an allocation of its writer failed, the text is incomplete. */
void pmdstat_out_set_failed(pmdstat_out_t *out);
/* The text so far: "" if empty or failed. */
const char *pmdstat_out_str(const pmdstat_out_t *out);
/* Write the contents to f; 0 or -1 with errno set. */
int pmdstat_out_write(const pmdstat_out_t *out, FILE *f);

/*
 * Append str with each ASCII character that esc maps replaced by its text,
 * another control character (below 0x20) by the printf format ctl of its
 * code, and each byte that starts no valid UTF-8 sequence by bad; a NULL
 * ctl or bad keeps those bytes as they are.
 */
void pmdstat_out_escaped(pmdstat_out_t *out, const char *str,
			 const char *const esc[0x80], const char *ctl, const char *bad);

/*
 * Grow *arr (of elements of size, *cap of them) so that it holds at least
 * nr + 1: 0 or -ENOMEM (*arr is then as it was).
 */
int pmdstat_grow(void **arr, size_t *cap, size_t nr, size_t size);

/* A list of distinct names, in the order first added. */
struct pmdstat_names {
	char **name;
	size_t nr;
	size_t cap;
};

bool pmdstat_names_has(const struct pmdstat_names *n, const char *name);
/* A copy of name, unless the list has it: 0 or -ENOMEM. */
int pmdstat_names_add(struct pmdstat_names *n, const char *name);
void pmdstat_names_free(struct pmdstat_names *n);

#endif /* PMDSTAT_OUT_H */
