/* What runtime/conv.c (the im2col route) and runtime/conv_rows.c (the
 * routes without im2col) share: sizes, the route test for our small-product
 * kernel, the layout copies. Private to those two files. */
#ifndef EBM_CONV_PRIV_H
#define EBM_CONV_PRIV_H

#include <stddef.h>

#include "conv.h"
#include "sgemm_small.h"
#include "transpose.h"

#ifndef CONV_OURS_MAX_O
#define CONV_OURS_MAX_O 64
#endif

static inline long kdim(const ConvDims *d) { return (long)d->KH * d->KW * d->C; }
static inline long padded(const ConvDims *d) { return (long)(d->H + 2 * d->P) * (d->W + 2 * d->P) * d->C; }
static inline long pad16(long n) { return (n + 15) & ~15L; }

/* Our small-product kernel (sgemm_small.h) rather than OpenBLAS for a layer's
 * products: a function of the shape and of whether the CPU has FMA vectors,
 * as ebm_sgemm's choice is, so the interpreter and the trainers on one
 * machine choose alike and agree bit for bit. Measured: from 8 to 64 output
 * channels ours is 1.0-1.5x OpenBLAS at one thread; with one channel it loses
 * at long kernels (a 576-long row: 0.6x). */
static inline int conv_ours(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->O <= CONV_OURS_MAX_O && (d->O >= 8 || kdim(d) <= 128);
}

/* wr[o][(a KW + b) C + c] = w[o][c][a][b] (to_wr), or back: per o, a [C][KH KW] transpose */
static inline void reorder_w(const ConvDims *d, const float *src, float *dst, int to_wr) {
  const int C = d->C, R = d->KH * d->KW;
  for (int o = 0; o < d->O; o++) {
    const size_t base = (size_t)o * C * R;
    if (to_wr)
      transpose_f32(src + base, R, dst + base, C, C, R);
    else
      transpose_f32(src + base, C, dst + base, R, R, C);
  }
}

/* xp[(h + P) Wp + v + P][c] = x[c][h][v]; the border of xp stays zero */
static inline void to_padded(const ConvDims *d, const float *x, float *xp) {
  const int Wp = d->W + 2 * d->P;
  for (int h = 0; h < d->H; h++)
    transpose_f32(x + (size_t)h * d->W, (long)d->H * d->W, xp + ((size_t)(h + d->P) * Wp + d->P) * d->C, d->C, d->C,
                  d->W);
}

/* conv_rows.c: each route, where it is the faster one, and its workspace */
int conv_rows_wanted(const ConvDims *d);
void conv_rows(const ConvDims *d, const float *x, const float *w, float *y, float *ws);
int conv_tx_rows_wanted(const ConvDims *d);
void conv_tx_rows(const ConvDims *d, const float *y, const float *w, float *x, float *ws);
int conv_tx_plane_wanted(const ConvDims *d);
void conv_tx_plane(const ConvDims *d, const float *y, const float *w, float *x, float *ws);
size_t conv_rows_workspace(const ConvDims *d);

#endif
