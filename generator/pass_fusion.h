/* Fusion pass: each needed node's role (phase.h), i.e. which nodes are inlined
 * into their consumer's loop and which are kernels writing a buffer. */
#ifndef EBM_PASS_FUSION_H
#define EBM_PASS_FUSION_H

#include "phase.h"

/* unary, binary and select ops: evaluated element by element */
int op_elementwise(OpCode op);
/* Sets p->uses, p->role and p->root; p->need and p->is_out must be set. */
void pass_fusion(Phase *p);

#endif
