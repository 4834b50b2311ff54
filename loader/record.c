// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - the recording format of pmdstat record (see record.h).
 *
 * A line is written by pmdstat_render_json() and read back through the
 * stats text format: each member of the JSON object becomes the line of
 * the text format it was made from ("probes" -> probe lines, "histograms"
 * -> hist/bucket/end, "locks" -> lock lines, ...), and pmdstat_parse()
 * checks it.  So a line is held to exactly the grammar of the module's own
 * file, by the same code, and a recording sums up like snapshots do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "record.h"

#define MS_MAX		1e15	/* 31709 years: anything larger is not a time */

void pmdstat_record_line(pmdstat_out_t *out, const struct pmdstat_stats *delta,
			 const struct pmdstat_render_opts *opts, u64 t_ms,
			 u64 interval_ms)
{
	struct pmdstat_render_opts ro = *opts;

	ro.record = true;
	ro.t_ms = t_ms;
	ro.interval_ms = interval_ms;
	pmdstat_render_json(out, delta, &ro);
	pmdstat_out_append(out, "\n", 1);
}

/* ---- JSON back to the text format ---- */

/* Where the conversion is, for its messages. */
struct conv {
	pmdstat_out_t *out;
	char *msg;
	size_t size;
	const char *where;	/* e.g. "probes" */
	size_t index;		/* of the element of where, or SIZE_MAX */
};

#define NO_INDEX	((size_t)-1)

__attribute__((format(printf, 2, 3)))
static int conv_fail(struct conv *c, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->where && c->index != NO_INDEX)
		n = snprintf(c->msg, c->size, "%s[%zu]: ", c->where, c->index);
	else if (c->where)
		n = snprintf(c->msg, c->size, "%s: ", c->where);
	if (n < 0 || (size_t)n >= c->size)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->msg + n, c->size - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A key or value of the text format: no space, no newline. */
static bool is_token(const char *s)
{
	return !strpbrk(s, "\n\r\t ");
}

static int put_number(struct conv *c, const char *key, const struct pmdstat_json *v)
{
	if (v->type != PMDSTAT_JSON_NUM || !v->is_u64)
		return conv_fail(c, "\"%.48s\" is %s, not an unsigned integer", key,
				 v->type == PMDSTAT_JSON_NUM ? "a number" :
				 pmdstat_json_type_name(v->type));
	pmdstat_printf(c->out, "%llu", (unsigned long long)v->u);
	return 0;
}

/* stack: an array of frames, written as the text format's list. */
static int put_frames(struct conv *c, const char *key, const struct pmdstat_json *v)
{
	size_t i;

	if (!v->n) {
		pmdstat_printf(c->out, "none");
		return 0;
	}
	for (i = 0; i < v->n; i++) {
		const struct pmdstat_json *f = v->item[i];

		if (f->type != PMDSTAT_JSON_STR || !f->str[0] || !is_token(f->str) ||
		    strchr(f->str, ','))
			return conv_fail(c, "\"%.48s\": frame %zu is not a stack frame", key, i);
		pmdstat_printf(c->out, "%s%s", i ? "," : "", f->str);
	}
	return 0;
}

