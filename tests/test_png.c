/* PNG plots: written files read back with libpng; pixel positions of scatter
 * points and axes, heat map orientation (+y up) and colours, error paths. */
#define _POSIX_C_SOURCE 200809L /* access() even under -std=c11 */
#include "png.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpng16/png.h> /* the system libpng, for reading back */

#include "check.h"

/* RGB pixels of a PNG file (malloc'ed), or NULL. */
static uint8_t *load(const char *path, int *w, int *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path)) {
    fprintf(stderr, "%s: %s\n", path, img.message);
    return NULL;
  }
  img.format = PNG_FORMAT_RGB;
  uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    fprintf(stderr, "%s: %s\n", path, img.message);
    free(buf);
    return NULL;
  }
  *w = (int)img.width;
  *h = (int)img.height;
  return buf;
}

static const uint8_t *px(const uint8_t *img, int w, int r, int c) { return img + 3 * (r * w + c); }

static int lum(const uint8_t *p) { return 299 * p[0] + 587 * p[1] + 114 * p[2]; }

static int is_rgb(const uint8_t *p, int r, int g, int b) { return p[0] == r && p[1] == g && p[2] == b; }

static void test_scatter(void) {
  const int size = 200;
  const float range = 4;
  /* (1, 2): column floor(5/8*200) = 125; row 199 - floor(6/8*200) = 49.
   * (-3.5, -3.9): column 12, row 199 - 2 = 197. (9, 0) lies outside. */
  float xy[6] = {1.0f, 2.0f, -3.5f, -3.9f, 9.0f, 0.0f};
  const char *p = test_path("scatter.png");
  char err[512] = "";
  CHECK(png_scatter(p, xy, 3, range, size, err, sizeof err) == 0, "scatter: %s", err);
  CHECK(access(test_path("scatter.png.tmp"), F_OK) != 0, ".tmp file left behind");
  int w = 0, h = 0;
  uint8_t *img = load(p, &w, &h);
  CHECK(img != NULL, "cannot read back %s", p);
  if (!img) return;
  CHECK(w == size && h == size, "size %dx%d, want %dx%d", w, h, size, size);

  const uint8_t *a = px(img, w, 49, 125), *b = px(img, w, 197, 12);
  CHECK(a[2] > a[0] + 60 && a[0] < 80, "point (1,2) pixel (49,125) is %d,%d,%d, want dark blue", a[0], a[1], a[2]);
  CHECK(b[2] > b[0] + 60 && b[0] < 80, "point (-3.5,-3.9) pixel (197,12) is %d,%d,%d", b[0], b[1], b[2]);
  /* The dot is small: three pixels away is background again. */
  CHECK(is_rgb(px(img, w, 49, 128), 255, 255, 255), "dot wider than 3 pixels");
  CHECK(is_rgb(px(img, w, 52, 125), 255, 255, 255), "dot taller than 3 pixels");
  /* Axes through 0: column 100 and row 199 - 100 = 99; frame on the border. */
  const uint8_t *ax = px(img, w, 20, 100), *ay = px(img, w, 99, 170), *fr = px(img, w, 0, 60);
  CHECK(ax[0] == ax[1] && ax[1] == ax[2] && ax[0] > 180 && ax[0] < 250, "x = 0 axis pixel %d,%d,%d", ax[0], ax[1],
        ax[2]);
  CHECK(ay[0] == ay[1] && ay[1] == ay[2] && ay[0] > 180 && ay[0] < 250, "y = 0 axis pixel %d,%d,%d", ay[0], ay[1],
        ay[2]);
  CHECK(fr[0] == fr[1] && fr[0] < ax[0], "frame pixel %d,%d,%d not darker than the axes", fr[0], fr[1], fr[2]);
  CHECK(is_rgb(px(img, w, 30, 30), 255, 255, 255), "background is not white");

  /* Points outside the square, and NaN, change nothing. */
  float out[8] = {4.5f, 0.0f, 0.0f, -4.01f, NAN, 1.0f, INFINITY, INFINITY};
  const char *q = test_path("empty.png");
  CHECK(png_scatter(q, out, 4, range, size, err, sizeof err) == 0, "scatter: %s", err);
  CHECK(png_scatter(test_path("none.png"), NULL, 0, range, size, err, sizeof err) == 0, "scatter: %s", err);
  int w2, h2, w3, h3;
  uint8_t *e1 = load(q, &w2, &h2), *e2 = load(test_path("none.png"), &w3, &h3);
  CHECK(e1 && e2 && !memcmp(e1, e2, (size_t)size * size * 3), "points outside the range were drawn");
  free(e1);
  free(e2);
  free(img);
}

