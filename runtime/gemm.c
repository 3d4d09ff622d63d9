#include "gemm.h"

#include <cblas.h>
#include <string.h>

/* The thin products below fix the order of every sum, so that the trainers
 * (vectorised with -march=native) and the interpreter (built for any x86-64)
 * round alike:
 *   rows:  c = 0 + t_0 + t_1 + ... + t_{K-1}, left to right;
 *   lanes: eight partial sums, lane j = 0 + the terms k = j (mod 8) below K - K mod 8
 *          in order, added as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the last
 *          K mod 8 terms left to right.
 * A temporary (a transposed operand or result) larger than this goes to OpenBLAS. */
#define THIN_TEMP 16384

/* eight floats as one value (GCC vector extension): an AVX register in the
 * trainers, two SSE ones in a baseline x86-64 build; the same sums either way */
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
/* macros, not functions: a function taking or returning v8 warns (-Wpsabi) where AVX is off */
#define ld(p) (*(const v8u *)(p))
#define st(p, v) (*(v8u *)(p) = (v))
#define splat(a) ((v8){a, a, a, a, a, a, a, a})

/* C[m,n] = sum_k L[m lsm + k lsk] R[k ldr + n] in the rows order: vectorised
 * over n (R's rows are contiguous), 32 columns at a time (four independent
 * vectors hide the add latency), then 8, then one. */
static void rows(int M, int N, int K, const float *L, long lsm, long lsk, const float *R, long ldr, float *C) {
  for (int m = 0; m < M; m++) {
    const float *l = L + m * lsm;
    float *c = C + (long)m * N;
    int n = 0;
    for (; n + 32 <= N; n += 32) {
      v8 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
      for (int k = 0; k < K; k++) {
        const float ak = l[k * lsk];
        const v8 a = splat(ak);
        const float *r = R + k * ldr + n;
        c0 += a * ld(r);
        c1 += a * ld(r + 8);
        c2 += a * ld(r + 16);
        c3 += a * ld(r + 24);
      }
      st(c + n, c0);
      st(c + n + 8, c1);
      st(c + n + 16, c2);
      st(c + n + 24, c3);
    }
    for (; n + 8 <= N; n += 8) {
      v8 c0 = {0};
      for (int k = 0; k < K; k++) {
        const float ak = l[k * lsk];
        c0 += splat(ak) * ld(R + k * ldr + n);
      }
      st(c + n, c0);
    }
    for (; n < N; n++) {
      float acc = 0;
      for (int k = 0; k < K; k++) acc += l[k * lsk] * R[k * ldr + n];
      c[n] = acc;
    }
  }
}

