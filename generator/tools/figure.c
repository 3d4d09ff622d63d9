#include "figure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plplot.h>

/* cmap0 slots this file uses */
enum { C_BG = 0, C_INK = 1, C_DOTS = 2, C_RAW = 3, C_RING = 4, C_MEAN = 5, C_RING_ON_DOTS = 6 };

static struct {
  int open, w, h, nx, ny, next;
  double title_band, view;
  char path[4096], tmp[4200];
} fig;

int fig_format_parse(const char *s, void *format) {
  FigFormat *f = format;
  if (!strcmp(s, "png"))
    *f = FIG_PNG;
  else if (!strcmp(s, "pdf"))
    *f = FIG_PDF;
  else if (!strcmp(s, "svg"))
    *f = FIG_SVG;
  else
    return -1;
  return 0;
}

const char *fig_format_ext(FigFormat f) { return f == FIG_PDF ? "pdf" : f == FIG_SVG ? "svg" : "png"; }

static const char *device(FigFormat f) { return f == FIG_PDF ? "pdfcairo" : f == FIG_SVG ? "svgcairo" : "pngcairo"; }

/* plinit asks on the terminal for a device it does not know: look first */
static int have_device(const char *dev) {
  static const char *menu_buf[128], *names_buf[128];
  const char **menu = menu_buf, **names = names_buf;
  int n = 128;
  plgDevs(&menu, &names, &n);
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], dev)) return 1;
  return 0;
}

/* viridis, 9 stops (matplotlib's colour map, as the trainers' PNGs use) */
static void viridis(void) {
  static const double r[] = {68, 71, 59, 44, 33, 39, 92, 170, 253}, g[] = {1, 44, 82, 113, 145, 173, 200, 220, 231},
                      b[] = {84, 122, 139, 142, 140, 129, 99, 50, 37};
  double pos[9], rr[9], gg[9], bb[9];
  for (int i = 0; i < 9; i++) pos[i] = i / 8.0, rr[i] = r[i] / 255, gg[i] = g[i] / 255, bb[i] = b[i] / 255;
  plscmap1n(256);
  plscmap1l(1, 9, pos, rr, gg, bb, NULL);
}

int fig_begin(const char *path, FigFormat f, int w, int h, int nx, int ny, const char *title, char *err,
              size_t errlen) {
  const char *dev = device(f);
  if (!have_device(dev)) {
    snprintf(err, errlen, "PLplot has no '%s' driver (install plplot-driver-cairo)", dev);
    return -1;
  }
  snprintf(fig.path, sizeof fig.path, "%s", path);
  snprintf(fig.tmp, sizeof fig.tmp, "%s.tmp", path);
  FILE *probe = fopen(fig.tmp, "wb"); /* PLplot would ask on the terminal for another name */
  if (!probe) {
    snprintf(err, errlen, "%s: cannot write: %s", fig.tmp, strerror(errno));
    return -1;
  }
  fclose(probe);
  fig.w = w, fig.h = h, fig.nx = nx, fig.ny = ny, fig.next = 0, fig.open = 1, fig.view = 0;
  fig.title_band = title ? 44.0 / h : 0;
  plsdev(dev);
  plsfnam(fig.tmp);
  plspage(0, 0, w, h, 0, 0);
  plscol0(C_BG, 255, 255, 255);
  plscol0(C_INK, 0, 0, 0);
  plscol0(C_DOTS, 20, 40, 140);
  plscol0(C_RAW, 170, 190, 225);
  plscol0(C_RING, 255, 255, 255);
  plscol0(C_MEAN, 20, 40, 140);
  plscol0(C_RING_ON_DOTS, 230, 120, 20);
  plinit();
  viridis();
  pladv(0);
  plcol0(C_INK);
  if (title) {
    plvpor(0, 1, 1 - fig.title_band, 1);
    plwind(0, 1, 0, 1);
    plschr(0, 1.0);
    plptex(0.5, 0.45, 1, 0, 0.5, title);
  }
  return 0;
}

