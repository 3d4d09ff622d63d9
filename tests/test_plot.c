/* `ebmforge plot` on a synthetic run: the four figures are written at their
 * documented sizes; the density's maximum (viridis yellow) is drawn where the
 * energy puts it (+y up) and the log-density shows a region the linear
 * density leaves dark; losses.png has one panel per logged term; PDF and SVG
 * on request; the title comes from arrays.json; bad input exits 2 and writes
 * nothing. */
#define _POSIX_C_SOURCE 200809L
#include "plot_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "png_read.h"
#include "npy.h"

enum { R = 64, N = 200 };

static int yellow(const uint8_t *p) { return p[0] > 235 && p[1] > 215 && p[2] < 70; }
static int greenish(const uint8_t *p) { return abs(p[0] - 58) < 25 && abs(p[1] - 183) < 25 && abs(p[2] - 118) < 25; }

/* count and centroid of matching pixels */
static int find(const uint8_t *img, int w, int h, int (*is)(const uint8_t *), double *r, double *c) {
  double sr = 0, sc = 0;
  int n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (is(img + 3 * ((size_t)y * w + x))) sr += y, sc += x, n++;
  *r = n ? sr / n : -1, *c = n ? sc / n : -1;
  return n;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static int starts_with(const char *path, const char *magic) {
  char buf[16] = {0};
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, strlen(magic), f);
  fclose(f);
  return n == strlen(magic) && !memcmp(buf, magic, n);
}

int main(void) {
  /* energy 0 in the quadrant x < 0, y > 0, 5 elsewhere (the log-density 5 of 15 nats down there) */
  static float e[R * R], xy[2 * N];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < R; j++) e[i * R + j] = (j < R / 2 && i >= R / 2) ? 0 : 5;
  for (int i = 0; i < N; i++) xy[2 * i] = -2 + 0.01f * (i % 10), xy[2 * i + 1] = 2 + 0.01f * (i / 10);
  char dir[4200], path[4400], err[600];
  snprintf(dir, sizeof dir, "%s", test_path("run"));
  mkdir(dir, 0755);
  int64_t gs[2] = {R, R}, ss[2] = {N, 2};
  snprintf(path, sizeof path, "%s/energy_grid.npy", dir);
  CHECK(!npy_write_f32(path, e, 2, gs, err, sizeof err), "%s", err);
  snprintf(path, sizeof path, "%s/samples.npy", dir);
  CHECK(!npy_write_f32(path, xy, 2, ss, err, sizeof err), "%s", err);
  snprintf(path, sizeof path, "%s/log.jsonl", dir);
  FILE *f = fopen(path, "w");
  for (int i = 1; i <= 50; i++)
    fprintf(f, "{\"iter\": %d, \"a\": %g, \"b\": %g, \"c\": %d}\n", 10 * i, 1.0 / i, -0.5 * i, i % 3);
  fprintf(f, "{\"iter\": 500, \"event\": \"nan_rollback\", \"to\": 400}\n");
  fclose(f);
  snprintf(path, sizeof path, "%s/arrays.json", dir);
  f = fopen(path, "w");
  fprintf(f,
          "{\"model\": \"toy\", \"method\": \"bb-mi-gp\", \"data\": \"25gaussians\", \"step\": 500, \"seed\": 3, "
          "\"grid\": %d, \"range\": 4}\n",
          R);
  fclose(f);

  char *args[] = {dir};
  CHECK(cmd_plot(1, args) == 0, "plot of a complete run succeeds");
  const char *names[] = {"density", "log_density", "samples", "losses"};
  const int sizes[][2] = {{680, 600}, {680, 600}, {680, 600}, {3 * 400, 320 + 44}};
  uint8_t *img[4] = {0};
  int w, h;
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%s/%s.png", dir, names[k]);
    img[k] = test_png_load(path, &w, &h);
    CHECK(img[k] != NULL, "%s.png written and readable", names[k]);
    if (img[k])
      CHECK(w == sizes[k][0] && h == sizes[k][1], "%s.png is %dx%d, expected %dx%d", names[k], w, h, sizes[k][0],
            sizes[k][1]);
  }
  if (!img[0] || !img[1]) return report();
  double r, c;
  int n = find(img[0], 680, 600, yellow, &r, &c);
  /* the square panel spans about x 100..460, y 125..485 (title band on top): its centre ~ (280, 305) */
  CHECK(n > 500, "density: the maximum drawn (%d yellow pixels)", n);
  CHECK(c < 270 && r < 300, "density: the maximum is top-left, centroid (%.0f, %.0f)", c, r);
  double r2, c2;
  int green_lin = find(img[0], 680, 600, greenish, &r2, &c2), green_log = find(img[1], 680, 600, greenish, &r2, &c2);
  CHECK(green_log > 20000, "log density: the rest at 2/3 of the colour map (%d green pixels)", green_log);
  CHECK(green_lin < 2000, "linear density: the rest is dark (%d green pixels: the colour bar's)", green_lin);
  CHECK(c2 > 280 || r2 > 305, "log density: the green region lies outside the top-left quadrant (%.0f, %.0f)", c2, r2);
  for (int k = 0; k < 4; k++) free(img[k]);

  /* PDF and SVG, to another directory (created) */
  char out[4300];
  snprintf(out, sizeof out, "%s/figs", dir);
  char *pdf[] = {dir, "--format", "pdf", "-o", out};
  CHECK(cmd_plot(5, pdf) == 0, "--format pdf succeeds");
  snprintf(path, sizeof path, "%s/density.pdf", out);
  CHECK(starts_with(path, "%PDF"), "density.pdf is a PDF");
  char *svg[] = {dir, "--format", "svg", "-o", out};
  CHECK(cmd_plot(5, svg) == 0, "--format svg succeeds");
  snprintf(path, sizeof path, "%s/losses.svg", out);
  CHECK(starts_with(path, "<?xml"), "losses.svg is SVG");

  /* the true modes of --data are drawn: white circles over the dark density */
  char *modes[] = {dir, "-o", out, "--data", "8gaussians"};
  CHECK(cmd_plot(5, modes) == 0, "--data 8gaussians succeeds");

  /* bad input: exit 2, nothing written */
  const char *empty = test_path("empty");
  mkdir(empty, 0755);
  char *none[] = {(char *)empty};
  CHECK(cmd_plot(1, none) == 2, "a directory with nothing to draw: exit 2");
  snprintf(path, sizeof path, "%s/density.png", empty);
  CHECK(!exists(path), "and nothing written");
  char *fmt[] = {dir, "--format", "jpg"};
  CHECK(cmd_plot(3, fmt) == 2, "--format jpg: exit 2");
  char *two[] = {dir, dir};
  CHECK(cmd_plot(2, two) == 2, "two run directories: exit 2");
  /* a malformed array: samples of 3 columns */
  const char *bad = test_path("bad");
  mkdir(bad, 0755);
  int64_t s3[2] = {N / 2, 3};
  snprintf(path, sizeof path, "%s/samples.npy", bad);
  npy_write_f32(path, xy, 2, s3, err, sizeof err);
  char *badargs[] = {(char *)bad};
  CHECK(cmd_plot(1, badargs) == 2, "samples of 3 columns: exit 2");
  return report();
}
