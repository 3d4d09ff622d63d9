/* The AVX2 + FMA kernel of sgemm_small.h, sgemm_small_avx512.c on 8 lanes
 * and 16 ymm registers: blocks of up to 8 rows x 3 vectors (12 accumulators
 * at most), the same fused multiply-add per output per k, in k order. */
#include "sgemm_small.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma")))

static inline __attribute__((always_inline)) T256 void block(int R, int V, int K, const float *X, long xi, long xk,
                                                             const float *Y, long ldy, float *O, long ldo, __m256i last,
                                                             int resume) {
  __m256 acc[8][3];
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) {
      /* resume: go on from the stored sums (exact) */
      const float *o = O + r * ldo + 8 * v;
      acc[r][v] = !resume ? _mm256_setzero_ps() : v == V - 1 ? _mm256_maskload_ps(o, last) : _mm256_loadu_ps(o);
    }
  for (int k = 0; k < K; k++) {
    const float *y = Y + k * ldy, *x = X + k * xk;
    __m256 b[3];
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) b[v] = v == V - 1 ? _mm256_maskload_ps(y + 8 * v, last) : _mm256_loadu_ps(y + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      __m256 a = _mm256_set1_ps(x[r * xi]);
#pragma GCC unroll 4
      for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(a, b[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++) {
      float *o = O + r * ldo + 8 * v;
      if (v == V - 1)
        _mm256_maskstore_ps(o, last, acc[r][v]);
      else
        _mm256_storeu_ps(o, acc[r][v]);
    }
}

/* one case per (R, V) that sgemm_panel_avx2 uses (rows_for), so each block's loops unroll into registers */
#define B(R, V)                                              \
  case R * 8 + V - 1:                                        \
    block(R, V, K, X, xi, xk, Y, ldy, O, ldo, last, resume); \
    break;
#define ROWS(R) B(R, 1) B(R, 2) B(R, 3)
#define TWO(R) B(R, 1) B(R, 2)
#define ONE(R) B(R, 1)

static T256 void dispatch(int R, int V, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                          long ldo, __m256i last, int resume) {
  switch (R * 8 + V - 1) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) TWO(5) TWO(6) ONE(7) ONE(8) }
}

/* rows per block for V vectors: 12 accumulators at most, 8 rows at most */
static const int rows_for[4] = {0, 8, 6, 4};

T256 void sgemm_panel_avx2(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                           long ldo, int resume) {
  /* column panels of up to 3 vectors outside, row blocks inside (Y's panel stays in L1) */
  for (int j0 = 0; j0 < N; j0 += 24) {
    int w = N - j0 < 24 ? N - j0 : 24, V = (w + 7) / 8, R = rows_for[V], t = w % 8 ? w % 8 : 8;
    __m256i last = _mm256_cmpgt_epi32(_mm256_set1_epi32(t), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int i0 = 0; i0 < M; i0 += R) {
      int r = M - i0 < R ? M - i0 : R;
      dispatch(r, V, K, X + i0 * xi, xi, xk, Y + j0, ldy, O + (long)i0 * ldo + j0, ldo, last, resume);
    }
  }
}
#else
void sgemm_panel_avx2(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                      long ldo, int resume) {
  sgemm_panel_ref(M, N, K, X, xi, xk, Y, ldy, O, ldo, resume);
}
#endif
