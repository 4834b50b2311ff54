// SPDX-License-Identifier: GPL-2.0
/*
 * records.c - record lines: one keyword and key=value tokens, kept whole
 * (every key, in file order) after checking the keys version 1 defines.
 * fields.c's table says which keys are required and of what type, which
 * keys name a line (no two lines alike), and how a delta treats them.
 * The stats file has layout, lock, caller, outlier and locks lines, and
 * the race detector's races, violations, violation and overlap lines; the
 * events and live files are nothing but a header, records and Totals:.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "fields.h"
#include "parse.h"
#include "parse_priv.h"

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

enum pmdstat_parse_code parse_check_fields(struct parser *p,
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

bool records_parse_stats_line(struct parser *p, const char *kw,
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

void records_stats_free(struct pmdstat_stats *st)
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

int records_stats_dup(const struct pmdstat_stats *src, struct pmdstat_stats *dst)
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

void records_stats_delta(const struct pmdstat_stats *a, struct pmdstat_stats *d)
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
int records_stats_add(struct pmdstat_stats *sum, const struct pmdstat_stats *b)
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
