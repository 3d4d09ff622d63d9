/* `ebmforge overview` on synthetic runs: picture size from the documented
 * layout, each run's density maximum (viridis yellow) in its own column and
 * in the right quadrant (+y up), the samples below it, and bad input refused
 * with exit 2 and no file. (What the axes and labels look like is checked by
 * eye; PLplot draws them.) */
#define _POSIX_C_SOURCE 200809L /* access() even under -std=c11 */
#include "overview_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "png_read.h"
#include "npy.h"

enum { R = 64, P = 128, N = 50 };

/* A run directory `name` holding the R x R energy grid e and n samples xy. */
static const char *write_run(const char *name, const float *e, const float *xy, int n) {
  static char dirs[3][4200];
  static int k;
  char *dir = dirs[k++ % 3], path[4300], err[600];
  snprintf(dir, sizeof dirs[0], "%s", test_path(name));
  mkdir(dir, 0755);
  int64_t gs[2] = {R, R}, ss[2] = {n, 2};
  snprintf(path, sizeof path, "%s/energy_grid.npy", dir);
  if (npy_write_f32(path, e, 2, gs, err, sizeof err)) fprintf(stderr, "%s\n", err);
  snprintf(path, sizeof path, "%s/samples.npy", dir);
  if (npy_write_f32(path, xy, 2, ss, err, sizeof err)) fprintf(stderr, "%s\n", err);
  return dir;
}

/* A run: energy 0 in the quadrant (sx x > 0, sy y > 0), 30 elsewhere, on an
 * R x R grid over [-4, 4]^2 (row 0 = lowest y); N samples around (2 sx, 2 sy). */
static const char *make_run(const char *name, int sx, int sy) {
  float e[R * R], xy[2 * N];
  for (int i = 0; i < R; i++)     /* y */
    for (int j = 0; j < R; j++) { /* x */
      float y = -4 + (i + 0.5f) * 8 / R, x = -4 + (j + 0.5f) * 8 / R;
      e[i * R + j] = (sx * x > 0 && sy * y > 0) ? 0 : 30;
    }
  for (int i = 0; i < N; i++) /* a small cloud around (2 sx, 2 sy) */
    xy[2 * i] = 2.0f * sx + 0.15f * (i % 7 - 3), xy[2 * i + 1] = 2.0f * sy + 0.15f * (i / 7 % 7 - 3);
  return write_run(name, e, xy, N);
}

/* A run whose energy is 0 for x > 0 and 5 for x < 0: a density 150 times
 * smaller on the left, 5 nats below the maximum in the log-density. */
static const char *make_halves(const char *name) {
  float e[R * R], xy[2] = {1, 1};
  for (int i = 0; i < R * R; i++) e[i] = i % R < R / 2 ? 5 : 0;
  return write_run(name, e, xy, 1);
}

/* viridis's top colour, allowing for antialiasing */
static int yellow(const uint8_t *p) { return p[0] > 235 && p[1] > 215 && p[2] < 70; }
static int dark_blue_dot(const uint8_t *p) { return p[2] > p[0] + 60 && p[0] < 80 && p[1] < 100; }

/* centroid of pixels matching `is` in rows [r0, r1) x columns [c0, c1); count in *n */
static void centroid(const uint8_t *img, int w, int r0, int r1, int c0, int c1, int (*is)(const uint8_t *), double *r,
                     double *c, int *n) {
  double sr = 0, sc = 0;
  *n = 0;
  for (int y = r0; y < r1; y++)
    for (int x = c0; x < c1; x++)
      if (is(img + 3 * ((size_t)y * w + x))) sr += y, sc += x, ++*n;
  *r = *n ? sr / *n : -1, *c = *n ? sc / *n : -1;
}

static int greenish(const uint8_t *p) { return abs(p[0] - 58) < 25 && abs(p[1] - 183) < 25 && abs(p[2] - 118) < 25; }
static int count(const uint8_t *img, int w, int h, int (*is)(const uint8_t *)) {
  double r, c;
  int n;
  centroid(img, w, 0, h, 0, w, is, &r, &c, &n);
  return n;
}

