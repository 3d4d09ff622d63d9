/* sgemm_small.h: brings every transpose case to the kernels' one form
 * O = X Y (X broadcast with any strides, Y read along rows), either as
 * C = op(A) op(B) (vectors across C's columns) or as C^T = op(B)^T op(A)^T
 * (vectors across C's rows, for thin C), packing a transposed operand where
 * the form needs rows (runtime/transpose.h). Both ways compute each output
 * as the same fmaf chain over k, so the choice (which differs between
 * paths) never changes a bit. */
#include "sgemm_small.h"

#include "transpose.h"
#include "workers.h"

#include <math.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif
#include <stdlib.h>
#include <string.h>

/* The plain C path, and the definition the vector paths must match bit for
 * bit: each output an fmaf chain over k from 0. Blocked as the kernels are
 * (4 rows x 16 columns of sums, k inside), so that a compiler with vector
 * FMA may vectorise across columns (GCC 12 does, through memory: 1.5x the
 * unblocked loop); the bits stay those of the chain. */
static inline __attribute__((always_inline)) void tile_ref(int R, int W, int K, const float *X, long xi, long xk,
                                                           const float *Y, long ldy, float *O, long ldo, int resume) {
  float acc[4][16] = {{0}};
  if (resume)
    for (int r = 0; r < R; r++) memcpy(acc[r], O + r * ldo, sizeof(float) * W);
  for (int k = 0; k < K; k++)
    for (int r = 0; r < R; r++) {
      float a = X[r * xi + k * xk];
      for (int j = 0; j < W; j++) acc[r][j] = fmaf(a, Y[k * ldy + j], acc[r][j]);
    }
  for (int r = 0; r < R; r++) memcpy(O + r * ldo, acc[r], sizeof(float) * W);
}

void sgemm_panel_ref(int M, int N, int K, const float *X, long xi, long xk, const float *Y, long ldy, float *O,
                     long ldo, int resume) {
  for (int j0 = 0; j0 < N; j0 += 16)
    for (int i0 = 0; i0 < M; i0 += 4) {
      int r = M - i0 < 4 ? M - i0 : 4, w = N - j0 < 16 ? N - j0 : 16;
      if (r == 4 && w == 16) /* constant bounds: the loops unroll and vectorise */
        tile_ref(4, 16, K, X + i0 * xi, xi, xk, Y + j0, ldy, O + i0 * ldo + j0, ldo, resume);
      else
        tile_ref(r, w, K, X + i0 * xi, xi, xk, Y + j0, ldy, O + i0 * ldo + j0, ldo, resume);
    }
}

int sgemm_small_path(void) {
  static int path = -1;
  if (path < 0) {
    int p = SGEMM_REF;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) p = SGEMM_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) p = SGEMM_AVX512;
#endif
    path = p;
  }
  return path;
}

/* AMD Zen 4 (family 25 with AVX-512): its 512-bit FMAs run as two halves,
 * and Debian's OpenBLAS 0.3.21 does not know the core (it runs its Intel
 * Cooperlake kernels there) */
static int zen4(void) {
  static int z = -1;
  if (z < 0) {
    z = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    unsigned a, b, c, d;
    if (sgemm_small_path() == SGEMM_AVX512 && __builtin_cpu_is("amd") && __get_cpuid(1, &a, &b, &c, &d))
      z = ((a >> 8) & 15) + ((a >> 20) & 255) == 25;
#endif
  }
  return z;
}

/* A function of the shape, and of the CPU only through whether it has FMA
 * vectors and whether it is a Zen 4: without FMA vectors our exact plain C
 * path runs 20-40x slower than OpenBLAS, so OpenBLAS keeps every product
 * there (its kernels already round differently from CPU to CPU; the host and
 * the trainers on one machine still agree). Measured
 * (bench/results/sgemm_small.json): the kernel wins where C has at least one
 * vector of columns (a thin C is latency- or transpose-bound, where OpenBLAS
 * splits k, which we may not), where a transposed operand is packed or
 * streamed for 16 rows of C or more, and, on an Intel Xeon, up to
 * 1024 x 100 x 100 (1.1x); from 256^3 up OpenBLAS's cache blocking wins there
 * (ours 0.6-0.93x). On a Zen 4 ours leads OpenBLAS's Cooperlake kernels on
 * the 200-row and 64-wide products of ddaebm and bb-mi-diff (1.06-1.22x) and
 * is even up to 1600 x 300 x 300 and 512^3 (0.93-1.05x), so it takes those
 * too (and their bits no longer depend on OpenBLAS's kernel set). */
int sgemm_small_wanted(int ta, int tb, int M, int N, int K) {
  long limit = zen4() ? 1600L * 300 * 300 : 1024L * 100 * 100;
  return sgemm_small_path() != SGEMM_REF && N >= 16 && (M >= 16 || (!ta && !tb)) && (long)M * N * K <= limit;
}

/* One growing scratch per thread: no allocation per call once warm. */
static _Thread_local float *scratch_p;
static _Thread_local size_t scratch_n;

static float *scratch(size_t n) {
  if (n > scratch_n) {
    free(scratch_p);
    scratch_n = (n + 1023) & ~(size_t)1023;
    scratch_p = aligned_alloc(64, scratch_n * sizeof(float));
    if (!scratch_p) abort();
  }
  return scratch_p;
}

