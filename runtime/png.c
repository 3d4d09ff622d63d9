#include "png.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libpng16/png.h> /* by full path: runtime/png.h shadows <png.h> */

#include "atomic_file.h"
#include "xalloc.h"

/* Larger images are surely a caller's mistake (and would be gigabytes). */
#define MAX_SIDE 16384

static int check_dims(const char *path, int w, int h, char *err, size_t errlen) {
  if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
    snprintf(err, errlen, "%s: image size %dx%d (expected 1..%d on each side)", path, w, h, MAX_SIDE);
    return -1;
  }
  return 0;
}

int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, char *err, size_t errlen) {
  if (check_dims(path, w, h, err, errlen) != 0) return -1;
  AtomicFile af;
  if (atomic_open(&af, path, err, errlen) != 0) return -1;
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = (png_uint_32)w;
  img.height = (png_uint_32)h;
  img.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_stdio(&img, af.f, 0, rgb, 3 * w, NULL)) {
    snprintf(err, errlen, "%s: libpng could not encode the image: %s", path, img.message);
    png_image_free(&img);
    atomic_abort(&af);
    return -1;
  }
  png_image_free(&img);
  return atomic_commit(&af, err, errlen);
}

/* ---- scatter ------------------------------------------------------------ */

static const uint8_t DOT[3] = {20, 40, 140};    /* dark blue */
static const uint8_t AXIS[3] = {215, 215, 215}; /* light grey */
static const uint8_t FRAME[3] = {150, 150, 150};

static uint8_t *pixel(PngRegion at, int r, int c) { return at.rgb + 3 * ((size_t)(at.y + r) * at.stride + at.x + c); }

static void put(PngRegion at, int r, int c, const uint8_t *col) { memcpy(pixel(at, r, c), col, 3); }

/* Over-blend col with opacity a, so crowded regions darken gradually. */
static void blend(PngRegion at, int size, int r, int c, const uint8_t *col, float a) {
  if (r < 0 || c < 0 || r >= size || c >= size) return;
  uint8_t *p = pixel(at, r, c);
  for (int k = 0; k < 3; k++) p[k] = (uint8_t)lrintf(p[k] + a * (col[k] - p[k]));
}

/* Pixel holding coordinate v of [-range, range] (0 at v = -range). */
static int to_pixel(float v, float range, int size) {
  int p = (int)floorf((v + range) / (2 * range) * size);
  return p < 0 ? 0 : p >= size ? size - 1 : p; /* v = +range lands in the last pixel */
}

void png_draw_scatter(PngRegion at, const float *xy, int n, float range, int size) {
  for (int r = 0; r < size; r++) memset(pixel(at, r, 0), 255, (size_t)3 * size);
  int zero = to_pixel(0, range, size); /* column of x = 0; row of y = 0 is mirrored */
  for (int i = 0; i < size; i++) {
    put(at, size - 1 - zero, i, AXIS);
    put(at, i, zero, AXIS);
  }
  for (int i = 0; i < size; i++) {
    put(at, 0, i, FRAME);
    put(at, size - 1, i, FRAME);
    put(at, i, 0, FRAME);
    put(at, i, size - 1, FRAME);
  }
  /* 3x3 dot: opaque-ish centre, softer edge and corners. */
  static const float w3[3][3] = {{0.25f, 0.5f, 0.25f}, {0.5f, 0.9f, 0.5f}, {0.25f, 0.5f, 0.25f}};
  for (int i = 0; i < n; i++) {
    float x = xy[2 * i], y = xy[2 * i + 1];
    if (!(fabsf(x) <= range && fabsf(y) <= range)) continue; /* also skips NaN */
    int c = to_pixel(x, range, size), r = size - 1 - to_pixel(y, range, size);
    for (int dr = -1; dr <= 1; dr++)
      for (int dc = -1; dc <= 1; dc++) blend(at, size, r + dr, c + dc, DOT, w3[dr + 1][dc + 1]);
  }
}

int png_scatter(const char *path, const float *xy, int n, float range, int size, char *err, size_t errlen) {
  if (!(range > 0) || !isfinite(range)) {
    snprintf(err, errlen, "%s: scatter range %g (expected a finite value > 0)", path, range);
    return -1;
  }
  if (check_dims(path, size, size, err, errlen) != 0) return -1;
  uint8_t *img = xmalloc((size_t)size * size * 3, "a PNG image");
  if (!img) {
    snprintf(err, errlen, "%s: out of memory for a %dx%d image", path, size, size);
    return -1;
  }
  png_draw_scatter((PngRegion){img, size, 0, 0}, xy, n, range, size);
  int rc = png_write_rgb(path, img, size, size, err, errlen);
  free(img);
  return rc;
}

/* ---- heat maps ---------------------------------------------------------- */

/* viridis (matplotlib's perceptually uniform map) at t = 0, 1/8, ..., 1;
 * linear interpolation between these stays within a few levels of it. */
static const uint8_t VIRIDIS[9][3] = {
    {0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b}, {0x2c, 0x72, 0x8e}, {0x21, 0x91, 0x8c},
    {0x28, 0xae, 0x80}, {0x5e, 0xc9, 0x62}, {0xad, 0xdc, 0x30}, {0xfd, 0xe7, 0x25},
};
static const uint8_t MAGENTA[3] = {255, 0, 255};

static void colour(double t, uint8_t *out) {
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  double s = t * 8;
  int k = s >= 8 ? 7 : (int)s;
  double f = s - k;
  for (int c = 0; c < 3; c++) out[c] = (uint8_t)lrint(VIRIDIS[k][c] + f * (VIRIDIS[k + 1][c] - VIRIDIS[k][c]));
}

