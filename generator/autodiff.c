/* Reverse (VJP) and forward (JVP) mode as IR -> IR transforms.
 * Every rule is written in primitive ops, so the result is again
 * differentiable: VJP of VJP, JVP of VJP, JVP of JVP need no extra code.
 * A derivative of -1 means "symbolically zero"; it is never materialised
 * unless a caller asks for the value. */
#include "autodiff.h"

#include <stdlib.h>
#include <string.h>

#define ZERO (-1)

static Shape shp(Graph *g, int id) { return g->nodes[id].shape; }

static int add(Graph *g, int a, int b) {
  if (a == ZERO) return b;
  if (b == ZERO) return a;
  return ir_binary(g, OP_ADD, a, b);
}
static int sub(Graph *g, int a, int b) {
  if (b == ZERO) return a;
  if (a == ZERO) return ir_unary(g, OP_NEG, b);
  return ir_binary(g, OP_SUB, a, b);
}
static int mul(Graph *g, int a, int b) {
  if (a == ZERO || b == ZERO) return ZERO;
  if (ir_is_const(g, a, 1.0)) return b;
  if (ir_is_const(g, b, 1.0)) return a;
  return ir_binary(g, OP_MUL, a, b);
}
static int dvd(Graph *g, int a, int b) { return a == ZERO ? ZERO : ir_binary(g, OP_DIV, a, b); }
static int neg(Graph *g, int a) { return a == ZERO ? ZERO : ir_unary(g, OP_NEG, a); }
static int un(Graph *g, OpCode op, int a) { return ir_unary(g, op, a); }
static int cst(Graph *g, int like, double v) { return ir_scalar_like(g, like, v); }

int ad_materialize(Graph *g, int d, int like) { return d == ZERO ? cst(g, like, 0.0) : d; }

/* (1 - y*y), y*(1-y), 2*y: the factors shared by VJP and JVP rules */
static int unary_factor(Graph *g, int i) {
  Node n = g->nodes[i];
  int x = n.in[0];
  switch (n.op) {
    case OP_EXP:
      return i;
    case OP_SIN:
      return un(g, OP_COS, x);
    case OP_COS:
      return neg(g, un(g, OP_SIN, x));
    case OP_TANH:
      return ir_binary(g, OP_SUB, cst(g, i, 1.0), ir_binary(g, OP_MUL, i, i));
    case OP_SIGMOID:
      return ir_binary(g, OP_MUL, i, ir_binary(g, OP_SUB, cst(g, i, 1.0), i));
    case OP_ABS:
      return un(g, OP_SIGN, x);
    default:
      return ZERO;
  }
}

/* derivative of unary node i applied to d (a cotangent or tangent: unary rules are self-adjoint) */
static int unary_rule(Graph *g, int i, int d) {
  if (d == ZERO) return ZERO;
  Node n = g->nodes[i];
  switch (n.op) {
    case OP_NEG:
      return neg(g, d);
    case OP_LOG:
      return dvd(g, d, n.in[0]);
    case OP_LOG1P:
      return dvd(g, d, ir_binary(g, OP_ADD, cst(g, i, 1.0), n.in[0]));
    case OP_SQRT:
      return dvd(g, d, ir_binary(g, OP_MUL, cst(g, i, 2.0), i));
    case OP_SIGN:
    case OP_STOP_GRAD:
      return ZERO;
    default:
      return mul(g, d, unary_factor(g, i));
  }
}

static int inverse_perm_transpose(Graph *g, int d, const int *perm, int rank) {
  int inv[IR_MAX_RANK];
  for (int k = 0; k < rank; k++) inv[perm[k]] = k;
  return ir_transpose(g, d, inv);
}

/* The convolution ops are one bilinear form <y, conv(x, w)>; `conv_like` rebuilds
 * node i's op on new arguments, `conv_adjoint` gives the adjoint in slot k. */
