// SPDX-License-Identifier: GPL-2.0
/*
 * heatmap.c - the SVG heatmap of one histogram of a recording (see
 * record.h), written by hand: no library, no script, no external style.
 * Text and attribute values are escaped, and bytes that XML cannot carry
 * (control characters, invalid UTF-8) become '?', so that the document is
 * always well-formed.  Colours are on a log scale computed without libm.
 *
 * Layout: the title on top; the plot, one column per interval (a <g
 * class="col"> each, even when empty) of cells as wide as the plot allows,
 * latency growing upwards; y labels (bucket lower bounds, with the unit) on
 * the left, time ticks (s since the start of the recording) below, and the
 * colour legend on the right.
 *
 * One row per log2 bucket, as the text report prints histograms: the finer
 * buckets of share_ns and unshare_ns (four per log2 bucket) are summed into
 * their log2 bucket's cell, so that a cell's count, colour and tooltip cover
 * every value in its row's range.  A bucket that crosses a log2 bound is
 * refused: the stats format has none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "out.h"
#include "record.h"
#include "table.h"

#define PLOT_W		960.0	/* the plot's width, unless columns get too narrow */
#define EMPTY_ROWS	4	/* the plot's height without any value */
#define MIN_W		720.0	/* room for the title */
#define CELL_W_MIN	1.0
#define ROW_H		18
#define LEFT		96	/* at least: room for the y labels */
#define CHAR_W		7	/* of a y label, about */
#define TOP		60
#define RIGHT		160
#define BOTTOM		60
#define X_TICKS		10
#define LEGEND_STEPS	10
#define FLOOR		0.12	/* colour of the smallest count: visibly not white */

struct column {
	u64 t_ms;
	u64 interval_ms;
	struct pmdstat_bucket *bucket;	/* the non-empty log2 buckets */
	size_t nr;
};

struct heatmap {
	const struct pmdstat_heatmap_opts *o;
	struct column *col;
	size_t nr_cols;
	size_t cap_cols;
	char *unit;		/* of the first interval that has the histogram */
	bool found;
	struct pmdstat_names names;	/* the histograms the recording has */
};

/* ---- reading the columns ---- */

/*
 * The non-empty log2 buckets of h into c: the parser sums a log2 bucket's
 * fine sub-buckets into it, so that each cell holds all four.
 */
static int take_buckets(struct heatmap *hm, struct column *c,
			const struct pmdstat_phist *h, char *msg, size_t size)
{
	const struct pmdstat_bucket *b = h->bucket;
	size_t i, nr = h->nr_buckets;

	if (hm->unit && strcmp(hm->unit, h->unit)) {
		snprintf(msg, size, "%s has the unit %.32s here, %.32s in earlier intervals",
			 hm->o->hist, h->unit, hm->unit);
		return -EINVAL;
	}
	if (!hm->unit) {
		hm->unit = strdup(h->unit);
		if (!hm->unit)
			return -ENOMEM;
	}
	c->bucket = nr ? calloc(nr, sizeof(*c->bucket)) : NULL;
	if (nr && !c->bucket)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (pmdstat_bucket_slot(&b[i]) < 0) {
			snprintf(msg, size, "%s: bucket %llu..%llu is neither a log2 bucket nor a part of one",
				 hm->o->hist, (unsigned long long)b[i].lo,
				 (unsigned long long)b[i].hi);
			return -EINVAL;
		}
		if (b[i].count)
			c->bucket[c->nr++] = b[i];
	}
	return 0;
}

static int read_line(const struct pmdstat_rec_line *l, void *ctx, char *msg,
		     size_t size)
{
	struct heatmap *hm = ctx;
	const struct pmdstat_phist *h;
	struct column *c;
	size_t i;
	int err;

	if (pmdstat_grow((void **)&hm->col, &hm->cap_cols, hm->nr_cols, sizeof(*hm->col)))
		goto nomem;
	c = &hm->col[hm->nr_cols++];
	memset(c, 0, sizeof(*c));
	c->t_ms = l->t_ms;
	c->interval_ms = l->interval_ms;
	for (i = 0; i < l->st->nr_hists; i++)
		if (pmdstat_names_add(&hm->names, l->st->hist[i].name))
			goto nomem;
	h = pmdstat_find_hist(l->st, hm->o->hist);
	if (!h)
		return 0;
	hm->found = true;
	err = take_buckets(hm, c, h, msg, size);
	if (err == -ENOMEM)
		goto nomem;
	return err;
nomem:
	snprintf(msg, size, "out of memory");
	return -ENOMEM;
}

/* ---- drawing ---- */

