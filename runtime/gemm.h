/* The float matrix product of the interpreter's f32 mode and the compiled
 * trainers: C[M,N] = op(A) op(B), row-major, op = transpose when ta / tb.
 * Both call this one function (and both compile it without fused
 * multiply-add), so they round alike whatever path it takes. */
#ifndef EBM_GEMM_H
#define EBM_GEMM_H

/* A thin product (some dimension <= GEMM_THIN) runs in loops of gemm.c, where
 * OpenBLAS spends more time on its set-up, packing and zeroing than on the
 * products; every output is then one sum in a fixed order (see gemm.c).
 * Any other product is OpenBLAS sgemm on a zeroed C. */
#define GEMM_THIN 4

void ebm_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C);

#endif
