// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - the parser of the pmdstat stats format, version 1
 * (docs/format.md), and of the events and live files; plus percentiles,
 * averages, snapshot deltas and sums on the parsed data.
 *
 * The parser is strict about what version 1 defines (required keys,
 * numbers, hist/bucket/end nesting, Totals: last, a newline at the end so
 * that a truncated file is never taken for a complete one) and lenient
 * about what the format allows to grow: unknown keys are kept, unknown line
 * keywords are skipped.
 *
 * In layers, each using those above it: the lines (errors that name the
 * line, the line loop with its version check, tokens, key=value lists and
 * what a delta and a sum do to them by the rules of fields.c); the record
 * lines, kept whole (every key, in file order) after checking the keys
 * version 1 defines: fields.c's table says which keys are required and of
 * what type, which keys name a line (no two lines alike), and how a delta
 * treats them (layout, lock, caller, outlier and locks lines, the race
 * detector's races, violations, violation and overlap lines, and the events
 * and live files, nothing but a header, records and Totals:); then the
 * stats file and the arithmetic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "fields.h"
#include "hist.h"
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

/* ==== lines ==== */

/* code, with "line N: " and the message in p->err (if there is one). */
__attribute__((format(printf, 3, 4)))
static enum pmdstat_parse_code parse_fail(struct parser *p, enum pmdstat_parse_code code,
					  const char *fmt, ...)
{
	struct pmdstat_parse_error *err = p->err;
	va_list ap;
	int n;

	if (!err)
		return code;
	err->code = code;
	err->line = p->line;
	n = snprintf(err->msg, sizeof(err->msg), "line %u: ", p->line);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return code;
}

static enum pmdstat_parse_code parse_nomem(struct parser *p)
{
	return parse_fail(p, PMDSTAT_PARSE_ENOMEM, "out of memory");
}

/* An unsigned decimal u64: digits only, no sign, no spaces, no overflow. */
static bool parse_u64(const char *s, u64 *val)
{
	u64 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*val = v;
	return true;
}

/* ---- key=value lists ---- */

static void pmdstat_kvs_free(struct pmdstat_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++) {
		free(kvs->kv[i].key);
		free(kvs->kv[i].value);
	}
	free(kvs->kv);
	memset(kvs, 0, sizeof(*kvs));
}

const struct pmdstat_kv *pmdstat_kv_find(const struct pmdstat_kvs *kvs,
					 const char *key)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++)
		if (!strcmp(kvs->kv[i].key, key))
			return &kvs->kv[i];
	return NULL;
}

int pmdstat_kv_u64(const struct pmdstat_kvs *kvs, const char *key, u64 *val)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, key);

	if (!kv)
		return -ENOENT;
	if (!kv->numeric)
		return -EINVAL;
	*val = kv->num;
	return 0;
}

u64 pmdstat_kv_get(const struct pmdstat_kvs *kvs, const char *key, u64 def)
{
	u64 v;

	return pmdstat_kv_u64(kvs, key, &v) ? def : v;
}

const char *pmdstat_kv_str(const struct pmdstat_kvs *kvs, const char *key,
			   const char *def)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, key);

	return kv ? kv->value : def;
}

static int pmdstat_kvs_add(struct pmdstat_kvs *kvs, const char *key, size_t klen,
			   const char *value)
{
	struct pmdstat_kv *kv;

	if (pmdstat_grow((void **)&kvs->kv, &kvs->cap, kvs->nr, sizeof(*kvs->kv)))
		return -ENOMEM;
	kv = &kvs->kv[kvs->nr];
	kv->key = strndup(key, klen);
	kv->value = strdup(value);
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return -ENOMEM;
	}
	kv->numeric = parse_u64(value, &kv->num);
	if (!kv->numeric)
		kv->num = 0;
	kvs->nr++;
	return 0;
}

/* Remove key from kvs and hand its value over to the caller. */
static char *pmdstat_kvs_take(struct pmdstat_kvs *kvs, const char *key)
{
	struct pmdstat_kv *kv = (struct pmdstat_kv *)pmdstat_kv_find(kvs, key);
	size_t i;
	char *v;

	if (!kv)
		return NULL;
	i = (size_t)(kv - kvs->kv);
	v = kv->value;
	free(kv->key);
	memmove(kv, kv + 1, (kvs->nr - i - 1) * sizeof(*kv));
	kvs->nr--;
	return v;
}

/* Deep copy into dst: 0 or -ENOMEM (dst is then empty). */
static int pmdstat_kvs_dup(const struct pmdstat_kvs *src, struct pmdstat_kvs *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->nr; i++) {
		const struct pmdstat_kv *kv = &src->kv[i];

		if (pmdstat_kvs_add(dst, kv->key, strlen(kv->key), kv->value)) {
			pmdstat_kvs_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Is the key of klen bytes at key (not NUL-terminated) in kvs? */
static bool kvs_find_n(const struct pmdstat_kvs *kvs, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++)
		if (!strncmp(kvs->kv[i].key, key, klen) && !kvs->kv[i].key[klen])
			return true;
	return false;
}

/* ---- tokens, the line loop ---- */

/* Split line in place at spaces; empty tokens (double spaces) are skipped. */
static int tokenize(struct parser *p, char *line)
{
	char *s = line;

	p->nr_tok = 0;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			return 0;
		if (pmdstat_grow((void **)&p->tok, &p->cap_tok, p->nr_tok, sizeof(*p->tok)))
			return -ENOMEM;
		p->tok[p->nr_tok++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The key=value tokens after the keyword, into kvs (emptied first). */
static enum pmdstat_parse_code parse_kvs(struct parser *p, struct pmdstat_kvs *kvs)
{
	size_t i;

	memset(kvs, 0, sizeof(*kvs));
	for (i = 1; i < p->nr_tok; i++) {
		const char *t = p->tok[i];
		const char *eq = strchr(t, '=');

		if (!eq || eq == t) {
			pmdstat_kvs_free(kvs);
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: expected key=value, got '" TOKEN_SHOWN "'",
					  p->tok[0], t);
		}
		if (kvs_find_n(kvs, t, (size_t)(eq - t))) {
			pmdstat_kvs_free(kvs);
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: key '%.*s' appears twice",
					  p->tok[0], (int)(eq - t), t);
		}
		if (pmdstat_kvs_add(kvs, t, (size_t)(eq - t), eq + 1)) {
			pmdstat_kvs_free(kvs);
			return parse_nomem(p);
		}
	}
	return PMDSTAT_PARSE_OK;
}

/* A required numeric key; val may be NULL. */
static enum pmdstat_parse_code parse_need_u64(struct parser *p,
					      const struct pmdstat_kvs *kvs,
					      const char *key, u64 *val)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, key);

	if (!kv)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line has no %s=",
				  p->tok[0], key);
	if (!kv->numeric)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "'%s' line: %s=" TOKEN_SHOWN " is not an unsigned decimal number",
				  p->tok[0], key, kv->value);
	if (val)
		*val = kv->num;
	return PMDSTAT_PARSE_OK;
}