/* Text or an attribute value, escaped; what XML cannot carry as '?'. */
static void put_xml(pmdstat_out_t *out, const char *str)
{
	static const char *const esc[0x80] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
		['\''] = "&apos;",
	};

	pmdstat_out_escaped(out, str, esc, "?", "?");
}

/* ms as seconds: "12", "12.5", "0.003". */
static const char *fmt_s(char *buf, size_t size, u64 ms)
{
	int n = snprintf(buf, size, "%llu.%03llu", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000));

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/* A bucket bound with its unit: ns as "1.0 us", others as "12 vmas". */
static const char *fmt_bound(char *buf, size_t size, u64 v, const char *unit)
{
	if (!strcmp(unit, "ns"))
		return pmdstat_fmt_ns(buf, size, v);
	snprintf(buf, size, "%llu %s", (unsigned long long)v, unit);
	return buf;
}

/* log2(x) for x >= 1, linear between powers of two: monotonic, no libm. */
static double log2_lin(u64 x)
{
	unsigned int k = pmdstat_fls64(x) - 1;
	u64 p = (u64)1 << k;

	return k + (double)(x - p) / (double)p;
}

/* Its inverse, for the legend. */
static u64 exp2_lin(double y)
{
	unsigned int k = (unsigned int)y;

	if (k >= 63)
		return UINT64_MAX;
	return (u64)(((u64)1 << k) * (1 + (y - k)));
}

/* White, yellow, red: f in [0, 1]. */
static void colour(char *buf, size_t size, double f)
{
	static const unsigned char stop[3][3] = {
		{ 255, 255, 255 }, { 255, 221, 0 }, { 200, 0, 0 },
	};
	unsigned int i, k = f < 0.5 ? 0 : 1;
	double x = f < 0.5 ? f * 2 : (f - 0.5) * 2;
	unsigned int rgb[3];

	if (x > 1)
		x = 1;
	for (i = 0; i < 3; i++)
		rgb[i] = (unsigned int)(stop[k][i] + (stop[k + 1][i] - stop[k][i]) * x + 0.5);
	snprintf(buf, size, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static double level(u64 count, u64 max)
{
	return FLOOR + (1 - FLOOR) * log2_lin(count + 1) / log2_lin(max + 1);
}

struct layout {
	double left;		/* of the plot */
	unsigned int smin;	/* lowest row's slot */
	unsigned int rows;	/* 0: no values at all */
	u64 max;		/* the largest count of a cell */
	double cw;		/* column width */
	double plot_w;
	double plot_h;
	double w;
	double h;
};

static void measure(const struct heatmap *hm, struct layout *ly)
{
	unsigned int smax = 0, smin = PMDSTAT_HIST_SLOTS;
	size_t i, k;

	memset(ly, 0, sizeof(*ly));
	for (i = 0; i < hm->nr_cols; i++)
		for (k = 0; k < hm->col[i].nr; k++) {
			const struct pmdstat_bucket *b = &hm->col[i].bucket[k];
			unsigned int s = pmdstat_hist_slot(b->lo);

			smin = s < smin ? s : smin;
			smax = s > smax ? s : smax;
			ly->max = b->count > ly->max ? b->count : ly->max;
		}
	if (smin <= smax) {
		ly->smin = smin;
		ly->rows = smax - smin + 1;
	}
	ly->left = LEFT;
	for (k = 0; k < ly->rows; k++) {
		char label[48];
		double w;

		fmt_bound(label, sizeof(label), pmdstat_hist_lo(ly->smin + (unsigned int)k),
			  hm->unit);
		w = (double)strlen(label) * CHAR_W + 36;
		if (w > ly->left)
			ly->left = w;
	}
	ly->cw = PLOT_W / (double)hm->nr_cols;
	if (ly->cw < CELL_W_MIN)
		ly->cw = CELL_W_MIN;
	ly->plot_w = ly->cw * (double)hm->nr_cols;
	ly->plot_h = ROW_H * (double)(ly->rows ? ly->rows : EMPTY_ROWS);
	ly->w = ly->left + ly->plot_w + RIGHT;
	if (ly->w < MIN_W)
		ly->w = MIN_W;
	ly->h = TOP + ly->plot_h + BOTTOM;
}

static double row_y(const struct layout *ly, unsigned int slot)
{
	return TOP + (double)(ly->rows - 1 - (slot - ly->smin)) * ROW_H;
}

static void draw_title(pmdstat_out_t *out, const struct heatmap *hm,
		       const struct layout *ly)
{
	char span[32];
	u64 ms = 0;
	size_t i;

	for (i = 0; i < hm->nr_cols; i++)
		ms += hm->col[i].interval_ms;
	pmdstat_printf(out, "<title>pmdstat heatmap of ");
	put_xml(out, hm->o->hist);
	pmdstat_printf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%.2f\" height=\"%.2f\" fill=\"#ffffff\"/>\n",
		       ly->w, ly->h);
	pmdstat_printf(out, "<text id=\"title\" x=\"%.2f\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">",
		       ly->w / 2);
	put_xml(out, hm->o->hist);
	pmdstat_printf(out, " (");
	put_xml(out, hm->unit);
	pmdstat_printf(out, ") per interval");
	if (hm->o->source) {
		pmdstat_printf(out, ": ");
		put_xml(out, hm->o->source);
	}
	pmdstat_printf(out, "</text>\n<text x=\"%.2f\" y=\"44\" text-anchor=\"middle\" fill=\"#555555\">%zu intervals over %s s; colour: count per cell (log scale)</text>\n",
		       ly->w / 2, hm->nr_cols, fmt_s(span, sizeof(span), ms));
}

static void draw_columns(pmdstat_out_t *out, const struct heatmap *hm,
			 const struct layout *ly)
{
	char fill[8], t[32], lo[32], hi[32];
	size_t i, k;

	pmdstat_printf(out, "<g id=\"columns\" stroke=\"none\">\n");
	for (i = 0; i < hm->nr_cols; i++) {
		const struct column *c = &hm->col[i];
		double x = ly->left + ly->cw * (double)i;

		fmt_s(t, sizeof(t), c->t_ms);
		pmdstat_printf(out, "<g class=\"col\" id=\"col-%zu\" data-t=\"%s\">\n", i, t);
		for (k = 0; k < c->nr; k++) {
			const struct pmdstat_bucket *b = &c->bucket[k];

			colour(fill, sizeof(fill), level(b->count, ly->max));
			pmdstat_printf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>t=%ss, [%llu, %llu] ",
				       x, row_y(ly, pmdstat_hist_slot(b->lo)), ly->cw, ROW_H,
				       fill, t, (unsigned long long)b->lo,
				       (unsigned long long)b->hi);
			put_xml(out, hm->unit);
			pmdstat_printf(out, ": %llu (", (unsigned long long)b->count);
			put_xml(out, fmt_bound(lo, sizeof(lo), b->lo, hm->unit));
			pmdstat_printf(out, " to ");
			put_xml(out, fmt_bound(hi, sizeof(hi), b->hi, hm->unit));
			pmdstat_printf(out, ")</title></rect>\n");
		}
		pmdstat_printf(out, "</g>\n");
	}
	pmdstat_printf(out, "</g>\n");
}

