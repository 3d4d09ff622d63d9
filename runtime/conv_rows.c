/* The convolutions without an im2col matrix (conv_priv.h): the forward
 * convolution and the input gradient as panels of our small-product kernel
 * that read the channels-last image or gradient where it stands, and the
 * input gradient of a one-channel picture as vector rows. conv.c chooses
 * them per shape (conv_*_wanted); each keeps one fmaf chain per output. */
#include <math.h>
#include <string.h>

#include "conv_priv.h"

/* conv_tx_plane: a picture's one channel, stride 1 (the energy's first layer);
 * its cost grows with O, col2im's does not: measured 1.6x col2im at 8 output
 * channels, even at 16, 0.7x at 32 */
int conv_tx_plane_wanted(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->C == 1 && d->S == 1 && d->O <= 8;
}

/* conv_tx_rows, measured (bench/conv_layers.sh): its panels are C wide, so
 * from half a vector of input channels to 64 (1.1-3.8x the col2im route; one
 * channel 0.6x, 256 channels 0.3-0.4x); every column residue needs a tap */
int conv_tx_rows_wanted(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->KW >= d->S && d->C >= 8 && d->C <= 64;
}

/* conv_rows where it is faster than im2col, measured: where a kernel row
 * reads a vector of inputs or more, or the panel is at most a vector wide
 * (one picture channel into 8 channels: 1.9x im2col, into 64: 0.8x) */
#ifndef CONV_ROWS_MIN_RUN
#define CONV_ROWS_MIN_RUN 16
#endif
int conv_rows_wanted(const ConvDims *d) {
  return conv_ours(d) && ((long)d->KW * d->C >= CONV_ROWS_MIN_RUN || d->O <= 16);
}

/* conv_tx_rows's shapes: taps per column class, the rows of its channels-last y */
static long taps_max(const ConvDims *d) { return (d->KW + d->S - 1) / d->S; }
static long tx_row(const ConvDims *d) {
  long mmax = (d->W - 1 + d->P) / d->S + 1;
  return taps_max(d) - 1 + (mmax > d->WO ? mmax : d->WO);
}
size_t conv_rows_workspace(const ConvDims *d) {
  size_t fwd = (size_t)(kdim(d) * pad16(d->O) + d->O * kdim(d) + padded(d)) + (size_t)d->HO * d->WO * pad16(d->O),
         tx = (size_t)d->KH * d->S * taps_max(d) * d->O * pad16(d->C) + (size_t)d->HO * tx_row(d) * d->O +
              (size_t)d->H * d->W * pad16(d->C),
         plane = (size_t)d->O * d->HO * (d->WO + 2 * d->KW);
  return fwd > tx ? (fwd > plane ? fwd : plane) : (tx > plane ? tx : plane);
}

/* y = conv(x, w) with no im2col matrix: output row i of an image is a
 * product over kernel rows a of the padded input's rows S i + a, whose KW*C
 * inputs per output pixel lie contiguous in xp at a stride of S*C pixels, by
 * the panel of our kernel resuming its sums from one kernel row to the next:
 * the fmaf chain over k = (a, b, c) of the im2col product, the same bits,
 * without writing and reading the KH*KW-times larger matrix. */
void conv_rows(const ConvDims *d, const float *x, const float *w, float *y, float *ws) {
  const long K = kdim(d), HW = (long)d->HO * d->WO, ldo = pad16(d->O), run = (long)d->KW * d->C;
  const long Wp = d->W + 2 * d->P;
  const size_t xs = (size_t)d->C * d->H * d->W, ys = (size_t)d->O * HW;
  float *wt = ws, *wr = wt + K * ldo, *xp = wr + d->O * K, *out = xp + padded(d);
  SgemmPanel *panel = sgemm_small_panel();
  reorder_w(d, w, wr, 1);
  transpose_f32(wr, K, wt, ldo, d->O, K); /* wt[k][o] = wr[o][k] */
  memset(xp, 0, padded(d) * sizeof(float));
  for (int n = 0; n < d->N; n++) {
    to_padded(d, x + n * xs, xp);
    for (int i = 0; i < d->HO; i++)
      for (int a = 0; a < d->KH; a++)
        panel(d->WO, d->O, (int)run, xp + ((long)d->S * i + a) * Wp * d->C, (long)d->S * d->C, 1, wt + a * run * ldo,
              ldo, out + (long)i * d->WO * ldo, ldo, a > 0);
    transpose_f32(out, ldo, y + n * ys, HW, (int)HW, d->O); /* y[o][p] = out[p][o] */
  }
}

/* x = conv_tx(y, w), the input gradient, with no col matrix and no col2im.
 * An input pixel (h, v) gathers y[o][i][j] w[o][c][a][b] over S i + a = h + P,
 * S j + b = v + P: for the columns v of one residue r = (v + P) mod S the taps
 * b = r + S t meet y's columns j = m - t (m = (v + P - r) / S), so with y
 * channels-last (yq, zero-padded left and right) the inputs of one output
 * column lie contiguous, t flipped, at a stride of one column: a panel per
 * (input row, valid kernel row a, residue r) over those columns, resuming
 * from one a to the next. Each input is one fmaf chain over (a, t, o). */