/*
 * Line 1.  Only the version= token is looked at before the version is known
 * to be 1: a later version may change the rest of the grammar.
 */
static enum pmdstat_parse_code parse_version(struct parser *p)
{
	static const char hint[] = "use the pmdstat reader built with the module";
	const struct parse_file *f = p->file;
	u64 v;
	size_t i;

	if (!p->nr_tok || strcmp(p->tok[0], f->magic))
		return parse_fail(p, PMDSTAT_PARSE_NOVERSION,
				  "not a pmdstat %s file: the first line must be '%s version=N'",
				  f->what, f->magic);
	for (i = 1; i < p->nr_tok; i++)
		if (!strncmp(p->tok[i], "version=", 8))
			break;
	if (i == p->nr_tok || !parse_u64(p->tok[i] + 8, &v))
		return parse_fail(p, PMDSTAT_PARSE_NOVERSION,
				  "the first line has no valid version=N");
	if (v > PMDSTAT_READER_FORMAT)
		return parse_fail(p, PMDSTAT_PARSE_VERSION,
				  "%s format version %llu is newer than this pmdstat understands (%d): %s",
				  f->what, (unsigned long long)v, PMDSTAT_READER_FORMAT, hint);
	if (v != PMDSTAT_READER_FORMAT)
		return parse_fail(p, PMDSTAT_PARSE_VERSION,
				  "%s format version %llu is not one this pmdstat understands (%d): %s",
				  f->what, (unsigned long long)v, PMDSTAT_READER_FORMAT, hint);
	p->version = (unsigned int)v;
	return f->header ? f->header(p) : PMDSTAT_PARSE_OK;
}

/* The keys of a Totals: line, all required numbers; kvs then moves to dst. */
static enum pmdstat_parse_code parse_totals_into(struct parser *p, struct pmdstat_kvs *kvs,
						 const char *const *keys, size_t nr,
						 struct pmdstat_kvs *dst)
{
	enum pmdstat_parse_code rc;
	size_t i;

	for (i = 0; i < nr; i++) {
		rc = parse_need_u64(p, kvs, keys[i], NULL);
		if (rc)
			return rc;
	}
	*dst = *kvs;
	memset(kvs, 0, sizeof(*kvs));
	p->seen_totals = true;
	return PMDSTAT_PARSE_OK;
}

/* The error of a file that ends without its Totals: line. */
static enum pmdstat_parse_code parse_no_totals(struct parser *p)
{
	return parse_fail(p, PMDSTAT_PARSE_NOTOTALS,
			  "end of file without a Totals: line: the file is truncated");
}

/* A line after line 1: what every file has in common, then the file's own. */
static enum pmdstat_parse_code parse_any_line(struct parser *p)
{
	const char *kw;

	if (!p->nr_tok)
		return PMDSTAT_PARSE_OK;	/* blank line */
	kw = p->tok[0];
	if (p->seen_totals)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "'%s' after the Totals: line, which must be the last (two files joined?)",
				  kw);
	if (!strcmp(kw, p->file->magic))
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "a second '%s' header (two files joined?)", kw);
	return p->file->line(p);
}

/* Run the line loop of p->file over buf; p->st or p->rf set by the caller. */
static enum pmdstat_parse_code parse_run(struct parser *p, const char *buf, size_t len)
{
	enum pmdstat_parse_code rc = PMDSTAT_PARSE_OK;
	const char *pos = buf, *end = buf + len;
	char *line = NULL;
	size_t line_cap = 0;

	p->open_hist = NO_HIST;
	if (p->err) {
		p->err->code = PMDSTAT_PARSE_OK;
		p->err->line = 0;
		p->err->msg[0] = '\0';
	}
	while (!rc && pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t n = nl ? (size_t)(nl - pos) : (size_t)(end - pos);

		p->line++;
		if (n + 1 > line_cap) {
			char *nline = realloc(line, n + 1);

			if (!nline) {
				rc = parse_nomem(p);
				break;
			}
			line = nline;
			line_cap = n + 1;
		}
		memcpy(line, pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n)) {
			rc = parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a NUL byte in the line");
			break;
		}
		if (tokenize(p, line)) {
			rc = parse_nomem(p);
			break;
		}
		if (p->line == 1)
			rc = parse_version(p);
		if (rc)
			break;
		if (!nl)
			rc = parse_fail(p, PMDSTAT_PARSE_TRUNCATED,
					"no newline at the end of the last line: the file is truncated");
		else if (p->line > 1)
			rc = parse_any_line(p);
	}
	if (!rc) {
		p->line++;
		if (p->line == 1)
			rc = parse_fail(p, PMDSTAT_PARSE_NOVERSION,
					"empty file: not a pmdstat %s file", p->file->what);
		else
			rc = p->file->eof(p);
	}
	free(line);
	free(p->tok);
	p->tok = NULL;
	return rc;
}

/*
 * d -= a for the numeric keys of both that fields.c's table has as
 * counters on line (or does not know); the others stay d's.  The new
 * decimal fits in the old string: it is not larger.
 */
static void pmdstat_kvs_sub(struct pmdstat_kvs *d, const struct pmdstat_kvs *a,
			    const char *line)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		struct pmdstat_kv *kv = &d->kv[i];
		const struct pmdstat_kv *ka = pmdstat_kv_find(a, kv->key);

		if (!kv->numeric || !ka || !ka->numeric ||
		    pmdstat_field_rule(line, kv->key) != PMDSTAT_R_SUM)
			continue;
		kv->num = pmdstat_sub_sat(kv->num, ka->num);
		snprintf(kv->value, strlen(kv->value) + 1, "%llu",
			 (unsigned long long)kv->num);
	}
}

/* kv's value becomes value (a copy): 0 or -ENOMEM. */
static int kv_set(struct pmdstat_kv *kv, const char *value)
{
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	free(kv->value);
	kv->value = v;
	kv->numeric = parse_u64(v, &kv->num);
	if (!kv->numeric)
		kv->num = 0;
	return 0;
}

static int kv_set_num(struct pmdstat_kv *kv, u64 n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
	return kv_set(kv, buf);
}

/*
 * d += b key by key, by the rules of fields.c for line: IDENT keys stay
 * d's, MAX numbers become the larger, GAUGE keys and values that are not
 * numbers become b's, other numbers are added (saturating); a key only in
 * b is appended.  0 or -ENOMEM.
 */
