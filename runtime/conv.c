#include "conv.h"

#include <cblas.h>
#include <string.h>

/* col[(c KH + a) KW + b][i WO + j] = x[c, S i + a - P, S j + b - P], 0 outside */
static void im2col(const ConvDims *d, const float *x, float *col) {
  const int HW = d->HO * d->WO;
  for (int c = 0; c < d->C; c++)
    for (int a = 0; a < d->KH; a++)
      for (int b = 0; b < d->KW; b++) {
        float *row = col + (size_t)((c * d->KH + a) * d->KW + b) * HW;
        for (int i = 0; i < d->HO; i++) {
          int h = d->S * i + a - d->P;
          for (int j = 0; j < d->WO; j++) {
            int v = d->S * j + b - d->P;
            row[i * d->WO + j] = (h >= 0 && h < d->H && v >= 0 && v < d->W) ? x[((size_t)c * d->H + h) * d->W + v] : 0.0f;
          }
        }
      }
}

/* the adjoint of im2col: x[c, h, v] = sum of the col entries that read it (x zeroed first) */
static void col2im(const ConvDims *d, const float *col, float *x) {
  const int HW = d->HO * d->WO;
  memset(x, 0, (size_t)d->C * d->H * d->W * sizeof(float));
  for (int c = 0; c < d->C; c++)
    for (int a = 0; a < d->KH; a++)
      for (int b = 0; b < d->KW; b++) {
        const float *row = col + (size_t)((c * d->KH + a) * d->KW + b) * HW;
        for (int i = 0; i < d->HO; i++) {
          int h = d->S * i + a - d->P;
          if (h < 0 || h >= d->H) continue;
          for (int j = 0; j < d->WO; j++) {
            int v = d->S * j + b - d->P;
            if (v >= 0 && v < d->W) x[((size_t)c * d->H + h) * d->W + v] += row[i * d->WO + j];
          }
        }
      }
}

void conv_f32(const ConvDims *d, const float *x, const float *w, float *y, float *ws) {
  const int K = d->C * d->KH * d->KW, HW = d->HO * d->WO;
  for (int n = 0; n < d->N; n++) {
    im2col(d, x + (size_t)n * d->C * d->H * d->W, ws);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->O, HW, K, 1.0f, w, K, ws, HW, 0.0f,
                y + (size_t)n * d->O * HW, HW);
  }
}

void conv_tx_f32(const ConvDims *d, const float *y, const float *w, float *x, float *ws) {
  const int K = d->C * d->KH * d->KW, HW = d->HO * d->WO;
  for (int n = 0; n < d->N; n++) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, d->O, 1.0f, w, K, y + (size_t)n * d->O * HW, HW, 0.0f,
                ws, HW);
    col2im(d, ws, x + (size_t)n * d->C * d->H * d->W);
  }
}

void conv_tw_f32(const ConvDims *d, const float *x, const float *y, float *w, float *ws) {
  const int K = d->C * d->KH * d->KW, HW = d->HO * d->WO;
  for (int n = 0; n < d->N; n++) {
    im2col(d, x + (size_t)n * d->C * d->H * d->W, ws);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d->O, K, HW, 1.0f, y + (size_t)n * d->O * HW, HW, ws, HW,
                n ? 1.0f : 0.0f, w, K);
  }
}
