#include "conv.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "sgemm_small.h"
#include "transpose.h"

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
 * The products go to our small-product kernel (sgemm_small.h) where the
 * layer has few output channels: there OpenBLAS spends as long packing the
 * im2col matrix as multiplying, while our kernel broadcasts it as it stands
 * (bench/conv_layers.sh BASE=8). A function of the shape and of whether the
 * CPU has FMA vectors, as ebm_sgemm's choice is: the interpreter and the
 * trainers on one machine make the same choice, so they agree bit for bit. */
#ifndef CONV_WS_CAP
#define CONV_WS_CAP (1L << 20)
#endif

#ifndef CONV_TW_CHAIN
#define CONV_TW_CHAIN 256
#endif

#ifndef CONV_OURS_MAX_O
#define CONV_OURS_MAX_O 64
#endif

static long kdim(const ConvDims *d) { return (long)d->KH * d->KW * d->C; }
static long padded(const ConvDims *d) { return (long)(d->H + 2 * d->P) * (d->W + 2 * d->P) * d->C; }

/* measured: from 8 to 64 output channels ours is 1.0-1.5x OpenBLAS at one
 * thread; with one channel it loses at long kernels (a 576-long row: 0.6x) */
static int ours(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->O <= CONV_OURS_MAX_O && (d->O >= 8 || kdim(d) <= 128);
}

static int group(const ConvDims *d) {
  long per = (kdim(d) + d->O) * d->HO * d->WO;
  long g = CONV_WS_CAP / per;
  return g < 1 ? 1 : g > d->N ? d->N : (int)g;
}

static long pad16(long n) { return (n + 15) & ~15L; }

/* the convolution without im2col (conv_rows) where it is faster, measured:
 * where a kernel row reads a vector of inputs or more, or the panel is at
 * most a vector wide (one picture channel into 8 channels: 1.9x im2col,
 * into 64: 0.8x) */
#ifndef CONV_ROWS_MIN_RUN
#define CONV_ROWS_MIN_RUN 16
#endif
/* conv_tx_plane: a picture's one channel, stride 1 (the energy's first layer);
 * its cost grows with O, col2im's does not: measured 1.6x col2im at 8 output
 * channels, even at 16, 0.7x at 32 */
static int tx_plane(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->C == 1 && d->S == 1 && d->O <= 8;
}

/* conv_tx_rows, measured (bench/conv_layers.sh): its panels are C wide, so
 * from half a vector of input channels to 64 (1.1-3.8x the col2im route; one
 * channel 0.6x, 256 channels 0.3-0.4x); every column residue needs a tap */
static int tx_by_rows(const ConvDims *d) {
  return sgemm_small_path() != SGEMM_REF && d->KW >= d->S && d->C >= 8 && d->C <= 64;
}

static int by_rows(const ConvDims *d) {
  return ours(d) && ((long)d->KW * d->C >= CONV_ROWS_MIN_RUN || d->O <= 16);
}

/* conv_tx_rows's shapes: taps per column class, the rows of its channels-last y */
static long taps_max(const ConvDims *d) { return (d->KW + d->S - 1) / d->S; }
static long tx_row(const ConvDims *d) {
  long mmax = (d->W - 1 + d->P) / d->S + 1;
  return taps_max(d) - 1 + (mmax > d->WO ? mmax : d->WO);
}
static size_t tx_rows_workspace(const ConvDims *d) {
  size_t rows = (size_t)d->KH * d->S * taps_max(d) * d->O * pad16(d->C) + (size_t)d->HO * tx_row(d) * d->O +
                (size_t)d->H * d->W * pad16(d->C),
         plane = (size_t)d->O * d->HO * (d->WO + 2 * d->KW);
  return rows > plane ? rows : plane;
}

size_t conv_workspace(const ConvDims *d) {
  /* wr (by_rows: wr^T with padded rows), then wr again (by_rows) or (conv_tw on
   * our kernel) one chunk's sums to add to the earlier ones' */
  size_t grouped = (size_t)(kdim(d) * pad16(d->O) + d->O * kdim(d) + padded(d)) +
                   (size_t)group(d) * (kdim(d) + d->O) * d->HO * d->WO,
         rows = tx_rows_workspace(d);
  return grouped > rows ? grouped : rows;
}