static int pmdstat_kvs_merge(struct pmdstat_kvs *d, const struct pmdstat_kvs *b,
			     const char *line)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < b->nr; i++) {
		const struct pmdstat_kv *kb = &b->kv[i];
		struct pmdstat_kv *kd = (struct pmdstat_kv *)pmdstat_kv_find(d, kb->key);
		bool numbers = kd && kd->numeric && kb->numeric;
		enum pmdstat_frule rule = pmdstat_field_rule(line, kb->key);

		if (!kd)
			err = pmdstat_kvs_add(d, kb->key, strlen(kb->key), kb->value);
		else if (rule == PMDSTAT_R_IDENT)
			continue;
		else if (numbers && rule == PMDSTAT_R_MAX)
			err = kv_set_num(kd, kd->num > kb->num ? kd->num : kb->num);
		else if (!numbers || rule != PMDSTAT_R_SUM)
			err = kv_set(kd, kb->value);
		else
			err = kv_set_num(kd, pmdstat_add_sat(kd->num, kb->num));
	}
	return err;
}

/* ==== record lines ==== */

struct schema {
	const char *keyword;
	const char *fields;		/* the line of fields.c whose fields it has */
	bool single;			/* one line at most */
	bool unique;			/* no two lines with the same IDENT fields */
	bool newer;			/* a delta has the newer snapshot's lines */
	size_t off;			/* in pmdstat_stats: kvs if single, else records */
	enum pmdstat_parse_code (*check)(struct parser *p,
					 const struct pmdstat_kvs *kvs);
};

static enum pmdstat_parse_code check_live(struct parser *p,
					  const struct pmdstat_kvs *kvs);
static enum pmdstat_parse_code check_violations(struct parser *p,
						const struct pmdstat_kvs *kvs);

#define STATS(kw, member)	.keyword = kw, .fields = kw, \
				.off = offsetof(struct pmdstat_stats, member)

static const struct schema stats_schemas[] = {
	{ STATS("layout", layout), .single = true, .newer = true },
	{ STATS("lock", locks), .unique = true },
	{ STATS("caller", callers), .unique = true },
	{ STATS("blocked_by", blocked_by), .unique = true },
	{ STATS("outlier", outliers), .unique = true, .newer = true },
	{ STATS("locks", lock_state), .single = true },
	{ STATS("races", races), .single = true },
	/* a count per kind: the fields are the module's kind names */
	{ STATS("violations", violations), .single = true, .check = check_violations },
	{ STATS("violation", violation_log), .unique = true, .newer = true },
	{ STATS("overlap", overlap_log), .unique = true, .newer = true },
};

static const struct schema event_schema = { .keyword = "event", .fields = "outlier" };

static const struct schema live_schema = {
	.keyword = "live", .fields = "live", .check = check_live,
};

/* ---- checking one line ---- */

static bool is_choice(const char *v, const char *const *choices)
{
	for (; *choices; choices++)
		if (!strcmp(v, *choices))
			return true;
	return false;
}

static void join_choices(char *buf, size_t size, const char *const *choices)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *choices && n < size; choices++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				      *choices);
}

static bool is_dev(const char *v)
{
	const char *colon = strchr(v, ':');
	char major[24];
	u64 x;

	if (!colon || (size_t)(colon - v) >= sizeof(major))
		return false;
	memcpy(major, v, (size_t)(colon - v));
	major[colon - v] = '\0';
	return parse_u64(major, &x) && parse_u64(colon + 1, &x);
}

static bool is_list(const char *v)
{
	if (!*v || *v == ',')
		return false;
	for (; *v; v++)
		if (*v == ',' && (!v[1] || v[1] == ','))
			return false;
	return true;
}

static enum pmdstat_parse_code check_field(struct parser *p,
					   const struct pmdstat_kvs *kvs,
					   const struct pmdstat_field *f)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, f->key);
	const char *kw = p->tok[0];
	char list[64];

	if (!kv && f->optional)
		return PMDSTAT_PARSE_OK;
	if (!kv)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line has no %s=",
				  kw, f->key);
	switch (f->type) {
	case PMDSTAT_F_NUM:
		return parse_need_u64(p, kvs, f->key, NULL);
	case PMDSTAT_F_STR:
		if (!kv->value[0])
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: %s= is empty", kw, f->key);
		break;
	case PMDSTAT_F_CHOICE:
		if (!is_choice(kv->value, f->choices)) {
			join_choices(list, sizeof(list), f->choices);
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: %s=" TOKEN_SHOWN " is not one of %s",
					  kw, f->key, kv->value, list);
		}
		break;
	case PMDSTAT_F_DEV:
		if (!is_dev(kv->value))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: %s=" TOKEN_SHOWN " is not MAJOR:MINOR (two unsigned decimal numbers)",
					  kw, f->key, kv->value);
		break;
	case PMDSTAT_F_LIST:
		if (!is_list(kv->value))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'%s' line: %s=" TOKEN_SHOWN " is not 'none' or a list of items separated by ','",
					  kw, f->key, kv->value);
		break;
	}
	return PMDSTAT_PARSE_OK;
}

/* The fields of line (fields.c) in kvs: required ones there, each of its type. */
static enum pmdstat_parse_code parse_check_fields(struct parser *p,
						  const struct pmdstat_kvs *kvs,
						  const char *line)
{
	enum pmdstat_parse_code rc = PMDSTAT_PARSE_OK;
	const struct pmdstat_field *f = NULL;

	while (!rc && (f = pmdstat_field_next(line, f)))
		rc = check_field(p, kvs, f);
	return rc;
}

static enum pmdstat_parse_code check_live(struct parser *p,
					  const struct pmdstat_kvs *kvs)
{
	static const char *const lock_keys[] = {
		"lock", "mode", "dev", "ino", "contended",
	};
	const char *state = pmdstat_kv_str(kvs, "state", "");
	size_t i;

	if (!strcmp(state, "share")) {
		if (!pmdstat_kv_find(kvs, "scan"))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'live' line of state=share has no scan=");
		return PMDSTAT_PARSE_OK;
	}
	for (i = 0; i < ARRAY_SIZE(lock_keys); i++)
		if (!pmdstat_kv_find(kvs, lock_keys[i]))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "'live' line of state=%s has no %s=",
					  state, lock_keys[i]);
	return PMDSTAT_PARSE_OK;
}

/*
 * Every kind of pmdstat_violation_name() is required; a key it does not
 * know is a kind of a later module: a count all the same.
 */
static enum pmdstat_parse_code check_violations(struct parser *p,
						const struct pmdstat_kvs *kvs)
{
	enum pmdstat_parse_code rc = PMDSTAT_PARSE_OK;
	size_t i;

	for (i = 0; !rc && i < PMDSTAT_NR_VIOLATIONS; i++)
		rc = parse_need_u64(p, kvs, pmdstat_violation_name((unsigned int)i), NULL);
	for (i = 0; !rc && i < kvs->nr; i++)
		rc = parse_need_u64(p, kvs, kvs->kv[i].key, NULL);
	return rc;
}

/* Do a and b have the same values for every IDENT field of line? */
static bool same_ident(const struct pmdstat_kvs *a, const struct pmdstat_kvs *b,
		       const char *line)
{
	const struct pmdstat_field *f = NULL;

	while ((f = pmdstat_field_next(line, f)))
		if (f->rule == PMDSTAT_R_IDENT &&
		    strcmp(pmdstat_kv_str(a, f->key, ""), pmdstat_kv_str(b, f->key, "")))
			return false;
	return true;
}

