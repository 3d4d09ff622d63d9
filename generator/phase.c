/* A phase's analysis: the arrays of phase.h and the passes that fill them. */
#include "phase.h"

#include <stdlib.h>

#include "conv.h"
#include "pass_fusion.h"
#include "pass_liveness.h"
#include "pass_memplan.h"

void phase_analyse(Phase *p, const Graph *g, const Item *it, int n_out, const int *outs) {
  int n = g->n_nodes;
  p->g = g; p->n = n;
  p->need = malloc(n);
  ir_reachable(g, n_out, outs, p->need);
  p->uses = calloc(n, sizeof(int));
  p->role = calloc(n, sizeof(int));
  p->root = malloc(n * sizeof(int));
  p->off = calloc(n, sizeof(long));
  p->last = malloc(n * sizeof(int));
  p->is_out = calloc(n, 1);
  for (int i = 0; i < n; i++) { p->root[i] = i; p->last[i] = -1; }
  for (int k = 0; k < n_out; k++) p->is_out[outs[k]] = 1;
  pass_fusion(p);
  for (int k = 0; k < it->n_assigns; k++) {   /* var <- var of another assignment: order would matter */
    int src = p->root[it->assigns[k].node];
    if (p->role[src] == ROLE_VAR)
      for (int j = 0; j < it->n_assigns; j++)
        if (g->nodes[src].var == it->assigns[j].var && j != k)
          ir_fail("phase %s assigns variables from each other; copy through an expression", it->name);
  }
  pass_liveness(p);
  pass_memplan(p);
}

double phase_flops(const Graph *g, const Phase *p) {
  double f = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *nd = &g->nodes[i];
    if (!p->need[i]) continue;
    if (op_kind(nd->op) == KIND_CONV) {  /* each of the three is one GEMM of this size */
      ConvDims d;
      ir_conv_dims(g, i, &d);
      f += 2.0 * d.N * d.O * d.HO * d.WO * d.C * d.KH * d.KW;
    }
    if (nd->op != OP_MATMUL) continue;
    Shape sa = g->nodes[nd->in[0]].shape;
    f += 2.0 * nd->shape.d[0] * nd->shape.d[1] * (nd->ta ? sa.d[0] : sa.d[1]);
  }
  return f;
}

void phase_free(Phase *p) {
  free(p->need); free(p->uses); free(p->role); free(p->root); free(p->off); free(p->last); free(p->is_out);
}
