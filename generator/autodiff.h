/* Automatic differentiation as graph transforms (see autodiff.c). */
#ifndef EBM_AUTODIFF_H
#define EBM_AUTODIFF_H

#include "ir.h"

/* grads[j] = sum_i cts[i]^T d outs[i] / d wrt[j]; -1 in cts means zero.
 * grads[j] is -1 when outs do not depend on wrt[j]. */
void ad_vjp(Graph *g, int n_out, const int *outs, const int *cts, int n_wrt, const int *wrt, int *grads);

/* touts[j] = sum_i d outs[j] / d ins[i] . tans[i]; -1 means zero (in and out). */
void ad_jvp(Graph *g, int n_in, const int *ins, const int *tans, int n_out, const int *outs, int *touts);

/* A zero derivative (-1) as a CONST 0 of like's shape; others unchanged. */
int ad_materialize(Graph *g, int d, int like);

#endif
