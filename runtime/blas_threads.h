/* OpenBLAS threads per GEMM: `train --threads T` asks for T, but a small
 * product runs on one thread, since waking the pool costs more than the
 * split saves. `bench/sgemm N REPS 1 2` on the 2-core dev VM (GFLOP/s, 1 / 2
 * threads): N = 128: 79 / 69, 192: 70 / 64, 224: 78 / 89, 256: 76 / 117,
 * 512: 78 / 149; the two cross near 2 N^3 = 25 MFLOP. The products our own
 * kernel takes are split over the T threads by runtime/workers.h instead,
 * until the first product large enough for OpenBLAS's threads. */
#pragma once

#define SMALL_GEMM_FLOPS 33554432L /* 2 M N K below this: one thread */

void blas_threads_init(int threads);
void blas_threads_for(long flops);
