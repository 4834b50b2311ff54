// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - a recursive-descent JSON reader (see json.h).  pmdstat writes
 * its JSON with pmdstat_render_json(); this reads it back for the
 * commands that work on recordings, and refuses anything that a writer
 * of RFC 8259 JSON could not have produced.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "out.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct jreader {
	const char *start;
	const char *s;
	const char *end;
	int depth;
	char *err;
	size_t size;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void jfail(struct jreader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return;
	r->failed = true;
	if (!r->size)
		return;
	n = snprintf(r->err, r->size, "byte %zu: ", (size_t)(r->s - r->start) + 1);
	if (n < 0 || (size_t)n >= r->size)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->size - (size_t)n, fmt, ap);
	va_end(ap);
}

static int peek(const struct jreader *r)
{
	return r->s < r->end ? (unsigned char)*r->s : -1;
}

static void skip_ws(struct jreader *r)
{
	while (r->s < r->end &&
	       (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r'))
		r->s++;
}

static struct pmdstat_json *jnew(struct jreader *r, enum pmdstat_json_type t)
{
	struct pmdstat_json *v = calloc(1, sizeof(*v));

	if (!v)
		jfail(r, "out of memory");
	else
		v->type = t;
	return v;
}

void pmdstat_json_free(struct pmdstat_json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		pmdstat_json_free(v->item[i]);
		if (v->key)
			free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	free(v->str);
	free(v);
}

const char *pmdstat_json_type_name(enum pmdstat_json_type t)
{
	static const char *const names[] = {
		[PMDSTAT_JSON_NULL] = "null", [PMDSTAT_JSON_BOOL] = "a boolean",
		[PMDSTAT_JSON_NUM] = "a number", [PMDSTAT_JSON_STR] = "a string",
		[PMDSTAT_JSON_ARR] = "an array", [PMDSTAT_JSON_OBJ] = "an object",
	};

	return (unsigned int)t < ARRAY_SIZE(names) ? names[t] : "?";
}

const struct pmdstat_json *pmdstat_json_get(const struct pmdstat_json *v,
					    const char *key)
{
	size_t i;

	if (!v || v->type != PMDSTAT_JSON_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key))
			return v->item[i];
	return NULL;
}

/* ---- strings ---- */

static int hex4(struct jreader *r, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		int c = peek(r);
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		*cp = *cp << 4 | d;
		r->s++;
	}
	return 0;
}

static void put_utf8(pmdstat_out_t *o, unsigned int cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	pmdstat_out_append(o, b, n);
}

size_t pmdstat_utf8_seq(const unsigned char *s, const unsigned char *end)
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

static int escape(struct jreader *r, pmdstat_out_t *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	unsigned int cp, lo;
	int c = peek(r);

	r->s++;
	p = c > 0 ? strchr(from, c) : NULL;
	if (p) {
		pmdstat_out_append(o, &to[p - from], 1);
		return 0;
	}
	if (c != 'u' || hex4(r, &cp))
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->end - r->s < 2 || r->s[0] != '\\' || r->s[1] != 'u')
			return -1;
		r->s += 2;
		if (hex4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return -1;
	}
	if (!cp) {
		r->s -= 6;
		jfail(r, "\\u0000 in a string: pmdstat never writes a NUL character");
		return -2;
	}
	put_utf8(o, cp);
	return 0;
}

static char *jstring(struct jreader *r)
{
	pmdstat_out_t o;

	if (peek(r) != '"') {
		jfail(r, "expected a string");
		return NULL;
	}
	r->s++;
	pmdstat_out_init(&o);
	pmdstat_out_append(&o, "", 0);
	for (;;) {
		int c = peek(r);
		size_t n;

		if (c == '"')
			break;
		if (c < 0) {
			jfail(r, "unterminated string");
			goto bad;
		}
		if (c < 0x20) {
			jfail(r, "raw control character 0x%02x in a string", c);
			goto bad;
		}
		if (c == '\\') {
			int e;

			r->s++;
			e = escape(r, &o);

			if (e == -1)
				jfail(r, "bad escape in a string");
			if (e)
				goto bad;
			continue;
		}
		n = pmdstat_utf8_seq((const unsigned char *)r->s,
				     (const unsigned char *)r->end);
		if (!n) {
			jfail(r, "a string that is not valid UTF-8");
			goto bad;
		}
		pmdstat_out_append(&o, r->s, n);
		r->s += n;
	}
	r->s++;
	if (pmdstat_out_failed(&o)) {
		jfail(r, "out of memory");
		return NULL;
	}
	return o.buf;
bad:
	pmdstat_out_free(&o);
	return NULL;
}

