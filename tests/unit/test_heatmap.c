// SPDX-License-Identifier: GPL-2.0
/*
 * test_heatmap.c - the SVG heatmap of a recording (loader/heatmap.c):
 * well-formed XML by xmllint (Debian: libxml2-utils), one column group per
 * interval, one <rect> with a <title> per non-empty log2 cell, and for a
 * known input each cell's row, count and colour, with the sub-buckets of
 * one log2 bucket summed into its cell; histograms found by name, names
 * escaped; an unknown name refused with the list of known ones.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "hist.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "render.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x4ea7ULL
#define SVG_START	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
#define XMLLINT		"xmllint --noout --nonet -"

/* doc is well-formed XML, says xmllint (its messages go to stderr). */
static bool xmllint_ok(const char *doc, bool quiet)
{
	FILE *p = popen(quiet ? XMLLINT " 2>/dev/null" : XMLLINT, "w");
	int st;

	if (!p)
		return false;
	fputs(doc, p);
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		printf("# %s: not found; install libxml2-utils (make deps)\n", XMLLINT);
	return st == 0;
}

static void test_xmllint(void)
{
	CHECK(xmllint_ok("<a x='1'>&lt;&amp;&#38;</a>", false));
	CHECK(!xmllint_ok("<a><b></a></b>", true));
	CHECK(!xmllint_ok("<a>&foo;</a>", true));
}

/* Not with strstr: ASAN's measures the rest of s at each call. */
static unsigned int count_str(const char *s, const char *what)
{
	size_t len = strlen(what);
	unsigned int n = 0;

	for (; *s; s++)
		n += !strncmp(s, what, len);
	return n;
}

/* ---- recordings to draw ---- */

/* n intervals of a recording made by the reader itself, as one text. */
static char *recording(unsigned int n, u64 seed)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	struct pmdstat_stats prev, cur, d;
	pmdstat_out_t text;
	u64 state = seed;
	unsigned int i;

	test_make_snapshot(s, seed);
	test_roundtrip(s, &prev);
	pmdstat_out_init(&text);
	for (i = 0; i < n; i++) {
		/* one interval without share calls: an empty column */
		if (i != 2)
			test_add_events(s, &state, 10 + i);
		s->elapsed_ns += 1000000000;
		test_roundtrip(s, &cur);
		pmdstat_stats_delta(&prev, &cur, &d);
		pmdstat_record_write(&text, &d, (u64)(i + 1) * 1500, 1500);
		pmdstat_stats_free(&d);
		pmdstat_stats_free(&prev);
		prev = cur;
	}
	pmdstat_stats_free(&prev);
	free(s);
	return text.buf;
}

static int draw(const char *rec, const char *hist, const char *source,
		pmdstat_out_t *svg, char *msg, size_t size)
{
	struct pmdstat_heatmap_opts o = { .hist = hist, .source = source };
	FILE *f = fmemopen((void *)rec, strlen(rec), "r");
	int err;

	pmdstat_out_init(svg);
	if (!CHECK(f != NULL))
		return -EIO;
	err = pmdstat_heatmap(f, &o, svg, msg, size);
	fclose(f);
	return err;
}

/* Non-empty log2 buckets of hist in every interval of rec. */
static unsigned int nonempty_cells(const char *rec, const char *hist)
{
	const char *line = rec;
	unsigned int n = 0;
	size_t len = strlen(hist);
	bool in = false;
	u64 slots = 0;

	for (; *line; line = strchr(line, '\n') + 1) {
		unsigned long long lo, hi, count;

		if (!strncmp(line, "record ", 7)) {
			n += (unsigned int)__builtin_popcountll(slots);
			slots = 0;
		} else if (!strncmp(line, "hist name=", 10)) {
			in = !strncmp(line + 10, hist, len) && line[10 + len] == ' ';
		} else if (!strncmp(line, "end\n", 4)) {
			in = false;
		} else if (in && sscanf(line, "bucket %llu %llu %llu", &lo, &hi, &count) == 3 &&
			   count) {
			slots |= 1ULL << pmdstat_hist_slot(lo);
		}
	}
	return n + (unsigned int)__builtin_popcountll(slots);
}

