/* `ebmforge report DIR`: a study's verdicts and eval JSON as tables (report_cmd.h). */
#define _GNU_SOURCE
#include "report_cmd.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "json_flat.h"
#include "report_figures.h"
#include "study_run.h"

static const char *about =
    "Tables and figures of a study's directory (`ebmforge study` writes them at its\n"
    "end; this redoes them, e.g. while a study runs): for every data set x method x\n"
    "parameters x budget, the number of seeds judged ok, diverged, collapsed and\n"
    "unfit, and the mean and standard deviation over seeds of every numeric field of\n"
    "eval's JSON (runs that diverged have none), as DIR/report.md, DIR/report.csv and\n"
    "DIR/report.json; per data set DIR/overview_<data>.png and overview_<data>_log.png:\n"
    "density (or log-density) and samples of each method's lowest seed at its\n"
    "largest scored budget, side by side (`ebmforge overview`); per data set x method x\n"
    "parameters DIR/loss_<data>_<method>[_<params>].png: every term of the runs' log.jsonl\n"
    "against the iteration, mean over the seeds. For Gaussian mixtures the tables give the\n"
    "mode weights' total variation from the true weights (mode_tv_density: the energy's\n"
    "density, mode_tv_samples: the samples; docs/methods.md).\n";

static const char *VERDICTS[] = {"ok", "diverged", "collapsed", "unfit"};
enum { N_VERDICTS = 4 };

/* the columns of report.md, when present */
static const char *MAIN_METRICS[] = {"test_nll_grid",   "kl", "mmd2", "modes_covered", "mode_tv_density",
                                     "mode_tv_samples", NULL};

typedef struct {
  double *v;
  int n;
} Values;

typedef struct {
  char *data, *method, *params;
  long iters;
  long *seeds;
  int n_seeds;
  int count[N_VERDICTS];
  Values *metric; /* [n_metric_names] */
} Cell;

typedef struct {
  Cell *cells;
  int n_cells;
  char **names; /* every metric name, in order of first appearance */
  int n_names;
  ReportRun *runs; /* every scored stage, for the figures */
  int n_runs;
} Report;

static int metric_index(Report *r, const char *name) {
  for (int i = 0; i < r->n_names; i++)
    if (!strcmp(r->names[i], name)) return i;
  r->names = realloc(r->names, (r->n_names + 1) * sizeof(char *));
  r->names[r->n_names] = strdup(name);
  for (int c = 0; c < r->n_cells; c++) {
    r->cells[c].metric = realloc(r->cells[c].metric, (r->n_names + 1) * sizeof(Values));
    r->cells[c].metric[r->n_names] = (Values){NULL, 0};
  }
  return r->n_names++;
}

static Cell *cell_for(Report *r, const char *data, const char *method, const char *params, long iters) {
  for (int i = 0; i < r->n_cells; i++) {
    Cell *c = &r->cells[i];
    if (c->iters == iters && !strcmp(c->data, data) && !strcmp(c->method, method) && !strcmp(c->params, params))
      return c;
  }
  r->cells = realloc(r->cells, (r->n_cells + 1) * sizeof(Cell));
  Cell *c = &r->cells[r->n_cells++];
  memset(c, 0, sizeof *c);
  c->data = strdup(data);
  c->method = strdup(method);
  c->params = strdup(params);
  c->iters = iters;
  c->metric = calloc(r->n_names + 1, sizeof(Values));
  return c;
}

