/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - helpers shared by the unit tests: a fixed-seed random
 * generator, a hand-built snapshot, checks of parsed data against the
 * snapshot it came from, and a small strict JSON parser to read the
 * reader's JSON back.
 *
 * Header-only, like tap.h: each test program is one .c file that includes
 * it (see the unit-test rule of the Makefile).
 */
#ifndef PMDSTAT_TESTLIB_H
#define PMDSTAT_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "parse.h"
#include "snapshot.h"
#include "tap.h"

/* Not every test program uses every helper. */
#define TESTLIB_FN	static __attribute__((unused))

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	bool b;
	bool is_u64;		/* a number that is an unsigned integer in u64 */
	u64 num;
	char *str;		/* J_STR: decoded UTF-8 */
	size_t n;		/* J_ARR, J_OBJ: members */
	struct json **item;
	char **key;		/* J_OBJ */
};

/* xorshift64*: the same sequence on every run. */
TESTLIB_FN u64 test_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* A value of random magnitude: every log2 bucket gets hit. */
TESTLIB_FN u64 rand_value(u64 *state)
{
	u64 r = test_rand(state);

	return r >> (test_rand(state) % 64);
}

static const struct {
	const char *symbol;
	const char *reads;
	unsigned int role;
} test_sites[] = {
	{ "huge_pmd_share", "args:mm,vma,addr,pud;ret:table", PMDSTAT_ROLE_SHARE },
	{ "huge_pmd_unshare", "args:tlb,vma,addr,ptep;ret:int", PMDSTAT_ROLE_UNSHARE },
	{ "__huge_pmd_unshare.constprop.0.isra.0",
	  "args:tlb,mm,file,addr,ptep;ret:int;layout:from-huge_pmd_unshare",
	  PMDSTAT_ROLE_UNSHARE },
	{ "huge_pmd_share.part.0", "", PMDSTAT_ROLE_SHARE },
};

/* Add n more random events to every counter and histogram of s. */
TESTLIB_FN void test_add_events(struct pmdstat_snapshot *s, u64 *state, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < s->nr_sites; i++) {
		struct pmdstat_snap_site *site = &s->site[i];

		site->missed += test_rand(state) % 3;
		for (k = 0; k < n; k++) {
			u64 v = rand_value(state);
			unsigned int out = (unsigned int)(test_rand(state) %
				(site->role == PMDSTAT_ROLE_SHARE ? 3 : 2));
			bool nested = test_rand(state) % 5 == 0;

			site->st.hits++;
			site->st.out[out]++;
			pmdstat_hist_add(&site->st.lat, v);
			if (nested) {
				site->st.nested++;
				continue;
			}
			s->role[site->role].out[out]++;
			pmdstat_hist_add(&s->role[site->role].lat, v);
		}
	}
	s->elapsed_ns += test_rand(state) % 1000000000;
}

/*
 * A snapshot with both roles, a compiler clone, a site without reads, big
 * counters, and histograms filled by pmdstat_hist_add() with values of
 * every magnitude (including 0 and UINT64_MAX) drawn from seed.
 */
TESTLIB_FN void test_make_snapshot(struct pmdstat_snapshot *s, u64 seed)
{
	u64 state = seed ? seed : 1;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	snprintf(s->release, sizeof(s->release), "6.1.0-56-amd64");
	snprintf(s->module_version, sizeof(s->module_version), "0.1");
	s->elapsed_ns = test_rand(&state) >> 8;
	s->resets = test_rand(&state) % 10;
	s->maxactive = 64;
	s->nr_sites = TAP_COUNT(test_sites);
	for (i = 0; i < s->nr_sites; i++) {
		struct pmdstat_snap_site *site = &s->site[i];

		snprintf(site->symbol, sizeof(site->symbol), "%s", test_sites[i].symbol);
		snprintf(site->reads, sizeof(site->reads), "%s", test_sites[i].reads);
		site->role = test_sites[i].role;
	}
	test_add_events(s, &state, 150);
	/* the extremes */
	pmdstat_hist_add(&s->role[PMDSTAT_ROLE_SHARE].lat, 0);
	pmdstat_hist_add(&s->role[PMDSTAT_ROLE_SHARE].lat, UINT64_MAX);
	pmdstat_hist_add(&s->site[0].st.lat, 0);
	pmdstat_hist_add(&s->site[0].st.lat, UINT64_MAX);
	/* counters as big as u64 gets */
	s->site[3].st.hits = UINT64_MAX - 5;
	s->site[3].missed = UINT64_MAX / 3;
}

/* pmdstat_format(s) into a fresh buffer (to be freed by the caller). */
TESTLIB_FN void test_format(const struct pmdstat_snapshot *s, pmdstat_out_t *out)
{
	pmdstat_out_init(out);
	pmdstat_format(out, s);
}