static const struct pmdstat_kvs *find_same(const struct pmdstat_records *r,
					   const struct pmdstat_kvs *kvs,
					   const char *line, size_t hint)
{
	size_t i;

	if (hint < r->nr && same_ident(&r->rec[hint], kvs, line))
		return &r->rec[hint];
	for (i = 0; i < r->nr; i++)
		if (same_ident(&r->rec[i], kvs, line))
			return &r->rec[i];
	return NULL;
}

static enum pmdstat_parse_code fail_twice(struct parser *p, const struct schema *sc,
					  const struct pmdstat_kvs *kvs)
{
	const struct pmdstat_field *f = NULL;
	char what[160];
	size_t n = 0;

	what[0] = '\0';
	while ((f = pmdstat_field_next(sc->fields, f)) && n < sizeof(what))
		if (f->rule == PMDSTAT_R_IDENT)
			n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s=%.48s",
					      n ? " " : "", f->key,
					      pmdstat_kv_str(kvs, f->key, ""));
	return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second '%s' line with %s",
			  sc->keyword, what);
}

/* The line in p's tokens, checked against sc, into dest. */
static enum pmdstat_parse_code parse_record(struct parser *p, const struct schema *sc,
					    void *dest)
{
	struct pmdstat_kvs kvs;
	enum pmdstat_parse_code rc;

	if (sc->single && ((struct pmdstat_kvs *)dest)->nr)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second '%s' line",
				  sc->keyword);
	rc = parse_kvs(p, &kvs);
	if (rc)
		return rc;
	rc = parse_check_fields(p, &kvs, sc->fields);
	if (!rc && sc->check)
		rc = sc->check(p, &kvs);
	if (!rc && sc->single) {
		*(struct pmdstat_kvs *)dest = kvs;
		return PMDSTAT_PARSE_OK;
	}
	if (!rc) {
		struct pmdstat_records *r = dest;

		if (sc->unique && find_same(r, &kvs, sc->fields, SIZE_MAX))
			rc = fail_twice(p, sc, &kvs);
		else if (pmdstat_grow((void **)&r->rec, &r->cap, r->nr, sizeof(*r->rec)))
			rc = parse_nomem(p);
		else
			r->rec[r->nr++] = kvs;
	}
	if (rc)
		pmdstat_kvs_free(&kvs);
	return rc;
}

/* ---- the record fields of the stats file ---- */

static void *stats_field(const struct pmdstat_stats *st, const struct schema *sc)
{
	return (char *)st + sc->off;
}

/*
 * A record line of the stats file (layout, lock, caller, outlier, locks):
 * true if kw is one, then *rc is the outcome of parsing it into p->st.
 */
static bool records_parse_stats_line(struct parser *p, const char *kw,
				     enum pmdstat_parse_code *rc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stats_schemas); i++) {
		const struct schema *sc = &stats_schemas[i];

		if (!strcmp(kw, sc->keyword)) {
			*rc = parse_record(p, sc, stats_field(p->st, sc));
			return true;
		}
	}
	return false;
}

static void records_free(struct pmdstat_records *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		pmdstat_kvs_free(&r->rec[i]);
	free(r->rec);
	memset(r, 0, sizeof(*r));
}

static int records_dup(const struct pmdstat_records *src, struct pmdstat_records *dst)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->nr)
		return 0;
	dst->rec = calloc(src->nr, sizeof(*dst->rec));
	if (!dst->rec)
		return -ENOMEM;
	dst->cap = src->nr;
	for (; dst->nr < src->nr; dst->nr++)
		if (pmdstat_kvs_dup(&src->rec[dst->nr], &dst->rec[dst->nr])) {
			records_free(dst);
			return -ENOMEM;
		}
	return 0;
}

/* The record fields of struct pmdstat_stats: free, copy, subtract, add. */
static void records_stats_free(struct pmdstat_stats *st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stats_schemas); i++) {
		const struct schema *sc = &stats_schemas[i];

		if (sc->single)
			pmdstat_kvs_free(stats_field(st, sc));
		else
			records_free(stats_field(st, sc));
	}
}

static int records_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stats_schemas); i++) {
		const struct schema *sc = &stats_schemas[i];
		int err;

		if (sc->single)
			err = pmdstat_kvs_dup(stats_field(src, sc), stats_field(dst, sc));
		else
			err = records_dup(stats_field(src, sc), stats_field(dst, sc));
		if (err)
			return err;
	}
	return 0;
}

static void records_stats_delta(const struct pmdstat_stats *a, struct pmdstat_stats *d)
{
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(stats_schemas); i++) {
		const struct schema *sc = &stats_schemas[i];
		struct pmdstat_records *rd;
		const struct pmdstat_records *ra;

		if (sc->newer)
			continue;
		if (sc->single) {
			pmdstat_kvs_sub(stats_field(d, sc), stats_field(a, sc), sc->fields);
			continue;
		}
		rd = stats_field(d, sc);
		ra = stats_field(a, sc);
		for (k = 0; k < rd->nr; k++) {
			const struct pmdstat_kvs *x = find_same(ra, &rd->rec[k], sc->fields, k);

			if (x)
				pmdstat_kvs_sub(&rd->rec[k], x, sc->fields);
		}
	}
}

/* The newer schemas' lines are b's; the others add up by their ident keys. */
static int records_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b)
{
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(stats_schemas); i++) {
		const struct schema *sc = &stats_schemas[i];
		struct pmdstat_records *rs = stats_field(sum, sc);
		const struct pmdstat_records *rb = stats_field(b, sc);
		struct pmdstat_kvs *ks = stats_field(sum, sc);
		const struct pmdstat_kvs *kb = stats_field(b, sc);
		int err = 0;

		if (sc->single && (sc->newer || !ks->nr)) {
			pmdstat_kvs_free(ks);
			err = pmdstat_kvs_dup(kb, ks);
		} else if (sc->single) {
			err = pmdstat_kvs_merge(ks, kb, sc->fields);
		} else if (sc->newer) {
			records_free(rs);
			err = records_dup(rb, rs);
		}
		if (err)
			return err;
		if (sc->single || sc->newer)
			continue;
		for (k = 0; k < rb->nr; k++) {
			struct pmdstat_kvs *x = (struct pmdstat_kvs *)
				(sc->unique ? find_same(rs, &rb->rec[k], sc->fields, k) : NULL);

			if (x) {
				err = pmdstat_kvs_merge(x, &rb->rec[k], sc->fields);
			} else if (pmdstat_grow((void **)&rs->rec, &rs->cap, rs->nr,
					      sizeof(*rs->rec))) {
				err = -ENOMEM;
			} else {
				err = pmdstat_kvs_dup(&rb->rec[k], &rs->rec[rs->nr]);
				if (!err)
					rs->nr++;
			}
			if (err)
				return err;
		}
	}
	return 0;
}

