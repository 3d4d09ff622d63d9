/* IR construction with shape checking, plus the textual dump. */
#include "ir.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static IrErrorFn err_fn;
static void *err_ctx;

void ir_set_error_handler(IrErrorFn fn, void *ctx) { err_fn = fn; err_ctx = ctx; }

void ir_fail(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (err_fn) err_fn(err_ctx, msg);
  fprintf(stderr, "ebmforge: internal IR error: %s\n", msg);
  abort();
}

static const struct { const char *name; int n_in; OpKind kind; } op_info[] = {
#define X(name, n, kind) {#name, n, KIND_##kind},
  IR_OPS(X)
#undef X
};

const char *op_name(OpCode op) { return op_info[op].name; }
OpKind op_kind(OpCode op) { return op_info[op].kind; }

int shape_numel(Shape s) {
  int n = 1;
  for (int i = 0; i < s.rank; i++) n *= s.d[i];
  return n;
}

int shape_eq(Shape a, Shape b) {
  if (a.rank != b.rank) return 0;
  for (int i = 0; i < a.rank; i++)
    if (a.d[i] != b.d[i]) return 0;
  return 1;
}

Shape shape_make(int rank, const int *d) {
  Shape s = {0, {1, 1, 1, 1}};
  if (rank < 0 || rank > IR_MAX_RANK) ir_fail("rank %d is not supported (at most %d)", rank, IR_MAX_RANK);
  s.rank = rank;
  for (int i = 0; i < rank; i++) {
    if (d[i] <= 0) ir_fail("dimension %d of a shape is %d; sizes must be positive", i, d[i]);
    s.d[i] = d[i];
  }
  return s;
}

