/* Liveness pass: the last kernel that reads each arena buffer. */
#ifndef EBM_PASS_LIVENESS_H
#define EBM_PASS_LIVENESS_H

#include "phase.h"

/* Sets p->last (roles from pass_fusion); phase outputs live to the end (p->n). */
void pass_liveness(Phase *p);

#endif
