/* OpenBLAS sgemm peak on this machine: C = A B with A, B, C float32
 * N x N (N = 1024 by default), row-major, best of REPS calls after one
 * warm-up call, for each thread count given. Prints one JSON object:
 *   {"n": 1024, "reps": 5, "openblas": "...", "gflops": {"1": 95.1, "2": 180.2}}
 * with GFLOP/s = 2 N^3 / seconds of the fastest call.
 *
 *   cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o sgemm -lopenblas
 *   ./sgemm [N] [REPS] [T...]     (bench/toy_cpu.sh: ./sgemm 1024 20 1 2)
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
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
  printf("}, \"check\": %.6g}\n", (double)c[nn / 2 + 7]);
  free(a);
  free(b);
  free(c);
  return 0;
}
