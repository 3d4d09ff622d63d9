/* runtime/gemm.c: every transpose combination on thin and square-ish shapes
 * against a double-precision product, and bit for bit against the routine it
 * routes the shape to: the small kernel's fmaf chain (runtime/sgemm_small.h),
 * or OpenBLAS sgemm with beta = 0 (the zeroed-C call it makes instead must
 * round the same). */
#include "gemm.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_core.h"
#include "check.h"
#include "sgemm_small.h"

static float rnd(unsigned *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / (1 << 24) * 2.0f - 1.0f;
}

static float a_at(int ta, const float *A, int lda, int m, int k) { return ta ? A[k * lda + m] : A[m * lda + k]; }
static float b_at(int tb, const float *B, int ldb, int k, int n) { return tb ? B[n * ldb + k] : B[k * ldb + n]; }

static int routed_small, checked;

static void check_shape(int ta, int tb, int M, int N, int K, unsigned seed) {
  int lda = ta ? M : K, ldb = tb ? K : N;
  float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C = malloc(sizeof(float) * M * N);
  for (int i = 0; i < M * K; i++) A[i] = rnd(&seed);
  for (int i = 0; i < K * N; i++) B[i] = rnd(&seed);
  memset(C, 0xff, sizeof(float) * M * N); /* NaN: every output must be written */
  ebm_sgemm(ta, tb, M, N, K, A, lda, B, ldb, C);
  float *R = malloc(sizeof(float) * M * N);
  int small = sgemm_small_wanted(ta, tb, M, N, K);
  if (small)
    sgemm_small_on(SGEMM_REF, ta, tb, M, N, K, A, lda, B, ldb, R);
  else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B,
                ldb, 0.0f, R, N);
  routed_small += small;
  int bad_math = 0, bad_blas = 0;
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      double ref = 0, mag = 0;
      for (int k = 0; k < K; k++) {
        double t = (double)a_at(ta, A, lda, m, k) * b_at(tb, B, ldb, k, n);
        ref += t;
        mag += fabs(t);
      }
      float c = C[m * N + n];
      if (!(fabs(c - ref) <= 2 * K * 6e-8 * mag + 1e-30)) bad_math++;
      if (memcmp(&c, &R[m * N + n], sizeof c)) bad_blas++;
    }
  CHECK(!bad_math, "ta=%d tb=%d %dx%dx%d: %d outputs off the exact product", ta, tb, M, N, K, bad_math);
  CHECK(!bad_blas, "ta=%d tb=%d %dx%dx%d: %d outputs differ from %s", ta, tb, M, N, K, bad_blas,
        small ? "the small kernel's plain C path" : "sgemm with beta = 0");
  free(A);
  free(B);
  free(C);
  free(R);
  checked++;
}

int main(int argc, char **argv) {
  (void)argc;
  blas_core_select(argv); /* the kernels the host and the trainers run */
  static const int shapes[][3] = {
      {200, 100, 2}, {1024, 100, 2}, {1, 100, 2},   {200, 2, 100}, {200, 1, 100}, {1024, 1, 100},  {100, 2, 200},
      {2, 100, 200}, {1, 100, 200},  {1, 100, 100}, {1, 2, 100},   {1, 1, 100},   {3, 3, 3},       {4, 37, 13},
      {37, 4, 13},   {13, 37, 4},    {1, 1, 1},     {5, 7, 1},     {33, 41, 9},   {200, 100, 100}, {100, 100, 200},
      {9, 70, 5},    {70, 9, 5},     {2, 3, 7},     {300, 60, 1},  {1, 300, 60},  {200, 300, 300},
  };
  unsigned seed = 1;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_shape(ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], seed++);
  /* both routes are exercised */
  CHECK(routed_small > 0 && routed_small < checked, "%d of %d shapes to the small kernel", routed_small, checked);
  return report();
}
