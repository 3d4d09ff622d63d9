/* Toy evaluation of methods.md §7.1-7.2: grid-normalised test NLL, KL of
 * cell probabilities, MMD^2 of samples against held-out points, modes. */
#ifndef EBM_EVAL_TOY_H
#define EBM_EVAL_TOY_H

#include <stdio.h>

#include "data.h"
#include "eval_chain.h"
#include "mode_mass.h"
#include "model.h"
#include "run_data.h"

typedef struct {
  double log_z, test_nll, test_nll_grid, outside, kl, mmd2, hq_fraction, extra_mass;
  int exact; /* test_nll and extra_mass computed (a model was at hand) */
  int modes_covered, n_modes, mass_flag;
  int has_bounds; /* (a)-type generators: the bound sandwich of methods.md §7.3 */
  double log_z_lb, log_z_lb_se, log_z_ub, log_z_ub_se, ess, sign_minority;
  double L, L_lb, L_ub, mean_test_e;
  double log_z_wide, wide_range; /* log Z on [-wide, wide]^2 at the same cell width, wide enough for the mass */
  int sandwich_ok, lower_certified, upper_certified;
  int has_induced; /* mle-gd: the sampler's induced density (methods.md §4, §7.3) */
  double induced_logq, ebm_logp_at_samples, fold_fraction;
  ModeMass modes; /* Gaussian mixtures: each mode's mass under the density and the samples */
  int has_chain;  /* diffusion methods: bounds on the chain's ELBO (methods.md §3d, §7.3) */
  ChainEval chain;
  long n_test, n_samples;
  const DataId *data; /* where the held-out points came from (printed as "test"), or NULL */
} ToyEval;

#define EVAL_GRID 256
#define EVAL_RANGE 4.0
#define EVAL_SEED 0x7e57ull /* the held-out test set's own seed */

int eval_toy(const Model *m, ModelState *s, const DataSource *ds, ToyEval *r);
/* The metrics that need only arrays (any implementation's output can be scored the
 * same way): energies at the EVAL_GRID^2 cell centres of [-EVAL_RANGE, EVAL_RANGE]^2
 * (row = y) and n samples [n, 2]. test_nll_grid uses each test point's cell. */
void eval_toy_arrays(const DataSource *ds, const float *grid_e, const float *samples, long n, ToyEval *r);
void eval_toy_json(const ToyEval *r, FILE *f);
/* The log Z bounds of an (a)-type generator's "bounds" entry into r (log_z_lb, log_z_ub,
 * their SEs, ess, sign_minority, certification): 0 without the entry, 1 done, -1 error. */
int eval_bounds(const Model *m, ModelState *s, ToyEval *r);

#endif
