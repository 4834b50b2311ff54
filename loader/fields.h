/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fields.h - the one table of what the reader knows about each key of the
 * stats format (docs/format.md): its line, type, unit, how a delta and a
 * sum treat it, its title in the text report, its Prometheus name and
 * help; and the same for each histogram.  The parser checks lines with it
 * (parse.c), subtracts and adds with it, and the text report,
 * JSON and Prometheus outputs take their names, types and titles from it.
 * tests/unit/test_fields.c holds docs/format.md's field lists against it.
 */
#ifndef PMDSTAT_FIELDS_H
#define PMDSTAT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum pmdstat_ftype {
	PMDSTAT_F_NUM,		/* unsigned decimal; a number in JSON */
	PMDSTAT_F_STR,		/* any value but an empty one; a string in JSON */
	PMDSTAT_F_CHOICE,	/* one of choices */
	PMDSTAT_F_DEV,		/* MAJOR:MINOR, both unsigned decimal */
	PMDSTAT_F_LIST,		/* "none", or items separated by ','; a JSON array */
};

enum pmdstat_frule {
	PMDSTAT_R_SUM,		/* a counter: a delta subtracts, a sum adds */
	PMDSTAT_R_GAUGE,	/* a delta and a sum take the newer value */
	PMDSTAT_R_MAX,		/* a delta takes the newer value, a sum the larger */
	PMDSTAT_R_IDENT,	/* names the line: no two lines alike, kept */
};

struct pmdstat_field {
	const char *line;		/* the line's keyword ("Totals:" too) */
	const char *key;
	enum pmdstat_ftype type;
	const char *const *choices;	/* PMDSTAT_F_CHOICE: NULL-terminated */
	bool optional;			/* checked only when present */
	enum pmdstat_frule rule;
	const char *unit;		/* "ns", "us" or NULL */
	const char *title;		/* in the text report, or NULL */
	const char *prom;		/* the Prometheus metric, or NULL: none */
	const char *help;		/* its HELP */
};

extern const struct pmdstat_field pmdstat_fields[];
extern const size_t pmdstat_nr_fields;

/* The next field of line after f (NULL: the first), or NULL. */
const struct pmdstat_field *pmdstat_field_next(const char *line,
					       const struct pmdstat_field *f);
/* The field key of line, or NULL. */
const struct pmdstat_field *pmdstat_field_find(const char *line, const char *key);
/* How a delta and a sum treat key of line: PMDSTAT_R_SUM if unknown. */
enum pmdstat_frule pmdstat_field_rule(const char *line, const char *key);
/* Is key, on any line, a name or a list (a string in JSON), not a number? */
bool pmdstat_key_is_text(const char *key);

struct pmdstat_hist_info {
	const char *name;	/* "site:" stands for every site:<symbol> */
	const char *unit;
	const char *title;	/* in the text report */
	const char *help;	/* Prometheus HELP */
	bool lock;		/* shown in the lock section */
};

extern const struct pmdstat_hist_info pmdstat_hist_infos[];
extern const size_t pmdstat_nr_hist_infos;

/* What the reader knows of the histogram name, or NULL. */
const struct pmdstat_hist_info *pmdstat_hist_info(const char *name);

#endif /* PMDSTAT_FIELDS_H */