const struct pmdstat_kvs *pmdstat_find_lock(const struct pmdstat_stats *st,
					    const char *kind, const char *mode)
{
	size_t i;

	for (i = 0; i < st->locks.nr; i++) {
		const struct pmdstat_kvs *l = &st->locks.rec[i];

		if (!strcmp(pmdstat_kv_str(l, "kind", ""), kind) &&
		    !strcmp(pmdstat_kv_str(l, "mode", ""), mode))
			return l;
	}
	return NULL;
}

/* ---- the events and live files ---- */

struct recfile_kind {
	struct parse_file file;			/* first: p->file points here */
	const struct schema *rec;
	const char *const *header_keys;		/* required numbers of line 1 */
	size_t nr_header_keys;
	const char *const *totals_keys;		/* required numbers of Totals: */
	size_t nr_totals_keys;
	const char *count_key;			/* the Totals: key counting records */
};

static const struct recfile_kind *kind_of(const struct parser *p)
{
	return (const struct recfile_kind *)p->file;
}

static enum pmdstat_parse_code recfile_header(struct parser *p)
{
	const struct recfile_kind *k = kind_of(p);
	struct pmdstat_recfile *rf = p->rf;
	enum pmdstat_parse_code rc;
	size_t i;

	rf->version = p->version;
	rc = parse_kvs(p, &rf->header);
	for (i = 0; !rc && i < k->nr_header_keys; i++)
		rc = parse_need_u64(p, &rf->header, k->header_keys[i], NULL);
	free(pmdstat_kvs_take(&rf->header, "version"));
	return rc;
}

static enum pmdstat_parse_code recfile_line(struct parser *p)
{
	const struct recfile_kind *k = kind_of(p);
	const char *kw = p->tok[0];
	struct pmdstat_kvs kvs;
	enum pmdstat_parse_code rc;

	if (!strcmp(kw, k->rec->keyword))
		return parse_record(p, k->rec, &p->rf->rec);
	if (strcmp(kw, "Totals:"))
		return PMDSTAT_PARSE_OK;	/* unknown keyword: ignored */
	rc = parse_kvs(p, &kvs);
	if (!rc)
		rc = parse_totals_into(p, &kvs, k->totals_keys, k->nr_totals_keys,
				       &p->rf->totals);
	pmdstat_kvs_free(&kvs);
	return rc;
}

static enum pmdstat_parse_code recfile_eof(struct parser *p)
{
	const struct recfile_kind *k = kind_of(p);
	u64 n;

	if (!p->seen_totals)
		return parse_no_totals(p);
	n = pmdstat_kv_get(&p->rf->totals, k->count_key, 0);
	if (n != p->rf->rec.nr)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "Totals: %s=%llu, but the file has %zu '%s' lines",
				  k->count_key, (unsigned long long)n, p->rf->rec.nr,
				  k->rec->keyword);
	return PMDSTAT_PARSE_OK;
}

static const char *const events_header[] = { "threshold_us" };
static const char *const events_totals[] = { "events", "logged", "drops", "capacity" };
static const char *const live_totals[] = { "live", "tracked_i_mmap", "tracked_vma_lock" };

static const struct recfile_kind events_kind = {
	.file = {
		.magic = "pmdstat-events", .what = "events",
		.header = recfile_header, .line = recfile_line, .eof = recfile_eof,
	},
	.rec = &event_schema,
	.header_keys = events_header, .nr_header_keys = ARRAY_SIZE(events_header),
	.totals_keys = events_totals, .nr_totals_keys = ARRAY_SIZE(events_totals),
	.count_key = "logged",
};

static const struct recfile_kind live_kind = {
	.file = {
		.magic = "pmdstat-live", .what = "live",
		.header = recfile_header, .line = recfile_line, .eof = recfile_eof,
	},
	.rec = &live_schema,
	.totals_keys = live_totals, .nr_totals_keys = ARRAY_SIZE(live_totals),
	.count_key = "live",
};

void pmdstat_recfile_free(struct pmdstat_recfile *f)
{
	pmdstat_kvs_free(&f->header);
	records_free(&f->rec);
	pmdstat_kvs_free(&f->totals);
	memset(f, 0, sizeof(*f));
}

static enum pmdstat_parse_code parse_recfile(const struct recfile_kind *k,
					     const char *buf, size_t len,
					     struct pmdstat_recfile *f,
					     struct pmdstat_parse_error *err)
{
	struct parser p = { .file = &k->file, .rf = f, .err = err };
	enum pmdstat_parse_code rc;

	memset(f, 0, sizeof(*f));
	rc = parse_run(&p, buf, len);
	if (rc)
		pmdstat_recfile_free(f);
	return rc;
}

enum pmdstat_parse_code pmdstat_parse_events(const char *buf, size_t len,
					     struct pmdstat_recfile *f,
					     struct pmdstat_parse_error *err)
{
	return parse_recfile(&events_kind, buf, len, f, err);
}

enum pmdstat_parse_code pmdstat_parse_live(const char *buf, size_t len,
					   struct pmdstat_recfile *f,
					   struct pmdstat_parse_error *err)
{
	return parse_recfile(&live_kind, buf, len, f, err);
}

/* ==== the stats file ==== */

/* Take the string value of a required key out of kvs into *val. */
static enum pmdstat_parse_code parse_need_str(struct parser *p, struct pmdstat_kvs *kvs,
					      const char *key, bool nonempty, char **val)
{
	const struct pmdstat_kv *kv = pmdstat_kv_find(kvs, key);

	if (!kv)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line has no %s=",
				  p->tok[0], key);
	if (nonempty && !kv->value[0])
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "'%s' line: %s= is empty",
				  p->tok[0], key);
	*val = pmdstat_kvs_take(kvs, key);
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_kernel(struct parser *p, struct pmdstat_kvs *kvs)
{
	enum pmdstat_parse_code rc;

	if (p->seen_kernel)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second 'kernel' line");
	p->seen_kernel = true;
	rc = parse_need_str(p, kvs, "release", false, &p->st->release);
	if (!rc)
		rc = parse_need_str(p, kvs, "module", false, &p->st->module);
	return rc;
}

static enum pmdstat_parse_code parse_state(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	enum pmdstat_parse_code rc;

	if (p->seen_state)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second 'state' line");
	p->seen_state = true;
	rc = parse_need_u64(p, kvs, "elapsed_ns", &st->elapsed_ns);
	if (!rc)
		rc = parse_need_u64(p, kvs, "resets", &st->resets);
	if (!rc)
		rc = parse_need_u64(p, kvs, "maxactive", &st->maxactive);
	if (!rc) {
		/* absent before it existed: the slow paths, then the only way */
		const char *c = pmdstat_kv_str(kvs, "contention", "slowpath");

		st->contention_unknown = !strcmp(c, "none") || !strcmp(c, "partial");
	}
	return rc;
}

static void probe_free(struct pmdstat_probe *pr)
{
	free(pr->symbol);
	free(pr->role);
	pmdstat_kvs_free(&pr->keys);
	memset(pr, 0, sizeof(*pr));
}