/* one seed<k> directory: rel is its parent's path below DIR, <data>/<method>[/<params>] */
static void read_seed_dir(Report *r, const char *path, const char *rel, long seed) {
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  char data[256], method[256];
  const char *p2 = strchr(rel, '/');
  if (!p2) {
    closedir(d);
    return;
  }
  snprintf(data, sizeof data, "%.*s", (int)(p2 - rel), rel);
  const char *p3 = strchr(p2 + 1, '/');
  snprintf(method, sizeof method, "%.*s", p3 ? (int)(p3 - p2 - 1) : (int)strlen(p2 + 1), p2 + 1);
  const char *params = p3 ? p3 + 1 : "";
  while ((e = readdir(d))) {
    long b;
    char tail[16];
    if (sscanf(e->d_name, "verdict_%ld.%15s", &b, tail) != 2 || strcmp(tail, "json")) continue;
    char vp[5000], ep[5000];
    snprintf(vp, sizeof vp, "%s/%s", path, e->d_name);
    snprintf(ep, sizeof ep, "%s/eval_%ld.json", path, b);
    JsonFlat v, ev = {0};
    if (json_flat_read(vp, &v)) continue;
    Cell *c = cell_for(r, data, method, params, b);
    const char *verdict = json_flat_str(&v, "verdict", "diverged");
    for (int k = 0; k < N_VERDICTS; k++) c->count[k] += !strcmp(verdict, VERDICTS[k]);
    c->seeds = realloc(c->seeds, (c->n_seeds + 1) * sizeof(long));
    c->seeds[c->n_seeds++] = seed;
    if (strcmp(verdict, "diverged") && !json_flat_read(ep, &ev))
      for (int i = 0; i < ev.n; i++) {
        if (ev.f[i].type != JF_NUMBER || !isfinite(ev.f[i].num)) continue;
        int m = metric_index(r, ev.f[i].key);
        Values *x = &c->metric[m];
        x->v = realloc(x->v, (x->n + 1) * sizeof(double));
        x->v[x->n++] = ev.f[i].num;
      }
    json_flat_free(&ev);
    r->runs = realloc(r->runs, (r->n_runs + 1) * sizeof(ReportRun));
    r->runs[r->n_runs++] = (ReportRun){
        strdup(path), strdup(data), strdup(method), strdup(params), seed, b, strcmp(verdict, "diverged") != 0};
    json_flat_free(&v);
  }
  closedir(d);
}

static void walk(Report *r, const char *path, const char *rel, int depth) {
  DIR *d = opendir(path);
  if (!d || depth > 6) {
    if (d) closedir(d);
    return;
  }
  struct dirent *e;
  char **subs = NULL;
  int n = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || (depth == 0 && !strcmp(e->d_name, "figures"))) continue;
    subs = realloc(subs, (n + 1) * sizeof(char *));
    subs[n++] = strdup(e->d_name);
  }
  closedir(d);
  for (int i = 0; i < n; i++) {
    char p[4600], q[4600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", path, subs[i]);
    snprintf(q, sizeof q, "%s%s%s", rel, *rel ? "/" : "", subs[i]);
    long seed;
    char rest[8];
    if (stat(p, &st) || !S_ISDIR(st.st_mode)) {
      free(subs[i]);
      continue;
    }
    if (depth >= 2 && sscanf(subs[i], "seed%ld%7s", &seed, rest) == 1)
      read_seed_dir(r, p, rel, seed);
    else
      walk(r, p, q, depth + 1);
    free(subs[i]);
  }
  free(subs);
}

static int cmp_cell(const void *a, const void *b) {
  const Cell *x = a, *y = b;
  int c = strcmp(x->data, y->data);
  if (!c) c = strcmp(x->method, y->method);
  if (!c) c = strcmp(x->params, y->params);
  return c ? c : (x->iters > y->iters) - (x->iters < y->iters);
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static void mean_sd(const Values *x, double *m, double *sd) {
  *m = *sd = NAN;
  if (!x->n) return;
  double s = 0, q = 0;
  for (int i = 0; i < x->n; i++) s += x->v[i];
  *m = s / x->n;
  for (int i = 0; i < x->n; i++) q += (x->v[i] - *m) * (x->v[i] - *m);
  *sd = x->n > 1 ? sqrt(q / (x->n - 1)) : 0;
}

static void json_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.9g", v);
  else
    fputs("null", f);
}

