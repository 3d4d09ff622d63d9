#include "conv.h"

#include <cblas.h>
#include <string.h>

#include "conv_priv.h"

/* Layout. An image is first copied channels-last into a zero-padded buffer
 * xp [H+2P][W+2P][C], so the KW*C inputs that one output pixel reads in one
 * kernel row are contiguous there, whatever the stride. The im2col matrix is
 * then pixel-major: col [g*HO*WO][K], K = KH*KW*C in (a, b, c) order, one row
 * per output pixel of a group of g images, built with KH copies of KW*C floats
 * per pixel (no bounds checks, no strided gathers), and col2im is KH vector
 * adds per pixel into a padded channels-last accumulator. The weights are
 * reordered once per call to match: wr [O][K] = w[o][c][a][b] at (a, b, c).
 * Per group, one sgemm over all g images with the [O][g*HO*WO] staging
 * matrix; y is NCHW per image (copied rows of HO*WO).
 *
 * G, the images per group, is as large as CONV_WS_CAP floats of col + stage
 * allow: 4 MiB keeps them in the last-level cache between the copies and
 * the GEMM (bench/conv_layers.sh).
 *
 * Layers with few channels take our small-product kernel (conv_ours), where
 * OpenBLAS spends as long packing the im2col matrix as multiplying it, and
 * their forward convolution and input gradient skip im2col and col2im
 * altogether (conv_rows.c). */
#ifndef CONV_WS_CAP
#define CONV_WS_CAP (1L << 20)
#endif

#ifndef CONV_TW_CHAIN
#define CONV_TW_CHAIN 256
#endif

static int group(const ConvDims *d) {
  long per = (kdim(d) + d->O) * d->HO * d->WO;
  long g = CONV_WS_CAP / per;
  return g < 1 ? 1 : g > d->N ? d->N : (int)g;
}

size_t conv_workspace(const ConvDims *d) {
  /* wr, then (conv_tw on our kernel) one chunk's sums to add to the earlier ones' */
  size_t grouped = (size_t)(2 * d->O * kdim(d) + padded(d)) + (size_t)group(d) * (kdim(d) + d->O) * d->HO * d->WO,
         rows = conv_rows_workspace(d);
  return grouped > rows ? grouped : rows;
}

/* x[c][h][v] = xp[(h + P) Wp + v + P][c] */
static void from_padded(const ConvDims *d, const float *xp, float *x) {
  const int Wp = d->W + 2 * d->P;
  for (int h = 0; h < d->H; h++)
    transpose_f32(xp + ((size_t)(h + d->P) * Wp + d->P) * d->C, d->C, x + (size_t)h * d->W, (long)d->H * d->W, d->W,
                  d->C);
}

/* col[i WO + j][(a KW + b) C + c] = xp[(S i + a) Wp + S j + b][c] for one image */
static void im2col(const ConvDims *d, const float *xp, float *col) {
  const long K = kdim(d), run = (long)d->KW * d->C, Wp = d->W + 2 * d->P;
  for (int i = 0; i < d->HO; i++)
    for (int j = 0; j < d->WO; j++) {
      float *dst = col + ((long)i * d->WO + j) * K;
      for (int a = 0; a < d->KH; a++) {
        const float *src = xp + ((long)(d->S * i + a) * Wp + (long)d->S * j) * d->C;
        for (long t = 0; t < run; t++) dst[a * run + t] = src[t];
      }
    }
}

/* the adjoint of im2col: xp (zeroed here) accumulates every col entry at the
 * input it was read from, pixel by pixel in order, then kernel row a. It
 * leaves col zero, so the next group's GEMM can add into it (beta = 1):
 * zeroing lines already in cache is cheaper than sgemm's own zeroing pass
 * over the whole matrix (beta = 0; ~7% of conv_tx, bench/conv_layers.sh). */
static void col2im(const ConvDims *d, float *col, float *xp) {
  const long K = kdim(d), run = (long)d->KW * d->C, Wp = d->W + 2 * d->P;
  memset(xp, 0, padded(d) * sizeof(float));
  for (int i = 0; i < d->HO; i++)
    for (int j = 0; j < d->WO; j++) {
      float *src = col + ((long)i * d->WO + j) * K;
      for (int a = 0; a < d->KH; a++) {
        float *dst = xp + ((long)(d->S * i + a) * Wp + (long)d->S * j) * d->C;
        for (long t = 0; t < run; t++) dst[t] += src[a * run + t], src[a * run + t] = 0.0f;
      }
    }
}

