/* Figures drawn with PLplot (Debian's libplplot, cairo driver): the panels
 * of `ebmforge plot` and `ebmforge overview`. The host links PLplot; the
 * trainers never do (they write arrays, the host draws them).
 *
 * A figure is a page of nx x ny panels filled left to right, top to bottom;
 * every fig_* panel call draws into the next one. PLplot keeps global state,
 * so one figure is open at a time. */
#ifndef EBM_FIGURE_H
#define EBM_FIGURE_H

#include <stddef.h>

typedef enum { FIG_PNG, FIG_PDF, FIG_SVG } FigFormat;

/* "png", "pdf" or "svg" into *(FigFormat *)format; 0, or -1 for anything
 * else (a cli.h CliParseFn: `--format png|pdf|svg`) */
int fig_format_parse(const char *s, void *format);
const char *fig_format_ext(FigFormat f);

/* A circle drawn over a 2-D panel: a contour of a known density. */
typedef struct {
  double x, y, r;
} FigCircle;

/* Opens PATH (written to PATH.tmp, renamed by fig_end) as a w x h pixel page
 * (PDF and SVG: w x h points) of nx x ny panels, with `title` above them (or
 * NULL). 0, or -1 with err (no PLplot driver for the format). */
int fig_begin(const char *path, FigFormat f, int w, int h, int nx, int ny, const char *title, char *err, size_t errlen);
/* Closes the page and moves it into place: 0, or -1 with err. */
int fig_end(char *err, size_t errlen);

/* The next panel: u = log of an unnormalised density (= -energy) on a
 * rows x cols grid of cell centres over [-range, range]^2 (row 0 = lowest y).
 * log_scale 0: the density normalised on the grid (per unit area); 1: its
 * log, from FIG_LOG_NATS below the maximum to the maximum (nats). Axes, ticks,
 * a colour bar with its unit, the panel title and the circles on top. */
#define FIG_LOG_NATS 15
void fig_density(const float *u, int rows, int cols, double range, int log_scale, const char *title,
                 const FigCircle *circles, int n_circles);

/* Show [-v, v]^2 in the following 2-D panels of this figure (0: the whole
 * [-range, range]^2 they are given; the default). */
void fig_view(double v);

/* The next panel: n points xy [n, 2] over [-range, range]^2, with the circles. */
void fig_scatter(const float *xy, int n, double range, const char *title, const FigCircle *circles, int n_circles);

/* The next panel: y against x (n points; non-finite y skipped), the raw curve
 * in a light colour and its running mean over about n/50 points on top. The
 * y range spans the 1st to 99th percentile (a few early spikes are clipped). */
void fig_curve(const double *x, const double *y, int n, const char *xlabel, const char *title);

/* The next panel left empty (an uneven grid of curves). */
void fig_skip(void);

#endif