static void csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void write_md(const Report *r, FILE *f) {
  fprintf(f,
          "# Study report\n\nPer data set, method, parameters and budget (iterations): seeds judged ok /\n"
          "diverged / collapsed / unfit, and mean ± sd over the seeds that did not diverge.\n"
          "Verdicts: diverged = the trainer stopped on NaN/Inf, eval failed or samples not finite;\n"
          "collapsed = sample variance < %g of the data's, or fewer than %g of the modes covered;\n"
          "unfit = grid NLL > log 64 = %.3f nats (uniform on [-4, 4]^2). mode_tv_density / mode_tv_samples:\n"
          "total variation between the true mode weights and those of the density / the samples\n"
          "(Gaussian mixtures; docs/methods.md). Every metric: report.csv.\n",
          STUDY_COLLAPSE_VAR_RATIO, STUDY_COLLAPSE_MODES, STUDY_UNFIT_NLL);
  const char *last = "";
  for (int i = 0; i < r->n_cells; i++) {
    const Cell *c = &r->cells[i];
    if (strcmp(c->data, last)) {
      last = c->data;
      fprintf(f, "\n## %s\n\n| method | params | iters | seeds | ok | diverged | collapsed | unfit |", c->data);
      for (int k = 0; MAIN_METRICS[k]; k++) fprintf(f, " %s |", MAIN_METRICS[k]);
      fprintf(f, "\n|---|---|---|---|---|---|---|---|");
      for (int k = 0; MAIN_METRICS[k]; k++) fprintf(f, "---|");
      fprintf(f, "\n");
    }
    fprintf(f, "| %s | %s | %ld | %d | %d | %d | %d | %d |", c->method, *c->params ? c->params : "-", c->iters,
            c->n_seeds, c->count[0], c->count[1], c->count[2], c->count[3]);
    for (int k = 0; MAIN_METRICS[k]; k++) {
      int m = -1;
      for (int j = 0; j < r->n_names; j++)
        if (!strcmp(r->names[j], MAIN_METRICS[k])) m = j;
      double mean, sd;
      if (m < 0 || !c->metric[m].n) {
        fprintf(f, " - |");
        continue;
      }
      mean_sd(&c->metric[m], &mean, &sd);
      fprintf(f, " %.4g ± %.2g |", mean, sd);
    }
    fprintf(f, "\n");
  }
  if (!r->n_cells) fprintf(f, "\nNo finished stage yet.\n");
  report_figures_md(r->runs, r->n_runs, f);
}

static void write_csv(const Report *r, FILE *f) {
  fprintf(f, "data,method,params,iters,seeds,ok,diverged,collapsed,unfit");
  for (int m = 0; m < r->n_names; m++) fprintf(f, ",%s_mean,%s_sd,%s_n", r->names[m], r->names[m], r->names[m]);
  fprintf(f, "\n");
  for (int i = 0; i < r->n_cells; i++) {
    const Cell *c = &r->cells[i];
    csv_field(f, c->data);
    fputc(',', f);
    csv_field(f, c->method);
    fputc(',', f);
    csv_field(f, c->params);
    fprintf(f, ",%ld,%d,%d,%d,%d,%d", c->iters, c->n_seeds, c->count[0], c->count[1], c->count[2], c->count[3]);
    for (int m = 0; m < r->n_names; m++) {
      double mean, sd;
      mean_sd(&c->metric[m], &mean, &sd);
      if (c->metric[m].n)
        fprintf(f, ",%.9g,%.9g,%d", mean, sd, c->metric[m].n);
      else
        fprintf(f, ",,,0");
    }
    fprintf(f, "\n");
  }
}

