#include "gemm.h"

#include <cblas.h>
#include <string.h>

#include "blas_threads.h"
#include "sgemm_small.h"

void ebm_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C) {
  /* small products: our own kernel, faster there than OpenBLAS and the same
   * bits on every CPU with FMA vectors (runtime/sgemm_small.h) */
  if (sgemm_small_wanted(ta, tb, M, N, K)) {
    sgemm_small(ta, tb, M, N, K, A, lda, B, ldb, C);
    return;
  }
  /* beta = 1 on a zeroed C rounds as beta = 0 does (0 + t = t), but skips
   * OpenBLAS's slow scaling pass over C (about 5 us per 200 x 100 output) */
  blas_threads_for(2L * M * N * K); /* only OpenBLAS's products: ours split over runtime/workers.h */
  memset(C, 0, sizeof(float) * M * N);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B,
              ldb, 1.0f, C, N);
}