static enum pmdstat_parse_code parse_probe(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	struct pmdstat_probe pr = { 0 };
	enum pmdstat_parse_code rc;

	rc = parse_check_fields(p, kvs, "probe");
	if (!rc)
		rc = parse_need_str(p, kvs, "symbol", true, &pr.symbol);
	if (!rc)
		rc = parse_need_str(p, kvs, "role", true, &pr.role);
	if (!rc && pmdstat_grow((void **)&st->probe, &st->cap_probes, st->nr_probes,
			      sizeof(*st->probe)))
		rc = parse_nomem(p);
	if (rc) {
		probe_free(&pr);
		return rc;
	}
	pr.keys = *kvs;
	memset(kvs, 0, sizeof(*kvs));
	st->probe[st->nr_probes++] = pr;
	return PMDSTAT_PARSE_OK;
}

static void hist_free(struct pmdstat_phist *h)
{
	free(h->name);
	free(h->unit);
	free(h->bucket);
	free(h->fine);
	memset(h, 0, sizeof(*h));
}

static enum pmdstat_parse_code no_end(struct parser *p)
{
	return parse_fail(p, PMDSTAT_PARSE_NOEND,
			  "hist %s (line %u) has no 'end' line before this '%s' line",
			  p->st->hist[p->open_hist].name, p->open_line, p->tok[0]);
}

static enum pmdstat_parse_code parse_hist(struct parser *p, struct pmdstat_kvs *kvs)
{
	struct pmdstat_stats *st = p->st;
	struct pmdstat_phist h = { 0 };
	enum pmdstat_parse_code rc;

	if (p->open_hist != NO_HIST)
		return no_end(p);
	rc = parse_need_u64(p, kvs, "count", &h.count);
	if (!rc)
		rc = parse_need_u64(p, kvs, "sum", &h.sum);
	if (!rc)
		rc = parse_need_u64(p, kvs, "max", &h.max);
	if (!rc)
		rc = parse_need_str(p, kvs, "name", true, &h.name);
	if (!rc)
		rc = parse_need_str(p, kvs, "unit", true, &h.unit);
	if (!rc && pmdstat_find_hist(st, h.name))
		rc = parse_fail(p, PMDSTAT_PARSE_MALFORMED, "a second hist named %s",
				h.name);
	if (!rc && pmdstat_grow((void **)&st->hist, &st->cap_hists, st->nr_hists,
			      sizeof(*st->hist)))
		rc = parse_nomem(p);
	if (rc) {
		hist_free(&h);
		return rc;
	}
	p->open_hist = st->nr_hists;
	p->open_line = p->line;
	st->hist[st->nr_hists++] = h;
	return PMDSTAT_PARSE_OK;
}

int pmdstat_bucket_slot(const struct pmdstat_bucket *b)
{
	unsigned int i = pmdstat_hist_slot(b->lo);

	return b->lo == pmdstat_hist_lo(i) && b->hi == pmdstat_hist_hi(i) ? (int)i : -1;
}

bool pmdstat_hist_is_log2(const struct pmdstat_phist *h)
{
	size_t i;

	for (i = 0; i < h->nr_buckets; i++)
		if (pmdstat_bucket_slot(&h->bucket[i]) < 0)
			return false;
	return true;
}

/* b is exactly one fine sub-bucket of module/hist.h (not a log2 bucket) */
static bool is_fine_bucket(const struct pmdstat_bucket *b)
{
	unsigned int i = pmdstat_fhist_slot(b->lo);

	return b->lo == pmdstat_fhist_lo(i) && b->hi == pmdstat_fhist_hi(i);
}

static enum pmdstat_parse_code parse_bucket(struct parser *p)
{
	struct pmdstat_phist *h;
	struct pmdstat_bucket b;
	unsigned int i;
	u64 v[3];

	if (p->open_hist == NO_HIST)
		return parse_fail(p, PMDSTAT_PARSE_STRAY,
				  "'bucket' outside a hist (not between a 'hist' line and its 'end')");
	if (p->nr_tok != 4)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "'bucket' needs 3 numbers (lo hi count), got %zu tokens",
				  p->nr_tok - 1);
	for (i = 0; i < 3; i++)
		if (!parse_u64(p->tok[i + 1], &v[i]))
			return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
					  "bucket: '" TOKEN_SHOWN "' is not an unsigned decimal number",
					  p->tok[i + 1]);
	b.lo = v[0];
	b.hi = v[1];
	b.count = v[2];
	h = &p->st->hist[p->open_hist];
	if (b.lo > b.hi)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "bucket: lo %llu is above hi %llu",
				  (unsigned long long)b.lo, (unsigned long long)b.hi);
	if (h->nr_fine && b.lo <= h->fine[h->nr_fine - 1].hi)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED,
				  "bucket: %llu..%llu is not above the previous bucket of hist %s",
				  (unsigned long long)b.lo, (unsigned long long)b.hi, h->name);
	if (pmdstat_grow((void **)&h->fine, &h->cap_fine, h->nr_fine,
		       sizeof(*h->fine)))
		return parse_nomem(p);
	h->fine[h->nr_fine++] = b;
	if (is_fine_bucket(&b)) {
		/* a sub-bucket: into its log2 bucket, for display */
		i = pmdstat_hist_slot(b.lo);
		b.lo = pmdstat_hist_lo(i);
		b.hi = pmdstat_hist_hi(i);
		if (h->nr_buckets && h->bucket[h->nr_buckets - 1].lo == b.lo) {
			h->bucket[h->nr_buckets - 1].count += b.count;
			return PMDSTAT_PARSE_OK;
		}
	}
	if (pmdstat_grow((void **)&h->bucket, &h->cap_buckets, h->nr_buckets,
		       sizeof(*h->bucket)))
		return parse_nomem(p);
	h->bucket[h->nr_buckets++] = b;
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_totals(struct parser *p, struct pmdstat_kvs *kvs)
{
	if (p->open_hist != NO_HIST)
		return no_end(p);
	enum pmdstat_parse_code rc = parse_check_fields(p, kvs, "Totals:");

	return rc ? rc : parse_totals_into(p, kvs, NULL, 0, &p->st->totals);
}

static enum pmdstat_parse_code parse_line(struct parser *p)
{
	struct pmdstat_kvs kvs;
	enum pmdstat_parse_code rc;
	const char *kw = p->tok[0];

	if (!strcmp(kw, "bucket"))
		return parse_bucket(p);
	if (!strcmp(kw, "end")) {
		if (p->open_hist == NO_HIST)
			return parse_fail(p, PMDSTAT_PARSE_STRAY,
					  "'end' outside a hist (no open 'hist' line)");
		p->open_hist = NO_HIST;
		return PMDSTAT_PARSE_OK;
	}
	if (records_parse_stats_line(p, kw, &rc)) {
		if (!rc && p->open_hist != NO_HIST)
			rc = no_end(p);
		return rc;
	}
	if (strcmp(kw, "kernel") && strcmp(kw, "state") && strcmp(kw, "probe") &&
	    strcmp(kw, "hist") && strcmp(kw, "Totals:"))
		return PMDSTAT_PARSE_OK;	/* unknown keyword: ignored */