static void write_json(const Report *r, FILE *f) {
  fprintf(f,
          "{\"thresholds\": {\"collapse_var_ratio\": %g, \"collapse_modes_fraction\": %g, \"unfit_nll\": %.9g},\n "
          "\"cells\": [",
          STUDY_COLLAPSE_VAR_RATIO, STUDY_COLLAPSE_MODES, STUDY_UNFIT_NLL);
  for (int i = 0; i < r->n_cells; i++) {
    const Cell *c = &r->cells[i];
    fprintf(f, "%s\n  {\"data\": \"%s\", \"method\": \"%s\", \"params\": \"%s\", \"iters\": %ld, \"seeds\": [",
            i ? "," : "", c->data, c->method, c->params, c->iters);
    for (int k = 0; k < c->n_seeds; k++) fprintf(f, "%s%ld", k ? ", " : "", c->seeds[k]);
    fprintf(f, "], \"verdicts\": {");
    for (int k = 0; k < N_VERDICTS; k++) fprintf(f, "%s\"%s\": %d", k ? ", " : "", VERDICTS[k], c->count[k]);
    fprintf(f, "}, \"metrics\": {");
    int first = 1;
    for (int m = 0; m < r->n_names; m++) {
      if (!c->metric[m].n) continue;
      double mean, sd;
      mean_sd(&c->metric[m], &mean, &sd);
      fprintf(f, "%s\"%s\": {\"mean\": ", first ? "" : ", ", r->names[m]);
      json_num(f, mean);
      fprintf(f, ", \"sd\": ");
      json_num(f, sd);
      fprintf(f, ", \"n\": %d}", c->metric[m].n);
      first = 0;
    }
    fprintf(f, "}}");
  }
  fprintf(f, "\n ]}\n");
}

static int write_atomic(const char *dir, const char *name, const Report *r, void (*fn)(const Report *, FILE *)) {
  char path[4200], err[600];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  AtomicFile a;
  if (atomic_open(&a, path, err, sizeof err)) {
    fprintf(stderr, "ebmforge report: %s\n", err);
    return 1;
  }
  fn(r, a.f);
  if (atomic_commit(&a, err, sizeof err)) {
    fprintf(stderr, "ebmforge report: %s\n", err);
    return 1;
  }
  return 0;
}

int report_write(const char *dir) {
  Report r = {0};
  walk(&r, dir, "", 0);
  qsort(r.cells, r.n_cells, sizeof(Cell), cmp_cell);
  for (int i = 0; i < r.n_cells; i++) qsort(r.cells[i].seeds, r.cells[i].n_seeds, sizeof(long), cmp_long);
  int rc = write_atomic(dir, "report.md", &r, write_md) | write_atomic(dir, "report.csv", &r, write_csv) |
           write_atomic(dir, "report.json", &r, write_json);
  rc |= report_figures(dir, r.runs, r.n_runs);
  if (!rc) fprintf(stderr, "ebmforge report: wrote %s/report.md, report.csv, report.json (%d cells)\n", dir, r.n_cells);
  for (int i = 0; i < r.n_cells; i++) {
    Cell *c = &r.cells[i];
    for (int m = 0; m < r.n_names; m++) free(c->metric[m].v);
    free(c->metric);
    free(c->seeds);
    free(c->data);
    free(c->method);
    free(c->params);
  }
  for (int m = 0; m < r.n_names; m++) free(r.names[m]);
  for (int i = 0; i < r.n_runs; i++) {
    free(r.runs[i].dir);
    free(r.runs[i].data);
    free(r.runs[i].method);
    free(r.runs[i].params);
  }
  free(r.cells);
  free(r.names);
  free(r.runs);
  return rc ? 1 : 0;
}

int cmd_report(int argc, char **argv) {
  const char *dir = NULL;
  const CliOpt opts[] = {ARG_STRING("DIR", &dir, "the study's directory", .required = 1), OPT_END};
  const CliCommand cmd = {"report", about, opts, "exit codes: 0 done, 1 a file cannot be written, 2 bad arguments\n"};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  struct stat st;
  if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return badf("%s is not a directory", dir);
  return report_write(dir);
}
