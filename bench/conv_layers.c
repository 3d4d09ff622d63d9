/* runtime/conv.c at the layer shapes of the Fashion-MNIST nets (batch 64):
 * the energy's seven convolutions (e1..e7) and the generator's three
 * transposed convolutions and output convolution (g1..g4, written as the
 * convolution whose x-adjoint they are). For each layer and each of the three
 * functions (conv, conv_tx, conv_tw), the best of REPS calls after one
 * warm-up call, at one OpenBLAS thread, in process CPU time (robust to other
 * processes sharing the CPUs, unlike wall time). One JSON line per layer and function:
 *   {"layer": "e2", "op": "conv_tx", "ms": 12.3, "gflops": 45.6, ...}
 * bench/conv_layers.sh builds it (trainer flags) and sets it beside PyTorch.
 *
 *   ./conv_layers [REPS [BASE]]   BASE: the nets' base width (64; 8 for the narrow models)
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "conv.h"

void openblas_set_num_threads(int num_threads);

/* process CPU time: on a shared machine it counts only the time this process ran */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct Layer {
  const char *name;
  int C, H, O, K, S;  /* x [64, C, H, H], w [O, C, K, K], stride S, padding 1 */
} Layer;

static const Layer layers[] = {
    {"e1", 1, 32, 64, 3, 1},    {"e2", 64, 32, 64, 4, 2},   {"e3", 64, 16, 128, 3, 1}, {"e4", 128, 16, 128, 4, 2},
    {"e5", 128, 8, 256, 3, 1},  {"e6", 256, 8, 256, 4, 2},  {"e7", 256, 4, 512, 3, 1}, {"g1", 256, 8, 512, 4, 2},
    {"g2", 128, 16, 256, 4, 2}, {"g3", 64, 32, 128, 4, 2},  {"g4", 64, 32, 1, 3, 1},
};

static float *randoms(size_t n) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX - 0.5f;
  return p;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5, base = argc > 2 ? atoi(argv[2]) : 64;
  if (reps <= 0 || base <= 0 || base > 64) { fprintf(stderr, "usage: conv_layers [REPS > 0 [BASE in 1..64]]\n"); return 2; }
  openblas_set_num_threads(1);
  static const char *ops[] = {"conv", "conv_tx", "conv_tw"};
  for (size_t l = 0; l < sizeof layers / sizeof *layers; l++) {
    const Layer *L = &layers[l];
    /* channels scale with the base width; a picture's one channel does not */
    int C = L->C == 1 ? 1 : L->C * base / 64, O = L->O == 1 ? 1 : L->O * base / 64;
    ConvDims d = {64, C, L->H, L->H, O, L->K, L->K, L->S, 1, 0, 0};
    d.HO = conv_out_size(L->H, L->K, L->S, 1);
    d.WO = d.HO;
    size_t nx = (size_t)d.N * d.C * d.H * d.W, ny = (size_t)d.N * d.O * d.HO * d.WO, nw = (size_t)d.O * d.C * d.KH * d.KW;
    float *x = randoms(nx), *y = randoms(ny), *w = randoms(nw), *ws = malloc(conv_workspace(&d) * sizeof(float));
    double flops = 2.0 * d.N * d.O * d.HO * d.WO * (double)d.C * d.KH * d.KW;
    for (int op = 0; op < 3; op++) {
      double best = 1e30;
      for (int r = 0; r <= reps; r++) {
        double t = now();
        if (op == 0) conv_f32(&d, x, w, y, ws);
        else if (op == 1) conv_tx_f32(&d, y, w, x, ws);
        else conv_tw_f32(&d, x, y, w, ws);
        t = now() - t;
        if (r > 0 && t < best) best = t;
      }
      printf("{\"layer\": \"%s\", \"op\": \"%s\", \"N\": %d, \"C\": %d, \"H\": %d, \"O\": %d, \"k\": %d, \"stride\": %d, "
             "\"ms\": %.3f, \"gflops\": %.2f}\n",
             L->name, ops[op], d.N, d.C, d.H, d.O, d.KH, d.S, 1e3 * best, flops / best / 1e9);
      fflush(stdout);
    }
    free(x), free(y), free(w), free(ws);
  }
  return 0;
}
