// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - recordings in the stats text format (see record.h).  The
 * writer prints parsed stats back as the module's own format; the reader
 * cuts a recording at its record lines and hands each block to
 * pmdstat_parse(), so an interval is checked exactly as the module's file
 * is, by the same code, and a recording sums up like snapshots do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "record.h"

static const char hint[] = "record with: pmdstat record INTERVAL -o FILE";

/* " key=value" for each token of kvs. */
static void write_kvs(pmdstat_out_t *out, const struct pmdstat_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->nr; i++)
		pmdstat_printf(out, " %s=%s", kvs->kv[i].key, kvs->kv[i].value);
}

/* "keyword key=value ...\n", if kvs has tokens. */
static void write_line(pmdstat_out_t *out, const char *keyword,
		       const struct pmdstat_kvs *kvs)
{
	if (!kvs->nr)
		return;
	pmdstat_printf(out, "%s", keyword);
	write_kvs(out, kvs);
	pmdstat_printf(out, "\n");
}

static void write_records(pmdstat_out_t *out, const char *keyword,
			  const struct pmdstat_records *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		write_line(out, keyword, &r->rec[i]);
}

void pmdstat_stats_write(pmdstat_out_t *out, const struct pmdstat_stats *st)
{
	size_t i, k;

	pmdstat_printf(out, "pmdstat-stats version=%d\nkernel release=%s module=%s\n",
		       PMDSTAT_READER_FORMAT, st->release ? st->release : "",
		       st->module ? st->module : "");
	pmdstat_printf(out, "state elapsed_ns=%llu resets=%llu maxactive=%llu%s\n",
		       (unsigned long long)st->elapsed_ns, (unsigned long long)st->resets,
		       (unsigned long long)st->maxactive,
		       st->contention_unknown ? " contention=none" : "");
	write_line(out, "layout", &st->layout);
	for (i = 0; i < st->nr_probes; i++) {
		pmdstat_printf(out, "probe symbol=%s role=%s", st->probe[i].symbol,
			       st->probe[i].role);
		write_kvs(out, &st->probe[i].keys);
		pmdstat_printf(out, "\n");
	}
	for (i = 0; i < st->nr_hists; i++) {
		const struct pmdstat_phist *h = &st->hist[i];
		/* the buckets as measured (fine ones too), not the display rows */
		const struct pmdstat_bucket *b = h->nr_fine ? h->fine : h->bucket;
		size_t nr = h->nr_fine ? h->nr_fine : h->nr_buckets;

		pmdstat_printf(out, "hist name=%s unit=%s count=%llu sum=%llu max=%llu\n",
			       h->name, h->unit, (unsigned long long)h->count,
			       (unsigned long long)h->sum, (unsigned long long)h->max);
		for (k = 0; k < nr; k++)
			pmdstat_printf(out, "bucket %llu %llu %llu\n",
				       (unsigned long long)b[k].lo,
				       (unsigned long long)b[k].hi,
				       (unsigned long long)b[k].count);
		pmdstat_printf(out, "end\n");
	}
	write_records(out, "lock", &st->locks);
	write_records(out, "caller", &st->callers);
	write_records(out, "blocked_by", &st->blocked_by);
	write_records(out, "outlier", &st->outliers);
	write_line(out, "locks", &st->lock_state);
	write_line(out, "races", &st->races);
	write_line(out, "violations", &st->violations);
	write_records(out, "violation", &st->violation_log);
	write_records(out, "overlap", &st->overlap_log);
	pmdstat_printf(out, "Totals:");
	write_kvs(out, &st->totals);
	pmdstat_printf(out, "\n");
}

void pmdstat_record_write(pmdstat_out_t *out, const struct pmdstat_stats *delta,
			  u64 t_ms, u64 interval_ms)
{
	pmdstat_printf(out, "record t=%llu interval=%llu\n", (unsigned long long)t_ms,
		       (unsigned long long)interval_ms);
	pmdstat_stats_write(out, delta);
}

/* ---- reading a recording ---- */

struct reader {
	pmdstat_rec_fn fn;
	void *ctx;
	struct pmdstat_rec_line l;	/* the open interval; line 0: none */
	pmdstat_out_t block;		/* its stats block so far */
	char *msg;
	size_t size;
};