static long pad16(long n) { return (n + 15) & ~15L; }

/* At `train --threads T` a product of at least SPLIT_MNK multiply-adds is
 * split by rows of the panel's output into T parts (multiples of 8 rows),
 * one a thread (runtime/workers.h). Each output is still one thread's one
 * chain, so the bits do not depend on T. */
enum { SPLIT_MNK = 1 << 18 };
typedef struct {
  SgemmPanel *panel;
  int M, N, K;
  const float *X, *Y;
  long xi, xk, ldy, ldo;
  float *O;
} PanelJob;

/* Rows i0..i1 of the job. The panels sweep every row for each column panel
 * and chunk of k; where all of Y stays in the second-level cache but the
 * rows' X does not (e.g. 1600 x 300 x 300), they sweep blocks of rows whose X
 * fits instead, so that X is read from memory once, not once per column
 * panel. Each output's chain is the same either way. */
enum { Y_KEEP = 128 << 10, X_KEEP = 64 << 10 }; /* floats: 512 KB and 256 KB */
static void panel_rows(const PanelJob *j, int i0, int i1) {
  int rows = i1 - i0;
  long x_floats = (long)rows * j->K, y_floats = (long)j->K * j->N;
  if (y_floats <= Y_KEEP && x_floats > X_KEEP) {
    int mb = (int)(X_KEEP / j->K) / 24 * 24;
    if (mb >= 24) rows = mb;
  }
  for (int i = i0; i < i1; i += rows) {
    int n = i1 - i < rows ? i1 - i : rows;
    j->panel(n, j->N, j->K, j->X + i * j->xi, j->xi, j->xk, j->Y, j->ldy, j->O + i * j->ldo, j->ldo, 0);
  }
}

static void panel_part(void *arg, int part, int parts) {
  const PanelJob *j = arg;
  int per = ((j->M + parts - 1) / parts + 7) & ~7, i0 = part * per, i1 = i0 + per < j->M ? i0 + per : j->M;
  if (i0 < i1) panel_rows(j, i0, i1);
}

static void run_panel(SgemmPanel *panel, int M, int N, int K, const float *X, long xi, long xk, const float *Y,
                      long ldy, float *O, long ldo) {
  PanelJob j = {panel, M, N, K, X, Y, xi, xk, ldy, ldo, O};
  if (workers_parts() > 1 && M >= 16 && (long)M * N * K >= SPLIT_MNK)
    workers_run(panel_part, &j);
  else
    panel_rows(&j, 0, M);
}

static void product(SgemmPanel *panel, int width, int ta, int tb, int M, int N, int K, const float *A, int lda,
                    const float *B, int ldb, float *C) {
  /* cost in vector FMAs plus floats moved by packing, either way round */
  long vec_n = (long)(N + width - 1) / width * M * K, pack_n = tb ? (long)K * N : 0;
  long vec_t = (long)(M + width - 1) / width * N * K, pack_t = (ta ? 0 : (long)K * M) + (N > 1 ? (long)M * N : 0);
  if (vec_n + pack_n <= vec_t + pack_t) {
    const float *Y = B;
    long ldy = ldb;
    if (tb) { /* Y = B^T, K x N */
      ldy = pad16(N);
      float *P = scratch((size_t)K * ldy);
      transpose_f32(B, ldb, P, ldy, N, K);
      Y = P;
    }
    run_panel(panel, M, N, K, A, ta ? 1 : lda, ta ? lda : 1, Y, ldy, C, N);
    return;
  }
  /* C^T (N x M) = op(B)^T op(A)^T: X(j, k) = op(B)(k, j), Y(k, i) = op(A)(i, k) */
  long ldy = ta ? lda : pad16(M), ldt = pad16(M);
  size_t ny = ta ? 0 : (size_t)K * ldy;
  float *S = scratch(ny + (N > 1 ? (size_t)N * ldt : 0));
  const float *Y = A;
  if (!ta) {
    transpose_f32(A, lda, S, ldy, M, K);
    Y = S;
  }
  float *T = N > 1 ? S + ny : C; /* N = 1: C^T is C */
  run_panel(panel, N, M, K, B, tb ? ldb : 1, tb ? 1 : ldb, Y, ldy, T, ldt);
  if (N > 1) transpose_f32(T, ldt, C, N, N, M);
}

int sgemm_small_on(int path, int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   float *C) {
  if (path > sgemm_small_path()) return -1;
  if (path == SGEMM_AVX512)
    product(sgemm_panel_avx512, 16, ta, tb, M, N, K, A, lda, B, ldb, C);
  else if (path == SGEMM_AVX2)
    product(sgemm_panel_avx2, 8, ta, tb, M, N, K, A, lda, B, ldb, C);
  else
    product(sgemm_panel_ref, 1, ta, tb, M, N, K, A, lda, B, ldb, C);
  return 0;
}

SgemmPanel *sgemm_small_panel(void) {
  int path = sgemm_small_path();
  return path == SGEMM_AVX512 ? sgemm_panel_avx512 : path == SGEMM_AVX2 ? sgemm_panel_avx2 : sgemm_panel_ref;
}

void sgemm_small(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C) {
  sgemm_small_on(sgemm_small_path(), ta, tb, M, N, K, A, lda, B, ldb, C);
}
