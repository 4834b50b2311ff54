/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - where the reader's stats come from: the module's debugfs
 * files (or a saved copy), and why opening them failed, in words that say
 * what to do next.
 */
#ifndef PMDSTAT_SOURCE_H
#define PMDSTAT_SOURCE_H

#include "pmdstat_types.h"

#define PMDSTAT_DEBUGFS_DIR	"/sys/kernel/debug/pmdstat"
#define PMDSTAT_STATS_FILE	"stats"
#define PMDSTAT_CONTROL_FILE	"control"
#define PMDSTAT_EVENTS_FILE	"events"
#define PMDSTAT_LIVE_FILE	"live"

/* Read all of path ("-": stdin) into out (cleared first).  0, or -errno. */
int pmdstat_read_file(const char *path, pmdstat_out_t *out);

/* Write one command (e.g. "threshold_us=1000") to dir's control file.  0, or -errno. */
int pmdstat_write_control(const char *dir, const char *cmd);

/*
 * Print to stderr why file in the pmdstat debugfs directory dir could not
 * be opened (errno err): not root, debugfs not mounted, module not loaded,
 * or else the plain error.
 */
void pmdstat_explain_open(const char *dir, const char *file, int err);

#endif /* PMDSTAT_SOURCE_H */