/* "record t=N interval=N": 0, or -EINVAL with why in msg. */
static int record_line(char *s, struct pmdstat_rec_line *l, char *msg, size_t size)
{
	bool t = false, iv = false;
	char *tok, *save = NULL, *end;

	strtok_r(s, " \t\r\n", &save);	/* "record" */
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		bool is_t = !strncmp(tok, "t=", 2), is_iv = !strncmp(tok, "interval=", 9);
		const char *v = is_t ? tok + 2 : tok + 9;
		unsigned long long n;

		if (!is_t && !is_iv)
			continue;	/* unknown keys are ignored */
		errno = 0;
		n = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno) {
			snprintf(msg, size, "record: '%.48s' is not a number of ms", tok);
			return -EINVAL;
		}
		if (is_t) {
			l->t_ms = n;
			t = true;
		} else {
			l->interval_ms = n;
			iv = true;
		}
	}
	if (!t || !iv) {
		snprintf(msg, size, "record: no %s= (%s)", t ? "interval" : "t", hint);
		return -EINVAL;
	}
	return 0;
}

/* Parse the open interval's block and hand it to fn. */
static int close_block(struct reader *r, bool at_eof)
{
	struct pmdstat_parse_error perr;
	struct pmdstat_stats st;
	char why[384];
	const char *inner;
	int err;

	if (!r->l.line)
		return 0;
	if (pmdstat_out_failed(&r->block)) {
		snprintf(r->msg, r->size, "out of memory");
		return -ENOMEM;
	}
	if (pmdstat_parse(r->block.buf, r->block.len, &st, &perr)) {
		if (perr.code == PMDSTAT_PARSE_ENOMEM) {
			snprintf(r->msg, r->size, "out of memory");
			return -ENOMEM;
		}
		/* the block's "line K: ..." as a line of the recording */
		inner = strstr(perr.msg, ": ");
		inner = inner && !strncmp(perr.msg, "line ", 5) ? inner + 2 : perr.msg;
		snprintf(r->msg, r->size, "line %u: %s%s", r->l.line + perr.line, inner,
			 at_eof && (perr.code == PMDSTAT_PARSE_NOTOTALS ||
				    perr.code == PMDSTAT_PARSE_NOEND ||
				    perr.code == PMDSTAT_PARSE_TRUNCATED) ?
			 " (was the recording cut off? remove its last interval)" : "");
		return -EINVAL;
	}
	r->l.st = &st;
	why[0] = '\0';
	err = r->fn(&r->l, r->ctx, why, sizeof(why));
	if (err)
		snprintf(r->msg, r->size, "line %u: %s", r->l.line, why);
	pmdstat_stats_free(&st);
	pmdstat_out_clear(&r->block);
	r->l.line = 0;
	return err;
}

int pmdstat_recording_each(FILE *f, pmdstat_rec_fn fn, void *ctx,
			   char *msg, size_t size)
{
	struct reader r = { .fn = fn, .ctx = ctx, .msg = msg, .size = size };
	unsigned int line = 0;
	char *buf = NULL, why[384];
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	msg[0] = '\0';
	pmdstat_out_init(&r.block);
	while (!err) {
		errno = 0;
		n = getline(&buf, &cap, f);
		if (n < 0)
			break;
		line++;
		if (!strncmp(buf, "record ", 7) || !strcmp(buf, "record\n")) {
			err = close_block(&r, false);
			if (err)
				break;
			r.l.line = line;
			err = record_line(buf, &r.l, why, sizeof(why));
			if (err)
				snprintf(msg, size, "line %u: %s", line, why);
		} else if (r.l.line) {
			pmdstat_out_append(&r.block, buf, (size_t)n);
		} else if (buf[strspn(buf, " \t\r\n")]) {
			snprintf(msg, size, "line %u: not a pmdstat recording: it must start with a 'record t=MS interval=MS' line%s (%s)",
				 line, buf[0] == '{' ? ", and JSON recordings of older versions are not read" : "",
				 hint);
			err = -EINVAL;
		}
	}
	if (!err && n < 0 && errno) {
		err = errno == ENOMEM ? -ENOMEM : -EIO;
		snprintf(msg, size, "after line %u: %s", line, strerror(errno));
	} else if (!err && ferror(f)) {
		err = -EIO;
		snprintf(msg, size, "after line %u: read error", line);
	}
	if (!err)
		err = close_block(&r, true);
	pmdstat_out_free(&r.block);
	free(buf);
	return err;
}

static int sum_line(const struct pmdstat_rec_line *l, void *ctx, char *msg,
		    size_t size)
{
	struct pmdstat_recording *rec = ctx;

	if (pmdstat_stats_add(&rec->sum, l->st)) {
		snprintf(msg, size, "out of memory");
		return -ENOMEM;
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
		snprintf(msg, size, "no intervals: the recording is empty (%s)", hint);
		err = -ENODATA;
	}
	return err;
}

void pmdstat_recording_free(struct pmdstat_recording *rec)
{
	pmdstat_stats_free(&rec->sum);
	memset(rec, 0, sizeof(*rec));
}
