/* One phase of the step program as the emitters see it: which nodes become
 * kernels and where their buffers live in the arena. phase_analyse
 * (passes.h) runs the passes in order: pass_fusion (roles), pass_liveness
 * (last readers), pass_memplan (arena offsets). */
#ifndef EBM_PHASE_H
#define EBM_PHASE_H

#include "ir.h"
#include "program.h"

/* INLINE: evaluated inside its consumer's expression; KERNEL: a kernel writes
 * an arena buffer; ALIAS: shares its input's buffer; VAR: a state variable;
 * STATIC: constant data. */
enum { ROLE_INLINE, ROLE_KERNEL, ROLE_ALIAS, ROLE_VAR, ROLE_STATIC };

/* A phase's roles and arena plan. */
typedef struct {
  const Graph *g;
  int n;
  char *need; /* reachable from the phase outputs */
  int *uses;  /* number of input slots that read the node */
  int *role;
  int *root; /* the node whose storage an alias shares */
  long *off; /* arena offset (floats) of kernel roots */
  int *last; /* position of the last kernel that reads the root */
  char *is_out;
  long arena; /* floats used by this phase */
} Phase;

void phase_free(Phase *p);
/* 2*M*N*K of every matmul and convolution the phase evaluates */
double phase_flops(const Graph *g, const Phase *p);

#endif