	rc = parse_kvs(p, &kvs);
	if (rc)
		return rc;
	if (!strcmp(kw, "kernel"))
		rc = parse_kernel(p, &kvs);
	else if (!strcmp(kw, "state"))
		rc = parse_state(p, &kvs);
	else if (!strcmp(kw, "probe"))
		rc = parse_probe(p, &kvs);
	else if (!strcmp(kw, "hist"))
		rc = parse_hist(p, &kvs);
	else
		rc = parse_totals(p, &kvs);
	pmdstat_kvs_free(&kvs);
	return rc;
}

static enum pmdstat_parse_code parse_stats_eof(struct parser *p)
{
	if (p->open_hist != NO_HIST)
		return parse_fail(p, PMDSTAT_PARSE_NOEND,
				  "end of file inside hist %s (line %u): no 'end' line, the file is truncated",
				  p->st->hist[p->open_hist].name, p->open_line);
	if (!p->seen_totals)
		return parse_no_totals(p);
	if (!p->seen_kernel)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "no 'kernel' line in the file");
	if (!p->seen_state)
		return parse_fail(p, PMDSTAT_PARSE_MALFORMED, "no 'state' line in the file");
	return PMDSTAT_PARSE_OK;
}

static enum pmdstat_parse_code parse_stats_header(struct parser *p)
{
	p->st->version = p->version;
	return PMDSTAT_PARSE_OK;
}

static const struct parse_file stats_file = {
	.magic = "pmdstat-stats",
	.what = "stats",
	.header = parse_stats_header,
	.line = parse_line,
	.eof = parse_stats_eof,
};

enum pmdstat_parse_code pmdstat_parse(const char *buf, size_t len,
				      struct pmdstat_stats *st,
				      struct pmdstat_parse_error *err)
{
	struct parser p = { .file = &stats_file, .st = st, .err = err };
	enum pmdstat_parse_code rc;

	memset(st, 0, sizeof(*st));
	rc = parse_run(&p, buf, len);
	if (rc)
		pmdstat_stats_free(st);
	return rc;
}

void pmdstat_stats_free(struct pmdstat_stats *st)
{
	size_t i;

	free(st->release);
	free(st->module);
	for (i = 0; i < st->nr_probes; i++)
		probe_free(&st->probe[i]);
	free(st->probe);
	for (i = 0; i < st->nr_hists; i++)
		hist_free(&st->hist[i]);
	free(st->hist);
	pmdstat_kvs_free(&st->totals);
	records_stats_free(st);
	memset(st, 0, sizeof(*st));
}

const struct pmdstat_probe *pmdstat_find_probe(const struct pmdstat_stats *st,
					       const char *symbol)
{
	size_t i;

	for (i = 0; i < st->nr_probes; i++)
		if (!strcmp(st->probe[i].symbol, symbol))
			return &st->probe[i];
	return NULL;
}

const struct pmdstat_phist *pmdstat_find_hist(const struct pmdstat_stats *st,
					      const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_hists; i++)
		if (!strcmp(st->hist[i].name, name))
			return &st->hist[i];
	return NULL;
}

/* ---- arithmetic ---- */

/* floor(a * b / c) for b <= c, c > 0, without overflow. */
static u64 muldiv(u64 a, u64 b, u64 c)
{
#ifdef __SIZEOF_INT128__
	return (u64)((unsigned __int128)a * b / c);
#else
	return (u64)((long double)a * b / c);
#endif
}

u64 pmdstat_hist_percentile(const struct pmdstat_phist *h, double p)
{
	/* the finest buckets known: the value is interpolated inside one */
	const struct pmdstat_bucket *bk = h->nr_fine ? h->fine : h->bucket;
	size_t nr = h->nr_fine ? h->nr_fine : h->nr_buckets;
	long double x;
	u64 rank, before = 0;
	size_t i;

	if (!h->count || !nr)
		return 0;
	if (!(p > 0))		/* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	x = (long double)p * h->count / 100;
	if (x >= (long double)h->count) {
		rank = h->count;
	} else {
		rank = (u64)x;
		if ((long double)rank < x)
			rank++;
	}
	if (!rank)
		rank = 1;
	for (i = 0; i < nr; i++) {
		const struct pmdstat_bucket *b = &bk[i];

		/* invariant: rank > before */
		if (b->count && rank - before <= b->count) {
			u64 v = b->lo + muldiv(b->hi - b->lo, rank - before, b->count);

			return v < h->max ? v : h->max;
		}
		before += b->count;
	}
	/* buckets hold fewer values than count (a racy snapshot) */
	return h->max;
}

u64 pmdstat_hist_avg(const struct pmdstat_phist *h)
{
	return h->count ? h->sum / h->count : 0;
}

static int hist_dup(const struct pmdstat_phist *src, struct pmdstat_phist *dst)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->unit = strdup(src->unit);
	dst->bucket = NULL;
	dst->cap_buckets = src->nr_buckets;
	if (src->nr_buckets) {
		dst->bucket = malloc(src->nr_buckets * sizeof(*dst->bucket));
		if (dst->bucket)
			memcpy(dst->bucket, src->bucket,
			       src->nr_buckets * sizeof(*dst->bucket));
	}
	dst->fine = NULL;
	dst->cap_fine = src->nr_fine;
	if (src->nr_fine) {
		dst->fine = malloc(src->nr_fine * sizeof(*dst->fine));
		if (dst->fine)
			memcpy(dst->fine, src->fine, src->nr_fine * sizeof(*dst->fine));
	}
	if (!dst->name || !dst->unit || (src->nr_buckets && !dst->bucket) ||
	    (src->nr_fine && !dst->fine)) {
		hist_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static int probe_dup(const struct pmdstat_probe *src, struct pmdstat_probe *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->symbol = strdup(src->symbol);
	dst->role = strdup(src->role);
	if (!dst->symbol || !dst->role || pmdstat_kvs_dup(&src->keys, &dst->keys)) {
		probe_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static char *strdup_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int pmdstat_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->version = src->version;
	dst->elapsed_ns = src->elapsed_ns;
	dst->resets = src->resets;
	dst->maxactive = src->maxactive;
	dst->contention_unknown = src->contention_unknown;
	dst->release = strdup_null(src->release);
	dst->module = strdup_null(src->module);
	if ((src->release && !dst->release) || (src->module && !dst->module))
		goto nomem;
	if (src->nr_probes) {
		dst->probe = calloc(src->nr_probes, sizeof(*dst->probe));
		if (!dst->probe)
			goto nomem;
		dst->cap_probes = src->nr_probes;
		for (i = 0; i < src->nr_probes; i++, dst->nr_probes++)
			if (probe_dup(&src->probe[i], &dst->probe[i]))
				goto nomem;
	}
	if (src->nr_hists) {
		dst->hist = calloc(src->nr_hists, sizeof(*dst->hist));
		if (!dst->hist)
			goto nomem;
		dst->cap_hists = src->nr_hists;
		for (i = 0; i < src->nr_hists; i++, dst->nr_hists++)
			if (hist_dup(&src->hist[i], &dst->hist[i]))
				goto nomem;
	}
	if (pmdstat_kvs_dup(&src->totals, &dst->totals) ||
	    records_stats_dup(src, dst))
		goto nomem;
	return 0;
nomem:
	pmdstat_stats_free(dst);
	return -ENOMEM;
}

/* d -= a, bucket by bucket; both lists ascend: walk them together */
static size_t buckets_sub(struct pmdstat_bucket *d, size_t nd,
			  const struct pmdstat_bucket *a, size_t na)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < nd; i++) {
		struct pmdstat_bucket *b = &d[i];

		while (j < na && a[j].hi < b->lo)
			j++;
		if (j < na && a[j].lo == b->lo && a[j].hi == b->hi)
			b->count = pmdstat_sub_sat(b->count, a[j].count);
		if (b->count)
			d[n++] = *b;
	}
	return n;
}

