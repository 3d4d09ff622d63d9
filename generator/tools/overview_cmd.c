#define _POSIX_C_SOURCE 200809L /* strndup even under -std=c11 */
#include "overview_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "npy.h"
#include "plot_cmd.h"

static const char *usage =
    "usage: ebmforge overview -o OUT.png|.pdf|.svg [--title TEXT] [--range A] [--size P] [--log] [--data NAME] [--view "
    "V] [LABEL=]DIR...\n"
    "\n"
    "One figure of toy runs side by side, a column per DIR in the order given\n"
    "(PLplot; the format follows OUT's extension). Top: the density exp(-E) of\n"
    "DIR/energy_grid.npy normalised on the grid (float32 [R, C] energies at the\n"
    "cell centres of [-A, A]^2, row 0 = lowest y, as `train-cpu train` and\n"
    "`train-cpu energy --grid`, or bench/torch_toy.py --out, write them), with\n"
    "axes and a colour bar, titled LABEL (or DIR's last component); below it\n"
    "DIR/samples.npy (float32 [N, 2]) over the same square, titled with the run's\n"
    "scores when DIR/eval.json exists (`train-cpu eval --json DIR/eval.json`): grid\n"
    "NLL, modes covered, MMD^2.\n"
    "\n"
    "  -o OUT         the figure to write (.png, .pdf or .svg)\n"
    "  --title TEXT   a title line above the columns (e.g. the data set)\n"
    "  --range A      half-width of the square (default 4, the trainers' grid)\n"
    "  --size P       size of one panel in pixels (default 300)\n"
    "  --log          the log-density over the 15 nats below its maximum instead: sharp\n"
    "                 energies, which leave the density dark but for a few cells, still\n"
    "                 show their shape\n"
    "  --data NAME    draw the true modes of this toy data set (25gaussians, 8gaussians, ...)\n"
    "  --view V       show [-V, V]^2 of the square (default: all of it)\n"
    "\n"
    "exit codes: 0 done, 1 I/O error, 2 bad arguments or inputs (nothing written)\n";

typedef struct {
  const char *label;
  float *grid, *xy;
  int rows, cols, n;
  char scores[200]; /* from DIR/eval.json, or "" */
} Run;

static int bad(const char *msg) {
  fprintf(stderr, "ebmforge overview: %s\n\n%s", msg, usage);
  return 2;
}

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
  const char *out = NULL, *title = NULL, *data = NULL;
  double range = 4, view = 0;
  long size = 300;
  int log_scale = 0;
  int n = 0;
  Run *runs = calloc((size_t)argc + 1, sizeof *runs);
  const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
  int rc = 2;
  char err[4800];
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int has = i + 1 < argc;
    char *end;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      rc = 0;
      goto done;
    }
    if (!strcmp(a, "-o") && has)
      out = argv[++i];
    else if (!strcmp(a, "--title") && has)
      title = argv[++i];
    else if (!strcmp(a, "--log"))
      log_scale = 1;
    else if (!strcmp(a, "--data") && has)
      data = argv[++i];
    else if (!strcmp(a, "--view") && has) {
      view = strtod(argv[++i], &end);
      if (*end || !(view > 0) || !isfinite(view)) {
        rc = bad("--view needs a finite number > 0");
        goto done;
      }
    } else if (!strcmp(a, "--range") && has) {
      range = strtod(argv[++i], &end);
      if (*end || !(range > 0) || !isfinite(range)) {
        rc = bad("--range needs a finite number > 0");
        goto done;
      }
    } else if (!strcmp(a, "--size") && has) {
      size = strtol(argv[++i], &end, 10);
      if (*end || size < 100 || size > 2048) {
        rc = bad("--size needs an integer in 100..2048");
        goto done;
      }
    } else if (a[0] == '-') {
      snprintf(err, sizeof err, "unknown or incomplete option '%s'", a);
      rc = bad(err);
      goto done;
    } else {
      const char *eq = strchr(a, '=');
      dirs[n] = eq ? eq + 1 : a;
      runs[n].label = eq ? strndup(a, (size_t)(eq - a)) : NULL;
      if (!eq) { /* the directory's last component */
        size_t len = strlen(a);
        while (len > 1 && a[len - 1] == '/') len--;
        const char *s = a + len;
        while (s > a && s[-1] != '/') s--;
        runs[n].label = strndup(s, (size_t)(a + len - s));
      }
      n++;
    }
  }
  if (!out) {
    rc = bad("needs -o OUT.png (or .pdf, .svg)");
    goto done;
  }
  const char *dot = strrchr(out, '.');
  FigFormat fmt;
  if (!dot || fig_format_parse(dot + 1, &fmt)) {
    rc = bad("-o needs a .png, .pdf or .svg file name");
    goto done;
  }
  if (!n) {
    rc = bad("needs at least one run directory");
    goto done;
  }
  if ((long)n * (long)(1.4 * size) > 16384) {
    rc = bad("too many runs for one figure (16384 pixels wide at most)");
    goto done;
  }
  for (int i = 0; i < n; i++)
    if (load_run(dirs[i], &runs[i], err, sizeof err)) {
      fprintf(stderr, "ebmforge overview: %s\n", err);
      goto done;
    }
  FigCircle modes[64];
  int nm = plot_true_modes(data, modes, 64);
  int W = n * (int)(1.4 * size), H = 2 * (int)size + (title ? 44 : 0);
  if (fig_begin(out, fmt, W, H, n, 2, title, err, sizeof err)) {
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
    fprintf(stderr, "ebmforge overview: wrote %s (%d runs, %dx%d)\n", out, n, W, H);
done:
  for (int i = 0; i < n; i++) {
    free((char *)runs[i].label);
    free(runs[i].grid);
    free(runs[i].xy);
  }
  free(runs);
  free(dirs);
  return rc;
}
