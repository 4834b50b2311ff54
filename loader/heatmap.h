/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heatmap.h - a time x latency heatmap of one histogram of a recording
 * (pmdstat heatmap), as a standalone SVG document.
 */
#ifndef PMDSTAT_HEATMAP_H
#define PMDSTAT_HEATMAP_H

#include <stdio.h>
#include "pmdstat_types.h"

struct pmdstat_heatmap_opts {
	const char *hist;	/* the histogram, by its name in the stats format */
	const char *source;	/* named in the title (the recording's file), or NULL */
};

/*
 * Read the recording f (see record.h) and write the heatmap of o->hist into
 * svg: one column per interval, one row per log2 bucket between the
 * lowest and the highest that hold a value, one <rect> with a <title> per
 * non-empty cell, coloured by its count on a log scale.
 *
 * The histogram is looked up by its name in each interval's stats
 * ("share_ns", "i_mmap_hold_ns.read", "site:huge_pmd_share").  Returns 0;
 * -ENOENT if no interval has it (msg lists the histograms the recording
 * has); -ENODATA for a recording without intervals; the errors of
 * pmdstat_recording_each() for a malformed one; msg says which.
 */
int pmdstat_heatmap(FILE *f, const struct pmdstat_heatmap_opts *o,
		    pmdstat_out_t *svg, char *msg, size_t size);

#endif /* PMDSTAT_HEATMAP_H */
