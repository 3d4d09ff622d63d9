/* The fusion pass (see pass_fusion.h).
 *
 * An elementwise node whose only use is an elementwise or reduction kernel of
 * the same shape is inlined into that kernel's loop expression, so chains like
 * bias + activation or (g*g) summed become one loop. Broadcasts and reshapes
 * are index maps, never copies. Everything else is a kernel that writes a
 * buffer ("materialised"). */
#include "pass_fusion.h"

#include <stdlib.h>

int op_elementwise(OpCode op) {
  OpKind k = op_kind(op);
  return k == KIND_UNARY || k == KIND_BINARY || k == KIND_SELECT;
}

/* Kernels that evaluate an input at their own flat index (so it can be inlined). */
static int fuses_input(const Graph *g, int consumer, int input) {
  const Node *c = &g->nodes[consumer];
  if (!shape_eq(c->shape, g->nodes[input].shape) && c->op != OP_SUM && c->op != OP_MAX && c->op != OP_RESHAPE) return 0;
  return op_elementwise(c->op) || c->op == OP_SUM || c->op == OP_MAX || c->op == OP_RESHAPE;
}

/* a hyper-parameter, or a reshape of one: a scalar the backend names wherever it is read element by element */
static int scalar_leaf(const Graph *g, int x) {
  while (g->nodes[x].op == OP_RESHAPE) x = g->nodes[x].in[0];
  return g->nodes[x].op == OP_HPARAM;
}

/* kernels that read their inputs through expressions (emit_expr), not as buffers */
static int reads_by_expr(OpCode op) {
  return op_elementwise(op) || op == OP_BROADCAST || op == OP_RESHAPE || op == OP_SUM || op == OP_MAX;
}

void pass_fusion(Phase *p) {
  const Graph *g = p->g;
  int n = p->n;
  int *consumer = malloc(n * sizeof(int));
  for (int i = 0; i < n; i++) consumer[i] = -1;
  for (int i = 0; i < n; i++) {
    if (!p->need[i]) continue;
    for (int k = 0; k < g->nodes[i].n_in; k++) {
      p->uses[g->nodes[i].in[k]]++;
      consumer[g->nodes[i].in[k]] = i;
    }
  }
  /* roles, decided from the last node back so a consumer's role is known first */
  for (int i = n - 1; i >= 0; i--) {
    if (!p->need[i]) continue;
    const Node *nd = &g->nodes[i];
    int role = ROLE_KERNEL;
    switch (nd->op) {
      case OP_VAR:
        role = ROLE_VAR;
        break;
      case OP_CONST:
        role = nd->data ? ROLE_STATIC : (p->is_out[i] ? ROLE_KERNEL : ROLE_INLINE);
        break;
      case OP_STEP:
      case OP_HPARAM:
        role = p->is_out[i] ? ROLE_KERNEL : ROLE_INLINE;
        break;
      case OP_DATA:
        role = ROLE_KERNEL;
        break;
      case OP_BROADCAST:
        role = p->is_out[i] ? ROLE_KERNEL : ROLE_INLINE;
        break;
      case OP_RESHAPE:
      case OP_STOP_GRAD:
        role = p->is_out[i] ? ROLE_KERNEL : ROLE_INLINE;
        break;
      default:
        break;
    }
    int single = p->uses[i] == 1 && !p->is_out[i] && consumer[i] >= 0;
    int fusable = single && p->role[consumer[i]] != ROLE_ALIAS && fuses_input(g, consumer[i], i);
    if ((op_elementwise(nd->op) || nd->op == OP_UNIFORM || nd->op == OP_NORMAL) && fusable) role = ROLE_INLINE;
    /* a reshape or stop_gradient read as a buffer (by a matmul, a copy ...) shares its input's buffer */
    if ((nd->op == OP_RESHAPE || nd->op == OP_STOP_GRAD) && role == ROLE_INLINE && !fusable && consumer[i] >= 0 &&
        !scalar_leaf(g, i))
      role = ROLE_ALIAS;
    p->role[i] = role;
  }
  /* inputs of index-mapping nodes and of non-fusing kernels must be buffers */
  for (int changed = 1; changed;) {
    changed = 0;
    for (int i = 0; i < n; i++) {
      if (!p->need[i] || p->role[i] == ROLE_VAR || p->role[i] == ROLE_STATIC) continue;
      const Node *nd = &g->nodes[i];
      for (int k = 0; k < nd->n_in; k++) {
        int x = nd->in[k];
        int ok = p->role[x] != ROLE_INLINE;
        /* a broadcast of a buffer is read through its index map by every element-wise reader, however many:
         * storing it would cost a write and a read of the full shape where one small input suffices */
        if (!ok && (p->role[i] == ROLE_INLINE || p->role[i] == ROLE_KERNEL) && fuses_input(g, i, x) &&
            (p->uses[x] == 1 || g->nodes[x].op == OP_BROADCAST))
          ok = 1;
        if (!ok && nd->op == OP_BROADCAST && g->nodes[x].op == OP_CONST && !g->nodes[x].data)
          ok = 1; /* scalar literal */
        if (!ok && g->nodes[x].op == OP_CONST && !g->nodes[x].data && shape_numel(g->nodes[x].shape) == 1) ok = 1;
        /* a splat constant is a literal wherever it is read element by element, however often */
        if (!ok && g->nodes[x].op == OP_CONST && !g->nodes[x].data &&
            (p->role[i] == ROLE_INLINE || p->role[i] == ROLE_KERNEL) && fuses_input(g, i, x))
          ok = 1;
        if (!ok && nd->op == OP_BROADCAST && g->nodes[x].op == OP_STEP) ok = 1;
        if (!ok && scalar_leaf(g, x) && reads_by_expr(nd->op)) ok = 1; /* the backend names it (ExprNames.hparam) */
        if (!ok) {
          OpCode xo = g->nodes[x].op;
          p->role[x] = (xo == OP_RESHAPE || xo == OP_STOP_GRAD) ? ROLE_ALIAS : ROLE_KERNEL;
          changed = 1;
        }
      }
      if (p->role[i] == ROLE_ALIAS && p->role[nd->in[0]] == ROLE_INLINE) {
        OpCode xo = g->nodes[nd->in[0]].op;
        p->role[nd->in[0]] = (xo == OP_RESHAPE || xo == OP_STOP_GRAD) ? ROLE_ALIAS : ROLE_KERNEL;
        changed = 1;
      }
    }
  }
  /* an output that only renames a kernel's buffer (a bias gradient [1, N] as [N]) is that buffer, not a copy */
  for (int i = 0; i < n; i++) {
    const Node *nd = &g->nodes[i];
    if (p->need[i] && p->role[i] == ROLE_KERNEL && (nd->op == OP_RESHAPE || nd->op == OP_STOP_GRAD) &&
        p->role[nd->in[0]] == ROLE_KERNEL)
      p->role[i] = ROLE_ALIAS;
  }
  for (int i = 0; i < n; i++)
    if (p->need[i] && p->role[i] == ROLE_ALIAS) p->root[i] = p->root[g->nodes[i].in[0]];
  free(consumer);
}
