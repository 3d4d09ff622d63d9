/* The reference interpreter: naive, obviously correct, f32 or f64.
 * It is the oracle for gradient checks and for the parity of emitted code. */
#ifndef EBM_INTERP_H
#define EBM_INTERP_H

#include "ir.h"

/* Fills a [B,D] data batch (float32, row-major) for the Philox counter given. */
typedef int (*InterpDataFn)(void *ctx, float *out, int B, int D, uint64_t seed, uint32_t stream, uint32_t iter,
                            uint32_t step);

typedef struct {
  int f64;               /* 1: double precision; 0: every node's result is rounded to float */
  uint64_t seed;         /* Philox key */
  uint32_t step, iter;   /* Philox counter words: training step and loop iteration */
  double **vars;         /* current value of each state variable (indexed by var id) */
  const double *hparams; /* value of each run-time hyper-parameter (Graph.hparams order) */
  InterpDataFn data;
  void *data_ctx;
} Interp;

/* Evaluates outs; results[i] is a malloc'd array of numel(outs[i]) doubles. 0 on success. */
int interp_eval(const Graph *g, const Interp *ip, int n_out, const int *outs, double **results);

/* Fills the initial value of variable v (deterministic from the seed). */
void interp_init_var(const Graph *g, int v, uint64_t seed, double *out, int f64);

#endif
