/* Small-matrix sgemm: C[M,N] = op(A) op(B), row-major, for the toy models'
 * products (e.g. 200 x 100 x 100), where OpenBLAS spends as long packing as
 * multiplying. Every output is c = fmaf(a_ik, b_kj, c) over k = 0..K-1 in
 * order from c = 0, on every path (AVX-512, AVX2 + FMA, plain C): vectors run
 * across outputs, never across k, so all paths give the same bits whatever
 * the CPU or the compiler flags (docs/performance.md). */
#ifndef EBM_SGEMM_SMALL_H
#define EBM_SGEMM_SMALL_H

enum { SGEMM_REF = 0, SGEMM_AVX2 = 1, SGEMM_AVX512 = 2 };

/* The widest path this CPU runs (chosen once, from cpuid). */
int sgemm_small_path(void);
/* Whether ebm_sgemm sends this shape here rather than to OpenBLAS (measured:
 * bench/sgemm_small.sh); never on a CPU without FMA vectors. */
int sgemm_small_wanted(int ta, int tb, int M, int N, int K);
/* The product on the widest path. */
void sgemm_small(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C);
/* The product on one path; returns -1 (C untouched) when the CPU lacks it. */
int sgemm_small_on(int path, int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   float *C);

/* The kernels' common form (sgemm_small.c brings every case to it):
 * O[i*ldo + j] = sum over k in order of X[i*xi + k*xk] * Y[k*ldy + j],
 * i < M, j < N; X is broadcast, Y read along rows. With `resume` each chain
 * goes on from the value O holds (a product over k split into calls is then
 * the same bits as one call: runtime/conv.c's convolution without im2col). */
typedef void SgemmPanel(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                        long ldo, int resume);
SgemmPanel sgemm_panel_ref, sgemm_panel_avx2, sgemm_panel_avx512;
/* The panel of the widest path this CPU runs. */
SgemmPanel *sgemm_small_panel(void);

#endif
