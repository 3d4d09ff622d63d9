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

#define T512 __attribute__((target("avx512f,avx512vl,fma")))

/* The last vector of a row (masked where N is not a multiple of 16) as 16,
 * 8 or 4 lanes (Z, Y, X): a CPU that splits a 512-bit FMA in two halves
 * (AMD Zen 4) spends half as long on a row's 4 leftover columns in an xmm
 * as in a masked zmm; the sums are the same fmaf chains. */
#define Z_T __m512
#define Z_LOAD(m, p) _mm512_maskz_loadu_ps(m, p)
#define Z_OF(a) (a)
#define Z_FMA _mm512_fmadd_ps
#define Z_ZERO _mm512_setzero_ps
#define Z_STORE(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define Y_T __m256
#define Y_LOAD(m, p) _mm256_maskz_loadu_ps((__mmask8)(m), p)
#define Y_OF(a) _mm512_castps512_ps256(a)
#define Y_FMA _mm256_fmadd_ps
#define Y_ZERO _mm256_setzero_ps
#define Y_STORE(p, m, v) _mm256_mask_storeu_ps(p, (__mmask8)(m), v)
#define X_T __m128
#define X_LOAD(m, p) _mm_maskz_loadu_ps((__mmask8)(m), p)
#define X_OF(a) _mm512_castps512_ps128(a)
#define X_FMA _mm_fmadd_ps
#define X_ZERO _mm_setzero_ps
#define X_STORE(p, m, v) _mm_mask_storeu_ps(p, (__mmask8)(m), v)

/* block_RAxVA<T>: V-1 full vectors and a last one of kind T per row, as
 * arrays no larger than the largest block served, which GCC keeps in
 * registers (an 8 x 8 one it spills); resume: a later chunk of k goes on from
 * the stored sums (exact) */
#define BLOCK(RA, VA, T)                                                                                          \
  static inline __attribute__((always_inline))                                                                    \
  T512 void block_##RA##x##VA##T(int R, int V, int K, const float *X, long xi, long xk, const float *Y, long ldy, \
                                 float *O, long ldo, __mmask16 last, int resume) {                                \
    __m512 acc[RA][VA], b[VA];                                                                                    \
    T##_T tail[RA], bt;                                                                                           \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                                         \
      const float *o = O + r * ldo;                                                                               \
      _Pragma("GCC unroll 8") for (int v = 0; v < V - 1; v++) acc[r][v] =                                         \
          !resume ? _mm512_setzero_ps() : _mm512_loadu_ps(o + 16 * v);                                            \
      tail[r] = !resume ? T##_ZERO() : T##_LOAD(last, o + 16 * (V - 1));                                          \
    }                                                                                                             \
    for (int k = 0; k < K; k++) {                                                                                 \
      const float *y = Y + k * ldy, *x = X + k * xk;                                                              \
      _Pragma("GCC unroll 8") for (int v = 0; v < V - 1; v++) b[v] = _mm512_loadu_ps(y + 16 * v);                 \
      bt = T##_LOAD(last, y + 16 * (V - 1));                                                                      \
      _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                                       \
        __m512 a = _mm512_set1_ps(x[r * xi]);                                                                     \
        _Pragma("GCC unroll 8") for (int v = 0; v < V - 1; v++) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);  \
        tail[r] = T##_FMA(T##_OF(a), bt, tail[r]);                                                                \
      }                                                                                                           \
    }                                                                                                             \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                                         \
      _Pragma("GCC unroll 8") for (int v = 0; v < V - 1; v++) _mm512_storeu_ps(O + r * ldo + 16 * v, acc[r][v]);  \
      T##_STORE(O + r * ldo + 16 * (V - 1), last, tail[r]);                                                       \
    }                                                                                                             \
  }
BLOCK(8, 4, Z)
BLOCK(3, 8, Z)
BLOCK(8, 4, Y)
BLOCK(8, 4, X)

/* one case per (tail kind, R, V) that sgemm_panel_avx512 uses (rows_for), so
 * each block's loops unroll into registers; narrow tails only up to 4 vectors */
enum { TAIL_Z, TAIL_Y, TAIL_X };
#define B(T, R, V)                                                                          \
  case TAIL_##T * 64 + R * 8 + V - 1:                                                       \
    (V <= 4 ? block_8x4##T : block_3x8Z)(R, V, K, X, xi, xk, Y, ldy, O, ldo, last, resume); \
    break;
#define ROWS(T, R) B(T, R, 1) B(T, R, 2) B(T, R, 3) B(T, R, 4)
#define WIDE(R) B(Z, R, 5) B(Z, R, 6) B(Z, R, 7) B(Z, R, 8)
#define NARROW(T, R) B(T, R, 1) B(T, R, 2) B(T, R, 3)
#define KIND(T) ROWS(T, 1) ROWS(T, 2) ROWS(T, 3) ROWS(T, 4) ROWS(T, 5) ROWS(T, 6) NARROW(T, 7) NARROW(T, 8)

static T512 void dispatch(int tail, int R, int V, int K, const float *X, long xi, long xk, const float *Y, long ldy,
                          float *O, long ldo, __mmask16 last, int resume) {
  switch (tail * 64 + R * 8 + V - 1) { KIND(Z) KIND(Y) KIND(X) WIDE(1) WIDE(2) WIDE(3) }
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
    int w = N - j0 < wmax ? N - j0 : wmax, V = (w + 15) / 16, R = rows_for[V], kc = 512 / V, t = w % 16 ? w % 16 : 16;
    int tail = V > 4 ? TAIL_Z : t <= 4 ? TAIL_X : t <= 8 ? TAIL_Y : TAIL_Z;
    __mmask16 last = (__mmask16)((1u << t) - 1);
    for (int k0 = 0; k0 < K || k0 == 0; k0 += kc) {
      int kn = K - k0 < kc ? K - k0 : kc;
      for (int i0 = 0; i0 < M; i0 += R) {
        int r = M - i0 < R ? M - i0 : R;
        dispatch(tail, r, V, kn, X + i0 * xi + k0 * xk, xi, xk, Y + k0 * ldy + j0, ldy, O + (long)i0 * ldo + j0, ldo,
                 last, resume || k0 > 0);
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