static int conv_like(Graph *g, int i, int a, int b) {
  Node n = g->nodes[i];
  switch (n.op) {
    case OP_CONV:
      return ir_conv(g, a, b, n.stride, n.pad);
    case OP_CONV_TX:
      return ir_conv_tx(g, a, b, n.stride, n.pad, n.shape.d[2], n.shape.d[3]);
    default:
      return ir_conv_tw(g, a, b, n.stride, n.pad, n.shape.d[2], n.shape.d[3]);
  }
}

static int conv_adjoint(Graph *g, int i, int k, int c) {
  Node n = g->nodes[i];
  int a = n.in[0], b = n.in[1], S = n.stride, P = n.pad;
  Shape sa = shp(g, a), sb = shp(g, b);
  switch (n.op) {
    case OP_CONV: /* (x, w) -> y */
      return k == 0 ? ir_conv_tx(g, c, b, S, P, sa.d[2], sa.d[3]) : ir_conv_tw(g, a, c, S, P, sb.d[2], sb.d[3]);
    case OP_CONV_TX: /* (y, w) -> x */
      return k == 0 ? ir_conv(g, c, b, S, P) : ir_conv_tw(g, c, a, S, P, sb.d[2], sb.d[3]);
    default: /* (x, y) -> w */
      return k == 0 ? ir_conv_tx(g, b, c, S, P, sa.d[2], sa.d[3]) : ir_conv(g, a, c, S, P);
  }
}

/* Accumulates into adj[x] the contribution of cotangent c of node i to its input slot k. */
static int vjp_input(Graph *g, int i, int k, int c) {
  Node n = g->nodes[i];
  int a = n.in[0], b = n.n_in > 1 ? n.in[1] : -1;
  switch (op_kind(n.op)) {
    case KIND_LEAF:
      return ZERO;
    case KIND_UNARY:
      return unary_rule(g, i, c);
    case KIND_BINARY:
      switch (n.op) {
        case OP_ADD:
          return c;
        case OP_SUB:
          return k == 0 ? c : neg(g, c);
        case OP_MUL:
          return mul(g, c, k == 0 ? b : a);
        case OP_DIV:
          return k == 0 ? dvd(g, c, b) : neg(g, mul(g, dvd(g, c, b), i));
        default:
          return ZERO; /* comparisons */
      }
    case KIND_SELECT: {
      if (k == 0) return ZERO;
      int z = cst(g, i, 0.0);
      return k == 1 ? ir_select(g, a, c, z) : ir_select(g, a, z, c);
    }
    case KIND_MATMUL: {
      int ta = n.ta, tb = n.tb;
      if (k == 0) {
        if (!ta) return ir_matmul(g, c, b, 0, !tb); /* dA = dC op(B)^T */
        return tb ? ir_matmul(g, b, c, 1, 1) : ir_matmul(g, b, c, 0, 1);
      }
      if (!tb) return ta ? ir_matmul(g, a, c, 0, 0) : ir_matmul(g, a, c, 1, 0); /* dB = op(A)^T dC */
      return ta ? ir_matmul(g, c, a, 1, 1) : ir_matmul(g, c, a, 1, 0);
    }
    case KIND_CONV:
      return conv_adjoint(g, i, k, c);
    case KIND_SHAPE: {
      Shape xs = shp(g, n.in[k]);
      switch (n.op) {
        case OP_BROADCAST: {
          int axes = 0;
          for (int d = 0; d < xs.rank; d++)
            if (xs.d[d] != n.shape.d[d]) axes |= 1 << d;
          return ir_reduce(g, OP_SUM, c, axes);
        }
        case OP_SUM:
          return ir_broadcast(g, c, xs);
        case OP_MAX: {
          int mask = ir_binary(g, OP_EQ, a, ir_broadcast(g, i, xs));
          int cnt = ir_broadcast(g, ir_reduce(g, OP_SUM, mask, n.axes), xs);
          return ir_binary(g, OP_DIV, ir_binary(g, OP_MUL, ir_broadcast(g, c, xs), mask), cnt);
        }
        case OP_RESHAPE:
          return ir_reshape(g, c, xs);
        case OP_TRANSPOSE:
          return inverse_perm_transpose(g, c, n.perm, xs.rank);
        case OP_SLICE:
          return ir_pad(g, c, n.start, xs);
        case OP_PAD:
          return ir_slice(g, c, n.start, xs);
        case OP_CONCAT: {
          int start[IR_MAX_RANK] = {0};
          for (int j = 0; j < k; j++) start[n.axis] += shp(g, n.in[j]).d[n.axis];
          return ir_slice(g, c, start, xs);
        }
        default:
          break;
      }
    }
  }
  ir_fail("no VJP rule for %s", op_name(n.op));
}