int main(void) {
  const char *a = make_run("a", -1, 1), *b = make_run("b", 1, -1); /* top-left, bottom-right */
  char la[4300], out[4300];
  snprintf(la, sizeof la, "alpha=%s", a);
  snprintf(out, sizeof out, "%s", test_path("overview.png"));
  char *args[] = {"-o", out, "--size", "200", "--title", "toy", la, (char *)b};
  CHECK(cmd_overview(8, args) == 0, "overview of two runs succeeds");
  int w = 0, h = 0;
  uint8_t *img = test_png_load(out, &w, &h);
  CHECK(img != NULL, "the picture reads back");
  if (!img) return report();
  /* documented page: n x 1.4 P wide, 2 P + 44 (title) high; column i spans
   * [1.4 P i, 1.4 P (i+1)); densities in the upper half below the title, samples below */
  CHECK(w == 560 && h == 444, "size %dx%d, expected 560x444", w, h);
  int mid = 44 + 200;
  double dr[2], dc[2], sr[2], sc[2];
  for (int i = 0; i < 2; i++) {
    int c0 = i * 280, n;
    centroid(img, w, 44, mid, c0, c0 + 280, yellow, &dr[i], &dc[i], &n);
    CHECK(n > 50, "column %d: its density maximum drawn in its column (%d yellow pixels)", i, n);
    dr[i] -= 44, dc[i] -= c0;
    centroid(img, w, mid, h, c0, c0 + 280, dark_blue_dot, &sr[i], &sc[i], &n);
    CHECK(n > 10, "column %d: its samples drawn below (%d dot pixels)", i, n);
    sr[i] -= mid, sc[i] -= c0;
  }
  /* run a has its mass and samples top-left, run b bottom-right: +y is up */
  CHECK(dr[0] + 30 < dr[1] && dc[0] + 30 < dc[1], "density: a (%.0f,%.0f) up-left of b (%.0f,%.0f)", dr[0], dc[0],
        dr[1], dc[1]);
  CHECK(sr[0] + 30 < sr[1] && sc[0] + 30 < sc[1], "samples: a (%.0f,%.0f) up-left of b (%.0f,%.0f)", sr[0], sc[0],
        sr[1], sc[1]);
  free(img);

  /* --log: the left half, 5 of the 15 nats below the maximum, is drawn at
   * 10/15 of the colour map (viridis green); without it the density there,
   * exp(-5) of the maximum, is nearly the darkest colour */
  const char *halves = make_halves("halves");
  for (int log_scale = 0; log_scale < 2; log_scale++) {
    char *hargs[] = {"-o", out, "--size", "200", (char *)halves, "--log"};
    CHECK(cmd_overview(5 + log_scale, hargs) == 0, "overview of one run%s succeeds", log_scale ? " with --log" : "");
    img = test_png_load(out, &w, &h);
    CHECK(img != NULL, "the picture reads back");
    if (!img) return report();
    int green = count(img, w, h, greenish), top = count(img, w, h, yellow);
    CHECK(top > 1000, "%s: the maximum (right half) is yellow (%d pixels)", log_scale ? "log" : "linear", top);
    if (log_scale)
      CHECK(green > 1000, "log: the left half at 2/3 of the colour map (%d green pixels)", green);
    else
      CHECK(green < 400, "linear: the left half is not green (%d pixels, the colour bar's)", green);
    free(img);
  }

  /* bad input: a directory without samples.npy, or no -o: exit 2, nothing written */
  const char *empty = test_path("empty");
  mkdir(empty, 0755);
  char out2[4300];
  snprintf(out2, sizeof out2, "%s", test_path("bad.png"));
  char *bad_args[] = {"-o", out2, (char *)a, (char *)empty};
  CHECK(cmd_overview(4, bad_args) == 2, "a run without its arrays is refused with exit 2");
  CHECK(access(out2, F_OK) != 0, "and nothing is written");
  char *no_out[] = {(char *)a};
  CHECK(cmd_overview(1, no_out) == 2, "no -o: exit 2");
  char *bad_size[] = {"-o", out2, "--size", "x", (char *)a};
  CHECK(cmd_overview(5, bad_size) == 2 && access(out2, F_OK) != 0, "bad --size: exit 2, nothing written");
  char *bad_ext[] = {"-o", "x.jpg", (char *)a};
  CHECK(cmd_overview(3, bad_ext) == 2, "-o with an unknown extension: exit 2");
  return report();
}
