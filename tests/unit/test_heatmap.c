// SPDX-License-Identifier: GPL-2.0
/*
 * test_heatmap.c - the SVG heatmap of a recording (loader/heatmap.c), read
 * back with a small strict XML checker: well-formed (one root, balanced
 * tags, quoted attributes without duplicates, only the five predefined
 * entities or character references, no raw '<' or '&' in text, valid UTF-8
 * without control characters), one column group per interval, one <rect>
 * with a <title> per non-empty cell; histograms found by name, names
 * escaped; an unknown name refused with the list of known ones.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heatmap.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "render.h"
#include "snapshot.h"
#include "tap.h"
#include "testlib.h"

#define SEED	0x4ea7ULL
#define MAX_DEPTH	32
#define SVG_START	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""

/* ---- a strict XML checker ---- */

struct xml_stats {
	unsigned int elements;
	unsigned int cols;		/* <g class="col"> */
	unsigned int cells;		/* <rect> inside a column */
	unsigned int cell_titles;	/* <title> inside such a <rect> */
	unsigned int bad_col_ids;	/* id="col-N" not in order */
	char first_title[256];		/* the text of the first cell's title */
};

struct xml {
	const char *s;
	const char *end;
	const char *err;
	struct xml_stats *st;
	char stack[MAX_DEPTH][32];
	int depth;
	int col_depth;			/* depth of the open column, or -1 */
	int cell_depth;			/* depth of the open cell rect, or -1 */
	bool in_cell_title;
};

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool xml_name(struct xml *x, char *buf, size_t size)
{
	size_t n = 0;

	if (!name_start(*x->s)) {
		x->err = "expected a name";
		return false;
	}
	while (name_char(*x->s)) {
		if (n + 1 < size)
			buf[n++] = *x->s;
		x->s++;
	}
	buf[n] = '\0';
	return true;
}

/* &amp; &lt; &gt; &quot; &apos; &#N; &#xH; */
static bool xml_ref(struct xml *x)
{
	static const char *const ents[] = { "amp;", "lt;", "gt;", "quot;", "apos;" };
	size_t i;

	x->s++;
	for (i = 0; i < TAP_COUNT(ents); i++)
		if (!strncmp(x->s, ents[i], strlen(ents[i]))) {
			x->s += strlen(ents[i]);
			return true;
		}
	if (*x->s == '#') {
		bool hex = x->s[1] == 'x';
		const char *p = x->s + (hex ? 2 : 1), *start = p;

		while ((*p >= '0' && *p <= '9') ||
		       (hex && ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))))
			p++;
		if (p > start && *p == ';') {
			x->s = p + 1;
			return true;
		}
	}
	x->err = "a '&' that starts no entity or character reference";
	return false;
}

/* One character of text or of an attribute value. */
static bool xml_char(struct xml *x, char quote)
{
	const unsigned char *u = (const unsigned char *)x->s;
	size_t n;

	if (*x->s == '<') {
		x->err = quote ? "'<' in an attribute value" : "'<' in text";
		return false;
	}
	if (*x->s == '&')
		return xml_ref(x);
	if (*u < 0x20 && *u != '\t' && *u != '\n' && *u != '\r') {
		x->err = "a control character";
		return false;
	}
	n = pmdstat_utf8_seq(u, (const unsigned char *)x->end);
	if (!n) {
		x->err = "not UTF-8";
		return false;
	}
	x->s += n;
	return true;
}

static void skip_ws(struct xml *x)
{
	while (*x->s == ' ' || *x->s == '\t' || *x->s == '\n' || *x->s == '\r')
		x->s++;
}

struct attr {
	char name[32];
	char value[64];
};

