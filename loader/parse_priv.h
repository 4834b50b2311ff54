/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse_priv.h - the parts of the parser that lines.c (the line loop,
 * tokens, key=value lists), parse.c (the stats file, arithmetic) and
 * records.c (record lines, the events and live files) share.  Not for the
 * reader's other files: they use parse.h.
 */
#ifndef PMDSTAT_PARSE_PRIV_H
#define PMDSTAT_PARSE_PRIV_H

#include "fields.h"
#include "out.h"
#include "parse.h"

struct parser;

/* What differs between the stats, events and live files. */
struct parse_file {
	const char *magic;	/* keyword of line 1, e.g. "pmdstat-stats" */
	const char *what;	/* "stats", "events", "live" */
	/* line 1 after its version= was accepted; may be NULL */
	enum pmdstat_parse_code (*header)(struct parser *p);
	/* every later line with tokens */
	enum pmdstat_parse_code (*line)(struct parser *p);
	/* checks at the end of the file, once every line parsed */
	enum pmdstat_parse_code (*eof)(struct parser *p);
};

struct parser {
	const struct parse_file *file;
	struct pmdstat_stats *st;	/* the stats file */
	struct pmdstat_recfile *rf;	/* the events or live file */
	struct pmdstat_parse_error *err;
	unsigned int line;
	unsigned int version;
	char **tok;
	size_t nr_tok;
	size_t cap_tok;
	size_t open_hist;		/* index into st->hist, or NO_HIST */
	unsigned int open_line;		/* line of the open hist */
	bool seen_kernel;
	bool seen_state;
	bool seen_totals;
};

#define NO_HIST		SIZE_MAX
#define TOKEN_SHOWN	"%.48s"		/* how much of a bad token a message quotes */

/* ---- lines.c ---- */

/* Run the line loop of p->file over buf; p->st or p->rf set by the caller. */
enum pmdstat_parse_code parse_run(struct parser *p, const char *buf, size_t len);

__attribute__((format(printf, 3, 4)))
enum pmdstat_parse_code parse_fail(struct parser *p, enum pmdstat_parse_code code,
				   const char *fmt, ...);
enum pmdstat_parse_code parse_nomem(struct parser *p);
/* An unsigned decimal u64: digits only, no sign, no spaces, no overflow. */
bool parse_u64(const char *s, u64 *val);
/* The key=value tokens after the keyword, into kvs (emptied first). */
enum pmdstat_parse_code parse_kvs(struct parser *p, struct pmdstat_kvs *kvs);
/* A required numeric key; val may be NULL. */
enum pmdstat_parse_code parse_need_u64(struct parser *p,
				       const struct pmdstat_kvs *kvs,
				       const char *key, u64 *val);
/* The error of a file that ends without its Totals: line. */
enum pmdstat_parse_code parse_no_totals(struct parser *p);
/* The keys of a Totals: line, all required numbers; kvs then moves to dst. */
enum pmdstat_parse_code parse_totals_into(struct parser *p, struct pmdstat_kvs *kvs,
					  const char *const *keys, size_t nr,
					  struct pmdstat_kvs *dst);

void pmdstat_kvs_free(struct pmdstat_kvs *kvs);
int pmdstat_kvs_add(struct pmdstat_kvs *kvs, const char *key, size_t klen,
		    const char *value);
/* Remove key from kvs and hand its value over to the caller. */
char *pmdstat_kvs_take(struct pmdstat_kvs *kvs, const char *key);
/* Deep copy into dst: 0 or -ENOMEM (dst is then empty). */
int pmdstat_kvs_dup(const struct pmdstat_kvs *src, struct pmdstat_kvs *dst);
/*
 * d -= a for the numeric keys of both that fields.c's table has as
 * counters on line (or does not know); the others stay d's.
 */
void pmdstat_kvs_sub(struct pmdstat_kvs *d, const struct pmdstat_kvs *a,
		     const char *line);

/*
 * d += b key by key, by the rules of fields.c for line: IDENT keys stay
 * d's, MAX numbers become the larger, GAUGE keys and values that are not
 * numbers become b's, other numbers are added (saturating); a key only in
 * b is appended.  0 or -ENOMEM.
 */
int pmdstat_kvs_merge(struct pmdstat_kvs *d, const struct pmdstat_kvs *b,
		      const char *line);

/* ---- records.c ---- */

/* The fields of line (fields.c) in kvs: required ones there, each of its type. */
enum pmdstat_parse_code parse_check_fields(struct parser *p,
					   const struct pmdstat_kvs *kvs,
					   const char *line);

/*
 * A record line of the stats file (layout, lock, caller, outlier, locks):
 * true if kw is one, then *rc is the outcome of parsing it into p->st.
 */
bool records_parse_stats_line(struct parser *p, const char *kw,
			      enum pmdstat_parse_code *rc);
/* The record fields of struct pmdstat_stats: free, copy, subtract. */
void records_stats_free(struct pmdstat_stats *st);
int records_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst);
void records_stats_delta(const struct pmdstat_stats *a, struct pmdstat_stats *d);
/* The record part of pmdstat_stats_add(): 0 or -ENOMEM. */
int records_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b);

#endif /* PMDSTAT_PARSE_PRIV_H */
