/* The AVX-512 kernel of sgemm_small.h: a block of R rows x V vectors of 16
 * outputs lives in registers (up to 24 of the 32 zmm: 6 x 4, 8 x 3, or
 * 3 x 8 when C has few rows) while k runs 0..K-1: each step loads V vectors of Y's row k, broadcasts R values of X
 * and does R x V fused multiply-adds, one per output per k, in k order: the
 * fmaf chain of sgemm_panel_ref, 16 lanes at a time. The last vector of a
 * row is masked where N is not a multiple of 16. Compiled for avx512f by the
 * target attribute, whatever -march says; called only where cpuid has it. */
#include "sgemm_small.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f")))

/* block_RAxVA: the accumulators as an RA x VA array, no larger than the
 * largest block it serves, which GCC keeps in registers (an 8 x 8 one it spills) */
#define BLOCK(RA, VA)                                                                                          \
  static inline __attribute__((always_inline))                                                                 \
  T512 void block_##RA##x##VA(int R, int V, int K, const float *X, long xi, long xk, const float *Y, long ldy, \
                              float *O, long ldo, __mmask16 last, int resume) {                                \
    __m512 acc[RA][VA], b[VA];                                                                                 \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) _Pragma("GCC unroll 8") for (int v = 0; v < V; v++) {  \
      /* resume: a later chunk of k goes on from the stored sums (exact) */                                    \
      const float *o = O + r * ldo + 16 * v;                                                                   \
      acc[r][v] = !resume ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(v == V - 1 ? last : 0xffff, o);        \
    }                                                                                                          \
    for (int k = 0; k < K; k++) {                                                                              \
      const float *y = Y + k * ldy, *x = X + k * xk;                                                           \
      _Pragma("GCC unroll 8") for (int v = 0; v < V; v++) b[v] =                                               \
          _mm512_maskz_loadu_ps(v == V - 1 ? last : 0xffff, y + 16 * v);                                       \
      _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                                    \
        __m512 a = _mm512_set1_ps(x[r * xi]);                                                                  \
        _Pragma("GCC unroll 8") for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);   \
      }                                                                                                        \
    }                                                                                                          \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) _Pragma("GCC unroll 8") for (int v = 0; v < V; v++)    \
        _mm512_mask_storeu_ps(O + r * ldo + 16 * v, v == V - 1 ? last : 0xffff, acc[r][v]);                    \
  }
BLOCK(8, 4)
BLOCK(3, 8)

/* one case per (R, V) that sgemm_panel_avx512 uses (rows_for), so each block's loops unroll into registers */
#define B(R, V)                                                                         \
  case R * 8 + V - 1:                                                                   \
    (V <= 4 ? block_8x4 : block_3x8)(R, V, K, X, xi, xk, Y, ldy, O, ldo, last, resume); \
    break;
#define ROWS(R) B(R, 1) B(R, 2) B(R, 3) B(R, 4)
#define WIDE(R) B(R, 5) B(R, 6) B(R, 7) B(R, 8)
#define NARROW(R) B(R, 1) B(R, 2) B(R, 3)

static T512 void dispatch(int R, int V, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                          long ldo, __mmask16 last, int resume) {
  switch (R * 8 + V - 1) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) NARROW(7) NARROW(8) WIDE(1) WIDE(2) WIDE(3) }
}

/* rows per block for V vectors: 24 accumulators at most, 8 rows at most */
static const int rows_for[9] = {0, 8, 8, 8, 6, 3, 3, 3, 3};

T512 void sgemm_panel_avx512(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                             long ldo, int resume) {
  /* column panels of up to 4 vectors (8 when C has at most 3 rows: more
   * independent sums) outside, row blocks inside, k in chunks of at most 32 KB
   * of Y's panel, which then stays in L1 across the row blocks */
  int wmax = M <= 3 ? 128 : 64;
  for (int j0 = 0; j0 < N; j0 += wmax) {
    int w = N - j0 < wmax ? N - j0 : wmax, V = (w + 15) / 16, R = rows_for[V], kc = 512 / V;
    __mmask16 last = (__mmask16)(w % 16 ? (1u << (w % 16)) - 1 : 0xffff);
    for (int k0 = 0; k0 < K || k0 == 0; k0 += kc) {
      int kn = K - k0 < kc ? K - k0 : kc;
      for (int i0 = 0; i0 < M; i0 += R) {
        int r = M - i0 < R ? M - i0 : R;
        dispatch(r, V, kn, X + i0 * xi + k0 * xk, xi, xk, Y + k0 * ldy + j0, ldy, O + (long)i0 * ldo + j0, ldo, last,
                 resume || k0 > 0);
      }
    }
  }
}
#else
void sgemm_panel_avx512(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                        long ldo, int resume) {
  sgemm_panel_ref(M, N, K, X, xi, xk, Y, ldy, O, ldo, resume);
}
#endif
