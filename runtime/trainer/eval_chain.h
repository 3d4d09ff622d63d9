/* The chain bounds of the diffusion methods (ddaebm, bb-*-diff; methods.md
 * §3d "Bounds", §7.3), from a model's `chain_bounds` and `energy_k` entries:
 * per test point a forward trajectory x_0..x_T; per step k the data term
 * E~(x_k; x_{k+1}, k), the estimates A_k <= log Z(x_{k+1}, k) <= C_k of the
 * model's proposal (with standard errors from its inner draws) and log Z by
 * quadrature on a grid; summed into the diffusion ELBO
 *   ELBO = E_q[-log N(x_T; 0, I)] + sum_k (l_k - c_k) >= chain NLL,
 * with l_k from A_k (lower), grid log Z, or C_k (upper). */
#ifndef EBM_EVAL_CHAIN_H
#define EBM_EVAL_CHAIN_H

#include <stdio.h>

#include "model.h"

#define CHAIN_MAX_T 16

typedef struct {
  double l_lo, l, l_up;     /* per-step conditional NLL: E~ + A, E~ + log Z_grid, E~ + C (means over pairs) */
  double A, log_z, C;       /* means over pairs */
  double lo_gap, lo_gap_se; /* mean and SE of log Z_grid - A (>= 0 in expectation) */
  double up_gap, up_gap_se; /* mean and SE of C - log Z_grid */
  double pass_fraction;     /* pairs with A - 3 se <= log Z_grid <= C + 3 se (per-pair SEs) */
  double border_mass;       /* largest share of a pair's quadrature mass in the grid's outer band */
  int grid_cells;           /* R of the R x R quadrature grid */
  int ordered;              /* C_k - A_k >= -3 SE (- 1e-3 nats) */
  int ok;                   /* both gaps >= -3 SE (- 1e-3 nats) */
} ChainStep;

typedef struct {
  int T;
  long n;       /* test points (trajectories) */
  double prior; /* E_q[-log N(x_T; 0, I)] */
  double elbo_lo, elbo_lo_se, elbo, elbo_se, elbo_up, elbo_up_se;
  ChainStep step[CHAIN_MAX_T];
  int ordered; /* every step ordered and elbo_lo <= elbo_up within 3 SE */
  int ok;      /* ordered and every step ok */
} ChainEval;

/* 0 ok, -1 error (s->err). test: n_test points [n_test, 2]. */
int eval_chain(const Model *m, ModelState *s, const float *test, long n_test, ChainEval *r);
void eval_chain_json(const ChainEval *r, FILE *f);

#endif
