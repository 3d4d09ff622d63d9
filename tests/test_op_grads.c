/* Every primitive op: VJP and JVP against central finite differences in f64,
 * and the second-order compositions (VJP of VJP, JVP of VJP, JVP of JVP,
 * VJP of JVP) against differences of the first-order derivatives.
 * f = <W, op(x...)> with a random W turns each op into a scalar test function. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autodiff.h"
#include "conv.h"
#include "interp.h"
#include "gradcheck.h"

#define TOL 1e-6
#define H 1e-5

static unsigned rng_state = 2024;
static double urand(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (rng_state >> 8) / 16777216.0;
}

static int rand_const(Graph *g, Shape s, double lo, double hi) {
  int n = shape_numel(s);
  double *d = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * urand();
  int id = ir_const_data(g, s, d);
  free(d);
  return id;
}

static Shape S(int rank, int a, int b, int c) {
  int d[3] = {a, b, c};
  return shape_make(rank, d);
}
static Shape S4(int a, int b, int c, int d) {
  int v[4] = {a, b, c, d};
  return shape_make(4, v);
}

typedef struct {
  int n;
  int vars[4];
  int nodes[4];
} Inputs;

static int input(Graph *g, Inputs *in, Shape s, double lo, double hi) {
  char name[32];
  snprintf(name, sizeof name, "x%d_%d", g->n_vars, in->n);
  int node = ir_var(g, name, VAR_PARAM, s, 1, lo, hi);
  in->vars[in->n] = g->nodes[node].var;
  in->nodes[in->n++] = node;
  return node;
}

/* x with |x| in [0.1, 1] and mixed signs: away from the kinks of abs and sign */
static int signed_away_from_zero(Graph *g, Inputs *in, Shape s) {
  int v = input(g, in, s, 0.1, 1.0);
  int n = shape_numel(s);
  double *sg = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) sg[i] = i % 3 ? 1.0 : -1.0;
  int c = ir_const_data(g, s, sg);
  free(sg);
  return ir_binary(g, OP_MUL, v, c);
}

/* Convolution cases: (kernel, stride, padding, H, W) chosen to cover padding
 * on both sides, a stride with a dropped last row, and a rectangular image. */
/* kernel, stride, padding, height, width, input channels */
static const int conv_cases[][6] = {{3, 1, 1, 4, 3, 2}, {4, 2, 1, 5, 4, 2}, {2, 2, 0, 4, 4, 2},
                                    {3, 2, 1, 7, 6, 2}, {5, 3, 2, 8, 7, 2}, {3, 1, 1, 5, 6, 1}};
#define N_CONV_CASES 6

static int build_conv(Graph *g, OpCode op, int variant, Inputs *in, char *label) {
  if (variant >= N_CONV_CASES) return -1;
  const int *c = conv_cases[variant];
  int k = c[0], st = c[1], pd = c[2], h = c[3], w = c[4], ch = c[5];
  int ho = conv_out_size(h, k, st, pd), wo = conv_out_size(w, k, st, pd);
  sprintf(label, "%s k=%d stride=%d pad=%d %dx%dx%d", op_name(op), k, st, pd, ch, h, w);
  Shape x = S4(2, ch, h, w), wt = S4(3, ch, k, k), y = S4(2, 3, ho, wo);
  switch (op) {
    case OP_CONV:
      return ir_conv(g, input(g, in, x, -1, 1), input(g, in, wt, -1, 1), st, pd);
    case OP_CONV_TX:
      return ir_conv_tx(g, input(g, in, y, -1, 1), input(g, in, wt, -1, 1), st, pd, h, w);
    default:
      return ir_conv_tw(g, input(g, in, x, -1, 1), input(g, in, y, -1, 1), st, pd, k, k);
  }
}