/* Column i's text: from its <g> to its </g>, or NULL. */
static char *column(const pmdstat_out_t *svg, unsigned int i)
{
	char g[64];
	const char *s, *e;

	snprintf(g, sizeof(g), "<g class=\"col\" id=\"col-%u\"", i);
	s = strstr(svg->buf, g);
	e = s ? strstr(s, "</g>") : NULL;
	return e ? strndup(s, (size_t)(e - s)) : NULL;
}

/* Well-formed; columns col-0 to col-(cols-1) in order; a title per cell. */
static void check_svg(const pmdstat_out_t *svg, unsigned int cols, unsigned int cells)
{
	static const char g[] = "<g class=\"col\" id=\"col-";
	unsigned int i = 0, bad = 0;
	const char *s;

	CHECK(xmllint_ok(svg->buf, false));
	CHECK(!strncmp(svg->buf, SVG_START, strlen(SVG_START)));
	for (s = svg->buf; *s; s++) {
		if (strncmp(s, g, strlen(g)))
			continue;
		bad += strtoul(s + strlen(g), NULL, 10) != i;
		i++;
	}
	CHECK_U64(i, cols);
	CHECK_U64(bad, 0);
	CHECK_U64(count_str(svg->buf, "\"><title>t="), cells);
	CHECK_U64(count_str(svg->buf, "</title></rect>"), cells);
}

