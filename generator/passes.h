/* The analysis of a phase (passes.c): the passes of pass_*.h, in order. */
#ifndef EBM_PASSES_H
#define EBM_PASSES_H

#include "phase.h"

/* Analyses phase item `it` whose outputs are outs[0..n_out) (phase_outputs);
 * fails with ir_fail on a phase whose assignments read each other. */
void phase_analyse(Phase *p, const Graph *g, const Item *it, int n_out, const int *outs);

#endif
