/* 2-D convolution (cross-correlation, NCHW, square stride and zero padding)
 * and its two transposes, as a channels-last im2col + one sgemm per group of images. The interpreter's f32
 * mode and the emitted trainers call these same functions, so they agree bit
 * for bit; the interpreter's f64 mode has its own direct loops (the oracle).
 *
 *   conv     y[n,o,i,j] = sum_{c,a,b} x[n,c,S i+a-P, S j+b-P] w[o,c,a,b]
 *   conv_tx  the adjoint in x:  x[n,c,h,v] = sum y[n,o,i,j] w[o,c,a,b] over S i+a-P = h, S j+b-P = v
 *   conv_tw  the adjoint in w:  w[o,c,a,b] = sum_{n,i,j} x[n,c,S i+a-P, S j+b-P] y[n,o,i,j] */
#ifndef EBM_CONV_H
#define EBM_CONV_H

#include <stddef.h>

typedef struct ConvDims {
  int N, C, H, W; /* x */
  int O, KH, KW;  /* w is [O, C, KH, KW] */
  int S, P;       /* stride, padding */
  int HO, WO;     /* y is [N, O, HO, WO] */
} ConvDims;

/* Output size of a convolution over `in` with kernel k: (in + 2P - k) / S + 1. */
static inline int conv_out_size(int in, int k, int S, int P) { return (in + 2 * P - k) / S + 1; }
/* Floats of scratch space the three functions need: the reordered weights,
 * one zero-padded channels-last image, and the im2col and staging matrices of
 * a group of images (at most 4 MiB unless one image needs more). */
size_t conv_workspace(const ConvDims *d);

void conv_f32(const ConvDims *d, const float *x, const float *w, float *y, float *ws);
void conv_tx_f32(const ConvDims *d, const float *y, const float *w, float *x, float *ws);
void conv_tw_f32(const ConvDims *d, const float *x, const float *y, float *w, float *ws);

#endif