static void test_heatmap_columns(void)
{
	char *rec = recording(7, SEED);
	unsigned int cells = nonempty_cells(rec, "share_ns");
	pmdstat_out_t svg;
	char msg[1024];

	CHECK(cells > 7);
	CHECK_U64(draw(rec, "share_ns", "run.rec", &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 7, cells);
	/* the tooltip of a cell: t, [lo, hi] unit: count */
	CHECK(strstr(svg.buf, "\"><title>t=1.5s, [") != NULL);
	CHECK(strstr(svg.buf, "] ns: ") != NULL);
	CHECK(strstr(svg.buf, "share_ns (ns) per interval: run.rec") != NULL);
	CHECK(strstr(svg.buf, "7 intervals over 10.5 s") != NULL);
	CHECK(strstr(svg.buf, "id=\"legend\"") != NULL);
	CHECK(strstr(svg.buf, "time since the start of the recording (s)") != NULL);
	CHECK(strstr(svg.buf, "bucket lower bound (ns)") != NULL);
	/* column 2 (no share calls) is there, and empty */
	CHECK(strstr(svg.buf, "<g class=\"col\" id=\"col-2\" data-t=\"4.5\">\n</g>") != NULL);
	pmdstat_out_free(&svg);

	/* another unit, and a lock histogram found by its dotted name */
	CHECK_U64(draw(rec, "scan_vmas", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 7, nonempty_cells(rec, "scan_vmas"));
	CHECK(strstr(svg.buf, "bucket lower bound (vmas)") != NULL);
	pmdstat_out_free(&svg);
	CHECK_U64(draw(rec, "i_mmap_hold_ns.read", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 7, nonempty_cells(rec, "i_mmap_hold_ns.read"));
	pmdstat_out_free(&svg);
	CHECK_U64(draw(rec, "site:huge_pmd_share.part.0", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 7, nonempty_cells(rec, "site:huge_pmd_share.part.0"));
	pmdstat_out_free(&svg);
	free(rec);
}

/* A hand-written interval: the stats header, body, the totals. */
#define HEAD	"pmdstat-stats version=1\nkernel release=r module=m\nstate elapsed_ns=1 resets=0 maxactive=1\n"
#define TAIL	"Totals: hits=0 missed=0 share_calls=0 attached=0 unshare_calls=0 unshared=0\n"

/* Names and units that XML must escape; intervals without the histogram. */
static void test_heatmap_paths(void)
{
	static const char rec[] =
		"record t=1000 interval=1000\n" HEAD
		"hist name=x.y.z.a&b<'\"c\"> unit=n\xc3\xa9s& count=4 sum=30 max=15\n"
		"bucket 4 7 3\nbucket 8 15 1\nend\n" TAIL
		"record t=2000 interval=1000\n" HEAD
		"hist name=share_ns unit=ns count=0 sum=0 max=0\nend\n"
		"hist name=x.y.z.a&b<'\"c\"> unit=n\xc3\xa9s& count=9 sum=9 max=1\n"
		"bucket 0 1 9\nend\n" TAIL
		"\n"
		"record t=3250 interval=1250\n" HEAD TAIL;
	pmdstat_out_t svg;
	char msg[1024];

	CHECK_U64(draw(rec, "x.y.z.a&b<'\"c\">", "dir/<&>.rec", &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 3, 3);
	CHECK(strstr(svg.buf, "x.y.z.a&amp;b&lt;&apos;&quot;c&quot;&gt; (n\xc3\xa9s&amp;) per interval: dir/&lt;&amp;&gt;.rec") != NULL);
	CHECK(strstr(svg.buf, "<title>t=2s, [0, 1] n\xc3\xa9s&amp;: 9") != NULL);
	pmdstat_out_free(&svg);

	/* share_ns is there, but empty: no rows */
	CHECK_U64(draw(rec, "share_ns", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 3, 0);
	CHECK(strstr(svg.buf, "no value of share_ns") != NULL);
	pmdstat_out_free(&svg);
}

/*
 * Each cell's row, count and colour for a known input: 100 share_ns values
 * in the first interval, 90 of them in the four sub-buckets of [1024, 2047]
 * (one cell of 90, not four cells drawn over one another, the last, of
 * count 1, on top), two sub-buckets of one cell in the third, and an
 * empty bucket.  Rows: slots 0 to 11, y = 60 + (11 - slot) * 18; columns 320 wide
 * from x = 96.  Colour: f = 0.12 + 0.88 * log2(count + 1) / log2(90 + 1),
 * log2 linear between powers of two, white-yellow-red: 90, the largest
 * count, is #c80000, 1 is #ffee7c.
 */
static void test_heatmap_cells(void)
{
	static const char rec[] =
		"record t=1000 interval=1000\n" HEAD
		"hist name=share_ns unit=ns count=100 sum=140000 max=2047\n"
		"bucket 256 319 10\nbucket 1024 1279 40\nbucket 1280 1535 30\n"
		"bucket 1536 1791 19\nbucket 1792 2047 1\nend\n" TAIL
		"record t=2000 interval=1000\n" HEAD
		"hist name=share_ns unit=ns count=12 sum=12000 max=2559\n"
		"bucket 0 0 1\nbucket 1 1 2\nbucket 3 3 4\nbucket 2048 2559 5\n"
		"bucket 3584 4095 0\nend\n" TAIL
		"record t=3000 interval=1000\n" HEAD
		"hist name=share_ns unit=ns count=6 sum=7000 max=1791\n"
		"bucket 512 639 1\nbucket 1024 1279 3\nbucket 1536 1791 2\nend\n" TAIL;
	static const struct {
		unsigned int col;
		const char *rect;
	} want[] = {
		{ 0, "<rect x=\"96.00\" y=\"114.00\" width=\"320.00\" height=\"18\" fill=\"#f6b900\"><title>t=1s, [256, 511] ns: 10 (256 ns to 511 ns)</title></rect>\n" },
		{ 0, "<rect x=\"96.00\" y=\"78.00\" width=\"320.00\" height=\"18\" fill=\"#c80000\"><title>t=1s, [1024, 2047] ns: 90 (1.0 us to 2.0 us)</title></rect>\n" },
		{ 1, "<rect x=\"416.00\" y=\"258.00\" width=\"320.00\" height=\"18\" fill=\"#ffe436\"><title>t=2s, [0, 1] ns: 3 (0 ns to 1 ns)</title></rect>\n" },
		{ 1, "<rect x=\"416.00\" y=\"240.00\" width=\"320.00\" height=\"18\" fill=\"#ffe225\"><title>t=2s, [2, 3] ns: 4 (2 ns to 3 ns)</title></rect>\n" },
		{ 1, "<rect x=\"416.00\" y=\"60.00\" width=\"320.00\" height=\"18\" fill=\"#ffe013\"><title>t=2s, [2048, 4095] ns: 5 (2.0 us to 4.1 us)</title></rect>\n" },
		{ 2, "<rect x=\"736.00\" y=\"78.00\" width=\"320.00\" height=\"18\" fill=\"#ffe013\"><title>t=3s, [1024, 2047] ns: 5 (1.0 us to 2.0 us)</title></rect>\n" },
		{ 2, "<rect x=\"736.00\" y=\"96.00\" width=\"320.00\" height=\"18\" fill=\"#ffee7c\"><title>t=3s, [512, 1023] ns: 1 (512 ns to 1.0 us)</title></rect>\n" },
	};
	unsigned int nr[3] = { 0 }, i;
	pmdstat_out_t svg;
	const char *legend;
	char msg[512];
	char *col[3];

	CHECK_U64(draw(rec, "share_ns", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 3, TAP_COUNT(want));
	for (i = 0; i < 3; i++)
		col[i] = column(&svg, i);
	for (i = 0; i < TAP_COUNT(want); i++) {
		nr[want[i].col]++;
		if (!CHECK(col[want[i].col] && strstr(col[want[i].col], want[i].rect)))
			printf("# col-%u has no %s", want[i].col, want[i].rect);
	}
	for (i = 0; i < 3; i++) {
		if (!CHECK_U64(col[i] ? count_str(col[i], "<rect ") : 0, nr[i]))
			printf("# col-%u is:\n%s", i, col[i] ? col[i] : "(missing)\n");
		free(col[i]);
	}
	/* the legend, the last group: from 1 to the largest cell, 90 */
	legend = strstr(svg.buf, "<g id=\"legend\"");
	CHECK(legend && strstr(legend, "\">90</text>") && strstr(legend, "\">1</text>"));
	pmdstat_out_free(&svg);
}

static void test_heatmap_errors(void)
{
	char *rec = recording(3, SEED ^ 1);
	pmdstat_out_t svg;
	char msg[4096];

	CHECK(draw(rec, "no_such_hist", NULL, &svg, msg, sizeof(msg)) == -ENOENT);
	CHECK(strstr(msg, "no histogram 'no_such_hist' in the recording; it has: share_ns, unshare_ns, site:huge_pmd_share,") != NULL);
	CHECK(strstr(msg, ", i_mmap_hold_ns.read,") != NULL);
	CHECK(strstr(msg, ", scan_vmas") != NULL);
	CHECK_U64(svg.len, 0);
	pmdstat_out_free(&svg);
	CHECK(draw("", "share_ns", NULL, &svg, msg, sizeof(msg)) == -ENODATA);
	pmdstat_out_free(&svg);
	CHECK(draw("record t=1 interval=1\n" HEAD TAIL "record t=x interval=1\n", "share_ns",
		   NULL, &svg, msg, sizeof(msg)) == -EINVAL);
	CHECK_STR(msg, "line 6: record: 't=x' is not a number of ms");
	pmdstat_out_free(&svg);
	CHECK(draw("record t=1 interval=1\n" HEAD "hist name=h unit=ns count=1 sum=1 max=1\nbucket 1\nend\n" TAIL,
		   "h", NULL, &svg, msg, sizeof(msg)) == -EINVAL);
	CHECK_STR(msg, "line 6: 'bucket' needs 3 numbers (lo hi count), got 1 tokens");
	pmdstat_out_free(&svg);
	CHECK(draw("record t=1 interval=1\n" HEAD "hist name=h unit=ns count=1 sum=1 max=1\nend\n" TAIL
		   "record t=2 interval=1\n" HEAD "hist name=h unit=vmas count=1 sum=1 max=1\nend\n" TAIL,
		   "h", NULL, &svg, msg, sizeof(msg)) == -EINVAL);
	CHECK_STR(msg, "line 8: h has the unit vmas here, ns in earlier intervals");
	pmdstat_out_free(&svg);
	/* a bucket across a log2 bound has no cell */
	CHECK(draw("record t=1 interval=1\n" HEAD "hist name=h unit=ns count=1 sum=1000 max=1000\n"
		   "bucket 1000 1100 1\nend\n" TAIL, "h", NULL, &svg, msg, sizeof(msg)) == -EINVAL);
	CHECK_STR(msg, "line 1: h: bucket 1000..1100 is neither a log2 bucket nor a part of one");
	pmdstat_out_free(&svg);
	free(rec);
}

/* Many intervals: columns under two pixels wide, still one per interval. */
static void test_heatmap_long(void)
{
	char *rec = recording(600, SEED ^ 2);
	pmdstat_out_t svg;
	char msg[512];

	CHECK_U64(draw(rec, "unshare_ns", NULL, &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 600, nonempty_cells(rec, "unshare_ns"));
	pmdstat_out_free(&svg);
	free(rec);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_xmllint),
	TAP_TEST(test_heatmap_columns),
	TAP_TEST(test_heatmap_cells),
	TAP_TEST(test_heatmap_paths),
	TAP_TEST(test_heatmap_errors),
	TAP_TEST(test_heatmap_long),
};

int main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* xmllint may stop reading early */
	return tap_run(tests, TAP_COUNT(tests));
}
