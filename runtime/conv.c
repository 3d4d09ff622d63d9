#include "conv.h"

#include <cblas.h>
#include <string.h>

/* Images are processed in groups of G, so each GEMM is one big product:
 * col [K, G*HW] (K = C*KH*KW) and a [O, G*HW] staging matrix in NCHW order
 * per image. G is as large as CONV_WS_CAP floats of workspace allow: 4 MiB
 * keeps col in the last-level cache between im2col, the GEMM and col2im
 * (32 MiB was ~20% slower at the Fashion-MNIST layer shapes, bench/conv_layers.sh). */
#define CONV_WS_CAP (1L << 20)

static int group(const ConvDims *d) {
  long per = (long)(d->C * d->KH * d->KW + d->O) * d->HO * d->WO;
  long g = CONV_WS_CAP / per;
  return g < 1 ? 1 : g > d->N ? d->N : (int)g;
}

size_t conv_workspace(const ConvDims *d) {
  return (size_t)group(d) * (d->C * d->KH * d->KW + d->O) * d->HO * d->WO;
}

/* Output columns j whose input column S j + b - P lies inside [0, W): [*j0, *j1). */
static void valid_cols(const ConvDims *d, int b, int *j0, int *j1) {
  int lo = d->P - b, hi = d->W - 1 + d->P - b;   /* S j must lie in [lo, hi] */
  *j0 = lo <= 0 ? 0 : (lo + d->S - 1) / d->S;
  *j1 = hi < 0 ? 0 : hi / d->S + 1;
  if (*j1 > d->WO) *j1 = d->WO;
  if (*j0 > *j1) *j0 = *j1;
}

/* col[(c KH + a) KW + b][off + i WO + j] = x[c, S i + a - P, S j + b - P], 0 outside; rows of length ld.
 * Bounds are resolved per row, so the inner loops are plain (vectorisable) copies. */
static void im2col(const ConvDims *d, const float *x, float *col, long ld, long off) {
  for (int c = 0; c < d->C; c++)
    for (int a = 0; a < d->KH; a++)
      for (int b = 0; b < d->KW; b++) {
        float *row = col + (size_t)((c * d->KH + a) * d->KW + b) * ld + off;
        int j0, j1;
        valid_cols(d, b, &j0, &j1);
        for (int i = 0; i < d->HO; i++) {
          int h = d->S * i + a - d->P;
          float *r = row + i * d->WO;
          if (h < 0 || h >= d->H) { memset(r, 0, d->WO * sizeof(float)); continue; }
          const float *src = x + ((size_t)c * d->H + h) * d->W + (d->S * j0 + b - d->P);  /* column j0 */
          for (int j = 0; j < j0; j++) r[j] = 0.0f;
          if (d->S == 1) memcpy(r + j0, src, (j1 - j0) * sizeof(float));
          else if (d->S == 2) for (int j = j0; j < j1; j++) r[j] = src[2 * (j - j0)];  /* a constant stride vectorises */
          else for (int j = j0; j < j1; j++) r[j] = src[d->S * (j - j0)];
          for (int j = j1; j < d->WO; j++) r[j] = 0.0f;
        }
      }
}

/* the adjoint of im2col: x[c, h, v] = sum of the col entries that read it.
 * Gathered per output row: the rows (a, i) with S i + a - P = h and, per
 * phase q = v mod S, the kernel columns b with S j + b - P = v add into a
 * contiguous buffer sum[q][m] (v = S m + q), so every add is a plain vector
 * loop and x is written once, interleaving the phases. The order of the
 * additions (a, then b, ascending) is the one of a scatter over (a, b). */
static void col2im(const ConvDims *d, const float *col, long ld, long off, float *x) {
  const int S = d->S, WS = (d->W + S - 1) / S;   /* outputs per phase */
  float sum[S * WS];
  for (int c = 0; c < d->C; c++)
    for (int h = 0; h < d->H; h++) {
      for (int q = 0; q < S; q++) {
        float *sq = sum + q * WS;
        memset(sq, 0, WS * sizeof(float));
        for (int a = (h + d->P) % S; a < d->KH; a += S) {
          int i = (h + d->P - a) / S;
          if (i < 0 || i >= d->HO) continue;
          for (int b = (q + d->P) % S; b < d->KW; b += S) {
            /* v = S m + q reads column j = m + (q + P - b) / S of row (c, a, b), image row i */
            int dj = (q + d->P - b) / S, m0 = dj < 0 ? -dj : 0, m1 = d->WO - dj;
            if (m1 > (d->W - q + S - 1) / S) m1 = (d->W - q + S - 1) / S;
            const float *r = col + (size_t)((c * d->KH + a) * d->KW + b) * ld + off + (long)i * d->WO + dj;
            for (int m = m0; m < m1; m++) sq[m] += r[m];
          }
        }
      }
      float *dst = x + ((size_t)c * d->H + h) * d->W;
      if (S == 1) memcpy(dst, sum, d->W * sizeof(float));
      else if (S == 2)
        for (int m = 0; 2 * m < d->W; m++) {
          dst[2 * m] = sum[m];
          if (2 * m + 1 < d->W) dst[2 * m + 1] = sum[WS + m];
        }
      else
        for (int q = 0; q < S; q++)
          for (int m = 0; S * m + q < d->W; m++) dst[S * m + q] = sum[q * WS + m];
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
 *   conv:    col = im2col(x);           stage = w col;          y <- stage
 *   conv_tx: stage <- y;                col = w^T stage;        x = col2im(col)
 *   conv_tw: col = im2col(x), stage <- y;  w (+)= stage col^T   (summed over groups) */
enum { CONV, CONV_TX, CONV_TW };

static void grouped(const ConvDims *d, int op, const float *x, const float *y, const float *w, float *out, float *ws) {
  const int K = d->C * d->KH * d->KW, HW = d->HO * d->WO, G = group(d);
  const size_t xs = (size_t)d->C * d->H * d->W, ys = (size_t)d->O * HW;
  for (int n0 = 0; n0 < d->N; n0 += G) {
    int g = d->N - n0 < G ? d->N - n0 : G;
    long ld = (long)g * HW;
    float *col = ws, *stage = ws + (size_t)K * ld;
    if (op != CONV_TX)
      for (int n = 0; n < g; n++) im2col(d, x + (n0 + n) * xs, col, ld, (long)n * HW);
    if (op != CONV) gather(d, y + n0 * ys, g, stage);
    switch (op) {
      case CONV:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->O, ld, K, 1.0f, w, K, col, ld, 0.0f, stage, ld);
        scatter(d, stage, g, out + n0 * ys);
        break;
      case CONV_TX:
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, ld, d->O, 1.0f, w, K, stage, ld, 0.0f, col, ld);
        for (int n = 0; n < g; n++) col2im(d, col, ld, (long)n * HW, out + (n0 + n) * xs);
        break;
      default:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d->O, K, ld, 1.0f, stage, ld, col, ld, n0 ? 1.0f : 0.0f, out, K);
    }
  }
}

void conv_f32(const ConvDims *d, const float *x, const float *w, float *y, float *ws) { grouped(d, CONV, x, NULL, w, y, ws); }
void conv_tx_f32(const ConvDims *d, const float *y, const float *w, float *x, float *ws) { grouped(d, CONV_TX, NULL, y, w, x, ws); }
void conv_tw_f32(const ConvDims *d, const float *x, const float *y, float *w, float *ws) { grouped(d, CONV_TW, x, y, NULL, w, ws); }
