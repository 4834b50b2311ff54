// SPDX-License-Identifier: GPL-2.0
/*
 * lines.c - the line layer under the parsers of the stats, events and live
 * files (parse.c, records.c): errors that name the line, the line loop
 * with its version check, tokens, key=value lists and what a delta and a
 * sum do to them (by the rules of fields.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "parse_priv.h"

/* Keys of version 1 whose values must be numbers when present. */
enum pmdstat_parse_code parse_fail(struct parser *p, enum pmdstat_parse_code code,
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

enum pmdstat_parse_code parse_nomem(struct parser *p)
{
	return parse_fail(p, PMDSTAT_PARSE_ENOMEM, "out of memory");
}

bool parse_u64(const char *s, u64 *val)
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

void pmdstat_kvs_free(struct pmdstat_kvs *kvs)
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

int pmdstat_kvs_add(struct pmdstat_kvs *kvs, const char *key, size_t klen,
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

char *pmdstat_kvs_take(struct pmdstat_kvs *kvs, const char *key)
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

int pmdstat_kvs_dup(const struct pmdstat_kvs *src, struct pmdstat_kvs *dst)
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

/* ---- lines ---- */

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

enum pmdstat_parse_code parse_kvs(struct parser *p, struct pmdstat_kvs *kvs)
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

enum pmdstat_parse_code parse_need_u64(struct parser *p,
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

enum pmdstat_parse_code parse_totals_into(struct parser *p, struct pmdstat_kvs *kvs,
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

enum pmdstat_parse_code parse_no_totals(struct parser *p)
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

enum pmdstat_parse_code parse_run(struct parser *p, const char *buf, size_t len)
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

/* The new decimal fits in the old string: it is not larger. */
void pmdstat_kvs_sub(struct pmdstat_kvs *d, const struct pmdstat_kvs *a,
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

int pmdstat_kvs_merge(struct pmdstat_kvs *d, const struct pmdstat_kvs *b,
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
