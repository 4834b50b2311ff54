/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a small strict JSON reader (RFC 8259) for what pmdstat wrote
 * itself: the lines of a recording (pmdstat record) read back by pmdstat
 * report and pmdstat heatmap.
 *
 * Strict: one value and nothing after it, duplicate keys refused, strings
 * valid UTF-8 without raw control characters or \u0000, nesting at most
 * PMDSTAT_JSON_DEPTH deep.
 */
#ifndef PMDSTAT_JSON_H
#define PMDSTAT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include "pmdstat_types.h"

#define PMDSTAT_JSON_DEPTH	64

enum pmdstat_json_type {
	PMDSTAT_JSON_NULL,
	PMDSTAT_JSON_BOOL,
	PMDSTAT_JSON_NUM,
	PMDSTAT_JSON_STR,
	PMDSTAT_JSON_ARR,
	PMDSTAT_JSON_OBJ,
};

struct pmdstat_json {
	enum pmdstat_json_type type;
	bool b;				/* BOOL */
	bool is_u64;			/* NUM: an unsigned integer that fits u64 */
	u64 u;				/* NUM, when is_u64 */
	double d;			/* NUM */
	char *str;			/* STR: decoded, NUL-terminated */
	size_t n;			/* ARR, OBJ: members */
	struct pmdstat_json **item;
	char **key;			/* OBJ: the member names */
};

/*
 * Parse the len bytes of text as exactly one JSON value.  NULL on error,
 * with a message naming the byte offset (from 1) in err.
 */
struct pmdstat_json *pmdstat_json_parse(const char *text, size_t len,
					char *err, size_t size);
/* Free a value of pmdstat_json_parse() (NULL is fine). */
void pmdstat_json_free(struct pmdstat_json *v);

/* Member key of object v, or NULL (also when v is not an object). */
const struct pmdstat_json *pmdstat_json_get(const struct pmdstat_json *v,
					    const char *key);
/* Length of the valid UTF-8 sequence at s (s < end), 0 if invalid. */
size_t pmdstat_utf8_seq(const unsigned char *s, const unsigned char *end);

/* "object", "array", ...: for messages. */
const char *pmdstat_json_type_name(enum pmdstat_json_type t);

#endif /* PMDSTAT_JSON_H */