void conv_tx_rows(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
  const int S = d->S, O = d->O, C = d->C;
  const long HW = (long)d->HO * d->WO, ldc = pad16(C), nbm = taps_max(d), Lq = nbm - 1, WQ = tx_row(d);
  const size_t xs = (size_t)C * d->H * d->W, ys = (size_t)O * HW;
  float *wx = ws, *yq = wx + (size_t)d->KH * S * nbm * O * ldc, *out = yq + (size_t)d->HO * WQ * O;
  SgemmPanel *panel = sgemm_small_panel();
  /* wx[a][r][t'][o][c] = w[o][c][a][b], b = r + S (taps(r) - 1 - t') */
  for (int a = 0; a < d->KH; a++)
    for (int r = 0; r < S; r++) {
      int nb = (d->KW - r + S - 1) / S;
      for (int t = 0; t < nb; t++) {
        int b = r + S * (nb - 1 - t);
        for (int o = 0; o < O; o++) {
          float *dst = wx + ((((size_t)a * S + r) * nbm + t) * O + o) * ldc;
          for (int c = 0; c < C; c++) dst[c] = w[(((size_t)o * C + c) * d->KH + a) * d->KW + b];
        }
      }
    }
  memset(yq, 0, (size_t)d->HO * WQ * O * sizeof(float));
  for (int n = 0; n < d->N; n++) {
    for (int i = 0; i < d->HO; i++) /* yq[i][Lq + j][o] = y[o][i][j] */
      transpose_f32(y + n * ys + (long)i * d->WO, HW, yq + ((long)i * WQ + Lq) * O, O, O, d->WO);
    for (int h = 0; h < d->H; h++) {
      int hp = h + d->P, resume = 0;
      for (int a = hp % S; a < d->KH && a <= hp; a += S) {
        int i = (hp - a) / S;
        if (i >= d->HO) continue;
        for (int r = 0; r < S; r++) {
          int nb = (d->KW - r + S - 1) / S, lo = d->P - r > 0 ? (d->P - r + S - 1) / S : 0;
          int hi = d->W - 1 + d->P - r < 0 ? -1 : (d->W - 1 + d->P - r) / S;
          if (hi < lo) continue;
          panel(hi - lo + 1, C, nb * O, yq + ((long)i * WQ + lo - (nb - 1) + Lq) * O, O, 1,
                wx + ((size_t)a * S + r) * nbm * O * ldc, ldc, out + ((long)h * d->W + S * lo + r - d->P) * ldc,
                S * ldc, resume);
        }
        resume = 1;
      }
      if (!resume) memset(out + (long)h * d->W * ldc, 0, (size_t)d->W * ldc * sizeof(float));
    }
    transpose_f32(out, ldc, x + n * xs, (long)d->H * d->W, d->H * d->W, C); /* x[c][p] = out[p][c] */
  }
}

/* x = conv_tx(y, w) for one input channel at stride 1: a panel would be one
 * lane wide, so vectors run along the picture's rows instead:
 * x[h][v] = sum over o, a, b of y[o][h + P - a][v + P - b] w[o][0][a][b],
 * one fmaf chain per input in (o, a, b) order, y's rows zero-padded. */
void conv_tx_plane(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
  const long HW = (long)d->HO * d->WO, L = d->KW - 1, YW = d->WO + 2 * d->KW;
  const size_t ys = (size_t)d->O * HW;
  float *yr = ws; /* yr[o][i][L + j] = y[o][i][j] */
  memset(yr, 0, (size_t)d->O * d->HO * YW * sizeof(float));
  for (int n = 0; n < d->N; n++) {
    for (int o = 0; o < d->O; o++)
      for (int i = 0; i < d->HO; i++)
        memcpy(yr + ((long)o * d->HO + i) * YW + L, y + n * ys + o * HW + (long)i * d->WO, d->WO * sizeof(float));
    for (int h = 0; h < d->H; h++) {
      float *restrict acc = x + ((size_t)n * d->H + h) * d->W;
      memset(acc, 0, d->W * sizeof(float));
      for (int o = 0; o < d->O; o++)
        for (int a = 0; a < d->KH; a++) {
          int i = h + d->P - a;
          if (i < 0 || i >= d->HO) continue;
          const float *row = yr + ((long)o * d->HO + i) * YW + L + d->P; /* row[v - b] = y[o][i][v + P - b] */
          for (int b = 0; b < d->KW; b++) {
            const float wv = w[((long)o * d->KH + a) * d->KW + b], *restrict src = row - b;
            for (int v = 0; v < d->W; v++) acc[v] = fmaf(src[v], wv, acc[v]);
          }
        }
    }
  }
}
