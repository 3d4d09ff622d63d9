/* OpenBLAS sgemm peak on this machine: C = A B with A, B, C float32
 * N x N (N = 1024 by default), row-major, best of REPS calls after one
 * warm-up call, for each thread count given; and the FMA peak as measured:
 * T threads each running 16 independent chains of the widest fused
 * multiply-add the CPU has (the formula cores x units x lanes x 2 x clock
 * needs the clock, which a VM's /proc/cpuinfo gives as the TSC's, and the
 * units' width, which differs between CPUs of one ISA). Prints one JSON object:
 *   {"n": 1024, "reps": 5, "openblas": "...", "gflops": {"1": 95.1, "2": 180.2},
 *    "fma_isa": "avx512f", "fma_lanes": 16, "fma_gflops": {"1": 115.8, "2": 231.0}}
 * with GFLOP/s = 2 N^3 / seconds of the fastest call (FMA: 2 x lanes x FMAs
 * / seconds of the fastest of 5 runs of about 0.1 s).
 *
 *   cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o sgemm -lopenblas
 *   ./sgemm [N] [REPS] [T...]     (bench/toy_cpu.sh: ./sgemm 1024 20 1 2)
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* declared by OpenBLAS's cblas.h, repeated in case another cblas.h is found first */
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
char *openblas_get_corename(void);

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* 16 independent chains (4 cycles of latency, 2 pipes: 8 suffice) of
 * FMA_REPS x 16 FMAs; returns a sum that depends on all of them */
#define FMA_REPS 320000000L
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CHAINS(NAME, TARGET, T, SET1, FMA, STORE, LANES)                            \
  __attribute__((target(TARGET))) static float NAME(void) {                         \
    T a[16], b = SET1(0.999999f), c = SET1(1e-7f);                                  \
    for (int i = 0; i < 16; i++) a[i] = SET1((float)i);                             \
    for (long r = 0; r < FMA_REPS / 16; r++)                                        \
      _Pragma("GCC unroll 16") for (int i = 0; i < 16; i++) a[i] = FMA(a[i], b, c); \
    float s = 0, o[LANES];                                                          \
    for (int i = 0; i < 16; i++) {                                                  \
      STORE(o, a[i]);                                                               \
      for (int k = 0; k < LANES; k++) s += o[k];                                    \
    }                                                                               \
    return s;                                                                       \
  }
CHAINS(chains512, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps, 16)
CHAINS(chains256, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps, 8)
static int fma_lanes(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f")                                 ? 16
         : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8
                                                                           : 0;
}
#else
static float chains512(void) { return 0; }
static float chains256(void) { return 0; }
static int fma_lanes(void) { return 0; }
#endif

static void *chains(void *out) {
  *(float *)out = fma_lanes() == 16 ? chains512() : chains256();
  return NULL;
}

/* GFLOP/s of t threads running their chains at once: the fastest of 5 runs */
static double fma_gflops(int t, int lanes) {
  pthread_t th[64];
  float sums[64];
  double best = 1e30;
  if (t > 64) t = 64;
  for (int r = 0; r < 5; r++) {
    double t0 = now();
    for (int k = 0; k < t; k++) pthread_create(&th[k], NULL, chains, &sums[k]);
    for (int k = 0; k < t; k++) pthread_join(th[k], NULL);
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  return t * 2.0 * lanes * FMA_REPS / best * 1e-9 + 0 * sums[0];
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1024;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (n <= 0 || reps <= 0) {
    fprintf(stderr, "usage: %s [N] [REPS] [THREADS...]\n", argv[0]);
    return 2;
  }
  size_t nn = (size_t)n * n;
  float *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b), *c = malloc(nn * sizeof *c);
  if (!a || !b || !c) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  unsigned s = 12345;
  for (size_t i = 0; i < nn; i++) {
    s = s * 1664525u + 1013904223u;
    a[i] = (float)(s >> 8) / (1 << 24) - 0.5f;
    s = s * 1664525u + 1013904223u;
    b[i] = (float)(s >> 8) / (1 << 24) - 0.5f;
  }
  int default_threads[] = {1, 2}, nt = argc > 3 ? argc - 3 : 2;
  printf("{\"n\": %d, \"reps\": %d, \"openblas\": \"%s\", \"core\": \"%s\", \"gflops\": {", n, reps,
         openblas_get_config(), openblas_get_corename());
  for (int k = 0; k < nt; k++) {
    int t = argc > 3 ? atoi(argv[3 + k]) : default_threads[k];
    openblas_set_num_threads(t);
    double best = 1e30;
    for (int r = 0; r <= reps; r++) { /* r = 0 is the warm-up call */
      double t0 = now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      double dt = now() - t0;
      if (r > 0 && dt < best) best = dt;
    }
    printf("%s\"%d\": %.2f", k ? ", " : "", t, 2.0 * n * n * (double)n / best * 1e-9);
  }
  int lanes = fma_lanes();
  printf("}, \"check\": %.6g, \"fma_isa\": \"%s\", \"fma_lanes\": %d, \"fma_gflops\": {", (double)c[nn / 2 + 7],
         lanes == 16  ? "avx512f"
         : lanes == 8 ? "avx2"
                      : "none",
         lanes);
  for (int k = 0; lanes && k < nt; k++) {
    int t = argc > 3 ? atoi(argv[3 + k]) : default_threads[k];
    printf("%s\"%d\": %.2f", k ? ", " : "", t, fma_gflops(t, lanes));
  }
  printf("}}\n");
  free(a);
  free(b);
  free(c);
  return 0;
}
