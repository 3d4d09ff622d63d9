/* PNG plots of the trainers: sample scatters and energy/density heat maps,
 * written through libpng's simplified API, atomically (PATH.tmp, fsync,
 * rename) like every other output file.
 *
 * Only 8-bit RGB is written. All functions return 0, or -1 with err naming
 * the file and the reason. (The system libpng header is included by its
 * libpng16/ path inside png.c, because this file shadows <png.h>.) */
#ifndef EBM_PNG_H
#define EBM_PNG_H

#include <stddef.h>
#include <stdint.h>

/* A place in an RGB image in memory (3 bytes a pixel, `stride` pixels a
 * row, row 0 at the top): pixel (r, c) of the region is image pixel
 * (y + r, x + c). The png_draw_* functions paint into one, so several plots
 * can share an image; the caller keeps them inside it. */
typedef struct {
  uint8_t *rgb;
  int stride, x, y;
} PngRegion;

/* The scatter of png_scatter, drawn into a size x size region. */
void png_draw_scatter(PngRegion at, const float *xy, int n, float range, int size);

/* The density picture of png_density, drawn into a w x h region: each pixel
 * shows the cell it falls in (nearest cell, so w = cols, h = rows is one
 * pixel a cell). */
void png_draw_density(PngRegion at, const float *u, int rows, int cols, int w, int h);

/* The span of the log-density pictures, in nats below the maximum. */
#define PNG_LOG_NATS 15

/* The log-density picture of png_log_density, drawn into a w x h region. */
void png_draw_log_density(PngRegion at, const float *u, int rows, int cols, int w, int h);

/* rgb is h rows of w pixels, 3 bytes each, row 0 at the top. */
int png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, char *err, size_t errlen);

/* size x size scatter of n points xy[2i], xy[2i+1] over [-range, range]^2:
 * white background, light grey axes through 0, a thin grey frame, each point
 * a small dark-blue alpha-blended dot. +y is up (image row 0 is y = +range);
 * points outside the square or not finite are skipped. */
int png_scatter(const char *path, const float *xy, int n, float range, int size, char *err, size_t errlen);

/* One pixel per cell of values[row*cols + col], where row 0 is the LOWEST y
 * (the trainers' grid layout), so image row 0 shows values row rows-1.
 * Colours: viridis (dark purple = min, yellow = max of the finite values);
 * non-finite cells are magenta. */
int png_heatmap(const char *path, const float *values, int rows, int cols, char *err, size_t errlen);

/* Heat map of the density exp(u - max u) for log-density or negative-energy
 * values u, on a fixed scale from 0 (dark) to 1 (yellow). u = -inf is zero
 * density; NaN and +inf cells are magenta. */
int png_density(const char *path, const float *u, int rows, int cols, char *err, size_t errlen);

/* Heat map of log-density or negative-energy values u on a linear scale from
 * max u - PNG_LOG_NATS (dark, lower values clipped to it) to max u (yellow),
 * the same span for every run: a sharp energy that leaves the density picture
 * dark but for a few cells still shows its shape here. Non-finite cells are
 * magenta. */
int png_log_density(const char *path, const float *u, int rows, int cols, char *err, size_t errlen);

/* Picture geometry of rows with D values: 784 = 1x28x28, 1024 = 1x32x32,
 * 3072 = 3x32x32. 0, or -1 when D is not a picture size. */
int png_image_geometry(int D, int *c, int *h, int *w);

/* A grid of n pictures [n, c, h, w] with values in [-1, 1] (clipped), `cols`
 * per row, 2-pixel grey gaps; c = 1 is grey, c = 3 is RGB. */
int png_image_grid(const char *path, const float *x, int n, int c, int h, int w, int cols, char *err, size_t errlen);

#endif
