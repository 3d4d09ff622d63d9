/* OpenBLAS threads per GEMM: `train --threads T` asks for T, but a small
 * product runs on one thread, since waking the pool costs more than the
 * split saves: `bench/sgemm N REPS 1 2` at N = 64..512 shows where the two
 * cross (measured on the 2-core dev VM: see bench/README.md). */
#pragma once

#define SMALL_GEMM_FLOPS 33554432L   /* 2 M N K below this: one thread */

void blas_threads_init(int threads);
void blas_threads_for(long flops);
