/* `ebmforge overview` on synthetic runs: picture size from the documented
 * layout, each run's density and samples in its own column (+y up), labels
 * and title where the layout puts them, white gaps, and bad input refused
 * with exit 2 and no file. */
#define _POSIX_C_SOURCE 200809L /* access() even under -std=c11 */
#include "overview_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpng16/png.h> /* the system libpng, for reading back */

#include "check.h"
#include "npy.h"

enum { R = 64, P = 128, N = 50 };

static uint8_t *load(const char *path, int *w, int *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path)) return NULL;
  img.format = PNG_FORMAT_RGB;
  uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    free(buf);
    return NULL;
  }
  *w = (int)img.width, *h = (int)img.height;
  return buf;
}

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
 * R x R grid over [-4, 4]^2 (row 0 = lowest y); all N samples at (2 sx, 2 sy). */
static const char *make_run(const char *name, int sx, int sy) {
  float e[R * R], xy[2 * N];
  for (int i = 0; i < R; i++)     /* y */
    for (int j = 0; j < R; j++) { /* x */
      float y = -4 + (i + 0.5f) * 8 / R, x = -4 + (j + 0.5f) * 8 / R;
      e[i * R + j] = (sx * x > 0 && sy * y > 0) ? 0 : 30;
    }
  for (int i = 0; i < N; i++) xy[2 * i] = 2.0f * sx, xy[2 * i + 1] = 2.0f * sy;
  return write_run(name, e, xy, N);
}

/* A run whose energy is 0 for x > 0 and 5 for x < 0: a density 150 times
 * smaller on the left, 5 nats below the maximum in the log-density. */
static const char *make_halves(const char *name) {
  float e[R * R], xy[2] = {1, 1};
  for (int i = 0; i < R * R; i++) e[i] = i % R < R / 2 ? 5 : 0;
  return write_run(name, e, xy, 1);
}

static const uint8_t *px(const uint8_t *img, int w, int r, int c) { return img + 3 * (r * w + c); }
static int is_rgb(const uint8_t *p, int r, int g, int b) { return p[0] == r && p[1] == g && p[2] == b; }
static int white(const uint8_t *p) { return is_rgb(p, 255, 255, 255); }

/* black pixels in rows [r0, r1) x columns [c0, c1) */
static int count_black(const uint8_t *img, int w, int r0, int r1, int c0, int c1) {
  int n = 0;
  for (int r = r0; r < r1; r++)
    for (int c = c0; c < c1; c++) n += is_rgb(px(img, w, r, c), 0, 0, 0);
  return n;
}

static int all_white(const uint8_t *img, int w, int r0, int r1, int c0, int c1) {
  for (int r = r0; r < r1; r++)
    for (int c = c0; c < c1; c++)
      if (!white(px(img, w, r, c))) return 0;
  return 1;
}