/* Builds case `variant` of op; returns the output node or -1 when there are no more variants. */
static int build(Graph *g, OpCode op, int variant, Inputs *in, char *label) {
  Shape m = S(2, 3, 4, 0);
  sprintf(label, "%s", op_name(op));
  switch (op_kind(op)) {
    case KIND_LEAF:
      return -1;
    case KIND_UNARY: {
      if (variant) return -1;
      if (op == OP_LOG || op == OP_SQRT) return ir_unary(g, op, input(g, in, m, 0.5, 2.0));
      if (op == OP_LOG1P) return ir_unary(g, op, input(g, in, m, -0.5, 2.0));
      if (op == OP_ABS || op == OP_SIGN) return ir_unary(g, op, signed_away_from_zero(g, in, m));
      return ir_unary(g, op, input(g, in, m, -1.5, 1.5));
    }
    case KIND_BINARY: {
      if (variant) return -1;
      int a = input(g, in, m, -1.5, 1.5);
      int b = op == OP_DIV ? input(g, in, m, 0.5, 2.0) : input(g, in, m, -1.5, 1.5);
      return ir_binary(g, op, a, b);
    }
    case KIND_SELECT: {
      if (variant) return -1;
      double cd[12];
      for (int i = 0; i < 12; i++) cd[i] = i % 2;
      int c = ir_const_data(g, m, cd);
      return ir_select(g, c, input(g, in, m, -1.5, 1.5), input(g, in, m, -1.5, 1.5));
    }
    case KIND_MATMUL: {
      if (variant > 3) return -1;
      int ta = variant & 1, tb = variant >> 1;
      sprintf(label, "MATMUL ta=%d tb=%d", ta, tb);
      int a = input(g, in, ta ? S(2, 4, 3, 0) : S(2, 3, 4, 0), -1, 1);
      int b = input(g, in, tb ? S(2, 5, 4, 0) : S(2, 4, 5, 0), -1, 1);
      return ir_matmul(g, a, b, ta, tb);
    }
    case KIND_CONV:
      return build_conv(g, op, variant, in, label);
    case KIND_SHAPE:
      break;
  }
  switch (op) {
    case OP_BROADCAST:
      if (variant > 1) return -1;
      sprintf(label, "BROADCAST %s", variant ? "[3,1]->[3,4]" : "[1,4]->[3,4]");
      return ir_broadcast(g, input(g, in, variant ? S(2, 3, 1, 0) : S(2, 1, 4, 0), -1, 1), m);
    case OP_SUM:
    case OP_MAX: {
      if (variant > 2) return -1;
      int axes = variant + 1;
      sprintf(label, "%s axes=0x%x", op_name(op), axes);
      return ir_reduce(g, op, input(g, in, m, -1, 1), axes);
    }
    case OP_RESHAPE:
      if (variant) return -1;
      return ir_reshape(g, input(g, in, m, -1, 1), S(3, 2, 2, 3));
    case OP_TRANSPOSE: {
      if (variant) return -1;
      int perm[3] = {2, 0, 1};
      return ir_transpose(g, input(g, in, S(3, 2, 3, 4), -1, 1), perm);
    }
    case OP_SLICE: {
      if (variant) return -1;
      int start[2] = {1, 2};
      return ir_slice(g, input(g, in, S(2, 4, 5, 0), -1, 1), start, S(2, 2, 2, 0));
    }
    case OP_PAD: {
      if (variant) return -1;
      int start[2] = {1, 1};
      return ir_pad(g, input(g, in, S(2, 2, 3, 0), -1, 1), start, S(2, 4, 5, 0));
    }
    case OP_CONCAT: {
      if (variant > 1) return -1;
      sprintf(label, "CONCAT axis=%d", variant);
      int xs[3];
      for (int k = 0; k < 3; k++) xs[k] = input(g, in, variant ? S(2, 2, k + 1, 0) : S(2, k + 1, 3, 0), -1, 1);
      return ir_concat(g, 3, xs, variant);
    }
    default:
      return -1;
  }
}

/* <W, y> for a fresh random W */
static int contract(Graph *g, int y) {
  int w = rand_const(g, g->nodes[y].shape, -1, 1);
  return ir_reduce(g, OP_SUM, ir_binary(g, OP_MUL, w, y), (1 << g->nodes[y].shape.rank) - 1);
}