/* w x h pixels of the cells values[row*cols + col] (row 0 = lowest y, so
 * pixel row 0 shows the last row), each pixel the cell it falls in. Linear:
 * [lo, hi] to the colour map, a flat field (hi == lo) in the middle colour.
 * Density (lo = max u): exp(u - lo) on [0, 1], u = -inf is 0. Non-finite
 * values (other than a density's -inf) are magenta. */
static void draw_cells(PngRegion at, const float *values, int rows, int cols, int w, int h, int density, double lo,
                       double hi) {
  for (int r = 0; r < h; r++) {
    const float *src = values + (size_t)(rows - 1 - (int)((long)r * rows / h)) * cols; /* +y up */
    for (int c = 0; c < w; c++) {
      float v = src[(long)c * cols / w];
      uint8_t *p = pixel(at, r, c);
      if (density && v == -INFINITY)
        colour(0, p);
      else if (!isfinite(v))
        memcpy(p, MAGENTA, 3);
      else if (density)
        colour(expf(v - (float)lo), p); /* subtracting the max keeps exp finite for any energy scale */
      else
        colour(hi > lo ? (v - lo) / (hi - lo) : 0.5, p);
    }
  }
}

static void finite_range(const float *v, size_t n, double *lo, double *hi) {
  *lo = INFINITY, *hi = -INFINITY;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) {
      if (v[i] < *lo) *lo = v[i];
      if (v[i] > *hi) *hi = v[i];
    }
}

void png_draw_density(PngRegion at, const float *u, int rows, int cols, int w, int h) {
  double lo, hi;
  finite_range(u, (size_t)rows * cols, &lo, &hi);
  draw_cells(at, u, rows, cols, w, h, 1, lo == INFINITY ? 0 : hi, 1);
}

void png_draw_log_density(PngRegion at, const float *u, int rows, int cols, int w, int h) {
  double lo, hi;
  finite_range(u, (size_t)rows * cols, &lo, &hi);
  draw_cells(at, u, rows, cols, w, h, 0, hi - PNG_LOG_NATS, hi); /* a fixed span, so that runs compare */
}

typedef enum { HEAT_LINEAR, HEAT_DENSITY, HEAT_LOG_DENSITY } HeatScale;

static int heatmap_file(const char *path, const float *values, int rows, int cols, HeatScale scale, char *err,
                        size_t errlen) {
  if (check_dims(path, cols, rows, err, errlen) != 0) return -1;
  uint8_t *img = xmalloc((size_t)rows * cols * 3, "a PNG image grid");
  if (!img) {
    snprintf(err, errlen, "%s: out of memory for a %dx%d image", path, cols, rows);
    return -1;
  }
  PngRegion at = {img, cols, 0, 0};
  if (scale == HEAT_DENSITY) {
    png_draw_density(at, values, rows, cols, cols, rows);
  } else if (scale == HEAT_LOG_DENSITY) {
    png_draw_log_density(at, values, rows, cols, cols, rows);
  } else {
    double lo, hi;
    finite_range(values, (size_t)rows * cols, &lo, &hi);
    draw_cells(at, values, rows, cols, cols, rows, 0, lo, hi);
  }
  int rc = png_write_rgb(path, img, cols, rows, err, errlen);
  free(img);
  return rc;
}

int png_heatmap(const char *path, const float *values, int rows, int cols, char *err, size_t errlen) {
  return heatmap_file(path, values, rows, cols, HEAT_LINEAR, err, errlen);
}

int png_density(const char *path, const float *u, int rows, int cols, char *err, size_t errlen) {
  return heatmap_file(path, u, rows, cols, HEAT_DENSITY, err, errlen);
}

int png_log_density(const char *path, const float *u, int rows, int cols, char *err, size_t errlen) {
  return heatmap_file(path, u, rows, cols, HEAT_LOG_DENSITY, err, errlen);
}

int png_image_geometry(int D, int *c, int *h, int *w) {
  static const int known[][4] = {{784, 1, 28, 28}, {1024, 1, 32, 32}, {3072, 3, 32, 32}};
  for (int k = 0; k < 3; k++)
    if (known[k][0] == D) {
      *c = known[k][1];
      *h = known[k][2];
      *w = known[k][3];
      return 0;
    }
  return -1;
}

int png_image_grid(const char *path, const float *x, int n, int c, int h, int w, int cols, char *err, size_t errlen) {
  const int gap = 2;
  int rows = (n + cols - 1) / cols, W = cols * (w + gap) + gap, H = rows * (h + gap) + gap;
  uint8_t *rgb = xmalloc((size_t)W * H * 3, "a PNG image");
  memset(rgb, 128, (size_t)W * H * 3);
  for (int i = 0; i < n; i++) {
    int ox = gap + (i % cols) * (w + gap), oy = gap + (i / cols) * (h + gap);
    for (int y = 0; y < h; y++)
      for (int xx = 0; xx < w; xx++)
        for (int k = 0; k < 3; k++) {
          float v = x[(((size_t)i * c + (c == 3 ? k : 0)) * h + y) * w + xx];
          v = v != v ? -1.0f : v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
          rgb[((size_t)(oy + y) * W + ox + xx) * 3 + k] = (uint8_t)((v + 1.0f) * 127.5f + 0.5f);
        }
  }
  int rc = png_write_rgb(path, rgb, W, H, err, errlen);
  free(rgb);
  return rc;
}