int fig_end(char *err, size_t errlen) {
  plend();
  fig.open = 0;
  if (rename(fig.tmp, fig.path)) {
    snprintf(err, errlen, "%s: could not write the figure", fig.path);
    remove(fig.tmp);
    return -1;
  }
  return 0;
}

/* Viewport box of the next panel in normalised page coordinates, leaving
 * `right` of its width for a colour bar; sets a character size fit for it. */
static void next_panel(double right, double *x0, double *x1, double *y0, double *y1) {
  int i = fig.next++, c = i % fig.nx, r = i / fig.nx;
  double cw = 1.0 / fig.nx, ch = (1 - fig.title_band) / fig.ny;
  double cx = c * cw, cy = 1 - fig.title_band - (r + 1) * ch;
  *x0 = cx + 0.15 * cw, *x1 = cx + (1 - 0.04 - right) * cw;
  *y0 = cy + 0.17 * ch, *y1 = cy + (1 - 0.12) * ch;
  double px = fmin(cw * fig.w, ch * fig.h);
  plschr(0, fmax(0.5, fmin(1.0, px / 560)));
}

/* a square window over [-range, range]^2 inside the panel box, framed with ticks and labels */
static void square_axes(double range, double right, const char *title) {
  double x0, x1, y0, y1, v = fig.view > 0 ? fig.view : range;
  next_panel(right, &x0, &x1, &y0, &y1);
  plvpas(x0, x1, y0, y1, 1.0);
  plwind(-v, v, -v, v);
}

void fig_view(double half_width) { fig.view = half_width; }

/* a 1, 2 or 5 times 10^k step giving at most about 4 intervals over span */
static double nice_step(double span) {
  double m = pow(10, floor(log10(span / 4))), r = span / 4 / m;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * m;
}

/* The panel's title, its characters shrunk until it fits the panel's width
 * (a study's columns are named by long parameter lists); a glyph averages
 * about 0.6 of the character height. */
static void title_fit(const char *title) {
  PLFLT def, ht, sx0, sx1, sy0, sy1, vx0, vx1, vy0, vy1;
  plgchr(&def, &ht);
  plgspa(&sx0, &sx1, &sy0, &sy1);
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  double room = (vx1 - vx0) * (sx1 - sx0), need = 0.6 * ht * (double)strlen(title);
  if (need > room) plschr(0, ht / def * room / need);
  plmtex("t", 1.0, 0.5, 0.5, title);
  if (need > room) plschr(0, ht / def);
}

static void frame_x(const char *title, const char *xlabel, const char *ylabel, double xtick) {
  plcol0(C_INK);
  plbox("bcnst", xtick, 0, "bcnstv", 0, 0);
  pllab(xlabel, ylabel, "");
  title_fit(title);
}

static void frame(const char *title, const char *xlabel, const char *ylabel) { frame_x(title, xlabel, ylabel, 0); }

static void circles(const FigCircle *c, int n, int colour) {
  plcol0(colour);
  plwidth(1.0);
  for (int i = 0; i < n; i++) plarc(c[i].x, c[i].y, c[i].r, c[i].r, 0, 360, 0, 0);
}