/* wr[o][(a KW + b) C + c] = w[o][c][a][b] (to_wr), or back: per o, a [C][KH KW] transpose */
static void reorder_w(const ConvDims *d, const float *src, float *dst, int to_wr) {
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
static void to_padded(const ConvDims *d, const float *x, float *xp) {
  const int Wp = d->W + 2 * d->P;
  for (int h = 0; h < d->H; h++)
    transpose_f32(x + (size_t)h * d->W, (long)d->H * d->W, xp + ((size_t)(h + d->P) * Wp + d->P) * d->C, d->C, d->C,
                  d->W);
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
 * input it was read from, pixel by pixel in order, then kernel row a. With
 * `rezero` it leaves col zero, so that OpenBLAS's next GEMM can add into it
 * (beta = 1): zeroing lines already in cache is cheaper than sgemm's own
 * zeroing pass over the whole matrix (beta = 0; ~7% of conv_tx,
 * bench/conv_layers.sh). Our kernel overwrites col: no zeroing. */
static void col2im(const ConvDims *d, float *col, float *xp, int rezero) {
  const long K = kdim(d), run = (long)d->KW * d->C, Wp = d->W + 2 * d->P;
  memset(xp, 0, padded(d) * sizeof(float));
  for (int i = 0; i < d->HO; i++)
    for (int j = 0; j < d->WO; j++) {
      float *src = col + ((long)i * d->WO + j) * K;
      for (int a = 0; a < d->KH; a++) {
        float *dst = xp + ((long)(d->S * i + a) * Wp + (long)d->S * j) * d->C;
        if (rezero)
          for (long t = 0; t < run; t++) dst[t] += src[a * run + t], src[a * run + t] = 0.0f;
        else
          for (long t = 0; t < run; t++) dst[t] += src[a * run + t];
      }
    }
}

/* y = conv(x, w) with no im2col matrix: output row i of an image is a
 * product over kernel rows a of the padded input's rows S i + a, whose KW*C
 * inputs per output pixel lie contiguous in xp at a stride of S*C pixels, by
 * the panel of our kernel resuming its sums from one kernel row to the next:
 * the fmaf chain over k = (a, b, c) of the im2col product, the same bits,
 * without writing and reading the KH*KW-times larger matrix. */
static void conv_rows(const ConvDims *d, const float *x, const float *w, float *y, float *ws) {
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
static void conv_tx_rows(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
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
                wx + ((size_t)a * S + r) * nbm * O * ldc, ldc, out + ((long)h * d->W + S * lo + r - d->P) * ldc, S * ldc,
                resume);
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
static void conv_tx_plane(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
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
  /* conv_tx stays with OpenBLAS: its product writes the whole col matrix either way (measured: ours 0.9-1.2x) */
  const int G = group(d), mine = op != CONV_TX && ours(d);
  const size_t xs = (size_t)d->C * d->H * d->W, ys = (size_t)d->O * HW;
  float *wr = ws, *wg = wr + K * pad16(d->O), *xp = wg + d->O * K, *col = xp + padded(d), *stage = col + G * HW * K;
  if (op != CONV_TW) reorder_w(d, w, wr, 1);
  if (op != CONV_TX)
    memset(xp, 0, padded(d) * sizeof(float));
  else if (!mine)
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
        if (mine)
          sgemm_small(1, 0, ld, K, d->O, stage, ld, wr, K, col);
        else
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ld, K, d->O, 1.0f, stage, ld, wr, K, 1.0f, col, K);
        for (int n = 0; n < g; n++) {
          col2im(d, col + n * HW * K, xp, !mine);
          from_padded(d, xp, out + (n0 + n) * xs);
        }
        break;
      default:
        if (!mine) {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->O, K, ld, 1.0f, stage, ld, col, K,
                      n0 ? 1.0f : 0.0f, wr, K);
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
  if (by_rows(d))
    conv_rows(d, x, w, y, ws);
  else
    grouped(d, CONV, x, NULL, w, y, ws);
}
void conv_tx_f32(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
  if (tx_plane(d))
    conv_tx_plane(d, y, w, x, ws);
  else if (tx_by_rows(d))
    conv_tx_rows(d, y, w, x, ws);
  else
    grouped(d, CONV_TX, NULL, y, w, x, ws);
}
void conv_tw_f32(const ConvDims *d, const float *x, const float *y, float *w, float *ws) {
  grouped(d, CONV_TW, x, y, NULL, w, ws);
}
