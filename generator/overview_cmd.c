#define _POSIX_C_SOURCE 200809L /* strndup even under -std=c11 */
#include "overview_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font5x7.h"
#include "npy.h"
#include "png.h"

static const char *usage =
  "usage: ebmforge overview -o OUT.png [--title TEXT] [--range A] [--size P] [--log] [LABEL=]DIR...\n"
  "\n"
  "One PNG of toy runs side by side, a column per DIR in the order given: its\n"
  "label on top (LABEL, or DIR's last component), below it the density exp(-E)\n"
  "of DIR/energy_grid.npy normalised on the grid (float32 [R, C] energies at the\n"
  "cell centres of [-A, A]^2, row 0 = lowest y, as `train-cpu energy --grid` and\n"
  "bench/torch_toy.py --out write them; the colours of density.png), and below\n"
  "that DIR/samples.npy (float32 [N, 2]) scattered over the same square.\n"
  "\n"
  "  -o OUT.png     the picture to write\n"
  "  --title TEXT   a title line above the columns (e.g. the data set)\n"
  "  --range A      half-width of the square (default 4, the trainers' grid)\n"
  "  --size P       panel size in pixels (default 256)\n"
  "  --log          draw the log-density over the 15 nats below its maximum instead\n"
  "                 (the trainers' log_density.png): sharp energies, which leave the\n"
  "                 density dark but for a few cells, still show their shape\n"
  "\n"
  "Labels use a 5x7 font of capitals, digits and - _ . , : = / ( ) + !; other\n"
  "characters show as '?', long labels are cut to the panel width.\n"
  "exit codes: 0 done, 1 I/O error, 2 bad arguments or inputs (nothing written)\n";

typedef struct {
  const char *label;
  float *grid, *xy;
  int rows, cols, n;
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
  if (npy_read_f32(path, &r->grid, &rank, shape, e, sizeof e)) { snprintf(err, errlen, "%s", e); return -1; }
  if (rank != 2 || shape[0] < 1 || shape[1] < 1) {
    snprintf(err, errlen, "%s: expected an energy grid of shape [R, C], got rank %d", path, rank);
    return -1;
  }
  r->rows = (int)shape[0], r->cols = (int)shape[1];
  for (long i = 0; i < (long)r->rows * r->cols; i++) r->grid[i] = -r->grid[i];
  snprintf(path, sizeof path, "%s/samples.npy", dir);
  if (npy_read_f32(path, &r->xy, &rank, shape, e, sizeof e)) { snprintf(err, errlen, "%s", e); return -1; }
  if (rank != 2 || shape[1] != 2) {
    snprintf(err, errlen, "%s: expected samples of shape [N, 2], got rank %d%s", path, rank,
             rank == 2 ? " with other than 2 columns" : "");
    return -1;
  }
  r->n = (int)shape[0];
  return 0;
}

/* text cut to `width` pixels, at scale 2 if it fits, else 1 */
static void label(PngRegion at, int r, int c, const char *text, int width) {
  static const uint8_t BLACK[3] = {0, 0, 0};
  int len = (int)strlen(text), scale = len * FONT_ADVANCE(2) <= width ? 2 : 1;
  font_draw(at, r + (scale == 1 ? OVERVIEW_TEXT_H / 4 : 0), c, text, width / FONT_ADVANCE(scale), scale, BLACK);
}

int cmd_overview(int argc, char **argv) {
  const char *out = NULL, *title = NULL;
  double range = 4;
  long size = 256;
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
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage, stdout); rc = 0; goto done; }
    if (!strcmp(a, "-o") && has) out = argv[++i];
    else if (!strcmp(a, "--title") && has) title = argv[++i];
    else if (!strcmp(a, "--log")) log_scale = 1;
    else if (!strcmp(a, "--range") && has) {
      range = strtod(argv[++i], &end);
      if (*end || !(range > 0) || !isfinite(range)) { rc = bad("--range needs a finite number > 0"); goto done; }
    } else if (!strcmp(a, "--size") && has) {
      size = strtol(argv[++i], &end, 10);
      if (*end || size < 16 || size > 2048) { rc = bad("--size needs an integer in 16..2048"); goto done; }
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
  if (!out) { rc = bad("needs -o OUT.png"); goto done; }
  if (!n) { rc = bad("needs at least one run directory"); goto done; }
  for (int i = 0; i < n; i++)
    if (load_run(dirs[i], &runs[i], err, sizeof err)) {
      fprintf(stderr, "ebmforge overview: %s\n", err);
      goto done;
    }
  int P = (int)size, M = OVERVIEW_MARGIN, G = OVERVIEW_GAP, T = OVERVIEW_TEXT_H;
  int W = 2 * M + n * P + (n - 1) * G;
  int top = M + (title ? T + G : 0), yd = top + T + OVERVIEW_LABEL_GAP, ys = yd + P + G, H = ys + P + M;
  if (W > 16384) { rc = bad("too many runs for one picture (16384 pixels wide at most)"); goto done; }
  uint8_t *img = malloc((size_t)W * H * 3);
  if (!img) { fprintf(stderr, "ebmforge overview: out of memory for a %dx%d picture\n", W, H); rc = 1; goto done; }
  memset(img, 255, (size_t)W * H * 3);
  PngRegion all = {img, W, 0, 0};
  if (title) label(all, M, M, title, W - 2 * M);
  for (int i = 0; i < n; i++) {
    int x = M + i * (P + G);
    label(all, top, x, runs[i].label, P);
    PngRegion panel = {img, W, x, yd};
    if (log_scale) png_draw_log_density(panel, runs[i].grid, runs[i].rows, runs[i].cols, P, P);
    else png_draw_density(panel, runs[i].grid, runs[i].rows, runs[i].cols, P, P);
    png_draw_scatter((PngRegion){img, W, x, ys}, runs[i].xy, runs[i].n, (float)range, P);
  }
  rc = png_write_rgb(out, img, W, H, err, sizeof err) ? 1 : 0;
  if (rc) fprintf(stderr, "ebmforge overview: %s\n", err);
  else fprintf(stderr, "ebmforge overview: wrote %s (%d runs, %dx%d)\n", out, n, W, H);
  free(img);
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
