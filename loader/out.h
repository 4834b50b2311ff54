/* SPDX-License-Identifier: GPL-2.0 */
/*
 * out.h - the userspace output sink of the shared format code: a growing,
 * always NUL-terminated buffer that pmdstat_printf() (declared in
 * module/pmdstat_types.h) appends to.
 *
 * An allocation failure is sticky: the buffer is freed, later appends do
 * nothing, and pmdstat_out_failed() says so.  Check it once, after the last
 * append, instead of after every call.
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

#endif /* PMDSTAT_OUT_H */