static float lanes_sum(const v8 *v) {
  const float *s = (const float *)v;
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* C[m,n] = dot(A row m, B row n) over K in the lanes order; four outputs at a
 * time (independent sums hide the add latency). */
static void lanes(int M, int N, int K, const float *A, long lda, const float *B, long ldb, float *C) {
  const int K8 = K & ~7;
  const long T = (long)M * N;
  long t = 0;
  for (; t + 4 <= T; t += 4) {
    const float *a0 = A + t / N * lda, *a1 = A + (t + 1) / N * lda, *a2 = A + (t + 2) / N * lda,
                *a3 = A + (t + 3) / N * lda;
    const float *b0 = B + t % N * ldb, *b1 = B + (t + 1) % N * ldb, *b2 = B + (t + 2) % N * ldb,
                *b3 = B + (t + 3) % N * ldb;
    v8 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (int k = 0; k < K8; k += 8) {
      s0 += ld(a0 + k) * ld(b0 + k);
      s1 += ld(a1 + k) * ld(b1 + k);
      s2 += ld(a2 + k) * ld(b2 + k);
      s3 += ld(a3 + k) * ld(b3 + k);
    }
    float c0 = lanes_sum(&s0), c1 = lanes_sum(&s1), c2 = lanes_sum(&s2), c3 = lanes_sum(&s3);
    for (int k = K8; k < K; k++) {
      c0 += a0[k] * b0[k];
      c1 += a1[k] * b1[k];
      c2 += a2[k] * b2[k];
      c3 += a3[k] * b3[k];
    }
    C[t] = c0;
    C[t + 1] = c1;
    C[t + 2] = c2;
    C[t + 3] = c3;
  }
  for (; t < T; t++) {
    const float *a = A + t / N * lda, *b = B + t % N * ldb;
    v8 s = {0};
    for (int k = 0; k < K8; k += 8) s += ld(a + k) * ld(b + k);
    float c = lanes_sum(&s);
    for (int k = K8; k < K; k++) c += a[k] * b[k];
    C[t] = c;
  }
}

/* dst[c][r] = src[r * ld + c] for r < R, c < Cn */
static void transpose(int R, int Cn, const float *src, long ld, float *dst) {
  for (int r = 0; r < R; r++)
    for (int c = 0; c < Cn; c++) dst[(long)c * R + r] = src[r * ld + c];
}

/* the product with the roles of A and B swapped (C^T = op(B)^T op(A)^T),
 * computed in rows into T, then stored transposed: vectorises over m when
 * A's rows run along m (ta) and N is small */
static void rows_transposed(int M, int N, int K, const float *A, long lda, const float *B, long bn, long bk, float *C,
                            float *T) {
  rows(N, M, K, B, bn, bk, A, lda, T);
  transpose(N, M, T, M, C);
}

/* which loops a thin product takes (the first that fits), and the floats of temporary it needs */
enum { VIA_BT_ROWS, VIA_ROWS, VIA_LANES, VIA_BT_LANES, VIA_ROWS_T };
static int thin_path(int ta, int tb, int M, int N, int K, long *temp) {
  int p;
  if (tb && K < 8) p = VIA_BT_ROWS;   /* a few long columns of B^T: store them as rows */
  else if (!tb && N >= 8) p = VIA_ROWS;   /* B's rows run along n */
  else if (!ta && tb) p = VIA_LANES;      /* A's and B^T's rows run along k */
  else if (!ta) p = VIA_BT_LANES;         /* a few columns of B, each dotted with A's rows */
  else p = VIA_ROWS_T;                    /* A^T: its rows run along m */
  long t = 0;
  if (p == VIA_BT_ROWS) thin_path(ta, 0, M, N, K, &t);
  *temp = t + (p == VIA_BT_ROWS || p == VIA_BT_LANES ? (long)N * K : p == VIA_ROWS_T ? (long)N * M : 0);
  return p;
}

static void thin(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 float *tmp) {
  long t;
  switch (thin_path(ta, tb, M, N, K, &t)) {
    case VIA_BT_ROWS:
      transpose(N, K, B, ldb, tmp);
      thin(ta, 0, M, N, K, A, lda, tmp, N, C, tmp + (long)N * K);
      break;
    case VIA_ROWS:
      rows(M, N, K, A, ta ? 1 : lda, ta ? lda : 1, B, ldb, C);
      break;
    case VIA_LANES:
      lanes(M, N, K, A, lda, B, ldb, C);
      break;
    case VIA_BT_LANES:
      transpose(K, N, B, ldb, tmp);
      lanes(M, N, K, A, lda, tmp, K, C);
      break;
    default:
      rows_transposed(M, N, K, A, lda, B, tb ? ldb : 1, tb ? 1 : ldb, C, tmp);
  }
}

static int use_blas(int ta, int tb, int M, int N, int K) {
  long temp = 0;
  return (M > GEMM_THIN && N > GEMM_THIN && K > GEMM_THIN) || (thin_path(ta, tb, M, N, K, &temp), temp > THIN_TEMP);
}

void ebm_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C) {
  if (use_blas(ta, tb, M, N, K)) {
    /* beta = 1 on a zeroed C rounds as beta = 0 does (0 + t = t), but skips
     * OpenBLAS's slow scaling pass over C */
    memset(C, 0, sizeof(float) * M * N);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B,
                ldb, 1.0f, C, N);
    return;
  }
  float tmp[THIN_TEMP];
  thin(ta, tb, M, N, K, A, lda, B, ldb, C, tmp);
}