void shape_str(Shape s, char *buf, int n) {
  int k = snprintf(buf, n, "[");
  for (int i = 0; i < s.rank && k < n; i++) k += snprintf(buf + k, n - k, i ? ",%d" : "%d", s.d[i]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

Graph *ir_new(void) {
  Graph *g = calloc(1, sizeof *g);
  return g;
}

void ir_free(Graph *g) {
  if (!g) return;
  for (int i = 0; i < g->n_nodes; i++) { free(g->nodes[i].in); free(g->nodes[i].data); }
  for (int i = 0; i < g->n_vars; i++) free(g->vars[i].name);
  free(g->nodes); free(g->vars); free(g->data_name); free(g);
}

static int push(Graph *g, OpCode op, Shape s, int n_in, const int *in) {
  if (g->n_nodes == g->cap_nodes) {
    g->cap_nodes = g->cap_nodes ? 2 * g->cap_nodes : 256;
    g->nodes = realloc(g->nodes, g->cap_nodes * sizeof *g->nodes);
  }
  Node *n = &g->nodes[g->n_nodes];
  memset(n, 0, sizeof *n);
  n->op = op; n->shape = s; n->n_in = n_in; n->line = g->cur_line; n->var = -1; n->stream = -1;
  if (n_in) {
    n->in = malloc(n_in * sizeof(int));
    memcpy(n->in, in, n_in * sizeof(int));
  }
  return g->n_nodes++;
}

static Shape shp(const Graph *g, int id) { return g->nodes[id].shape; }

static const char *sstr(Shape s, char *buf) { shape_str(s, buf, 64); return buf; }

/* ---- leaves ---- */

int ir_const(Graph *g, Shape s, double v) {
  int id = push(g, OP_CONST, s, 0, NULL);
  g->nodes[id].fval = v;
  return id;
}

int ir_const_data(Graph *g, Shape s, const double *data) {
  int id = push(g, OP_CONST, s, 0, NULL);
  int n = shape_numel(s);
  g->nodes[id].data = malloc(n * sizeof(double));
  memcpy(g->nodes[id].data, data, n * sizeof(double));
  return id;
}

int ir_var(Graph *g, const char *name, VarKind kind, Shape s, int init_kind, double a, double b) {
  for (int i = 0; i < g->n_vars; i++)
    if (!strcmp(g->vars[i].name, name)) ir_fail("a variable named '%s' exists already", name);
  if (g->n_vars == g->cap_vars) {
    g->cap_vars = g->cap_vars ? 2 * g->cap_vars : 64;
    g->vars = realloc(g->vars, g->cap_vars * sizeof *g->vars);
  }
  int vid = g->n_vars++;
  Var *v = &g->vars[vid];
  v->name = strdup(name); v->kind = kind; v->shape = s;
  v->init_kind = init_kind; v->init_a = a; v->init_b = b;
  v->node = push(g, OP_VAR, s, 0, NULL);
  g->nodes[v->node].var = vid;
  return v->node;
}

int ir_data(Graph *g, Shape s) {
  if (s.rank != 2) ir_fail("data batches are [B,D]; got rank %d", s.rank);
  int id = push(g, OP_DATA, s, 0, NULL);
  g->nodes[id].stream = g->n_streams++;
  return id;
}

int ir_rng(Graph *g, OpCode op, Shape s) {
  int id = push(g, op, s, 0, NULL);
  g->nodes[id].stream = g->n_streams++;
  return id;
}

int ir_step(Graph *g) { return push(g, OP_STEP, shape_make(0, NULL), 0, NULL); }

/* ---- operations ---- */

int ir_unary(Graph *g, OpCode op, int a) {
  if (op_kind(op) != KIND_UNARY) ir_fail("%s is not a unary op", op_name(op));
  return push(g, op, shp(g, a), 1, &a);
}

int ir_binary(Graph *g, OpCode op, int a, int b) {
  char s1[64], s2[64];
  if (op_kind(op) != KIND_BINARY) ir_fail("%s is not a binary op", op_name(op));
  if (!shape_eq(shp(g, a), shp(g, b)))
    ir_fail("%s: shapes %s and %s differ", op_name(op), sstr(shp(g, a), s1), sstr(shp(g, b), s2));
  int in[2] = {a, b};
  return push(g, op, shp(g, a), 2, in);
}

int ir_select(Graph *g, int c, int a, int b) {
  char s1[64], s2[64], s3[64];
  if (!shape_eq(shp(g, c), shp(g, a)) || !shape_eq(shp(g, a), shp(g, b)))
    ir_fail("select: shapes %s, %s, %s differ", sstr(shp(g, c), s1), sstr(shp(g, a), s2), sstr(shp(g, b), s3));
  int in[3] = {c, a, b};
  return push(g, OP_SELECT, shp(g, a), 3, in);
}

int ir_broadcast(Graph *g, int a, Shape to) {
  char s1[64], s2[64];
  Shape s = shp(g, a);
  if (shape_eq(s, to)) return a;
  int ok = s.rank == to.rank;
  for (int i = 0; ok && i < s.rank; i++) ok = s.d[i] == to.d[i] || s.d[i] == 1;
  if (!ok) ir_fail("cannot broadcast %s to %s", sstr(s, s1), sstr(to, s2));
  return push(g, OP_BROADCAST, to, 1, &a);
}

int ir_reduce(Graph *g, OpCode op, int a, int axes) {
  Shape s = shp(g, a);
  axes &= (1 << s.rank) - 1;
  if (!axes) return a;
  for (int i = 0; i < s.rank; i++)
    if (axes & (1 << i)) s.d[i] = 1;
  int id = push(g, op, s, 1, &a);
  g->nodes[id].axes = axes;
  return id;
}

int ir_reshape(Graph *g, int a, Shape to) {
  char s1[64], s2[64];
  Shape s = shp(g, a);
  if (shape_numel(s) != shape_numel(to))
    ir_fail("reshape: %s has %d elements, %s has %d", sstr(s, s1), shape_numel(s), sstr(to, s2), shape_numel(to));
  if (shape_eq(s, to)) return a;
  return push(g, OP_RESHAPE, to, 1, &a);
}

int ir_transpose(Graph *g, int a, const int *perm) {
  Shape s = shp(g, a), o = s;
  int seen = 0, ident = 1;
  for (int i = 0; i < s.rank; i++) {
    if (perm[i] < 0 || perm[i] >= s.rank || (seen & (1 << perm[i]))) ir_fail("transpose: invalid permutation");
    seen |= 1 << perm[i];
    o.d[i] = s.d[perm[i]];
    ident &= perm[i] == i;
  }
  if (ident) return a;
  int id = push(g, OP_TRANSPOSE, o, 1, &a);
  memcpy(g->nodes[id].perm, perm, s.rank * sizeof(int));
  return id;
}

static void check_window(const char *what, Shape outer, const int *start, Shape inner) {
  char s1[64], s2[64];
  if (outer.rank != inner.rank) ir_fail("%s: ranks of %s and %s differ", what, sstr(outer, s1), sstr(inner, s2));
  for (int i = 0; i < outer.rank; i++)
    if (start[i] < 0 || start[i] + inner.d[i] > outer.d[i])
      ir_fail("%s: window of size %s at offset %d on axis %d exceeds %s", what, sstr(inner, s1), start[i], i, sstr(outer, s2));
}

int ir_slice(Graph *g, int a, const int *start, Shape size) {
  check_window("slice", shp(g, a), start, size);
  if (shape_eq(size, shp(g, a))) return a;
  int id = push(g, OP_SLICE, size, 1, &a);
  memcpy(g->nodes[id].start, start, size.rank * sizeof(int));
  return id;
}

int ir_pad(Graph *g, int a, const int *start, Shape to) {
  check_window("pad", to, start, shp(g, a));
  if (shape_eq(to, shp(g, a))) return a;
  int id = push(g, OP_PAD, to, 1, &a);
  memcpy(g->nodes[id].start, start, to.rank * sizeof(int));
  return id;
}

int ir_concat(Graph *g, int n, const int *ins, int axis) {
  char s1[64], s2[64];
  if (n < 1) ir_fail("concat of nothing");
  if (n == 1) return ins[0];
  Shape o = shp(g, ins[0]);
  if (axis < 0 || axis >= o.rank) ir_fail("concat: axis %d out of range for rank %d", axis, o.rank);
  for (int k = 1; k < n; k++) {
    Shape s = shp(g, ins[k]);
    int ok = s.rank == o.rank;
    for (int i = 0; ok && i < s.rank; i++) ok = i == axis || s.d[i] == o.d[i];
    if (!ok) ir_fail("concat along axis %d: shapes %s and %s do not fit", axis, sstr(shp(g, ins[0]), s1), sstr(s, s2));
    o.d[axis] += s.d[axis];
  }
  int id = push(g, OP_CONCAT, o, n, ins);
  g->nodes[id].axis = axis;
  return id;
}

int ir_matmul(Graph *g, int a, int b, int ta, int tb) {
  char s1[64], s2[64];
  Shape sa = shp(g, a), sb = shp(g, b);
  if (sa.rank != 2 || sb.rank != 2) ir_fail("matmul needs 2-D operands, got %s and %s", sstr(sa, s1), sstr(sb, s2));
  int m = ta ? sa.d[1] : sa.d[0], k = ta ? sa.d[0] : sa.d[1];
  int k2 = tb ? sb.d[1] : sb.d[0], n = tb ? sb.d[0] : sb.d[1];
  if (k != k2)
    ir_fail("matmul: shapes %s%s and %s%s do not match (inner sizes %d and %d)", sstr(sa, s1), ta ? "^T" : "",
            sstr(sb, s2), tb ? "^T" : "", k, k2);
  int in[2] = {a, b}, d[2] = {m, n};
  int id = push(g, OP_MATMUL, shape_make(2, d), 2, in);
  g->nodes[id].ta = ta; g->nodes[id].tb = tb;
  return id;
}

/* ---- conveniences ---- */

int ir_scalar_like(Graph *g, int like, double v) { return ir_const(g, shp(g, like), v); }

int ir_is_const(const Graph *g, int id, double v) {
  const Node *n = &g->nodes[id];
  return n->op == OP_CONST && !n->data && n->fval == v;
}

int ir_sum_to(Graph *g, int a, Shape to) {
  Shape s = shp(g, a);
  if (shape_eq(s, to)) return a;
  /* to may have fewer leading axes (numpy broadcasting): reduce them, then reshape. */
  int lead = s.rank - to.rank, axes = 0;
  if (lead < 0) ir_fail("sum_to: target has higher rank");
  for (int i = 0; i < s.rank; i++)
    if (i < lead || (to.d[i - lead] == 1 && s.d[i] != 1)) axes |= 1 << i;
  return ir_reshape(g, ir_reduce(g, OP_SUM, a, axes), to);
}

int ir_bcast_to(Graph *g, int a, Shape to) {
  char s1[64], s2[64];
  Shape s = shp(g, a);
  if (shape_eq(s, to)) return a;
  if (s.rank > to.rank) ir_fail("cannot broadcast %s to %s", sstr(s, s1), sstr(to, s2));
  Shape r = {to.rank, {1, 1, 1, 1}};
  for (int i = 0; i < s.rank; i++) r.d[to.rank - s.rank + i] = s.d[i];
  return ir_broadcast(g, ir_reshape(g, a, r), to);
}

/* ---- dump ---- */

void ir_reachable(const Graph *g, int n_outs, const int *outs, char *mark) {
  memset(mark, 0, g->n_nodes);
  for (int i = 0; i < n_outs; i++) mark[outs[i]] = 1;
  for (int i = g->n_nodes - 1; i >= 0; i--)
    if (mark[i])
      for (int k = 0; k < g->nodes[i].n_in; k++) mark[g->nodes[i].in[k]] = 1;
}

void ir_dump(const Graph *g, FILE *f, int n_outs, const int *outs, const char *const *out_names) {
  char *mark = malloc(g->n_nodes + 1);
  if (n_outs) ir_reachable(g, n_outs, outs, mark);
  else memset(mark, 1, g->n_nodes);
  for (int i = 0; i < g->n_nodes; i++) {
    if (!mark[i]) continue;
    const Node *n = &g->nodes[i];
    char s[64];
    shape_str(n->shape, s, sizeof s);
    fprintf(f, "  %%%-5d = %-10s", i, op_name(n->op));
    for (int k = 0; k < n->n_in; k++) fprintf(f, "%s%%%d", k ? ", " : " ", n->in[k]);
    switch (n->op) {
      case OP_CONST: if (n->data) fprintf(f, " <data>"); else fprintf(f, " %g", n->fval); break;
      case OP_VAR: fprintf(f, " %s", g->vars[n->var].name); break;
      case OP_DATA: case OP_UNIFORM: case OP_NORMAL: fprintf(f, " stream=%d", n->stream); break;
      case OP_SUM: case OP_MAX: fprintf(f, " axes=0x%x", n->axes); break;
      case OP_CONCAT: fprintf(f, " axis=%d", n->axis); break;
      case OP_MATMUL: fprintf(f, " ta=%d tb=%d", n->ta, n->tb); break;
      case OP_TRANSPOSE:
        fprintf(f, " perm=");
        for (int k = 0; k < n->shape.rank; k++) fprintf(f, "%s%d", k ? "," : "", n->perm[k]);
        break;
      case OP_SLICE: case OP_PAD:
        fprintf(f, " start=");
        for (int k = 0; k < n->shape.rank; k++) fprintf(f, "%s%d", k ? "," : "", n->start[k]);
        break;
      default: break;
    }
    fprintf(f, " : f32%s", s);
    if (n->line) fprintf(f, "  ; line %d", n->line);
    for (int k = 0; k < n_outs; k++)
      if (outs[k] == i && out_names && out_names[k]) fprintf(f, "  -> %s", out_names[k]);
    fputc('\n', f);
  }
  free(mark);
}