/* Nodes that depend on any of `from` (forward closure). */
static char *depends_mark(Graph *g, int n0, int n_from, const int *from) {
  char *dep = calloc(n0, 1);
  int lo = n0;
  for (int i = 0; i < n_from; i++) {
    dep[from[i]] = 1;
    if (from[i] < lo) lo = from[i];
  }
  for (int i = lo; i < n0; i++) {
    if (dep[i]) continue;
    for (int k = 0; k < g->nodes[i].n_in; k++)
      if (dep[g->nodes[i].in[k]]) {
        dep[i] = 1;
        break;
      }
  }
  return dep;
}

void ad_vjp(Graph *g, int n_out, const int *outs, const int *cts, int n_wrt, const int *wrt, int *grads) {
  int n0 = g->n_nodes;
  int *adj = malloc(n0 * sizeof(int));
  for (int i = 0; i < n0; i++) adj[i] = ZERO;
  char *dep = depends_mark(g, n0, n_wrt, wrt);
  int hi = -1, lo = n0;
  for (int i = 0; i < n_out; i++) {
    char s1[64], s2[64];
    if (cts[i] != ZERO && !shape_eq(shp(g, outs[i]), shp(g, cts[i]))) {
      shape_str(shp(g, outs[i]), s1, 64);
      shape_str(shp(g, cts[i]), s2, 64);
      ir_fail("vjp: cotangent %s does not match output %s", s2, s1);
    }
    if (dep[outs[i]]) adj[outs[i]] = add(g, adj[outs[i]], cts[i]);
    if (outs[i] > hi) hi = outs[i];
  }
  for (int i = 0; i < n_wrt; i++)
    if (wrt[i] < lo) lo = wrt[i];
  for (int i = hi; i >= lo; i--) {
    if (adj[i] == ZERO || !dep[i]) continue;
    for (int k = 0; k < g->nodes[i].n_in; k++) {
      int x = g->nodes[i].in[k];
      if (!dep[x]) continue;
      int c = vjp_input(g, i, k, adj[i]);
      adj[x] = add(g, adj[x], c);
    }
  }
  for (int i = 0; i < n_wrt; i++) grads[i] = adj[wrt[i]];
  free(adj);
  free(dep);
}

