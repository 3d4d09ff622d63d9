/* runtime/sgemm_small.c: every path this CPU runs (AVX-512, AVX2 + FMA, plain
 * C) against this file's own fmaf loop over op(A), op(B), bit for bit, in all
 * four transpose cases, sizes 1, 2, 15, 16, 17, 100, 200, 257 in each
 * dimension, K = 0, and leading dimensions wider than the rows; and against a
 * double-precision product within the bound of recursive summation: K
 * roundings of at most u = 2^-24 each, |c - sum| <= gamma_K sum |a_k b_k|
 * with gamma_K = K u / (1 - K u) (Higham, Accuracy and Stability, 3.1; fmaf
 * rounds each step once), plus the double sum's own gamma_K at u = 2^-53.
 * A panel called on k = 0..s-1 and then, resuming, on s..K-1 gives the bits
 * of one call (runtime/conv.c splits its products so). */
#include "sgemm_small.h"
#include "workers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gemm.h"

static float rnd(unsigned *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / (1 << 24) * 2.0f - 1.0f;
}

static double gamma_k(int K, double u) { return K * u / (1 - K * u); }

static int tested[3], bad_bits[3];

static void check_shape(int ta, int tb, int M, int N, int K, int pad, unsigned seed) {
  int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad;
  size_t na = (size_t)(ta ? K : M) * lda + 1, nb = (size_t)(tb ? N : K) * ldb + 1, nc = (size_t)M * N + 1;
  float *A = malloc(sizeof(float) * na), *B = malloc(sizeof(float) * nb);
  float *R = malloc(sizeof(float) * nc), *C = malloc(sizeof(float) * nc);
  for (size_t i = 0; i < na; i++) A[i] = rnd(&seed);
  for (size_t i = 0; i < nb; i++) B[i] = rnd(&seed);
  int bad_math = 0;
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      float c = 0.0f;
      double exact = 0, mag = 0;
      for (int k = 0; k < K; k++) {
        float a = ta ? A[k * lda + m] : A[m * lda + k], b = tb ? B[n * ldb + k] : B[k * ldb + n];
        c = fmaf(a, b, c);
        exact += (double)a * b; /* exact product of two floats */
        mag += fabs((double)a * b);
      }
      R[m * N + n] = c;
      if (!(fabs(c - exact) <= (gamma_k(K, 0x1p-24) + gamma_k(K, 0x1p-53)) * mag)) bad_math++;
    }
  CHECK(!bad_math, "ta=%d tb=%d %dx%dx%d: %d fmaf sums outside the error bound", ta, tb, M, N, K, bad_math);
  for (int p = SGEMM_REF; p <= SGEMM_AVX512; p++) {
    memset(C, 0xff, sizeof(float) * nc); /* NaN: every output must be written, none past the end */
    if (sgemm_small_on(p, ta, tb, M, N, K, A, lda, B, ldb, C)) continue;
    tested[p]++;
    int bad = memcmp(C, R, sizeof(float) * M * N) != 0 || !isnan(C[M * N]);
    bad_bits[p] += bad;
    CHECK(!bad, "path %d ta=%d tb=%d %dx%dx%d pad %d: not the fmaf loop's bits", p, ta, tb, M, N, K, pad);
  }
  if (sgemm_small_wanted(ta, tb, M, N, K) && pad == 0) { /* the routed product is this one */
    ebm_sgemm(ta, tb, M, N, K, A, lda, B, ldb, C);
    CHECK(!memcmp(C, R, sizeof(float) * M * N), "ebm_sgemm ta=%d tb=%d %dx%dx%d: not the small kernel's bits", ta, tb,
          M, N, K);
  }
  free(A);
  free(B);
  free(C);
  free(R);
}

static void check_resume(int M, int N, int K, int split, unsigned seed) {
  static SgemmPanel *const panels[] = {sgemm_panel_ref, sgemm_panel_avx2, sgemm_panel_avx512};
  float *X = malloc(sizeof(float) * M * K), *Y = malloc(sizeof(float) * K * N);
  float *one = malloc(sizeof(float) * M * N), *two = malloc(sizeof(float) * M * N);
  for (int i = 0; i < M * K; i++) X[i] = rnd(&seed);
  for (int i = 0; i < K * N; i++) Y[i] = rnd(&seed);
  for (int p = SGEMM_REF; p <= sgemm_small_path(); p++) {
    panels[p](M, N, K, X, K, 1, Y, N, one, N, 0);
    memset(two, 0xff, sizeof(float) * M * N);
    panels[p](M, N, split, X, K, 1, Y, N, two, N, 0);
    panels[p](M, N, K - split, X + split, K, 1, Y + (long)split * N, N, two, N, 1);
    CHECK(!memcmp(one, two, sizeof(float) * M * N), "path %d %dx%dx%d split at %d: resuming changed bits", p, M, N, K,
          split);
  }
  free(X);
  free(Y);
  free(one);
  free(two);
}

int main(void) {
  static const int sizes[] = {1, 2, 6, 15, 16, 17, 100, 200, 257}; /* row tails of 16, 8 and 4 lanes */
  const int ns = sizeof sizes / sizeof sizes[0];
  unsigned seed = 1;
  /* once on one thread, once split over 3 (train --threads): the same bits */
  for (int threads = 1; threads <= 3; threads += 2) {
    workers_set(threads);
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        /* every size in every dimension; at most one dimension above 100 keeps it quick */
        for (int i = 0; i < ns; i++)
          for (int j = 0; j < ns; j++)
            for (int l = 0; l < ns; l++) {
              int M = sizes[i], N = sizes[j], K = sizes[l];
              if ((M > 100) + (N > 100) + (K > 100) > 1) continue;
              check_shape(ta, tb, M, N, K, 0, seed++);
            }
        check_shape(ta, tb, 17, 33, 0, 0, seed++); /* K = 0: C = 0 */
        check_shape(ta, tb, 200, 100, 100, 3, seed++);
        check_shape(ta, tb, 37, 5, 19, 1, seed++);
        check_shape(ta, tb, 1024, 100, 100, 0, seed++);
      }
  }
  workers_set(1);
  check_resume(17, 33, 40, 13, seed++);
  check_resume(8, 100, 700, 300, seed++); /* past the AVX-512 panel's own k chunks */
  check_resume(3, 130, 9, 1, seed++);
  check_resume(9, 38, 600, 200, seed++); /* an 8-lane tail (6 columns) over chunks */
  static const char *names[] = {"plain C", "AVX2+FMA", "AVX-512"};
  for (int p = 0; p < 3; p++)
    printf("%-8s path: %d products, %d not bit-identical to the fmaf loop%s\n", names[p], tested[p], bad_bits[p],
           tested[p] ? "" : " (this CPU lacks it: not tested)");
  CHECK(tested[SGEMM_REF] && tested[sgemm_small_path()], "the paths ran");
  return report();
}
