/* `ebmforge plot RUN_DIR`: the figures of one run, drawn with PLplot from the
 * arrays and the log its trainer wrote. */
#include "plot_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figure.h"
#include "fsutil.h"
#include "json_flat.h"
#include "loss_curves.h"
#include "npy.h"
#include "safetensors.h"
#include "toy_data.h"

static const char *about =
    "Draws the figures of a training run from what its trainer wrote there:\n"
    "  density.EXT      the density exp(-E) of RUN_DIR/energy_grid.npy, normalised on the\n"
    "                   grid, with axes, a colour bar (per unit area) and, for a Gaussian\n"
    "                   mixture data set, circles at 2 standard deviations of each true mode\n"
    "  log_density.EXT  its log, over the 15 nats below the maximum (colour bar in nats)\n"
    "  samples.EXT      RUN_DIR/samples.npy (float32 [N, 2]) over the same square, with the\n"
    "                   scores of RUN_DIR/eval.json if present (train-cpu eval --json)\n"
    "  losses.EXT       every numeric term of RUN_DIR/log.jsonl against the iteration\n"
    "Titles name the model, method, data set, step and seed (from RUN_DIR/arrays.json,\n"
    "run.json or ckpt.safetensors). Files that are missing are skipped, with a note.\n"
    "`train-cpu train` writes all of them for 2-D data; docs/plots.md describes each figure.\n";

typedef struct {
  char model[128], method[128], data[128];
  double step, seed, range;
} RunInfo;

/* arrays.json (the trainer's description of its arrays), else run.json, else the checkpoint */
static void run_info(const char *dir, RunInfo *ri) {
  memset(ri, 0, sizeof *ri);
  ri->step = ri->seed = -1, ri->range = 4;
  const char *files[] = {"arrays.json", "run.json"};
  char path[4200];
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    JsonFlat j;
    if (json_flat_read(path, &j)) continue;
    const char *m = json_flat_str(&j, "model", NULL), *me = json_flat_str(&j, "method", NULL);
    const char *d = json_flat_str(&j, "data", NULL);
    if (!*ri->model && m) snprintf(ri->model, sizeof ri->model, "%s", m);
    if (!*ri->method && me) snprintf(ri->method, sizeof ri->method, "%s", me);
    if (!*ri->data && d) snprintf(ri->data, sizeof ri->data, "%s", d);
    if (ri->step < 0) json_flat_num(&j, "step", &ri->step);
    if (ri->seed < 0) json_flat_num(&j, "seed", &ri->seed);
    json_flat_num(&j, "range", &ri->range);
    json_flat_free(&j);
  }
  if (ri->step >= 0 && ri->seed >= 0 && *ri->model) return;
  StFile f;
  char err[600];
  snprintf(path, sizeof path, "%s/ckpt.safetensors", dir);
  if (st_read(path, &f, err, sizeof err)) return st_free(&f);
  const char *m = st_meta(&f, "model"), *st = st_meta(&f, "step"), *sd = st_meta(&f, "seed");
  if (m && !*ri->model) snprintf(ri->model, sizeof ri->model, "%s", m);
  if (st && ri->step < 0) ri->step = atof(st);
  if (sd && ri->seed < 0) ri->seed = atof(sd);
  st_free(&f);
}

static void make_title(const RunInfo *ri, char *out, size_t n) {
  int k = snprintf(out, n, "%s", *ri->model ? ri->model : "run");
  if (*ri->method) k += snprintf(out + k, n - k, " (%s)", ri->method);
  if (*ri->data) k += snprintf(out + k, n - k, " on %s", ri->data);
  if (ri->step >= 0) k += snprintf(out + k, n - k, ", step %.0f", ri->step);
  if (ri->seed >= 0) snprintf(out + k, n - k, ", seed %.0f", ri->seed);
}

int plot_true_modes(const char *data, FigCircle *out, int max) {
  const ToyDataset *d = data && *data ? toy_dataset(data) : NULL;
  if (!d || !d->modes || d->mode_std <= 0) return 0;
  int n = d->n_modes < max ? d->n_modes : max;
  for (int i = 0; i < n; i++) out[i] = (FigCircle){d->modes[2 * i], d->modes[2 * i + 1], 2 * d->mode_std};
  return n;
}