TESTLIB_FN enum pmdstat_parse_code test_parse_str(const char *text,
						  struct pmdstat_stats *st,
						  struct pmdstat_parse_error *err)
{
	return pmdstat_parse(text, strlen(text), st, err);
}

/* Format s and parse the text; the parse code is returned. */
TESTLIB_FN enum pmdstat_parse_code test_roundtrip(const struct pmdstat_snapshot *s,
						  struct pmdstat_stats *st)
{
	struct pmdstat_parse_error err;
	enum pmdstat_parse_code rc;
	pmdstat_out_t out;

	test_format(s, &out);
	rc = pmdstat_parse(out.buf, out.len, st, &err);
	if (rc)
		printf("# parse failed: %s\n", err.msg);
	pmdstat_out_free(&out);
	return rc;
}

/* CHECK every field of the parsed hist h against the snapshot's hist. */
TESTLIB_FN void test_check_hist(const struct pmdstat_phist *h, const char *name,
				const struct pmdstat_hist *want)
{
	size_t k = 0;
	unsigned int i;

	if (!CHECK(h != NULL)) {
		printf("# no hist %s\n", name);
		return;
	}
	CHECK_STR(h->name, name);
	CHECK_STR(h->unit, "ns");
	CHECK_U64(h->count, want->count);
	CHECK_U64(h->sum, want->sum);
	CHECK_U64(h->max, want->max);
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		if (!want->slot[i])
			continue;
		if (!CHECK(k < h->nr_buckets))
			return;
		CHECK_U64(h->bucket[k].lo, pmdstat_hist_lo(i));
		CHECK_U64(h->bucket[k].hi, pmdstat_hist_hi(i));
		CHECK_U64(h->bucket[k].count, want->slot[i]);
		k++;
	}
	CHECK_U64(h->nr_buckets, k);
}

/* An owned parsed hist of the buckets of want (free with test_free_phist). */
TESTLIB_FN void test_phist_from(struct pmdstat_phist *h, const struct pmdstat_hist *want)
{
	unsigned int i;

	memset(h, 0, sizeof(*h));
	h->name = strdup("test");
	h->unit = strdup("ns");
	h->count = want->count;
	h->sum = want->sum;
	h->max = want->max;
	h->bucket = calloc(PMDSTAT_HIST_SLOTS, sizeof(*h->bucket));
	for (i = 0; i < PMDSTAT_HIST_SLOTS; i++) {
		if (!want->slot[i])
			continue;
		h->bucket[h->nr_buckets].lo = pmdstat_hist_lo(i);
		h->bucket[h->nr_buckets].hi = pmdstat_hist_hi(i);
		h->bucket[h->nr_buckets].count = want->slot[i];
		h->nr_buckets++;
	}
}

TESTLIB_FN void test_free_phist(struct pmdstat_phist *h)
{
	free(h->name);
	free(h->unit);
	free(h->bucket);
	memset(h, 0, sizeof(*h));
}

/* ---- JSON ---- */

struct jp {
	const char *s;
	const char *err;
	int depth;
};

TESTLIB_FN void jskip(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

TESTLIB_FN struct json *jnew(enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	v->type = t;
	return v;
}

TESTLIB_FN void jpush(struct json *v, char *key, struct json *item)
{
	v->item = realloc(v->item, (v->n + 1) * sizeof(*v->item));
	v->key = realloc(v->key, (v->n + 1) * sizeof(*v->key));
	v->item[v->n] = item;
	v->key[v->n] = key;
	v->n++;
}

TESTLIB_FN int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

TESTLIB_FN bool read_hex4(struct jp *p, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(p->s[i]);

		if (h < 0)
			return false;
		*cp = *cp << 4 | (unsigned int)h;
	}
	p->s += 4;
	return true;
}

TESTLIB_FN void put_utf8(pmdstat_out_t *o, unsigned int cp)
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

TESTLIB_FN char *jstring(struct jp *p)
{
	pmdstat_out_t o;

	if (*p->s != '"') {
		p->err = "expected a string";
		return NULL;
	}
	p->s++;
	pmdstat_out_init(&o);
	pmdstat_out_append(&o, "", 0);
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		unsigned int cp, lo;

		if (!c || c < 0x20) {
			p->err = c ? "raw control character in a string" : "unterminated string";
			pmdstat_out_free(&o);
			return NULL;
		}
		if (c != '\\') {
			pmdstat_out_append(&o, p->s++, 1);
			continue;
		}
		p->s++;
		switch (*p->s++) {
		case '"':
			pmdstat_out_append(&o, "\"", 1);
			break;
		case '\\':
			pmdstat_out_append(&o, "\\", 1);
			break;
		case '/':
			pmdstat_out_append(&o, "/", 1);
			break;
		case 'b':
			pmdstat_out_append(&o, "\b", 1);
			break;
		case 'f':
			pmdstat_out_append(&o, "\f", 1);
			break;
		case 'n':
			pmdstat_out_append(&o, "\n", 1);
			break;
		case 'r':
			pmdstat_out_append(&o, "\r", 1);
			break;
		case 't':
			pmdstat_out_append(&o, "\t", 1);
			break;
		case 'u':
			if (!read_hex4(p, &cp))
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->s[0] != '\\' || p->s[1] != 'u')
					goto bad;
				p->s += 2;
				if (!read_hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			put_utf8(&o, cp);
			break;
		default:
			goto bad;
		}
	}
	p->s++;
	return o.buf;
