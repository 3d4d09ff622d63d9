/* Running a model's entry points in chunks: samples, energies on points
 * and on grids (the trainers' sample, energy and eval commands). */
#ifndef EBM_ENTRIES_H
#define EBM_ENTRIES_H

#include "model.h"

const ModelEntry *entry_find(const Model *m, const char *name);
/* n samples [n, D] from the "sample" entry; chunk c uses Philox step `base + c`. 0 or -1 (s->err). */
int entry_samples(const Model *m, ModelState *s, float *out, long n, long base);
/* Entry `name` over n rows x [n, in] in chunks of its input size: out [n, out_cols]. 0 or -1 (s->err). */
int entry_map(const Model *m, ModelState *s, const char *name, const float *x, long n, float *out, int *out_cols);
/* energies of n points [n, D] through the "energy" entry. 0 or -1. */
int entry_energies(const Model *m, ModelState *s, const float *x, long n, float *out);
/* energies at the R x R cell centres of [-A, A]^2, row index = y, column = x. 0 or -1. */
int entry_energy_grid(const Model *m, ModelState *s, int R, double A, float *out);

#endif
