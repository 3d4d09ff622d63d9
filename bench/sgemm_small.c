/* ebm_sgemm before and after runtime/sgemm_small.c on the toy trainers'
 * shapes, one thread: the old call (memset + OpenBLAS sgemm, beta = 1) and
 * the small kernel on each path this CPU runs, in alternating blocks, timed
 * in this thread's CPU time (the machine is shared: descheduled time does
 * not count). Prints one JSON object, per shape the median of TRIALS blocks:
 *   {"peak_gflops": 156, "shapes": [{"ta": 0, "tb": 0, "m": 200, "n": 100, "k": 100,
 *     "openblas": 40.1, "avx512": 90.2, "avx2": 60.3, "routed": 1}, ...]}
 * in GFLOP/s = 2 M N K / seconds per call. bench/sgemm_small.sh builds and runs it.
 *   ./sgemm_small [TRIALS] [PEAK_GFLOPS]
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blas_core.h"
#include "sgemm_small.h"

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void old_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C) {
  memset(C, 0, sizeof(float) * M * N);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B,
              ldb, 1.0f, C, N);
}

/* seconds per call, over a block of calls of about 1 ms */
static double per_call(int path, int ta, int tb, int M, int N, int K, const float *A, const float *B, float *C) {
  int lda = ta ? M : K, ldb = tb ? K : N;
  long reps = 1e8 / (2.0 * M * N * K + 2e4) + 1;
  double t0 = cpu_now();
  for (long r = 0; r < reps; r++)
    if (path < 0)
      old_sgemm(ta, tb, M, N, K, A, lda, B, ldb, C);
    else
      sgemm_small_on(path, ta, tb, M, N, K, A, lda, B, ldb, C);
  return (cpu_now() - t0) / reps;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  blas_core_select(argv); /* the OpenBLAS kernels the trainers run */
  openblas_set_num_threads(1);
  int trials = argc > 1 ? atoi(argv[1]) : 5;
  double peak = argc > 2 ? atof(argv[2]) : 156;
  if (trials < 1 || trials > 99) trials = 5;
  /* ta, tb, M, N, K: the products of models/toy_*.lua's trainers (grep ebm_sgemm
   * in their model.c), then larger ones to place the routing threshold */
  static const int shapes[][5] = {
      {0, 0, 200, 100, 100},  {0, 1, 200, 100, 100},  {1, 0, 100, 100, 200},  {0, 0, 200, 100, 2},
      {0, 1, 200, 100, 2},    {0, 0, 200, 2, 100},    {0, 1, 200, 2, 100},    {0, 1, 200, 1, 100},
      {1, 0, 100, 2, 200},    {1, 0, 2, 100, 200},    {1, 0, 1, 100, 200},    {0, 0, 1, 100, 100},
      {0, 1, 1, 100, 100},    {0, 0, 1, 2, 100},      {0, 1, 1, 100, 2},      {0, 1, 1, 1, 100},
      {0, 1, 1024, 100, 100}, {0, 1, 1024, 100, 2},   {0, 1, 1024, 1, 100},   {0, 0, 256, 256, 256},
      {0, 1, 256, 256, 256},  {1, 0, 256, 256, 256},  {0, 0, 512, 512, 512},  {0, 1, 512, 512, 512},
      {1, 0, 512, 512, 512},  {0, 0, 1024, 256, 256}, {0, 0, 200, 400, 400},  {0, 0, 1024, 1024, 1024},
      {0, 0, 200, 300, 300},  {0, 1, 200, 300, 300},  {1, 0, 300, 300, 200},  {0, 1, 200, 300, 64},
      {0, 0, 200, 64, 300},   {1, 0, 300, 64, 200},   {0, 1, 1600, 300, 300}, {0, 0, 1600, 300, 300},
      {1, 0, 300, 300, 1600}, {0, 1, 1600, 300, 64},  {0, 0, 1600, 64, 300},  {1, 0, 300, 64, 1600},
  };
  int ns = sizeof shapes / sizeof shapes[0], top = sgemm_small_path();
  float *A = malloc(sizeof(float) << 20), *B = malloc(sizeof(float) << 20), *C = malloc(sizeof(float) << 20);
  for (int i = 0; i < 1 << 20; i++) A[i] = (float)((i * 7919u) % 1000) / 1000 - 0.5f, B[i] = A[i] * 0.5f;
  printf("{\"peak_gflops\": %g, \"trials\": %d, \"openblas_core\": \"%s\", \"shapes\": [\n", peak, trials,
         blas_core_name());
  for (int s = 0; s < ns; s++) {
    const int *d = shapes[s];
    double flop = 2.0 * d[2] * d[3] * d[4], t[4][99];
    int ref = flop < 1e7; /* the plain C path only where it takes milliseconds */
    for (int p = -1; p <= top; p++)
      if (p || ref) per_call(p, d[0], d[1], d[2], d[3], d[4], A, B, C); /* warm up */
    for (int r = 0; r < trials; r++)                                    /* alternate old and new */
      for (int p = -1; p <= top; p++)
        t[p + 1][r] = p || ref ? per_call(p, d[0], d[1], d[2], d[3], d[4], A, B, C) : 1e30;
    printf("  {\"ta\": %d, \"tb\": %d, \"m\": %d, \"n\": %d, \"k\": %d, \"routed\": %d", d[0], d[1], d[2], d[3], d[4],
           sgemm_small_wanted(d[0], d[1], d[2], d[3], d[4]));
    static const char *names[] = {"openblas", "c_fmaf", "avx2", "avx512"};
    for (int p = -1; p <= top; p++) {
      qsort(t[p + 1], trials, sizeof(double), cmp_d);
      if (p || ref) printf(", \"%s\": %.2f", names[p + 1], flop / t[p + 1][trials / 2] * 1e-9);
    }
    printf("}%s\n", s + 1 < ns ? "," : "");
    fflush(stdout);
  }
  printf("]}\n");
  free(A);
  free(B);
  free(C);
  return 0;
}