int main(void) {
  const char *a = make_run("a", -1, 1), *b = make_run("b", 1, -1); /* top-left, bottom-right */
  char la[4300], out[4300];
  snprintf(la, sizeof la, "alpha=%s", a);
  snprintf(out, sizeof out, "%s", test_path("overview.png"));
  char *args[] = {"-o", out, "--size", "128", "--title", "toy", la, (char *)b};
  CHECK(cmd_overview(8, args) == 0, "overview of two runs succeeds");
  int w = 0, h = 0;
  uint8_t *img = load(out, &w, &h);
  CHECK(img != NULL, "the picture reads back");
  if (!img) return report();
  const int M = OVERVIEW_MARGIN, G = OVERVIEW_GAP, T = OVERVIEW_TEXT_H;
  int top = M + T + G, yd = top + T + OVERVIEW_LABEL_GAP, ys = yd + P + G;
  CHECK(w == 2 * M + 2 * P + G && h == ys + P + M, "size %dx%d, expected %dx%d", w, h, 2 * M + 2 * P + G, ys + P + M);
  for (int i = 0; i < 2; i++) {
    int x = M + i * (P + G), s = i == 0 ? 1 : -1; /* run a: mass top-left; run b: bottom-right */
    int rin = s > 0 ? P / 4 : 3 * P / 4, rout = s > 0 ? 3 * P / 4 : P / 4; /* rows of the quadrant / its opposite */
    int cin = s > 0 ? P / 4 : 3 * P / 4, cout = s > 0 ? 3 * P / 4 : P / 4;
    CHECK(is_rgb(px(img, w, yd + rin, x + cin), 0xfd, 0xe7, 0x25),
          "column %d: density maximum (yellow) in its quadrant", i);
    CHECK(is_rgb(px(img, w, yd + rout, x + cout), 0x44, 0x01, 0x54), "column %d: no density (dark) opposite", i);
    /* samples at (-2, 2) for a: pixel column (x+4)/8 P, row P-1 - (y+4)/8 P */
    const uint8_t *d = px(img, w, ys + (s > 0 ? P - 1 - 3 * P / 4 : P - 1 - P / 4), x + (s > 0 ? P / 4 : 3 * P / 4));
    CHECK(d[2] > d[0] + 60 && d[0] < 80, "column %d: its samples drawn where they are (%d,%d,%d)", i, d[0], d[1], d[2]);
    CHECK(white(px(img, w, ys + (s > 0 ? P - 1 - P / 4 : P - 1 - 3 * P / 4), x + cout)), "column %d: nothing opposite",
          i);
    CHECK(count_black(img, w, top, top + T, x, x + P) > 20, "column %d: a label above it", i);
    CHECK(all_white(img, w, top + T, yd, x, x + P), "column %d: white between label and density", i);
    CHECK(all_white(img, w, yd + P, ys, x, x + P), "column %d: white between density and samples", i);
  }
  CHECK(all_white(img, w, yd, ys + P, M + P, M + P + G), "white gap between the columns");
  CHECK(count_black(img, w, M, M + T, M, M + 3 * 12) > 20, "the title at the top");
  CHECK(all_white(img, w, M, M + T, M + 3 * 12, w), "nothing after the 3-letter title");
  /* "alpha" is 5 letters of 12 pixels; b's label (its directory name, "b") one */
  CHECK(count_black(img, w, top, top + T, M + 4 * 12, M + 5 * 12) > 0 &&
            all_white(img, w, top, top + T, M + 5 * 12, M + P),
        "label 'alpha' is five characters wide");
  CHECK(count_black(img, w, top, top + T, M + P + G, M + P + G + 12) > 0 &&
            all_white(img, w, top, top + T, M + P + G + 12, w),
        "label 'b' from the directory name");
  free(img);

  /* --log: the left half, 5 of the 15 nats below the maximum, is drawn at
   * 10/15 of the colour map (viridis between its 6th and 7th stops); without
   * it the density there, exp(-5), is nearly the darkest colour */
  const char *halves = make_halves("halves");
  for (int log_scale = 0; log_scale < 2; log_scale++) {
    char *hargs[] = {"-o", out, "--size", "128", (char *)halves, "--log"};
    CHECK(cmd_overview(5 + log_scale, hargs) == 0, "overview of one run%s succeeds", log_scale ? " with --log" : "");
    img = load(out, &w, &h);
    CHECK(img != NULL, "the picture reads back");
    if (!img) return report();
    int yh = M + T + OVERVIEW_LABEL_GAP; /* no title */
    const uint8_t *left = px(img, w, yh + P / 2, M + P / 4), *right = px(img, w, yh + P / 2, M + 3 * P / 4);
    CHECK(is_rgb(right, 0xfd, 0xe7, 0x25), "%s: the maximum (right) is yellow", log_scale ? "log" : "linear");
    if (log_scale)
      CHECK(abs(left[0] - 58) <= 1 && abs(left[1] - 183) <= 1 && abs(left[2] - 118) <= 1,
            "log: left at 2/3 of the colour map, got (%d,%d,%d)", left[0], left[1], left[2]);
    else
      CHECK(left[1] < 10, "linear: left nearly dark, got (%d,%d,%d)", left[0], left[1], left[2]);
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
  return report();
}
