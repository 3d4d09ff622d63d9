/* Figures of a study: `ebmforge overview` (its own code, cmd_overview) over
 * each method's lowest seed at its largest scored budget, per data set. */
#define _GNU_SOURCE
#include "report_figures.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "overview_cmd.h"

static int copy(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
  char buf[1 << 16];
  size_t n;
  int rc = in && out ? 0 : -1;
  while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0) rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
  if (in) fclose(in);
  if (out && fclose(out)) rc = -1;
  return rc;
}

/* the run of (data, method, params) drawn: lowest seed, then largest budget; -1 if none */
static int pick(const ReportRun *runs, int n, const ReportRun *like) {
  int best = -1;
  for (int i = 0; i < n; i++) {
    const ReportRun *r = &runs[i];
    if (!r->drawable || strcmp(r->data, like->data) || strcmp(r->method, like->method) || strcmp(r->params, like->params)) continue;
    if (best < 0 || r->seed < runs[best].seed || (r->seed == runs[best].seed && r->iters > runs[best].iters)) best = i;
  }
  return best;
}

static int first_of_data(const ReportRun *runs, int i) {
  for (int k = 0; k < i; k++) if (!strcmp(runs[k].data, runs[i].data)) return 0;
  return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* HOOK(loss curves): `ebmforge plot` (branch docs-plot) is not in this tree.
 * When it is, draw each run's DIR/.../log.jsonl losses here, one figure per
 * data set and method, as DIR/loss_<data>_<method>.png. Until then nothing is
 * drawn and report.md says so. */
static int report_loss_curves(const char *dir, const ReportRun *runs, int n) {
  (void)dir; (void)runs; (void)n;
  return 0;
}

int report_figures(const char *dir, const ReportRun *runs, int n) {
  int rc = 0;
  for (int i = 0; i < n; i++) {
    if (!first_of_data(runs, i)) continue;
    const char *data = runs[i].data;
    /* one column per (method, params), sorted; its stage copied where overview reads it */
    char **args = calloc(2 * n + 8, sizeof(char *)), **cols = calloc(n + 1, sizeof(char *));
    int nc = 0;
    for (int k = 0; k < n; k++) {
      if (strcmp(runs[k].data, data)) continue;
      int p = pick(runs, n, &runs[k]);
      if (p != k) continue;
      const ReportRun *r = &runs[p];
      char col[4200], src[4300], dst[4300];
      snprintf(col, sizeof col, "%s/figures/%s/%s%s%s", dir, data, r->method, *r->params ? "," : "", r->params);
      if (mkdir_p(col)) continue;
      snprintf(src, sizeof src, "%s/energy_grid_%ld.npy", r->dir, r->iters);
      snprintf(dst, sizeof dst, "%s/energy_grid.npy", col);
      if (copy(src, dst)) continue;
      snprintf(src, sizeof src, "%s/samples_%ld.npy", r->dir, r->iters);
      snprintf(dst, sizeof dst, "%s/samples.npy", col);
      if (copy(src, dst)) continue;
      char *arg = malloc(strlen(col) + strlen(r->method) + strlen(r->params) + 64);
      sprintf(arg, "%s%s%s %ld s%ld=%s", r->method, *r->params ? " " : "", r->params, r->iters, r->seed, col);
      /* overview splits LABEL=DIR at the first '=': the grid's name=value shows as name:value */
      for (char *c = arg; *c && c < arg + strlen(arg) - strlen(col) - 1; c++) if (*c == '=') *c = ':';
      cols[nc++] = arg;
    }
    qsort(cols, nc, sizeof(char *), cmp_str);
    for (int log = 0; log < 2 && nc; log++) {
      char out[4200], title[512];
      snprintf(out, sizeof out, "%s/overview_%s%s.png", dir, data, log ? "_log" : "");
      snprintf(title, sizeof title, "%s (label: method iterations seed)", data);
      int k = 0;
      args[k++] = "-o"; args[k++] = out; args[k++] = "--title"; args[k++] = title;
      if (log) args[k++] = "--log";
      for (int c = 0; c < nc; c++) args[k++] = cols[c];
      if (cmd_overview(k, args)) rc = 1;
    }
    for (int c = 0; c < nc; c++) free(cols[c]);
    free(cols); free(args);
  }
  return rc | report_loss_curves(dir, runs, n);
}

void report_figures_md(const ReportRun *runs, int n, FILE *f) {
  int any = 0;
  for (int i = 0; i < n; i++) {
    if (!first_of_data(runs, i)) continue;
    if (!any++) fprintf(f, "\n## Figures\n\nDensity and samples of each method's lowest seed at its largest scored budget:\n\n");
    fprintf(f, "- %s: overview_%s.png (density), overview_%s_log.png (log-density)\n", runs[i].data, runs[i].data, runs[i].data);
  }
  fprintf(f, "\nLoss curves: not drawn (no `ebmforge plot` in this build); each run's log.jsonl has them.\n");
}
