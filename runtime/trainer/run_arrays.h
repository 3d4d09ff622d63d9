/* What a user looks at first, beside a run's checkpoint, and the plots of
 * `sample --png`. */
#ifndef EBM_RUN_ARRAYS_H
#define EBM_RUN_ARRAYS_H

#include <stddef.h>

#include "model.h"

/* columns of the sample entry's rows (0 without one) */
int sample_width(void);
/* samples x [n, D] as a plot: a scatter of [-4, 4]^2 for D = 2, a grid of (at most 64) pictures otherwise */
int plot_samples(const char *path, const float *x, long n, int D, char *err, size_t errlen);
/* points of D != 2 columns: no plane to draw densities or scatter plots on */
int points_not_2d(void);
/* 2-D data: the arrays `ebmforge plot DIR` draws (samples.npy: 2000 samples;
 * energy_grid.npy: energies on the EVAL_GRID^2 cell centres of
 * [-EVAL_RANGE, EVAL_RANGE]^2, row = y) and arrays.json saying whose they
 * are; pictures: samples.png. Failures are said on stderr, not fatal. */
void run_arrays(const char *dir, ModelState *s, long step, const char *data);

#endif