static int jvp_node(Graph *g, int i, const int *tan) {
  Node n = g->nodes[i];
  int a = n.in ? n.in[0] : -1, b = n.n_in > 1 ? n.in[1] : -1;
  int ta = n.n_in > 0 ? tan[a] : ZERO, tb = n.n_in > 1 ? tan[b] : ZERO;
  switch (op_kind(n.op)) {
    case KIND_LEAF:
      return ZERO;
    case KIND_UNARY:
      return unary_rule(g, i, ta);
    case KIND_BINARY:
      switch (n.op) {
        case OP_ADD:
          return add(g, ta, tb);
        case OP_SUB:
          return sub(g, ta, tb);
        case OP_MUL:
          return add(g, mul(g, ta, b), mul(g, a, tb));
        case OP_DIV:
          return dvd(g, sub(g, ta, mul(g, i, tb)), b);
        default:
          return ZERO;
      }
    case KIND_SELECT: {
      int t1 = tan[n.in[1]], t2 = tan[n.in[2]];
      if (t1 == ZERO && t2 == ZERO) return ZERO;
      return ir_select(g, a, ad_materialize(g, t1, i), ad_materialize(g, t2, i));
    }
    case KIND_MATMUL:
      return add(g, ta == ZERO ? ZERO : ir_matmul(g, ta, b, n.ta, n.tb),
                 tb == ZERO ? ZERO : ir_matmul(g, a, tb, n.ta, n.tb));
    case KIND_CONV:
      return add(g, ta == ZERO ? ZERO : conv_like(g, i, ta, b), tb == ZERO ? ZERO : conv_like(g, i, a, tb));
    case KIND_SHAPE:
      switch (n.op) {
        case OP_CONCAT: {
          int any = 0, *ts = malloc(n.n_in * sizeof(int));
          for (int k = 0; k < n.n_in; k++) {
            any |= tan[n.in[k]] != ZERO;
            ts[k] = ad_materialize(g, tan[n.in[k]], n.in[k]);
          }
          int r = any ? ir_concat(g, n.n_in, ts, n.axis) : ZERO;
          free(ts);
          return r;
        }
        default:
          break;
      }
      if (ta == ZERO) return ZERO;
      switch (n.op) {
        case OP_BROADCAST:
          return ir_broadcast(g, ta, n.shape);
        case OP_SUM:
          return ir_reduce(g, OP_SUM, ta, n.axes);
        case OP_MAX: {
          Shape xs = shp(g, a);
          int mask = ir_binary(g, OP_EQ, a, ir_broadcast(g, i, xs));
          return ir_binary(g, OP_DIV, ir_reduce(g, OP_SUM, ir_binary(g, OP_MUL, ta, mask), n.axes),
                           ir_reduce(g, OP_SUM, mask, n.axes));
        }
        case OP_RESHAPE:
          return ir_reshape(g, ta, n.shape);
        case OP_TRANSPOSE:
          return ir_transpose(g, ta, n.perm);
        case OP_SLICE:
          return ir_slice(g, ta, n.start, n.shape);
        case OP_PAD:
          return ir_pad(g, ta, n.start, n.shape);
        default:
          break;
      }
  }
  ir_fail("no JVP rule for %s", op_name(n.op));
}

void ad_jvp(Graph *g, int n_in, const int *ins, const int *tans, int n_out, const int *outs, int *touts) {
  int n0 = g->n_nodes;
  int *tan = malloc(n0 * sizeof(int));
  for (int i = 0; i < n0; i++) tan[i] = ZERO;
  char *dep = depends_mark(g, n0, n_in, ins);
  char *need = malloc(n0);
  ir_reachable(g, n_out, outs, need);
  int lo = n0, hi = -1;
  for (int i = 0; i < n_out; i++)
    if (outs[i] > hi) hi = outs[i];
  for (int i = 0; i < n_in; i++) {
    char s1[64], s2[64];
    if (tans[i] != ZERO && !shape_eq(shp(g, ins[i]), shp(g, tans[i]))) {
      shape_str(shp(g, ins[i]), s1, 64);
      shape_str(shp(g, tans[i]), s2, 64);
      ir_fail("jvp: tangent %s does not match input %s", s2, s1);
    }
    if (ins[i] < lo) lo = ins[i];
  }
  for (int i = lo; i <= hi; i++) {
    int given = -2;
    for (int k = 0; k < n_in; k++)
      if (ins[k] == i) given = given == -2 ? tans[k] : add(g, given, tans[k]);
    if (given != -2) {
      tan[i] = given;
      continue;
    }
    if (dep[i] && need[i]) tan[i] = jvp_node(g, i, tan);
  }
  for (int i = 0; i < n_out; i++) touts[i] = tan[outs[i]];
  free(tan);
  free(dep);
  free(need);
}