/* scalar of a scalar-valued node (rank-any, 1 element) as rank-0 */
static int grads_of(Graph *g, int f, const Inputs *in, int *out) {
  int one = ir_scalar_like(g, f, 1.0);
  ad_vjp(g, 1, &f, &one, in->n, in->nodes, out);
  for (int i = 0; i < in->n; i++) out[i] = ad_materialize(g, out[i], in->nodes[i]);
  return in->n;
}

static int jvp_of(Graph *g, int f, const Inputs *in, const int *tans) {
  int r;
  ad_jvp(g, in->n, in->nodes, tans, 1, &f, &r);
  return ad_materialize(g, r, f);
}

/* directional difference of f along tangents (one per input) */
static double fd_dir(Env *e, int f, const Inputs *in, int *tans) {
  double s = 0;
  for (int i = 0; i < in->n; i++) {
    double *t = env_eval(e, tans[i]);
    s += fd_var(e, f, in->vars[i], t, 0, H);
    free(t);
  }
  return s;
}

static void check_scalar(const char *what, const char *label, Env *e, int node, double fd) {
  double a = env_scalar(e, node);
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s", label, what);
  expect_le(msg, rel_err(&a, &fd, 1, 1e-9), TOL);
}

static void check_case(Graph *g, Inputs *in, int y, const char *label) {
  int f = contract(g, y);
  int g1[4], g2[4], g3[4], t1[4], t2[4];
  char msg[160];
  for (int i = 0; i < in->n; i++) {
    t1[i] = rand_const(g, g->nodes[in->nodes[i]].shape, -1, 1);
    t2[i] = rand_const(g, g->nodes[in->nodes[i]].shape, -1, 1);
  }
  grads_of(g, f, in, g1);
  /* second-order scalars: <V, grad f> and the JVP of f */
  int f2 = -1;
  for (int i = 0; i < in->n; i++) {
    int term = contract(g, g1[i]);
    f2 = f2 < 0 ? term : ir_binary(g, OP_ADD, f2, term);
  }
  int f3 = jvp_of(g, f, in, t1);
  grads_of(g, f2, in, g2);
  grads_of(g, f3, in, g3);
  int jf2 = jvp_of(g, f2, in, t2), jf3 = jvp_of(g, f3, in, t2);

  Env e = env_new(g, 7);
  snprintf(msg, sizeof msg, "%s VJP", label);
  expect_le(msg, check_grad(&e, f, in->n, in->vars, g1, 64, H), TOL);
  check_scalar("JVP", label, &e, f3, fd_dir(&e, f, in, t1));
  snprintf(msg, sizeof msg, "%s VJP of VJP", label);
  expect_le(msg, check_grad(&e, f2, in->n, in->vars, g2, 64, H), TOL);
  check_scalar("JVP of VJP", label, &e, jf2, fd_dir(&e, f2, in, t2));
  check_scalar("JVP of JVP", label, &e, jf3, fd_dir(&e, f3, in, t2));
  snprintf(msg, sizeof msg, "%s VJP of JVP", label);
  expect_le(msg, check_grad(&e, f3, in->n, in->vars, g3, 64, H), TOL);
  env_free(&e);
}

/* stop_gradient is not a function's derivative: its rule is zero by definition */
static void check_stop_gradient(void) {
  Graph *g = ir_new();
  Inputs in = {0};
  int x = input(g, &in, S(2, 3, 4, 0), -1, 1);
  int y = ir_unary(g, OP_STOP_GRAD, x), f = contract(g, ir_binary(g, OP_MUL, y, x)), gr[1], t;
  grads_of(g, f, &in, gr);
  /* d/dx <W, sg(x) x> = W sg(x): only the second factor differentiates */
  ad_jvp(g, 1, &x, &x, 1, &y, &t);
  Env e = env_new(g, 3);
  double *gv = env_eval(&e, gr[0]), *xv = e.vals[in.vars[0]];
  const double *w = g->nodes[g->nodes[g->nodes[f].in[0]].in[0]].data;
  double err = 0;
  for (int i = 0; i < 12; i++) err = fmax(err, fabs(gv[i] - w[i] * xv[i]));
  expect_le("STOP_GRAD VJP equals the rule (value passes, derivative 0)", err, 1e-15);
  expect_le("STOP_GRAD JVP is zero", t == -1 ? 0 : 1, 0);
  free(gv);
  env_free(&e);
  ir_free(g);
}

