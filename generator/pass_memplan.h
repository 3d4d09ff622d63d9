/* Memory plan pass: arena offsets of the phase's kernels by first fit over
 * their live intervals, with in-place writes over inputs that die. */
#ifndef EBM_PASS_MEMPLAN_H
#define EBM_PASS_MEMPLAN_H

#include "phase.h"

/* Sets p->off and p->arena (liveness from pass_liveness). */
void pass_memplan(Phase *p);

#endif
