/* What a phase's plan tells beyond the passes: its FLOPs; freeing it. */
#include "phase.h"

#include <stdlib.h>

#include "conv.h"

double phase_flops(const Graph *g, const Phase *p) {
  double f = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *nd = &g->nodes[i];
    if (!p->need[i]) continue;
    if (op_kind(nd->op) == KIND_CONV) { /* each of the three is one GEMM of this size */
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
  free(p->need);
  free(p->uses);
  free(p->role);
  free(p->root);
  free(p->off);
  free(p->last);
  free(p->is_out);
}
