#include "blas_threads.h"

#include <cblas.h>

#include "workers.h"

static int wanted = 1, current = 1;

/* OpenBLAS stays on one thread until a product is large enough to split, so
 * a trainer whose GEMMs are all small makes the same calls at any T */
void blas_threads_init(int threads) {
  wanted = threads;
  workers_set(threads); /* our small-matrix kernel splits its products over them (sgemm_small.c) */
  current = 1;
  openblas_set_num_threads(1);
}

void blas_threads_for(long flops) {
  int t = flops < SMALL_GEMM_FLOPS ? 1 : wanted;
  if (t > 1) workers_retire(); /* a process with products this large leaves the threads to OpenBLAS */
  if (t != current) {
    openblas_set_num_threads(t);
    current = t;
  }
}