static void draw_y_axis(pmdstat_out_t *out, const struct heatmap *hm,
			const struct layout *ly)
{
	char label[48];
	unsigned int r;

	pmdstat_printf(out, "<g id=\"y-axis\" font-size=\"11\" text-anchor=\"end\">\n");
	for (r = 0; r < ly->rows; r++) {
		unsigned int s = ly->smin + r;

		pmdstat_printf(out, "<text x=\"%.2f\" y=\"%.2f\">", ly->left - 6,
			       row_y(ly, s) + ROW_H / 2 + 4);
		put_xml(out, fmt_bound(label, sizeof(label), pmdstat_hist_lo(s), hm->unit));
		pmdstat_printf(out, "</text>\n");
	}
	pmdstat_printf(out, "</g>\n<text x=\"8\" y=\"%d\" font-size=\"11\">bucket lower bound (",
		       TOP - 8);
	put_xml(out, hm->unit);
	pmdstat_printf(out, ")</text>\n");
	if (!ly->rows) {
		pmdstat_printf(out, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555555\">no value of ",
			       ly->left + ly->plot_w / 2, TOP + (int)ly->plot_h / 2 + 4);
		put_xml(out, hm->o->hist);
		pmdstat_printf(out, " in the recording</text>\n");
	}
}

static void x_tick(pmdstat_out_t *out, const struct layout *ly, size_t i, u64 ms)
{
	double x = ly->left + ly->cw * (double)i, y = TOP + ly->plot_h;
	char t[32];

	pmdstat_printf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#333333\"/>\n<text x=\"%.2f\" y=\"%.2f\">%s</text>\n",
		       x, y, x, y + 5, x, y + 18, fmt_s(t, sizeof(t), ms));
}

