/* The float matrix product of the interpreter's f32 mode and the compiled
 * trainers: C[M,N] = op(A) op(B), row-major, op = transpose when ta / tb.
 * Both call this one function, so they round alike. */
#ifndef EBM_GEMM_H
#define EBM_GEMM_H

void ebm_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C);

#endif
