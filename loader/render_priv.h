/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render_priv.h - what the parts of the report share: text.c (log2
 * histograms, notes) and json.c (the JSON writer) below render.c (header,
 * probes, share/unshare), render_locks.c (lock timing), render_races.c
 * (race detector) and render_events.c (events and live files).  The
 * reader's other files use render.h.
 */
#ifndef PMDSTAT_RENDER_PRIV_H
#define PMDSTAT_RENDER_PRIV_H

#include "fields.h"
#include "render.h"

struct pmdstat_table;

/* A number of a record line (0 if absent), a string ("?" if absent). */
static inline u64 num(const struct pmdstat_kvs *kvs, const char *key)
{
	return pmdstat_kv_get(kvs, key, 0);
}

static inline const char *str(const struct pmdstat_kvs *kvs, const char *key)
{
	return pmdstat_kv_str(kvs, key, "?");
}

/* json.c */

/* JSON object members: a comma unless *first, then "key": and the value. */
void render_json_key(pmdstat_out_t *out, bool *first, const char *key);
void render_json_u64(pmdstat_out_t *out, bool *first, const char *key, u64 v);
void render_json_str(pmdstat_out_t *out, bool *first, const char *key,
		     const char *v);
/*
 * Members for kvs: values numbers when numeric, except the keys that name
 * things (func, comm, lock, ...), always strings; stack= as an array of
 * its frames ([] for none).
 */
void render_json_kvs(pmdstat_out_t *out, bool *first, const struct pmdstat_kvs *kvs);
/* "key":{members for kvs} */
void render_json_object(pmdstat_out_t *out, bool *first, const char *key,
			const struct pmdstat_kvs *kvs);
/* {"unit":..., "count":..., ..., "buckets":[[lo,hi,count],...]} */
void render_json_hist(pmdstat_out_t *out, const struct pmdstat_phist *h);
/* [{members of a line}, ...] */
void render_json_records(pmdstat_out_t *out, const struct pmdstat_records *r);

/* text.c */

/* A line for each key of kvs that is not 0: text, with its value for %llu. */
struct render_note {
	const char *key;
	const char *text;
};

void render_notes(pmdstat_out_t *out, const struct pmdstat_kvs *kvs,
		  const struct render_note *notes, size_t n);

/* "nsecs" for "ns", ...; other units as they are. */
const char *render_unit_name(const char *unit);
/* A blank line, title, the log2 histogram and a count/avg/p50/... line. */
void render_hist_titled(pmdstat_out_t *out, const struct pmdstat_phist *h,
			const char *title);

/* Is name one of the lock timing histograms (shown in the lock section)? */
bool render_is_lock_hist(const char *name);
bool render_is_lock_probe(const struct pmdstat_probe *pr);

/* render_locks.c */
/* The lock section of the text report; nothing for a module without it. */
void render_locks_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
		       const struct pmdstat_render_opts *opts);
/* The lock members of the JSON object (first is the object's). */
void render_locks_json(pmdstat_out_t *out, bool *first,
		       const struct pmdstat_stats *st);
/*
 * The lines of r that keep(line, arg) accepts (every line if keep is
 * NULL), sorted by cmp, and their number in *n; NULL if none (or out of
 * memory: out is then failed).  Free the array.
 */
const struct pmdstat_kvs **render_rows(pmdstat_out_t *out, const struct pmdstat_records *r,
				       bool (*keep)(const struct pmdstat_kvs *, const void *),
				       const void *arg, int (*cmp)(const void *, const void *),
				       size_t *n);
/* qsort order of render_rows() rows by rank= */
int render_cmp_rank(const void *x, const void *y);
/*
 * The frames of stack= one per line after STACK_INDENT, "(no stack)" for
 * none: as lines of t after its current row, or to out if t is NULL.
 */
#define STACK_INDENT	"        "
void render_stack(pmdstat_out_t *out, struct pmdstat_table *t, const char *stack);

/* render_races.c */

/* The race section of the text report; nothing for a module without it. */
void render_races_text(pmdstat_out_t *out, const struct pmdstat_stats *st,
		       const struct pmdstat_render_opts *opts);
/* The "races" member of the JSON object (first is the object's). */
void render_races_json(pmdstat_out_t *out, bool *first,
		       const struct pmdstat_stats *st);

#endif /* PMDSTAT_RENDER_PRIV_H */