static bool xml_attrs(struct xml *x, struct attr *a, size_t max, size_t *n)
{
	size_t i;

	*n = 0;
	for (;;) {
		const char *start;
		char quote;
		size_t len;

		if (*x->s != ' ' && *x->s != '\t' && *x->s != '\n')
			return true;
		skip_ws(x);
		if (!name_start(*x->s))
			return true;
		if (*n == max) {
			x->err = "too many attributes";
			return false;
		}
		if (!xml_name(x, a[*n].name, sizeof(a[*n].name)))
			return false;
		for (i = 0; i < *n; i++)
			if (!strcmp(a[i].name, a[*n].name)) {
				x->err = "an attribute given twice";
				return false;
			}
		skip_ws(x);
		if (*x->s != '=') {
			x->err = "an attribute without '='";
			return false;
		}
		x->s++;
		skip_ws(x);
		quote = *x->s;
		if (quote != '"' && quote != '\'') {
			x->err = "an attribute value without quotes";
			return false;
		}
		start = ++x->s;
		while (*x->s != quote) {
			if (!*x->s) {
				x->err = "an unterminated attribute value";
				return false;
			}
			if (!xml_char(x, quote))
				return false;
		}
		len = (size_t)(x->s - start);
		snprintf(a[*n].value, sizeof(a[*n].value), "%.*s", (int)len, start);
		x->s++;
		(*n)++;
	}
}

static const char *attr_of(const struct attr *a, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].value;
	return NULL;
}

/* What the heatmap test counts, on an opening tag (x->depth: its own). */
static void count_open(struct xml *x, const char *name, const struct attr *a,
		       size_t n)
{
	const char *cls = attr_of(a, n, "class");
	char want[32];

	x->st->elements++;
	if (!strcmp(name, "g") && cls && !strcmp(cls, "col")) {
		snprintf(want, sizeof(want), "col-%u", x->st->cols);
		if (!attr_of(a, n, "id") || strcmp(attr_of(a, n, "id"), want))
			x->st->bad_col_ids++;
		x->st->cols++;
		x->col_depth = x->depth;
	} else if (!strcmp(name, "rect") && x->col_depth >= 0) {
		x->st->cells++;
		x->cell_depth = x->depth;
	} else if (!strcmp(name, "title") && x->cell_depth >= 0) {
		x->st->cell_titles++;
		x->in_cell_title = x->st->cell_titles == 1;
	}
}

static void count_close(struct xml *x)
{
	if (x->depth == x->col_depth)
		x->col_depth = -1;
	if (x->depth == x->cell_depth)
		x->cell_depth = -1;
	x->in_cell_title = false;
}

static bool xml_tag(struct xml *x)
{
	struct attr a[16];
	char name[32];
	size_t n;

	x->s++;
	if (*x->s == '/') {
		x->s++;
		if (!xml_name(x, name, sizeof(name)))
			return false;
		skip_ws(x);
		if (*x->s != '>') {
			x->err = "expected '>' after an end tag";
			return false;
		}
		x->s++;
		if (!x->depth || strcmp(x->stack[x->depth - 1], name)) {
			x->err = "an end tag that closes no open element";
			return false;
		}
		count_close(x);
		x->depth--;
		return true;
	}
	if (!xml_name(x, name, sizeof(name)) || !xml_attrs(x, a, TAP_COUNT(a), &n))
		return false;
	skip_ws(x);
	if (x->depth == MAX_DEPTH) {
		x->err = "nested too deep";
		return false;
	}
	snprintf(x->stack[x->depth], sizeof(x->stack[0]), "%s", name);
	x->depth++;
	count_open(x, name, a, n);
	if (!strncmp(x->s, "/>", 2)) {
		x->s += 2;
		count_close(x);
		x->depth--;
		return true;
	}
	if (*x->s != '>') {
		x->err = "expected '>' or '/>'";
		return false;
	}
	x->s++;
	return true;
}

/* NULL if doc is well-formed XML; st gets what the heatmap test counts. */
static const char *xml_check(const char *doc, struct xml_stats *st, size_t *at)
{
	struct xml x = {
		.s = doc, .end = doc + strlen(doc), .st = st, .col_depth = -1,
		.cell_depth = -1,
	};
	size_t title_len = 0;
	bool root_done = false;

	memset(st, 0, sizeof(*st));
	if (!strncmp(x.s, "<?xml ", 6)) {
		x.s = strstr(x.s, "?>");
		if (!x.s) {
			*at = 0;
			return "an unterminated XML declaration";
		}
		x.s += 2;
	}
	while (*x.s && !x.err) {
		if (!strncmp(x.s, "<!--", 4)) {
			const char *end = strstr(x.s + 4, "--");

			if (!end || end[2] != '>')
				x.err = "a comment with '--' inside or no end";
			else
				x.s = end + 3;
			continue;
		}
		if (*x.s == '<') {
			if (root_done) {
				x.err = "a second root element";
				break;
			}
			if (xml_tag(&x) && !x.depth)
				root_done = true;
			continue;
		}
		if (!x.depth) {
			if (*x.s != ' ' && *x.s != '\n' && *x.s != '\t' && *x.s != '\r')
				x.err = "text outside the root element";
			else
				x.s++;
			continue;
		}
		if (x.in_cell_title && title_len + 1 < sizeof(x.st->first_title)) {
			x.st->first_title[title_len++] = *x.s;
			x.st->first_title[title_len] = '\0';
		}
		xml_char(&x, 0);
	}
	if (!x.err && x.depth)
		x.err = "an element left open at the end";
	if (!x.err && !root_done)
		x.err = "no root element";
	*at = (size_t)(x.s - doc);
	return x.err;
}