void fig_density(const float *u, int rows, int cols, double range, int log_scale, const char *title,
                 const FigCircle *circ, int n_circles) {
  square_axes(range, 0.28, title);
  double mx = -INFINITY, sum = 0, area = (2 * range / cols) * (2 * range / rows);
  for (long i = 0; i < (long)rows * cols; i++)
    if (isfinite(u[i]) && u[i] > mx) mx = u[i];
  if (!isfinite(mx)) mx = 0;
  for (long i = 0; i < (long)rows * cols; i++)
    if (isfinite(u[i])) sum += exp(u[i] - mx);
  double log_z = mx + log(sum * area); /* log of the normaliser on the grid */
  double hi = log_scale ? mx - log_z : exp(mx - log_z), lo = log_scale ? hi - FIG_LOG_NATS : 0;
  PLFLT **img;
  plAlloc2dGrid(&img, cols, rows);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) {
      double v = u[(long)i * cols + j], lp = isfinite(v) ? v - log_z : -INFINITY;
      double p = log_scale ? fmax(lp, lo) : exp(lp);
      img[j][i] = p; /* PLplot's images are indexed [x][y] */
    }
  plimagefr((PLFLT_MATRIX)img, cols, rows, -range, range, -range, range, lo, hi, lo, hi, NULL, NULL);
  plFree2dGrid(img, cols, rows);
  circles(circ, n_circles, C_RING);
  frame(title, "x#d1#u", "x#d2#u");
  PLFLT bw, bh, vals[2] = {lo, hi}, ticks[1] = {0};
  PLINT lopt[1] = {PL_COLORBAR_LABEL_RIGHT}, sub[1] = {0}, nv[1] = {2};
  const char *labels[1] = {log_scale ? "log density (nats)" : "density (per unit area)"}, *axis[1] = {"bcvtm"};
  const PLFLT *vp[1] = {vals};
  plcolorbar(&bw, &bh, PL_COLORBAR_IMAGE, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 0.03, 0, 0.05,
             1.0, C_BG, C_INK, 1, 0, 0, 0, 0, 1, lopt, labels, 1, axis, ticks, sub, nv, vp);
}

void fig_scatter(const float *xy, int n, double range, const char *title, const FigCircle *circ, int n_circles) {
  square_axes(range, 0.28, title);
  PLFLT *x = malloc(sizeof(PLFLT) * (n > 0 ? n : 1)), *y = malloc(sizeof(PLFLT) * (n > 0 ? n : 1));
  for (int i = 0; i < n; i++) x[i] = xy[2 * i], y[i] = xy[2 * i + 1];
  plcol0(C_DOTS);
  plssym(0, 0.45);
  plpoin(n, x, y, 17);
  free(x);
  free(y);
  circles(circ, n_circles, C_RING_ON_DOTS);
  frame(title, "x#d1#u", "x#d2#u");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void fig_curve(const double *x, const double *y, int n, const char *xlabel, const char *title) {
  double x0, x1, y0, y1;
  next_panel(0.06, &x0, &x1, &y0, &y1); /* room for PLplot's (x10^k) at the axis' end */
  plvpor(x0, x1, y0, y1);
  PLFLT *xs = malloc(sizeof(PLFLT) * (n + 1)), *ys = malloc(sizeof(PLFLT) * (n + 1)),
        *ms = malloc(sizeof(PLFLT) * (n + 1));
  double *sorted = malloc(sizeof(double) * (n + 1));
  int m = 0;
  for (int i = 0; i < n; i++)
    if (isfinite(y[i])) xs[m] = x[i], ys[m] = y[i], sorted[m] = y[i], m++;
  double lo = 0, hi = 1;
  if (m) {
    qsort(sorted, m, sizeof *sorted, cmp_double);
    lo = sorted[(int)(0.01 * (m - 1))], hi = sorted[(int)(0.99 * (m - 1) + 0.5)];
  }
  if (!(hi > lo)) { /* a constant (a learning rate): centre it, on its own scale */
    double d = lo != 0 ? 0.5 * fabs(lo) : 0.5;
    lo -= d, hi += d;
  }
  double pad = 0.06 * (hi - lo);
  double xa = m ? xs[0] : 0, xb = m > 1 && xs[m - 1] > xs[0] ? xs[m - 1] : xa + 1;
  plwind(xa, xb, lo - pad, hi + pad);
  plcol0(C_RAW);
  if (m > 1) plline(m, xs, ys);
  /* running mean over a centred window of about m/50 points */
  int half = m / 100;
  double acc = 0;
  int a = 0, b = 0;
  for (int i = 0; i < m; i++) {
    while (b < m && b <= i + half) acc += ys[b++];
    while (a < i - half) acc -= ys[a++];
    ms[i] = acc / (b - a);
  }
  plcol0(C_MEAN);
  plwidth(1.5);
  if (m > 1) plline(m, xs, ms);
  plwidth(1.0);
  frame_x(title, xlabel, "", nice_step(xb - xa));
  free(xs), free(ys), free(ms), free(sorted);
}

void fig_skip(void) { fig.next++; }
