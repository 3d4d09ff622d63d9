#include "blas_threads.h"

#include <cblas.h>

static int wanted = 1, current = 1;

void blas_threads_init(int threads) {
  wanted = current = threads;
  openblas_set_num_threads(threads);
}

void blas_threads_for(long flops) {
  int t = flops < SMALL_GEMM_FLOPS ? 1 : wanted;
  if (t != current) {
    openblas_set_num_threads(t);
    current = t;
  }
}