static void test_heatmap(void) {
  /* values[row*cols + col] = row: increasing with y, so brightest on top. */
  const int rows = 4, cols = 3;
  float v[12];
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) v[r * cols + c] = (float)r * 10 - 7;
  v[0 * cols + 2] = NAN; /* lowest row, right: image bottom right */
  const char *p = test_path("heat.png");
  char err[512] = "";
  CHECK(png_heatmap(p, v, rows, cols, err, sizeof err) == 0, "heatmap: %s", err);
  int w = 0, h = 0;
  uint8_t *img = load(p, &w, &h);
  CHECK(img != NULL, "cannot read back %s", p);
  if (!img) return;
  CHECK(w == cols && h == rows, "size %dx%d, want %dx%d (cols x rows)", w, h, cols, rows);
  for (int r = 0; r + 1 < rows; r++)
    CHECK(lum(px(img, w, r, 0)) > lum(px(img, w, r + 1, 0)), "image row %d not brighter than row %d", r, r + 1);
  CHECK(is_rgb(px(img, w, 0, 1), 0xfd, 0xe7, 0x25), "max is not viridis yellow");
  CHECK(is_rgb(px(img, w, 3, 0), 0x44, 0x01, 0x54), "min is not viridis purple");
  CHECK(is_rgb(px(img, w, 3, 2), 255, 0, 255), "NaN cell (row 0, col 2) not magenta at image bottom right");
  CHECK(!is_rgb(px(img, w, 0, 2), 255, 0, 255), "magenta at the top: orientation flipped");
  free(img);

  /* A flat field is one colour, not a division by zero. */
  float flat[4] = {2, 2, 2, 2};
  CHECK(png_heatmap(p, flat, 2, 2, err, sizeof err) == 0, "flat: %s", err);
  img = load(p, &w, &h);
  CHECK(img && !memcmp(px(img, w, 0, 0), px(img, w, 1, 1), 3), "flat field not uniform");
  free(img);
}

static void test_density(void) {
  /* u = -E on a 1 x 3 grid with a huge offset: exp must not overflow. */
  float u[3] = {1000.0f, 1000.0f - logf(2.0f), -INFINITY};
  const char *p = test_path("density.png");
  char err[512] = "";
  CHECK(png_density(p, u, 1, 3, err, sizeof err) == 0, "density: %s", err);
  int w = 0, h = 0;
  uint8_t *img = load(p, &w, &h);
  CHECK(img != NULL, "cannot read back %s", p);
  if (!img) return;
  CHECK(is_rgb(px(img, w, 0, 0), 0xfd, 0xe7, 0x25), "density max is not yellow");
  /* density 1/2: the middle anchor of the colour map. */
  CHECK(is_rgb(px(img, w, 0, 1), 0x21, 0x91, 0x8c), "density 1/2 is %d,%d,%d, want the viridis middle",
        px(img, w, 0, 1)[0], px(img, w, 0, 1)[1], px(img, w, 0, 1)[2]);
  CHECK(is_rgb(px(img, w, 0, 2), 0x44, 0x01, 0x54), "zero density is not the darkest colour");
  free(img);
}

static void test_errors(void) {
  uint8_t rgb[12] = {0};
  char err[512] = "";
  int rc = png_write_rgb("/nonexistent-dir/x.png", rgb, 2, 2, err, sizeof err);
  CHECK(rc == -1, "write into a missing directory succeeded");
  CHECK(strstr(err, "/nonexistent-dir/x.png") != NULL, "message '%s' lacks the path", err);
  printf("  refused: %s\n", err);
  rc = png_scatter("/nonexistent-dir/s.png", NULL, 0, 4, 64, err, sizeof err);
  CHECK(rc == -1 && strstr(err, "/nonexistent-dir/s.png"), "scatter into a missing directory: %s", err);
  rc = png_scatter(test_path("r.png"), NULL, 0, 0, 64, err, sizeof err);
  CHECK(rc == -1 && strstr(err, "range"), "range 0 accepted: %s", err);
  rc = png_heatmap(test_path("z.png"), NULL, 0, 5, err, sizeof err);
  CHECK(rc == -1 && strstr(err, "image size"), "0 rows accepted: %s", err);
  printf("  refused: %s\n", err);
}

int main(void) {
  test_scatter();
  test_heatmap();
  test_density();
  test_errors();
  return report();
}