/* stage [O, g*HW] <-> y[n0 .. n0+g) [O, HW] per image */
static void gather(const ConvDims *d, const float *y, int g, float *stage) {
  long HW = (long)d->HO * d->WO, ld = g * HW;
  for (int n = 0; n < g; n++)
    for (int o = 0; o < d->O; o++) memcpy(stage + o * ld + n * HW, y + ((size_t)n * d->O + o) * HW, HW * sizeof(float));
}

static void scatter(const ConvDims *d, const float *stage, int g, float *y) {
  long HW = (long)d->HO * d->WO, ld = g * HW;
  for (int n = 0; n < g; n++)
    for (int o = 0; o < d->O; o++) memcpy(y + ((size_t)n * d->O + o) * HW, stage + o * ld + n * HW, HW * sizeof(float));
}

/* The three ops share one loop over groups of g images; per group:
 *   conv:    col = im2col(x);              stage = wr col^T;       y <- stage
 *   conv_tx: stage <- y;                   col += stage^T wr;      x = col2im(col), which zeroes col again
 *   conv_tw: col = im2col(x), stage <- y;  wr (+)= stage col       (summed over groups; w <- wr at the end) */
enum { CONV, CONV_TX, CONV_TW };

static void grouped(const ConvDims *d, int op, const float *x, const float *y, const float *w, float *out, float *ws) {
  const long K = kdim(d), HW = (long)d->HO * d->WO;
  /* conv_tx here stays with OpenBLAS: its product writes the whole col matrix either way (ours: 0.9-1.2x) */
  const int G = group(d), mine = op != CONV_TX && conv_ours(d);
  const size_t xs = (size_t)d->C * d->H * d->W, ys = (size_t)d->O * HW;
  float *wr = ws, *wg = wr + d->O * K, *xp = wg + d->O * K, *col = xp + padded(d), *stage = col + G * HW * K;
  if (op != CONV_TW) reorder_w(d, w, wr, 1);
  if (op != CONV_TX)
    memset(xp, 0, padded(d) * sizeof(float));
  else
    memset(col, 0, (size_t)G * HW * K * sizeof(float));
  for (int n0 = 0; n0 < d->N; n0 += G) {
    int g = d->N - n0 < G ? d->N - n0 : G;
    long ld = g * HW;
    if (op != CONV_TX)
      for (int n = 0; n < g; n++) {
        to_padded(d, x + (n0 + n) * xs, xp);
        im2col(d, xp, col + n * HW * K);
      }
    if (op != CONV) gather(d, y + n0 * ys, g, stage);
    switch (op) {
      case CONV:
        if (mine)
          sgemm_small(0, 1, d->O, ld, K, wr, K, col, K, stage);
        else
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d->O, ld, K, 1.0f, wr, K, col, K, 0.0f, stage, ld);
        scatter(d, stage, g, out + n0 * ys);
        break;
      case CONV_TX:
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ld, K, d->O, 1.0f, stage, ld, wr, K, 1.0f, col, K);
        for (int n = 0; n < g; n++) {
          col2im(d, col + n * HW * K, xp);
          from_padded(d, xp, out + (n0 + n) * xs);
        }
        break;
      default:
        if (!mine) {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->O, K, ld, 1.0f, stage, ld, col, K, n0 ? 1.0f : 0.0f,
                      wr, K);
          break;
        }
        /* one fmaf chain per chunk of 256 pixels, the chunks' sums added in order:
         * a chain over a whole group (up to 16,384 pixels) would lose accuracy */
        for (long p0 = 0; p0 < ld; p0 += CONV_TW_CHAIN) {
          int np = ld - p0 < CONV_TW_CHAIN ? (int)(ld - p0) : CONV_TW_CHAIN, first = !n0 && !p0;
          sgemm_small(0, 0, d->O, K, np, stage + p0, ld, col + p0 * K, K, first ? wr : wg);
          if (!first)
            for (long i = 0; i < d->O * K; i++) wr[i] += wg[i];
        }
    }
  }
  if (op == CONV_TW) reorder_w(d, wr, out, 0);
}

void conv_f32(const ConvDims *d, const float *x, const float *w, float *y, float *ws) {
  if (conv_rows_wanted(d))
    conv_rows(d, x, w, y, ws);
  else
    grouped(d, CONV, x, NULL, w, y, ws);
}
void conv_tx_f32(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
  if (conv_tx_plane_wanted(d))
    conv_tx_plane(d, y, w, x, ws);
  else if (conv_tx_rows_wanted(d))
    conv_tx_rows(d, y, w, x, ws);
  else
    grouped(d, CONV_TX, NULL, y, w, x, ws);
}
void conv_tw_f32(const ConvDims *d, const float *x, const float *y, float *w, float *ws) {
  grouped(d, CONV_TW, x, y, NULL, w, ws);
}