void plot_scores(const char *dir, char *out, size_t n) {
  char path[4200];
  snprintf(path, sizeof path, "%s/eval.json", dir);
  *out = 0;
  JsonFlat j;
  if (json_flat_read(path, &j)) return;
  double nll, modes, n_modes, mmd;
  int k = 0;
  if (!json_flat_num(&j, "test_nll_grid", &nll) || !json_flat_num(&j, "test_nll", &nll))
    k += snprintf(out + k, n - k, "NLL %.2f", nll);
  if (!json_flat_num(&j, "modes_covered", &modes) && !json_flat_num(&j, "n_modes", &n_modes))
    k += snprintf(out + k, n - k, "%s%.0f/%.0f modes", k ? ", " : "", modes, n_modes);
  if (!json_flat_num(&j, "mmd2", &mmd)) snprintf(out + k, n - k, "%sMMD#u2#d %.3f", k ? ", " : "", mmd);
  json_flat_free(&j);
}

/* ---- the command ------------------------------------------------------ */

typedef struct {
  const char *out_dir, *run_dir;
  double view; /* half-width shown; 0: the grid's */
  FigFormat fmt;
  int drawn;
  int failed;
} Out;

static void target(const Out *o, const char *name, char *path, size_t n) {
  snprintf(path, n, "%s/%s.%s", o->out_dir, name, fig_format_ext(o->fmt));
}

static void done(Out *o, const char *path, int rc, const char *err) {
  if (rc)
    fprintf(stderr, "ebmforge plot: %s\n", err), o->failed = 1;
  else
    fprintf(stderr, "ebmforge plot: wrote %s\n", path), o->drawn++;
}

/* half-width of the box |x|, |y| <= h holding `share` of the grid's mass (u = log density) */
static double mass_box(const float *u, int rows, int cols, double range, double share) {
  double mx = -INFINITY, total = 0;
  for (long i = 0; i < (long)rows * cols; i++)
    if (isfinite(u[i]) && u[i] > mx) mx = u[i];
  double *ring = calloc((size_t)(rows > cols ? rows : cols), sizeof(double)); /* mass by Chebyshev ring */
  int half = (rows > cols ? rows : cols) / 2;
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) {
      double v = u[(long)i * cols + j];
      if (!isfinite(v)) continue;
      int di = abs(2 * i + 1 - rows) / 2, dj = abs(2 * j + 1 - cols) / 2, k = di > dj ? di : dj;
      double p = exp(v - mx);
      ring[k] += p, total += p;
    }
  double acc = 0;
  int k = 0;
  while (k < half && acc + ring[k] < share * total) acc += ring[k++];
  free(ring);
  return range * (k + 1) / half;
}

/* half-width of the box holding `share` of the points */
static double point_box(const float *xy, int n, double share) {
  double *m = malloc(sizeof(double) * (n > 0 ? n : 1));
  for (int i = 0; i < n; i++) m[i] = fmax(fabs(xy[2 * i]), fabs(xy[2 * i + 1]));
  for (int i = 1; i < n; i++) /* insertion sort: n is a few thousand */
    for (int j = i; j > 0 && m[j - 1] > m[j]; j--) {
      double t = m[j];
      m[j] = m[j - 1], m[j - 1] = t;
    }
  double r = n ? m[(int)(share * (n - 1))] : 0;
  free(m);
  return r;
}

/* the smallest of 1, 1.5, 2, 3, 4 (at most range) with a 10% margin around what matters */
static double auto_view(const float *u, int rows, int cols, const float *xy, int n, double range) {
  double need = 0;
  if (u) need = fmax(need, mass_box(u, rows, cols, range, 0.99));
  if (xy) need = fmax(need, point_box(xy, n, 0.99));
  static const double steps[] = {1, 1.5, 2, 3, 4};
  for (int i = 0; i < 5; i++)
    if (steps[i] >= 1.1 * need && steps[i] < range) return steps[i];
  return range;
}

static void draw_grid(Out *o, const char *title, const float *u, int rows, int cols, double range, const FigCircle *c,
                      int nc) {
  for (int log_scale = 0; log_scale < 2; log_scale++) {
    char path[4200], err[600];
    target(o, log_scale ? "log_density" : "density", path, sizeof path);
    if (fig_begin(path, o->fmt, 680, 600, 1, 1, title, err, sizeof err)) {
      done(o, path, -1, err);
      return;
    }
    fig_view(o->view);
    fig_density(u, rows, cols, range, log_scale, log_scale ? "log density of the model" : "density of the model", c,
                nc);
    done(o, path, fig_end(err, sizeof err), err);
  }
}

static void draw_samples(Out *o, const char *title, const float *xy, int n, double range, const FigCircle *c, int nc) {
  char path[4200], err[600], sub[300], scores[200];
  target(o, "samples", path, sizeof path);
  if (fig_begin(path, o->fmt, 680, 600, 1, 1, title, err, sizeof err)) {
    done(o, path, -1, err);
    return;
  }
  plot_scores(o->run_dir, scores, sizeof scores);
  fig_view(o->view);
  snprintf(sub, sizeof sub, "%d samples%s%s", n, *scores ? "; " : "", scores);
  fig_scatter(xy, n, range, sub, c, nc);
  done(o, path, fig_end(err, sizeof err), err);
}