/* ---- numbers, literals, containers ---- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static struct pmdstat_json *jnumber(struct jreader *r)
{
	const char *start = r->s, *p;
	struct pmdstat_json *v;
	bool integer = true;
	char buf[64];
	u64 n = 0;

	if (peek(r) == '-') {
		integer = false;
		r->s++;
	}
	if (peek(r) == '0') {
		r->s++;
	} else if (is_digit(peek(r))) {
		while (is_digit(peek(r)))
			r->s++;
	} else {
		jfail(r, "expected a value");
		return NULL;
	}
	if (peek(r) == '.') {
		integer = false;
		r->s++;
		if (!is_digit(peek(r)))
			goto bad;
		while (is_digit(peek(r)))
			r->s++;
	}
	if (peek(r) == 'e' || peek(r) == 'E') {
		integer = false;
		r->s++;
		if (peek(r) == '+' || peek(r) == '-')
			r->s++;
		if (!is_digit(peek(r)))
			goto bad;
		while (is_digit(peek(r)))
			r->s++;
	}
	v = jnew(r, PMDSTAT_JSON_NUM);
	if (!v)
		return NULL;
	v->is_u64 = integer;
	for (p = start; integer && p < r->s; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (n > (UINT64_MAX - d) / 10) {
			v->is_u64 = false;
			break;
		}
		n = n * 10 + d;
	}
	v->u = v->is_u64 ? n : 0;
	if ((size_t)(r->s - start) < sizeof(buf)) {
		memcpy(buf, start, (size_t)(r->s - start));
		buf[r->s - start] = '\0';
		v->d = strtod(buf, NULL);
	} else {
		v->d = (double)n;	/* only long digit strings get here */
	}
	return v;
bad:
	jfail(r, "bad number");
	return NULL;
}

static struct pmdstat_json *jvalue(struct jreader *r);

static int jpush(struct pmdstat_json *v, char *key, struct pmdstat_json *item)
{
	struct pmdstat_json **ni;
	char **nk;

	ni = realloc(v->item, (v->n + 1) * sizeof(*v->item));
	if (!ni)
		return -ENOMEM;
	v->item = ni;
	if (v->type == PMDSTAT_JSON_OBJ) {
		nk = realloc(v->key, (v->n + 1) * sizeof(*v->key));
		if (!nk)
			return -ENOMEM;
		v->key = nk;
		v->key[v->n] = key;
	}
	v->item[v->n++] = item;
	return 0;
}

static struct pmdstat_json *jcontainer(struct jreader *r, bool object)
{
	struct pmdstat_json *v = jnew(r, object ? PMDSTAT_JSON_OBJ : PMDSTAT_JSON_ARR);
	char close = object ? '}' : ']';

	if (!v)
		return NULL;
	r->s++;
	skip_ws(r);
	if (peek(r) == close) {
		r->s++;
		return v;
	}
	for (;;) {
		struct pmdstat_json *item;
		char *key = NULL;

		skip_ws(r);
		if (object) {
			const char *at = r->s;

			key = jstring(r);
			if (!key)
				goto bad;
			if (pmdstat_json_get(v, key)) {
				r->s = at;
				jfail(r, "the key \"%.48s\" appears twice in an object", key);
				free(key);
				goto bad;
			}
			skip_ws(r);
			if (peek(r) != ':') {
				jfail(r, "expected ':' after a key");
				free(key);
				goto bad;
			}
			r->s++;
		}
		item = jvalue(r);
		if (!item || jpush(v, key, item)) {
			if (item)
				jfail(r, "out of memory");
			pmdstat_json_free(item);
			free(key);
			goto bad;
		}
		skip_ws(r);
		if (peek(r) == ',') {
			r->s++;
			continue;
		}
		if (peek(r) == close) {
			r->s++;
			return v;
		}
		jfail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto bad;
	}
bad:
	pmdstat_json_free(v);
	return NULL;
}

static struct pmdstat_json *jliteral(struct jreader *r)
{
	static const struct {
		const char *text;
		enum pmdstat_json_type type;
		bool b;
	} lits[] = {
		{ "true", PMDSTAT_JSON_BOOL, true },
		{ "false", PMDSTAT_JSON_BOOL, false },
		{ "null", PMDSTAT_JSON_NULL, false },
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(lits); i++) {
		struct pmdstat_json *v;

		n = strlen(lits[i].text);
		if ((size_t)(r->end - r->s) < n || memcmp(r->s, lits[i].text, n))
			continue;
		r->s += n;
		v = jnew(r, lits[i].type);
		if (v)
			v->b = lits[i].b;
		return v;
	}
	jfail(r, "expected a value");
	return NULL;
}

static struct pmdstat_json *jvalue(struct jreader *r)
{
	struct pmdstat_json *v;
	int c;

	skip_ws(r);
	if (++r->depth > PMDSTAT_JSON_DEPTH) {
		jfail(r, "nested more than %d deep", PMDSTAT_JSON_DEPTH);
		return NULL;
	}
	c = peek(r);
	if (c == '{' || c == '[') {
		v = jcontainer(r, c == '{');
	} else if (c == '"') {
		v = jnew(r, PMDSTAT_JSON_STR);
		if (v) {
			v->str = jstring(r);
			if (!v->str) {
				free(v);
				v = NULL;
			}
		}
	} else if (c == 't' || c == 'f' || c == 'n') {
		v = jliteral(r);
	} else if (c < 0) {
		jfail(r, "end of the text where a value was expected");
		v = NULL;
	} else {
		v = jnumber(r);
	}
	r->depth--;
	return v;
}

struct pmdstat_json *pmdstat_json_parse(const char *text, size_t len,
					char *err, size_t size)
{
	struct jreader r = {
		.start = text, .s = text, .end = text + len, .err = err, .size = size,
	};
	struct pmdstat_json *v;

	if (size)
		err[0] = '\0';
	v = jvalue(&r);
	if (v) {
		skip_ws(&r);
		if (r.s < r.end) {
			jfail(&r, "text after the value");
			pmdstat_json_free(v);
			v = NULL;
		}
	}
	return v;
}
