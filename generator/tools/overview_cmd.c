#define _POSIX_C_SOURCE 200809L /* strndup even under -std=c11 */
#include "overview_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figure.h"
#include "npy.h"
#include "plot_cmd.h"

static const char *about =
    "One figure of toy runs side by side, a column per DIR in the order given\n"
    "(PLplot; the format follows OUT's extension). Top: the density exp(-E) of\n"
    "DIR/energy_grid.npy normalised on the grid (float32 [R, C] energies at the\n"
    "cell centres of [-A, A]^2, row 0 = lowest y, as `train-cpu train` and\n"
    "`train-cpu energy --grid`, or bench/torch_toy.py --out, write them), with\n"
    "axes and a colour bar, titled LABEL (or DIR's last component); below it\n"
    "DIR/samples.npy (float32 [N, 2]) over the same square, titled with the run's\n"
    "scores when DIR/eval.json exists (`train-cpu eval --json DIR/eval.json`): grid\n"
    "NLL, modes covered, MMD^2.\n";

typedef struct {
  const char *path;
  FigFormat fmt;
} Target;

/* -o's value: a file name whose extension names the format (a CliParseFn) */
static int parse_target(const char *s, void *dest) {
  Target *t = dest;
  const char *dot = strrchr(s, '.');
  if (!dot || fig_format_parse(dot + 1, &t->fmt)) return -1;
  t->path = s;
  return 0;
}

typedef struct {
  const char *label;
  float *grid, *xy;
  int rows, cols, n;
  char scores[200]; /* from DIR/eval.json, or "" */
} Run;

/* DIR/energy_grid.npy as -E and DIR/samples.npy; 0 or -1 with err. */
static int load_run(const char *dir, Run *r, char *err, size_t errlen) {
  char path[4200], e[600];
  int rank;
  int64_t shape[NPY_MAX_RANK];
  snprintf(path, sizeof path, "%s/energy_grid.npy", dir);
  if (npy_read_f32(path, &r->grid, &rank, shape, e, sizeof e)) {
    snprintf(err, errlen, "%s", e);
    return -1;
  }
  if (rank != 2 || shape[0] < 1 || shape[1] < 1) {
    snprintf(err, errlen, "%s: expected an energy grid of shape [R, C], got rank %d", path, rank);
    return -1;
  }
  r->rows = (int)shape[0], r->cols = (int)shape[1];
  for (long i = 0; i < (long)r->rows * r->cols; i++) r->grid[i] = -r->grid[i];
  snprintf(path, sizeof path, "%s/samples.npy", dir);
  if (npy_read_f32(path, &r->xy, &rank, shape, e, sizeof e)) {
    snprintf(err, errlen, "%s", e);
    return -1;
  }
  if (rank != 2 || shape[1] != 2) {
    snprintf(err, errlen, "%s: expected samples of shape [N, 2], got rank %d%s", path, rank,
             rank == 2 ? " with other than 2 columns" : "");
    return -1;
  }
  r->n = (int)shape[0];
  plot_scores(dir, r->scores, sizeof r->scores);
  return 0;
}

int cmd_overview(int argc, char **argv) {
  const char *title = NULL, *data = NULL;
  Target out = {NULL, FIG_PNG};
  CliList dirs = {0};
  double range = 4, view = 0;
  long size = 300;
  int log_scale = 0;
  const CliOpt opts[] = {
      ARG_LIST("[LABEL=]DIR", &dirs, "a run's directory, its column titled LABEL", .required = 1),
      OPT_PARSED("-o", &out, "OUT", parse_target, "a .png, .pdf or .svg file name", "the figure to write",
                 .required = 1),
      OPT_STRING("--title", &title, "TEXT", "a title line above the columns (e.g. the data set)"),
      OPT_DOUBLE("--range", &range, "A", 0, CLI_NO_MAX, "half-width of the square", .dflt = "4, the trainers' grid"),
      OPT_LONG("--size", &size, "P", 100, 2048, "size of one panel in pixels"),
      OPT_FLAG("--log", &log_scale,
               "the log-density over the 15 nats below its maximum instead: sharp energies, which leave the "
               "density dark but for a few cells, still show their shape"),
      OPT_STRING("--data", &data, "NAME", "draw the true modes of this toy data set (25gaussians, 8gaussians, ...)"),
      OPT_DOUBLE("--view", &view, "V", 0, CLI_NO_MAX, "show [-V, V]^2 of the square", .dflt = "all of it"),
      OPT_END,
  };
  const CliCommand cmd = {"overview", about, opts,
                          "exit codes: 0 done, 1 I/O error, 2 bad arguments or inputs (nothing written)\n"};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) {
    free(dirs.items);
    return rc == CLI_HELP ? 0 : rc;
  }
  int n = dirs.n;
  if ((long)n * (long)(1.4 * size) > 16384) {
    free(dirs.items);
    return bad("too many runs for one figure (16384 pixels wide at most)");
  }
  Run *runs = calloc((size_t)n, sizeof *runs);
  char err[4800];
  rc = 2;
  for (int i = 0; i < n; i++) {
    const char *a = dirs.items[i], *eq = strchr(a, '=');
    if (eq) {
      runs[i].label = strndup(a, (size_t)(eq - a));
      dirs.items[i] = eq + 1;
    } else { /* the directory's last component */
      size_t len = strlen(a);
      while (len > 1 && a[len - 1] == '/') len--;
      const char *s = a + len;
      while (s > a && s[-1] != '/') s--;
      runs[i].label = strndup(s, (size_t)(a + len - s));
    }
  }
  for (int i = 0; i < n; i++)
    if (load_run(dirs.items[i], &runs[i], err, sizeof err)) {
      fprintf(stderr, "ebmforge overview: %s\n", err);
      goto done;
    }
  FigCircle modes[64];
  int nm = plot_true_modes(data, modes, 64);
  int W = n * (int)(1.4 * size), H = 2 * (int)size + (title ? 44 : 0);
  if (fig_begin(out.path, out.fmt, W, H, n, 2, title, err, sizeof err)) {
    fprintf(stderr, "ebmforge overview: %s\n", err);
    rc = 1;
    goto done;
  }
  fig_view(view);
  for (int i = 0; i < n; i++)
    fig_density(runs[i].grid, runs[i].rows, runs[i].cols, range, log_scale, runs[i].label, modes, nm);
  for (int i = 0; i < n; i++)
    fig_scatter(runs[i].xy, runs[i].n, range, *runs[i].scores ? runs[i].scores : "samples", modes, nm);
  rc = fig_end(err, sizeof err) ? 1 : 0;
  if (rc)
    fprintf(stderr, "ebmforge overview: %s\n", err);
  else
    fprintf(stderr, "ebmforge overview: wrote %s (%d runs, %dx%d)\n", out.path, n, W, H);
done:
  for (int i = 0; i < n; i++) {
    free((char *)runs[i].label);
    free(runs[i].grid);
    free(runs[i].xy);
  }
  free(runs);
  free(dirs.items);
  return rc;
}