static void hist_sub(struct pmdstat_phist *d, const struct pmdstat_phist *a)
{
	d->count = pmdstat_sub_sat(d->count, a->count);
	d->sum = pmdstat_sub_sat(d->sum, a->sum);
	d->nr_buckets = buckets_sub(d->bucket, d->nr_buckets, a->bucket, a->nr_buckets);
	d->nr_fine = buckets_sub(d->fine, d->nr_fine, a->fine, a->nr_fine);
}

/* The probe of a matching d's probe i: same position first, else by symbol. */
static const struct pmdstat_probe *match_probe(const struct pmdstat_stats *a,
					       const struct pmdstat_probe *pd,
					       size_t i)
{
	if (i < a->nr_probes && !strcmp(a->probe[i].symbol, pd->symbol))
		return &a->probe[i];
	return pmdstat_find_probe(a, pd->symbol);
}

int pmdstat_stats_delta(const struct pmdstat_stats *a,
			const struct pmdstat_stats *b, struct pmdstat_stats *d)
{
	bool reset = b->resets != a->resets || b->elapsed_ns < a->elapsed_ns;
	size_t i;

	if (pmdstat_stats_dup(b, d))
		return -ENOMEM;
	d->resets = b->resets >= a->resets ? b->resets - a->resets : b->resets;
	if (reset)
		return 1;
	d->elapsed_ns = b->elapsed_ns - a->elapsed_ns;
	for (i = 0; i < d->nr_probes; i++) {
		const struct pmdstat_probe *pa = match_probe(a, &d->probe[i], i);

		if (pa)
			pmdstat_kvs_sub(&d->probe[i].keys, &pa->keys, "probe");
	}
	for (i = 0; i < d->nr_hists; i++) {
		const struct pmdstat_phist *ha = pmdstat_find_hist(a, d->hist[i].name);

		if (ha)
			hist_sub(&d->hist[i], ha);
	}
	pmdstat_kvs_sub(&d->totals, &a->totals, "Totals:");
	records_stats_delta(a, d);
	return 0;
}

/* ---- sums ---- */

/* *d += b: both bucket lists ascend; equal buckets add up. */
static int buckets_add(struct pmdstat_bucket **d, size_t *nd, size_t *cap,
		       const struct pmdstat_bucket *b, size_t nb)
{
	struct pmdstat_bucket *m;
	size_t i = 0, j = 0, n = 0;

	if (!nb)
		return 0;
	m = malloc((*nd + nb) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	while (i < *nd || j < nb) {
		const struct pmdstat_bucket *x = i < *nd ? &(*d)[i] : NULL;
		const struct pmdstat_bucket *y = j < nb ? &b[j] : NULL;

		if (x && y && x->lo == y->lo && x->hi == y->hi) {
			m[n] = *x;
			m[n++].count = pmdstat_add_sat(x->count, y->count);
			i++;
			j++;
		} else if (x && (!y || x->lo <= y->lo)) {
			m[n++] = *x;
			i++;
		} else {
			m[n++] = *y;
			j++;
		}
	}
	free(*d);
	*d = m;
	*nd = n;
	*cap = n;
	return 0;
}

/* d += b, the display buckets and the buckets as written */
static int hist_add(struct pmdstat_phist *d, const struct pmdstat_phist *b)
{
	d->count = pmdstat_add_sat(d->count, b->count);
	d->sum = pmdstat_add_sat(d->sum, b->sum);
	if (b->max > d->max)
		d->max = b->max;
	if (buckets_add(&d->bucket, &d->nr_buckets, &d->cap_buckets, b->bucket, b->nr_buckets))
		return -ENOMEM;
	return buckets_add(&d->fine, &d->nr_fine, &d->cap_fine, b->fine, b->nr_fine);
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup_null(src);

	if (src && !s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int pmdstat_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b)
{
	size_t i;
	int err;

	sum->version = b->version;
	sum->elapsed_ns = pmdstat_add_sat(sum->elapsed_ns, b->elapsed_ns);
	sum->resets = pmdstat_add_sat(sum->resets, b->resets);
	sum->maxactive = b->maxactive;
	sum->contention_unknown |= b->contention_unknown;
	if (replace_str(&sum->release, b->release) || replace_str(&sum->module, b->module))
		return -ENOMEM;
	for (i = 0; i < b->nr_probes; i++) {
		struct pmdstat_probe *ps = (struct pmdstat_probe *)
			pmdstat_find_probe(sum, b->probe[i].symbol);

		if (ps) {
			err = pmdstat_kvs_merge(&ps->keys, &b->probe[i].keys, "probe");
		} else {
			err = pmdstat_grow((void **)&sum->probe, &sum->cap_probes,
					 sum->nr_probes, sizeof(*sum->probe));
			if (!err)
				err = probe_dup(&b->probe[i], &sum->probe[sum->nr_probes]);
			if (!err)
				sum->nr_probes++;
		}
		if (err)
			return err;
	}
	for (i = 0; i < b->nr_hists; i++) {
		struct pmdstat_phist *hs = (struct pmdstat_phist *)
			pmdstat_find_hist(sum, b->hist[i].name);

		if (hs) {
			err = hist_add(hs, &b->hist[i]);
		} else {
			err = pmdstat_grow((void **)&sum->hist, &sum->cap_hists,
					 sum->nr_hists, sizeof(*sum->hist));
			if (!err)
				err = hist_dup(&b->hist[i], &sum->hist[sum->nr_hists]);
			if (!err)
				sum->nr_hists++;
		}
		if (err)
			return err;
	}
	err = pmdstat_kvs_merge(&sum->totals, &b->totals, "Totals:");
	return err ? err : records_stats_add(sum, b);
}
