/* Runs a model's step program in the reference interpreter (`ebmforge run`). */
#ifndef EBM_RUN_H
#define EBM_RUN_H

#include <stdint.h>
#include "host.h"

typedef struct {
  long iters;
  uint64_t seed;
  const char *out_dir;
  int log_every;
  int f64;
} RunOptions;

/* Trains; returns the process exit code (0 ok, 1 I/O error, 3 non-finite loss). */
int run_model(Host *h, const RunOptions *o);

/* One Adam step as PyTorch computes it; t counts from 1. Rounds to float unless f64. */
void adam_update(double *p, double *m, double *v, const double *g, int n, double lr, double b1, double b2,
                 double eps, long t, int f64);

#endif