static void test_xml_checker(void)
{
	static const char *const bad[] = {
		"", "<a>", "<a></b>", "<a><b></a></b>", "<a x=1/>", "<a x=\"1\" x=\"2\"/>",
		"<a>&</a>", "<a>&foo;</a>", "<a>x < y</a>", "<a/><b/>", "text<a/>",
		"<a x=\"<\"/>", "<a>\x01</a>", "<a>\xff</a>", "<a x=\"1\"", "<a><!-- x -- y --></a>",
		"<a x='1\"/>",
	};
	static const char *const good[] = {
		"<a/>", "<?xml version=\"1.0\"?>\n<a x='1' y=\"&lt;&amp;&#38;&#x26;\">t &gt; &quot;</a>\n",
		"<a><b c=\"d\"><c/></b><!-- ok --></a>",
	};
	struct xml_stats st;
	size_t i, at;

	for (i = 0; i < TAP_COUNT(bad); i++)
		if (!CHECK(xml_check(bad[i], &st, &at) != NULL))
			printf("# accepted: %s\n", bad[i]);
	for (i = 0; i < TAP_COUNT(good); i++) {
		const char *err = xml_check(good[i], &st, &at);

		if (!CHECK(err == NULL))
			printf("# refused (%s at %zu): %s\n", err, at, good[i]);
	}
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

/* Non-empty buckets of hist in every interval of rec. */
static unsigned int nonempty_cells(const char *rec, const char *hist)
{
	const char *line = rec;
	unsigned int n = 0;
	bool in = false;
	size_t len = strlen(hist);

	for (; *line; line = strchr(line, '\n') + 1) {
		unsigned long long lo, hi, count;

		if (!strncmp(line, "hist name=", 10))
			in = !strncmp(line + 10, hist, len) && line[10 + len] == ' ';
		else if (!strncmp(line, "end\n", 4))
			in = false;
		else if (in && sscanf(line, "bucket %llu %llu %llu", &lo, &hi, &count) == 3)
			n += count != 0;
	}
	return n;
}

static void check_svg(const pmdstat_out_t *svg, unsigned int cols, unsigned int cells)
{
	struct xml_stats st;
	const char *err;
	size_t at;

	err = xml_check(svg->buf, &st, &at);
	if (!CHECK(err == NULL))
		printf("# not well-formed XML: %s at byte %zu: '%.40s'\n", err, at,
		       svg->buf + at);
	CHECK_U64(st.cols, cols);
	CHECK_U64(st.bad_col_ids, 0);
	CHECK_U64(st.cells, cells);
	CHECK_U64(st.cell_titles, cells);
	CHECK(!strncmp(svg->buf, SVG_START, strlen(SVG_START)));
}

static void test_heatmap_columns(void)
{
	char *rec = recording(7, SEED);
	unsigned int cells = nonempty_cells(rec, "share_ns");
	struct xml_stats st;
	pmdstat_out_t svg;
	char msg[1024];
	size_t at;

	CHECK(cells > 7);
	CHECK_U64(draw(rec, "share_ns", "run.rec", &svg, msg, sizeof(msg)), 0);
	check_svg(&svg, 7, cells);
	/* the tooltip of a cell: t, [lo, hi] unit: count */
	xml_check(svg.buf, &st, &at);
	CHECK(!strncmp(st.first_title, "t=1.5s, [", 9));
	CHECK(strstr(st.first_title, "] ns: ") != NULL);
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
	TAP_TEST(test_xml_checker),
	TAP_TEST(test_heatmap_columns),
	TAP_TEST(test_heatmap_paths),
	TAP_TEST(test_heatmap_errors),
	TAP_TEST(test_heatmap_long),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