/* The trainers' im2col + sgemm convolution (the interpreter's f32 mode) against
 * the f64 direct loops: the same numbers up to float rounding. */
/* 5 images of 64 channels at 64x64: more workspace than one group holds, so
 * the runtime splits the batch into groups (3 + 2) */
static int build_conv_grouped(Graph *g, OpCode op, Inputs *in, char *label) {
  sprintf(label, "%s 5x64x64x64, k=3 pad=1 (grouped)", op_name(op));
  Shape x = S4(5, 64, 64, 64), w = S4(8, 64, 3, 3), y = S4(5, 8, 64, 64);
  switch (op) {
    case OP_CONV:
      return ir_conv(g, input(g, in, x, -1, 1), input(g, in, w, -1, 1), 1, 1);
    case OP_CONV_TX:
      return ir_conv_tx(g, input(g, in, y, -1, 1), input(g, in, w, -1, 1), 1, 1, 64, 64);
    default:
      return ir_conv_tw(g, input(g, in, x, -1, 1), input(g, in, y, -1, 1), 1, 1, 3, 3);
  }
}

static void check_conv_f32(void) {
  for (int op = OP_CONV; op <= OP_CONV_TW; op++)
    for (int v = 0; v <= N_CONV_CASES; v++) {
      Graph *g = ir_new();
      Inputs in = {0};
      char label[96], msg[160];
      int y = v < N_CONV_CASES ? build_conv(g, op, v, &in, label) : build_conv_grouped(g, op, &in, label);
      if (v == N_CONV_CASES) {
        ConvDims d;
        ir_conv_dims(g, y, &d);
        snprintf(msg, sizeof msg, "%s: workspace holds fewer than all 5 images", label);
        expect_le(msg, conv_workspace(&d) >= (size_t)5 * (d.C * d.KH * d.KW + d.O) * d.HO * d.WO, 0);
      }
      double *vars[4], *r32, *r64;
      for (int i = 0; i < in.n; i++) {
        int n = shape_numel(g->vars[in.vars[i]].shape);
        vars[i] = malloc(n * sizeof(double));
        interp_init_var(g, in.vars[i], 11, vars[i], 0); /* float-valued inputs */
      }
      Interp ip = {.f64 = 0, .seed = 1, .vars = vars};
      interp_eval(g, &ip, 1, &y, &r32);
      ip.f64 = 1;
      interp_eval(g, &ip, 1, &y, &r64);
      snprintf(msg, sizeof msg, "%s: f32 runtime/conv.c vs f64 direct loops", label);
      expect_le(msg, rel_err(r32, r64, shape_numel(g->nodes[y].shape), 1e-9), 1e-6);
      free(r32);
      free(r64);
      for (int i = 0; i < in.n; i++) free(vars[i]);
      ir_free(g);
    }
}

int main(void) {
  check_conv_f32();
  int missing = 0;
  for (int op = 0; op < OP_COUNT; op++) {
    if (op_kind(op) == KIND_LEAF) continue;
    if (op == OP_STOP_GRAD) {
      check_stop_gradient();
      continue;
    }
    int cases = 0;
    for (int v = 0;; v++) {
      Graph *g = ir_new();
      Inputs in = {0};
      char label[64];
      int y = build(g, op, v, &in, label);
      if (y < 0) {
        ir_free(g);
        break;
      }
      check_case(g, &in, y, label);
      ir_free(g);
      cases++;
    }
    if (!cases) {
      printf("FAIL no gradient check for op %s\n", op_name(op));
      missing++;
    }
  }
  checks_failed += missing;
  return report();
}