static void draw_curves(Out *o, const char *title, const Curves *c) {
  char path[4200], err[600];
  target(o, "losses", path, sizeof path);
  done(o, path, curves_draw(c, path, o->fmt, title, err, sizeof err), err);
}

int cmd_plot(int argc, char **argv) {
  const char *dir = NULL, *title_arg = NULL, *data_arg = NULL;
  Out o = {NULL, NULL, -1, FIG_PNG, 0, 0};
  const CliOpt opts[] = {
      ARG_STRING("RUN_DIR", &dir, "the run's directory (what its trainer wrote)", .required = 1),
      OPT_PARSED("--format", &o.fmt, "F", fig_format_parse, "png, pdf or svg", "the figures' format", .dflt = "png"),
      OPT_STRING("-o", &o.out_dir, "DIR", "write the figures to DIR", .dflt = "RUN_DIR"),
      OPT_STRING("--title", &title_arg, "TEXT", "the title line instead of the one made from the run's records"),
      OPT_STRING("--data", &data_arg, "NAME", "the toy data set whose true modes are drawn", .dflt = "the run's"),
      OPT_DOUBLE("--view", &o.view, "A", 0, CLI_NO_MAX, "show [-A, A]^2",
                 .dflt = "the smallest of 1, 1.5, 2, 3, 4 holding 99% of the samples and of the density's mass, "
                         "with a margin"),
      OPT_END,
  };
  const CliCommand cmd = {"plot", about, opts, "exit codes: 0 done, 1 I/O error, 2 bad arguments or nothing to draw\n"};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  if (!o.out_dir) o.out_dir = dir;
  o.run_dir = dir;
  if (mkdir_p(o.out_dir)) {
    fprintf(stderr, "ebmforge plot: cannot create %s\n", o.out_dir);
    return 1;
  }
  RunInfo ri;
  run_info(dir, &ri);
  char title[600];
  if (title_arg)
    snprintf(title, sizeof title, "%s", title_arg);
  else
    make_title(&ri, title, sizeof title);
  FigCircle modes[64];
  int nm = plot_true_modes(data_arg ? data_arg : ri.data, modes, 64);

  char path[4200], err[600];
  float *u = NULL, *xy = NULL;
  int rank, found = 0, rows = 0, cols = 0, n = 0;
  int64_t shape[NPY_MAX_RANK];
  snprintf(path, sizeof path, "%s/energy_grid.npy", dir);
  if (!npy_read_f32(path, &u, &rank, shape, err, sizeof err)) {
    found++;
    if (rank != 2 || shape[0] < 2 || shape[1] < 2) {
      fprintf(stderr, "ebmforge plot: %s: expected an energy grid [R, C], got rank %d\n", path, rank);
      o.failed = 2;
      free(u), u = NULL;
    } else {
      rows = (int)shape[0], cols = (int)shape[1];
      for (long i = 0; i < (long)rows * cols; i++) u[i] = -u[i];
    }
  } else
    fprintf(stderr, "ebmforge plot: no density: %s\n", err);
  snprintf(path, sizeof path, "%s/samples.npy", dir);
  if (!npy_read_f32(path, &xy, &rank, shape, err, sizeof err)) {
    found++;
    if (rank != 2 || shape[1] != 2) {
      fprintf(stderr, "ebmforge plot: %s: expected 2-D points [N, 2]\n", path);
      o.failed = 2;
      free(xy), xy = NULL;
    } else
      n = (int)shape[0];
  } else
    fprintf(stderr, "ebmforge plot: no samples: %s\n", err);
  if (o.view < 0) o.view = auto_view(u, rows, cols, xy, n, ri.range);
  if (u) draw_grid(&o, title, u, rows, cols, ri.range, modes, nm);
  if (xy) draw_samples(&o, title, xy, n, ri.range, modes, nm);
  Curves c;
  snprintf(path, sizeof path, "%s/log.jsonl", dir);
  if (!curves_read(path, &c)) {
    found++;
    if (c.n_terms && c.n)
      draw_curves(&o, title, &c);
    else
      fprintf(stderr, "ebmforge plot: %s has no logged terms\n", path);
    curves_free(&c);
  } else
    fprintf(stderr, "ebmforge plot: no loss curves: cannot read %s\n", path);
  free(u);
  free(xy);
  if (!found) {
    fprintf(stderr, "ebmforge plot: nothing to draw in %s (energy_grid.npy, samples.npy, log.jsonl)\n", dir);
    return 2;
  }
  return o.failed == 2 ? 2 : o.failed ? 1 : 0;
}
