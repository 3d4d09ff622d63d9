/* Figures of a study: `ebmforge overview` (its own code, cmd_overview) over
 * each method's lowest seed at its largest scored budget, per data set; the
 * loss curves of each data set x method x parameters, mean over seeds. */
#define _GNU_SOURCE
#include "report_figures.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "loss_curves.h"
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

static int same_cell(const ReportRun *a, const ReportRun *b) {
  return !strcmp(a->data, b->data) && !strcmp(a->method, b->method) && !strcmp(a->params, b->params);
}

/* the run of (data, method, params) drawn: lowest seed, then largest budget; -1 if none */
static int pick(const ReportRun *runs, int n, const ReportRun *like) {
  int best = -1;
  for (int i = 0; i < n; i++) {
    const ReportRun *r = &runs[i];
    if (!r->drawable || !same_cell(r, like)) continue;
    if (best < 0 || r->seed < runs[best].seed || (r->seed == runs[best].seed && r->iters > runs[best].iters)) best = i;
  }
  return best;
}

static int first_of_data(const ReportRun *runs, int i) {
  for (int k = 0; k < i; k++)
    if (!strcmp(runs[k].data, runs[i].data)) return 0;
  return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* the first run of its (data, method, params) */
static int first_of_cell(const ReportRun *runs, int i) {
  for (int k = 0; k < i; k++)
    if (same_cell(&runs[k], &runs[i])) return 0;
  return 1;
}

/* a name for a file: params "lr=0.001,w_H=2" -> "lr-0.001_w_H-2" */
static void file_part(const char *in, char *out, size_t n) {
  size_t k = 0;
  for (; *in && k + 1 < n; in++) out[k++] = *in == '=' ? '-' : *in == ',' ? '_' : *in == '/' ? '_' : *in;
  out[k] = 0;
}

/* DIR/loss_<data>_<method>[_<params>].png: each logged term of (data, method,
 * params) against the iteration, the mean over its seeds (one log.jsonl per
 * seed directory, every stage of a seed appended to it) */
static int report_loss_curves(const char *dir, const ReportRun *runs, int n) {
  int rc = 0;
  for (int i = 0; i < n; i++) {
    if (!first_of_cell(runs, i)) continue;
    Curves *c = calloc(n, sizeof(Curves));
    int nc = 0, seeds_len = 0;
    char seeds[512] = "";
    for (int k = i; k < n; k++) {
      const ReportRun *r = &runs[k];
      if (!same_cell(r, &runs[i])) continue;
      int seen = 0; /* one entry per stage: read each seed directory once */
      for (int j = i; j < k && !seen; j++) seen = !strcmp(runs[j].dir, r->dir);
      if (seen) continue;
      char path[4200];
      snprintf(path, sizeof path, "%s/log.jsonl", r->dir);
      if (curves_read(path, &c[nc])) continue;
      if (!c[nc].n) {
        curves_free(&c[nc]);
        continue;
      }
      if (seeds_len < (int)sizeof seeds - 24)
        seeds_len += snprintf(seeds + seeds_len, sizeof seeds - seeds_len, "%s%ld", nc ? ", " : "", r->seed);
      nc++;
    }
    if (nc) {
      Curves mean;
      curves_mean(c, nc, &mean);
      char p[200], out[4600], title[900], err[600];
      file_part(runs[i].params, p, sizeof p);
      snprintf(out, sizeof out, "%s/loss_%s_%s%s%s.png", dir, runs[i].data, runs[i].method, *p ? "_" : "", p);
      snprintf(title, sizeof title, "%s on %s%s%s: %s over seed%s %s", runs[i].method, runs[i].data,
               *runs[i].params ? ", " : "", runs[i].params, nc > 1 ? "mean" : "loss curves", nc > 1 ? "s" : "", seeds);
      if (mean.n_terms && mean.n && curves_draw(&mean, out, FIG_PNG, title, err, sizeof err)) {
        fprintf(stderr, "ebmforge report: %s\n", err);
        rc = 1;
      }
      curves_free(&mean);
    }
    for (int k = 0; k < nc; k++) curves_free(&c[k]);
    free(c);
  }
  return rc;
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
      for (char *c = arg; *c && c < arg + strlen(arg) - strlen(col) - 1; c++)
        if (*c == '=') *c = ':';
      cols[nc++] = arg;
    }
    qsort(cols, nc, sizeof(char *), cmp_str);
    for (int log = 0; log < 2 && nc; log++) {
      char out[4200], title[512];
      snprintf(out, sizeof out, "%s/overview_%s%s.png", dir, data, log ? "_log" : "");
      snprintf(title, sizeof title, "%s (label: method iterations seed)", data);
      int k = 0;
      args[k++] = "-o";
      args[k++] = out;
      args[k++] = "--title";
      args[k++] = title;
      if (log) args[k++] = "--log";
      for (int c = 0; c < nc; c++) args[k++] = cols[c];
      if (cmd_overview(k, args)) rc = 1;
    }
    for (int c = 0; c < nc; c++) free(cols[c]);
    free(cols);
    free(args);
  }
  return rc | report_loss_curves(dir, runs, n);
}

void report_figures_md(const ReportRun *runs, int n, FILE *f) {
  int any = 0;
  for (int i = 0; i < n; i++) {
    if (!first_of_data(runs, i)) continue;
    if (!any++)
      fprintf(f, "\n## Figures\n\nDensity and samples of each method's lowest seed at its largest scored budget:\n\n");
    fprintf(f, "- %s: overview_%s.png (density), overview_%s_log.png (log-density)\n", runs[i].data, runs[i].data,
            runs[i].data);
  }
  for (int i = 0, any_loss = 0; i < n; i++) {
    if (!first_of_cell(runs, i)) continue;
    char p[200];
    file_part(runs[i].params, p, sizeof p);
    if (!any_loss++) fprintf(f, "\nLoss curves (every logged term against the iteration, mean over the seeds):\n\n");
    fprintf(f, "- %s, %s%s%s: loss_%s_%s%s%s.png\n", runs[i].data, runs[i].method, *runs[i].params ? " " : "",
            runs[i].params, runs[i].data, runs[i].method, *p ? "_" : "", p);
  }
}