static void draw_x_axis(pmdstat_out_t *out, const struct heatmap *hm,
			const struct layout *ly)
{
	size_t n = hm->nr_cols, step = (n + X_TICKS - 1) / X_TICKS, i;
	u64 start = hm->col[0].t_ms >= hm->col[0].interval_ms ?
		    hm->col[0].t_ms - hm->col[0].interval_ms : 0;

	pmdstat_printf(out, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"#999999\"/>\n",
		       ly->left, TOP, ly->plot_w, ly->plot_h);
	pmdstat_printf(out, "<g id=\"x-axis\" font-size=\"11\" text-anchor=\"middle\">\n");
	x_tick(out, ly, 0, start);
	for (i = step; i <= n; i += step)
		x_tick(out, ly, i, hm->col[i - 1].t_ms);
	if (n % step && n % step >= step / 2)
		x_tick(out, ly, n, hm->col[n - 1].t_ms);
	pmdstat_printf(out, "</g>\n<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">time since the start of the recording (s)</text>\n",
		       ly->left + ly->plot_w / 2, TOP + ly->plot_h + 42);
}

static void draw_legend(pmdstat_out_t *out, const struct layout *ly)
{
	double x = ly->left + ly->plot_w + 40, h = 14, top = TOP + 20;
	char fill[8];
	unsigned int i;
	u64 mid;

	if (!ly->max)
		return;
	pmdstat_printf(out, "<g id=\"legend\" font-size=\"11\">\n<text x=\"%.2f\" y=\"%d\">count</text>\n",
		       x, TOP + 8);
	for (i = 0; i < LEGEND_STEPS; i++) {
		double f = 1 - (double)i / (LEGEND_STEPS - 1);

		colour(fill, sizeof(fill), FLOOR + (1 - FLOOR) * f);
		pmdstat_printf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"16\" height=\"%.2f\" fill=\"%s\" stroke=\"#cccccc\"/>\n",
			       x, top + h * i, h, fill);
	}
	pmdstat_printf(out, "<text x=\"%.2f\" y=\"%.2f\">%llu</text>\n", x + 22, top + 11,
		       (unsigned long long)ly->max);
	mid = exp2_lin(log2_lin(ly->max + 1) / 2) - 1;
	if (mid > 1 && mid < ly->max)
		pmdstat_printf(out, "<text x=\"%.2f\" y=\"%.2f\">%llu</text>\n", x + 22,
			       top + h * LEGEND_STEPS / 2 + 4, (unsigned long long)mid);
	if (ly->max > 1)
		pmdstat_printf(out, "<text x=\"%.2f\" y=\"%.2f\">1</text>\n", x + 22,
			       top + h * (LEGEND_STEPS - 1) + 11);
	pmdstat_printf(out, "</g>\n");
}

static void draw(pmdstat_out_t *out, const struct heatmap *hm)
{
	struct layout ly;

	measure(hm, &ly);
	pmdstat_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pmdstat_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.2f\" height=\"%.2f\" viewBox=\"0 0 %.2f %.2f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		       ly.w, ly.h, ly.w, ly.h);
	draw_title(out, hm, &ly);
	draw_columns(out, hm, &ly);
	draw_y_axis(out, hm, &ly);
	draw_x_axis(out, hm, &ly);
	draw_legend(out, &ly);
	pmdstat_printf(out, "</svg>\n");
}

/* "unknown histogram 'x': the recording has a, b, c" */
static void unknown(const struct heatmap *hm, char *msg, size_t size)
{
	size_t i, n;

	n = (size_t)snprintf(msg, size, "no histogram '%.64s' in the recording; it has: ",
			     hm->o->hist);
	for (i = 0; i < hm->names.nr && n < size; i++)
		n += (size_t)snprintf(msg + n, size - n, "%s%s", i ? ", " : "",
				      hm->names.name[i]);
	if (!hm->names.nr && n < size)
		snprintf(msg + n, size - n, "none");
}

static void heatmap_free(struct heatmap *hm)
{
	size_t i;

	for (i = 0; i < hm->nr_cols; i++)
		free(hm->col[i].bucket);
	free(hm->col);
	pmdstat_names_free(&hm->names);
	free(hm->unit);
}

int pmdstat_heatmap(FILE *f, const struct pmdstat_heatmap_opts *o,
		    pmdstat_out_t *svg, char *msg, size_t size)
{
	struct heatmap hm = { .o = o };
	int err;

	err = pmdstat_recording_each(f, read_line, &hm, msg, size);
	if (!err && !hm.nr_cols) {
		snprintf(msg, size, "no intervals: the recording is empty (record with: pmdstat record INTERVAL -o FILE)");
		err = -ENODATA;
	} else if (!err && !hm.found) {
		unknown(&hm, msg, size);
		err = -ENOENT;
	}
	if (!err) {
		draw(svg, &hm);
		if (pmdstat_out_failed(svg)) {
			snprintf(msg, size, "out of memory");
			err = -ENOMEM;
		}
	}
	heatmap_free(&hm);
	return err;
}