/* " key=value" for one member of a record or a counter object. */
static int put_member(struct conv *c, const char *key, const struct pmdstat_json *v)
{
	if (!key[0] || !is_token(key) || strchr(key, '='))
		return conv_fail(c, "the key \"%.48s\" cannot come from pmdstat", key);
	pmdstat_printf(c->out, " %s=", key);
	switch (v->type) {
	case PMDSTAT_JSON_NUM:
		return put_number(c, key, v);
	case PMDSTAT_JSON_STR:
		if (!is_token(v->str))
			return conv_fail(c, "\"%.48s\": a value with a space or a newline cannot come from pmdstat",
					 key);
		pmdstat_printf(c->out, "%s", v->str);
		return 0;
	case PMDSTAT_JSON_ARR:
		if (!strcmp(key, "stack"))
			return put_frames(c, key, v);
		break;
	default:
		break;
	}
	return conv_fail(c, "\"%.48s\" is %s: expected a number or a string", key,
			 pmdstat_json_type_name(v->type));
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* "keyword key=value ...\n" from the members of obj, but those of skip. */
static int put_line(struct conv *c, const char *keyword, const struct pmdstat_json *obj,
		    const char *const *skip)
{
	size_t i;
	int err;

	if (obj->type != PMDSTAT_JSON_OBJ)
		return conv_fail(c, "%s, not an object", pmdstat_json_type_name(obj->type));
	pmdstat_printf(c->out, "%s", keyword);
	for (i = 0; i < obj->n; i++) {
		if (in_list(skip, obj->key[i]))
			continue;
		err = put_member(c, obj->key[i], obj->item[i]);
		if (err)
			return err;
	}
	pmdstat_printf(c->out, "\n");
	return 0;
}

/* The line of an object member, if the object has members. */
static int put_object(struct conv *c, const struct pmdstat_json *root,
		      const char *member, const char *keyword, const char *const *skip)
{
	const struct pmdstat_json *v = pmdstat_json_get(root, member);
	int err;

	if (!v || (v->type == PMDSTAT_JSON_OBJ && !v->n))
		return 0;
	c->where = member;
	c->index = NO_INDEX;
	err = put_line(c, keyword, v, skip);
	c->where = NULL;
	return err;
}

/* One line per element of an array member. */
static int put_array(struct conv *c, const struct pmdstat_json *parent,
		     const char *member, const char *keyword, const char *const *skip,
		     bool required)
{
	const struct pmdstat_json *v = pmdstat_json_get(parent, member);
	size_t i;
	int err = 0;

	c->where = member;
	c->index = NO_INDEX;
	if (!v && !required)
		goto out;
	if (!v) {
		c->where = NULL;
		err = conv_fail(c, "no \"%s\" array", member);
		goto out;
	}
	if (v->type != PMDSTAT_JSON_ARR) {
		err = conv_fail(c, "%s, not an array", pmdstat_json_type_name(v->type));
		goto out;
	}
	for (i = 0; !err && i < v->n; i++) {
		c->index = i;
		err = put_line(c, keyword, v->item[i], skip);
	}
out:
	c->where = NULL;
	return err;
}

static const struct pmdstat_json *need(struct conv *c, const struct pmdstat_json *obj,
				       const char *key, enum pmdstat_json_type type)
{
	const struct pmdstat_json *v = pmdstat_json_get(obj, key);

	if (!v || v->type != type || (type == PMDSTAT_JSON_NUM && !v->is_u64)) {
		conv_fail(c, "\"%s\" is %s: expected %s", key,
			  v ? pmdstat_json_type_name(v->type) : "missing",
			  type == PMDSTAT_JSON_NUM ? "an unsigned integer" :
			  pmdstat_json_type_name(type));
		return NULL;
	}
	if (type == PMDSTAT_JSON_STR && !is_token(v->str)) {
		conv_fail(c, "\"%s\": a value with a space or a newline cannot come from pmdstat",
			  key);
		return NULL;
	}
	return v;
}

static int put_bucket(struct conv *c, const struct pmdstat_json *b)
{
	size_t k;

	if (b->type != PMDSTAT_JSON_ARR || b->n != 3)
		return conv_fail(c, "a bucket is not [lo, hi, count]");
	pmdstat_printf(c->out, "bucket");
	for (k = 0; k < 3; k++) {
		if (b->item[k]->type != PMDSTAT_JSON_NUM || !b->item[k]->is_u64)
			return conv_fail(c, "a bucket is not [lo, hi, count] of unsigned integers");
		pmdstat_printf(c->out, " %llu", (unsigned long long)b->item[k]->u);
	}
	pmdstat_printf(c->out, "\n");
	return 0;
}

static int put_hist(struct conv *c, const char *name, const struct pmdstat_json *h)
{
	static const char *const nums[] = { "count", "sum", "max" };
	const struct pmdstat_json *unit, *buckets, *v;
	size_t i;
	int err;

	if (!name[0] || !is_token(name))
		return conv_fail(c, "the name \"%.48s\" cannot come from pmdstat", name);
	if (h->type != PMDSTAT_JSON_OBJ)
		return conv_fail(c, "\"%.48s\" is %s, not an object", name,
				 pmdstat_json_type_name(h->type));
	unit = need(c, h, "unit", PMDSTAT_JSON_STR);
	buckets = unit ? need(c, h, "buckets", PMDSTAT_JSON_ARR) : NULL;
	if (!buckets)
		return -EINVAL;
	pmdstat_printf(c->out, "hist name=%s unit=%s", name, unit->str);
	for (i = 0; i < 3; i++) {
		v = need(c, h, nums[i], PMDSTAT_JSON_NUM);
		if (!v)
			return -EINVAL;
		pmdstat_printf(c->out, " %s=%llu", nums[i], (unsigned long long)v->u);
	}
	pmdstat_printf(c->out, "\n");
	for (i = 0; i < buckets->n; i++) {
		err = put_bucket(c, buckets->item[i]);
		if (err)
			return err;
	}
	pmdstat_printf(c->out, "end\n");
	return 0;
}

static int put_hists(struct conv *c, const struct pmdstat_json *root)
{
	const struct pmdstat_json *h;
	size_t i;
	int err = 0;

	h = need(c, root, "histograms", PMDSTAT_JSON_OBJ);
	if (!h)
		return -EINVAL;
	c->where = "histograms";
	c->index = NO_INDEX;
	for (i = 0; !err && i < h->n; i++)
		err = put_hist(c, h->key[i], h->item[i]);
	c->where = NULL;
	return err;
}

static int put_races(struct conv *c, const struct pmdstat_json *root)
{
	static const char *const logs[] = { "violations", "violation_log", "overlap_log", NULL };
	const struct pmdstat_json *r = pmdstat_json_get(root, "races");
	int err;

	if (!r)
		return 0;
	if (r->type != PMDSTAT_JSON_OBJ) {
		c->where = "races";
		return conv_fail(c, "%s, not an object", pmdstat_json_type_name(r->type));
	}
	err = put_object(c, root, "races", "races", logs);
	if (!err)
		err = put_object(c, r, "violations", "violations", NULL);
	if (!err)
		err = put_array(c, r, "violation_log", "violation", NULL, false);
	if (!err)
		err = put_array(c, r, "overlap_log", "overlap", NULL, false);
	return err;
}

/* The text format of a JSON object of pmdstat_render_json(), into out. */
static int json_to_text(struct conv *c, const struct pmdstat_json *o)
{
	static const char *const caller_derived[] = { "wait_avg_ns", "hold_avg_ns", NULL };
	static const struct {
		const char *key;
		enum pmdstat_json_type type;
	} head[] = {
		{ "version", PMDSTAT_JSON_NUM }, { "kernel", PMDSTAT_JSON_STR },
		{ "module", PMDSTAT_JSON_STR }, { "elapsed_ns", PMDSTAT_JSON_NUM },
		{ "resets", PMDSTAT_JSON_NUM }, { "maxactive", PMDSTAT_JSON_NUM },
	};
	const struct pmdstat_json *v[6];
	size_t i;
	int err;

	if (o->type != PMDSTAT_JSON_OBJ)
		return conv_fail(c, "%s, not an object", pmdstat_json_type_name(o->type));
	for (i = 0; i < 6; i++) {
		v[i] = need(c, o, head[i].key, head[i].type);
		if (!v[i])
			return -EINVAL;
	}
	pmdstat_printf(c->out, "pmdstat-stats version=%llu\nkernel release=%s module=%s\n",
		       (unsigned long long)v[0]->u, v[1]->str, v[2]->str);
	pmdstat_printf(c->out, "state elapsed_ns=%llu resets=%llu maxactive=%llu\n",
		       (unsigned long long)v[3]->u, (unsigned long long)v[4]->u,
		       (unsigned long long)v[5]->u);
	err = put_object(c, o, "layout", "layout", NULL);
	if (!err)
		err = put_array(c, o, "probes", "probe", NULL, true);
	if (!err)
		err = put_hists(c, o);
	if (!err)
		err = put_array(c, o, "locks", "lock", NULL, false);
	if (!err)
		err = put_array(c, o, "callers", "caller", caller_derived, false);
	if (!err)
		err = put_array(c, o, "outliers", "outlier", NULL, false);
	if (!err)
		err = put_object(c, o, "lock_state", "locks", NULL);
	if (!err)
		err = put_races(c, o);
	if (err)
		return err;
	if (!need(c, o, "totals", PMDSTAT_JSON_OBJ))
		return -EINVAL;
	c->where = "totals";
	c->index = NO_INDEX;
	err = put_line(c, "Totals:", pmdstat_json_get(o, "totals"), NULL);
	c->where = NULL;
	return err;
}

int pmdstat_stats_from_json(const struct pmdstat_json *obj,
			    struct pmdstat_stats *st, char *msg, size_t size)
{
	struct pmdstat_parse_error perr;
	struct conv c = { .msg = msg, .size = size, .index = NO_INDEX };
	pmdstat_out_t text;
	const char *inner;
	int err;

	memset(st, 0, sizeof(*st));
	pmdstat_out_init(&text);
	c.out = &text;
	err = json_to_text(&c, obj);
	if (!err && pmdstat_out_failed(&text))
		err = -ENOMEM;
	if (!err && pmdstat_parse(text.buf, text.len, st, &perr)) {
		/* "line K: ..." of the text made here means nothing to the user */
		inner = strstr(perr.msg, ": ");
		inner = inner && !strncmp(perr.msg, "line ", 5) ? inner + 2 : perr.msg;
		err = perr.code == PMDSTAT_PARSE_ENOMEM ? -ENOMEM : -EINVAL;
		snprintf(msg, size, "not a pmdstat stats object: %s", inner);
	}
	if (err == -ENOMEM)
		snprintf(msg, size, "out of memory");
	pmdstat_out_free(&text);
	return err;
}

/* ---- reading a recording ---- */

/* A number of seconds as ms: 0, or -EINVAL with msg. */
static int seconds_ms(const struct pmdstat_json *obj, const char *key, u64 *ms,
		      char *msg, size_t size)
{
	const struct pmdstat_json *v = pmdstat_json_get(obj, key);

	if (!v) {
		snprintf(msg, size, "no \"%s\": not a line of pmdstat record (record with: pmdstat record -i SECS -o FILE)",
			 key);
		return -EINVAL;
	}
	if (v->type != PMDSTAT_JSON_NUM || !(v->d >= 0) || v->d * 1000 >= MS_MAX) {
		snprintf(msg, size, "\"%s\" is not a number of seconds", key);
		return -EINVAL;
	}
	*ms = (u64)(v->d * 1000 + 0.5);
	return 0;
}

static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int pmdstat_recording_each(FILE *f, pmdstat_rec_fn fn, void *ctx,
			   char *msg, size_t size)
{
	struct pmdstat_rec_line l = { 0 };
	char *buf = NULL, why[384];
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	msg[0] = '\0';
	while (!err) {
		struct pmdstat_json *obj;
		bool cut;

		errno = 0;
		n = getline(&buf, &cap, f);
		if (n < 0)
			break;
		cut = n && buf[n - 1] != '\n';

		l.line++;
		if (blank(buf, (size_t)n))
			continue;
		why[0] = '\0';
		obj = pmdstat_json_parse(buf, (size_t)n, why, sizeof(why));
		if (!obj) {
			err = strstr(why, "out of memory") ? -ENOMEM : -EINVAL;
			snprintf(msg, size, "line %u: not JSON: %s%s", l.line, why,
				 cut ? " (the last line has no newline: was the recording cut off? remove the line)" : "");
			break;
		}
		if (obj->type != PMDSTAT_JSON_OBJ) {
			snprintf(why, sizeof(why), "%s, not an object",
				 pmdstat_json_type_name(obj->type));
			err = -EINVAL;
		}
		if (!err)
			err = seconds_ms(obj, "t", &l.t_ms, why, sizeof(why));
		if (!err)
			err = seconds_ms(obj, "interval_s", &l.interval_ms, why, sizeof(why));
		l.obj = obj;
		if (!err)
			err = fn(&l, ctx, why, sizeof(why));
		if (err)
			snprintf(msg, size, "line %u: %s", l.line, why);
		pmdstat_json_free(obj);
	}
	if (!err && n < 0 && errno) {
		err = errno == ENOMEM ? -ENOMEM : -EIO;
		snprintf(msg, size, "after line %u: %s", l.line, strerror(errno));
	} else if (!err && ferror(f)) {
		err = -EIO;
		snprintf(msg, size, "after line %u: read error", l.line);
	}
	free(buf);
	return err;
}

static int sum_line(const struct pmdstat_rec_line *l, void *ctx, char *msg,
		    size_t size)
{
	struct pmdstat_recording *rec = ctx;
	struct pmdstat_stats st;
	int err;

	err = pmdstat_stats_from_json(l->obj, &st, msg, size);
	if (err)
		return err;
	err = pmdstat_stats_add(&rec->sum, &st);
	pmdstat_stats_free(&st);
	if (err) {
		snprintf(msg, size, "out of memory");
		return err;
	}
	if (!rec->intervals++)
		rec->first_t_ms = l->t_ms;
	rec->last_t_ms = l->t_ms;
	rec->span_ms += l->interval_ms;
	return 0;
}

int pmdstat_recording_sum(FILE *f, struct pmdstat_recording *rec, char *msg,
			  size_t size)
{
	int err;

	memset(rec, 0, sizeof(*rec));
	err = pmdstat_recording_each(f, sum_line, rec, msg, size);
	if (!err && !rec->intervals) {
		snprintf(msg, size, "no intervals: the recording is empty (record with: pmdstat record -i SECS -o FILE)");
		err = -ENODATA;
	}
	return err;
}

void pmdstat_recording_free(struct pmdstat_recording *rec)
{
	pmdstat_stats_free(&rec->sum);
	memset(rec, 0, sizeof(*rec));
}
