/* The analysis of a phase: allocates the arrays of phase.h and runs the
 * passes over them in order (a module of its own, so that the passes, which
 * read and write a Phase, do not include their own driver). */
#include "passes.h"

#include <stdlib.h>

#include "pass_fusion.h"
#include "pass_liveness.h"
#include "pass_memplan.h"

void phase_analyse(Phase *p, const Graph *g, const Item *it, int n_out, const int *outs) {
  int n = g->n_nodes;
  p->g = g;
  p->n = n;
  p->need = malloc(n);
  ir_reachable(g, n_out, outs, p->need);
  p->uses = calloc(n, sizeof(int));
  p->role = calloc(n, sizeof(int));
  p->root = malloc(n * sizeof(int));
  p->off = calloc(n, sizeof(long));
  p->last = malloc(n * sizeof(int));
  p->is_out = calloc(n, 1);
  for (int i = 0; i < n; i++) {
    p->root[i] = i;
    p->last[i] = -1;
  }
  for (int k = 0; k < n_out; k++) p->is_out[outs[k]] = 1;
  pass_fusion(p);
  for (int k = 0; k < it->n_assigns; k++) { /* var <- var of another assignment: order would matter */
    int src = p->root[it->assigns[k].node];
    if (p->role[src] == ROLE_VAR)
      for (int j = 0; j < it->n_assigns; j++)
        if (g->nodes[src].var == it->assigns[j].var && j != k)
          ir_fail("phase %s assigns variables from each other; copy through an expression", it->name);
  }
  pass_liveness(p);
  pass_memplan(p);
}
