/* The figures of `ebmforge report`: one overview per data set, and the hook
 * for loss curves. */
#ifndef EBM_REPORT_FIGURES_H
#define EBM_REPORT_FIGURES_H

#include <stdio.h>

typedef struct {
  char *dir; /* the seed<k> run directory */
  char *data, *method, *params;
  long seed, iters; /* a scored stage of that run */
  int drawable;     /* not diverged: its samples and energy grid exist */
} ReportRun;

/* DIR/overview_<data>.png and overview_<data>_log.png per data set; 0 or 1. */
int report_figures(const char *dir, const ReportRun *runs, int n);
/* the figures' list for report.md */
void report_figures_md(const ReportRun *runs, int n, FILE *f);

#endif