bad:
	p->err = "bad escape in a string";
	pmdstat_out_free(&o);
	return NULL;
}

TESTLIB_FN struct json *jvalue(struct jp *p);
TESTLIB_FN void json_free(struct json *v);

TESTLIB_FN struct json *jnumber(struct jp *p)
{
	const char *start = p->s;
	struct json *v = jnew(J_NUM);
	bool integer = true;
	u64 n = 0;

	if (*p->s == '-') {
		integer = false;
		p->s++;
	}
	if (*p->s == '0') {
		p->s++;
	} else if (*p->s >= '1' && *p->s <= '9') {
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	} else {
		p->err = "bad number";
		free(v);
		return NULL;
	}
	if (*p->s == '.') {
		integer = false;
		p->s++;
		if (*p->s < '0' || *p->s > '9')
			goto bad;
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	if (*p->s == 'e' || *p->s == 'E') {
		integer = false;
		p->s++;
		if (*p->s == '+' || *p->s == '-')
			p->s++;
		if (*p->s < '0' || *p->s > '9')
			goto bad;
		while (*p->s >= '0' && *p->s <= '9')
			p->s++;
	}
	v->is_u64 = integer;
	for (; integer && start < p->s; start++) {
		unsigned int d = (unsigned int)(*start - '0');

		if (n > (UINT64_MAX - d) / 10) {
			v->is_u64 = false;
			break;
		}
		n = n * 10 + d;
	}
	v->num = n;
	return v;
bad:
	p->err = "bad number";
	free(v);
	return NULL;
}

TESTLIB_FN struct json *jcontainer(struct jp *p, bool object)
{
	struct json *v = jnew(object ? J_OBJ : J_ARR);
	char close = object ? '}' : ']';

	p->s++;
	jskip(p);
	if (*p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct json *item;
		size_t i;

		jskip(p);
		if (object) {
			key = jstring(p);
			if (!key)
				goto bad;
			for (i = 0; i < v->n; i++)
				if (!strcmp(v->key[i], key)) {
					p->err = "duplicate key";
					free(key);
					goto bad;
				}
			jskip(p);
			if (*p->s != ':') {
				p->err = "expected ':'";
				free(key);
				goto bad;
			}
			p->s++;
		}
		item = jvalue(p);
		if (!item) {
			free(key);
			goto bad;
		}
		jpush(v, key, item);
		jskip(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s == close) {
			p->s++;
			return v;
		}
		p->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

TESTLIB_FN struct json *jvalue(struct jp *p)
{
	struct json *v = NULL;

	jskip(p);
	if (++p->depth > 64) {
		p->err = "nested too deep";
		return NULL;
	}
	switch (*p->s) {
	case '{':
		v = jcontainer(p, true);
		break;
	case '[':
		v = jcontainer(p, false);
		break;
	case '"':
		v = jnew(J_STR);
		v->str = jstring(p);
		if (!v->str) {
			free(v);
			v = NULL;
		}
		break;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
			v = jnew(J_BOOL);
			v->b = *p->s == 't';
			p->s += v->b ? 4 : 5;
		} else if (!strncmp(p->s, "null", 4)) {
			v = jnew(J_NULL);
			p->s += 4;
		} else {
			p->err = "bad literal";
		}
		break;
	default:
		v = jnumber(p);
		break;
	}
	p->depth--;
	return v;
}

/* Parse exactly one JSON value (RFC 8259, duplicate keys refused). */
TESTLIB_FN struct json *json_parse(const char *text, const char **err)
{
	struct jp p = { .s = text };
	struct json *v = jvalue(&p);

	if (v) {
		jskip(&p);
		if (*p.s) {
			p.err = "text after the value";
			json_free(v);
			v = NULL;
		}
	}
	if (err)
		*err = v ? NULL : (p.err ? p.err : "error");
	return v;
}

/* Free a value of json_parse() (NULL is fine). */
TESTLIB_FN void json_free(struct json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(v->item[i]);
		free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	free(v->str);
	free(v);
}

/* Member key of object v, or NULL. */
TESTLIB_FN const struct json *json_get(const struct json *v, const char *key)
{
	size_t i;

	if (!v || v->type != J_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key))
			return v->item[i];
	return NULL;
}

#endif /* PMDSTAT_TESTLIB_H */
