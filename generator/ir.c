/* IR construction with shape checking, plus the textual dump. */
#include "ir.h"

#include "conv.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static IrErrorFn err_fn;
static void *err_ctx;

void ir_set_error_handler(IrErrorFn fn, void *ctx) {
  err_fn = fn;
  err_ctx = ctx;
}

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

static const struct {
  const char *name;
  int n_in;
  OpKind kind;
} op_info[] = {
#define X(name, n, kind) {#name, n, KIND_##kind},
    IR_OPS(X)
#undef X
};

const char *op_name(OpCode op) { return op_info[op].name; }
OpKind op_kind(OpCode op) { return op_info[op].kind; }

int shape_numel(Shape s) { return (int)shape_numel64(s); }

int64_t shape_numel64(Shape s) {
  int64_t n = 1;
  for (int i = 0; i < s.rank; i++) {
    if (s.d[i] > 0 && n > INT64_MAX / s.d[i]) return INT64_MAX;
    n *= s.d[i];
  }
  return n;
}

static void check_numel(Shape s, const char *what) {
  char buf[64];
  if (shape_numel64(s) > IR_MAX_NUMEL) {
    shape_str(s, buf, sizeof buf);
    ir_fail("%s of shape %s would have %lld elements; a tensor may have at most %lld", what, buf,
            (long long)shape_numel64(s), IR_MAX_NUMEL);
  }
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
  for (int i = 0; i < g->n_nodes; i++) {
    free(g->nodes[i].in);
    free(g->nodes[i].data);
  }
  for (int i = 0; i < g->n_vars; i++) free(g->vars[i].name);
  for (int i = 0; i < g->n_hparams; i++) {
    free(g->hparams[i].name);
    free(g->hparams[i].desc);
  }
  free(g->hparams);
  free(g->nodes);
  free(g->vars);
  free(g->data_name);
  free(g->htab);
  free(g);
}

static int push(Graph *g, OpCode op, Shape s, int n_in, const int *in) {
  check_numel(s, "a tensor");
  if (g->n_nodes >= IR_MAX_NODES)
    ir_fail("the model's graph has grown past %d nodes (a runaway loop building tensors?)", IR_MAX_NODES);
  if (g->n_nodes == g->cap_nodes) {
    g->cap_nodes = g->cap_nodes ? 2 * g->cap_nodes : 256;
    g->nodes = realloc(g->nodes, g->cap_nodes * sizeof *g->nodes);
  }
  Node *n = &g->nodes[g->n_nodes];
  memset(n, 0, sizeof *n);
  n->op = op;
  n->shape = s;
  n->n_in = n_in;
  n->line = g->cur_line;
  n->var = -1;
  n->stream = -1;
  if (n_in) {
    n->in = malloc(n_in * sizeof(int));
    memcpy(n->in, in, n_in * sizeof(int));
  }
  return g->n_nodes++;
}

static Shape shp(const Graph *g, int id) { return g->nodes[id].shape; }

/* ---- value numbering ----
 * Every constructor ends in intern(): if an identical node exists (same op,
 * inputs, attributes, shape), the new one is dropped and the old one reused.
 * This is common-subexpression elimination for everything, the derivatives
 * autodiff writes included; random draws and variables are never merged
 * (their streams and ids differ). */

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v;
  h *= 1099511628211ull;
  return h;
}

static uint64_t node_hash(const Node *n) {
  uint64_t h = 1469598103934665603ull, bits;
  h = mix(h, n->op);
  h = mix(h, n->shape.rank);
  for (int i = 0; i < n->shape.rank; i++) h = mix(h, n->shape.d[i]);
  for (int i = 0; i < n->n_in; i++) h = mix(h, n->in[i]);
  memcpy(&bits, &n->fval, 8);
  h = mix(h, bits);
  h = mix(h, n->axes);
  h = mix(h, n->axis);
  h = mix(h, n->ta);
  h = mix(h, n->tb);
  h = mix(h, n->stride);
  h = mix(h, n->pad);
  h = mix(h, (uint64_t)(int64_t)n->var);
  h = mix(h, (uint64_t)(int64_t)n->stream);
  for (int i = 0; i < IR_MAX_RANK; i++) {
    h = mix(h, n->perm[i]);
    h = mix(h, n->start[i]);
  }
  if (n->data)
    for (int i = 0, N = shape_numel(n->shape); i < N; i++) {
      memcpy(&bits, &n->data[i], 8);
      h = mix(h, bits);
    }
  return h;
}

static int node_eq(const Node *a, const Node *b) {
  if (a->op != b->op || !shape_eq(a->shape, b->shape) || a->n_in != b->n_in) return 0;
  if (memcmp(&a->fval, &b->fval, 8) || a->axes != b->axes || a->axis != b->axis || a->ta != b->ta || a->tb != b->tb ||
      a->stride != b->stride || a->pad != b->pad || a->var != b->var || a->stream != b->stream ||
      memcmp(a->perm, b->perm, sizeof a->perm) || memcmp(a->start, b->start, sizeof a->start))
    return 0;
  for (int i = 0; i < a->n_in; i++)
    if (a->in[i] != b->in[i]) return 0;
  if (!a->data != !b->data) return 0;
  return !a->data || !memcmp(a->data, b->data, shape_numel(a->shape) * sizeof(double));
}

static void htab_insert(Graph *g, int id) {
  if (2 * (g->n_nodes + 1) > g->hcap) { /* grow and rehash every node */
    free(g->htab);
    g->hcap = g->hcap ? 2 * g->hcap : 1024;
    while (g->hcap < 4 * g->n_nodes) g->hcap *= 2;
    g->htab = malloc(g->hcap * sizeof(int));
    for (int i = 0; i < g->hcap; i++) g->htab[i] = -1;
    for (int i = 0; i < g->n_nodes; i++)
      if (i != id) {
        uint64_t k = node_hash(&g->nodes[i]) & (g->hcap - 1);
        while (g->htab[k] >= 0) k = (k + 1) & (g->hcap - 1);
        g->htab[k] = i;
      }
  }
  uint64_t k = node_hash(&g->nodes[id]) & (g->hcap - 1);
  while (g->htab[k] >= 0) k = (k + 1) & (g->hcap - 1);
  g->htab[k] = id;
}

/* id must be the last node created */
static int intern(Graph *g, int id) {
  if (g->hcap) {
    uint64_t k = node_hash(&g->nodes[id]) & (g->hcap - 1);
    for (; g->htab[k] >= 0; k = (k + 1) & (g->hcap - 1))
      if (node_eq(&g->nodes[g->htab[k]], &g->nodes[id])) {
        free(g->nodes[id].in);
        free(g->nodes[id].data);
        g->n_nodes--;
        return g->htab[k];
      }
  }
  htab_insert(g, id);
  return id;
}

static int is_fill(const Graph *g, int id) { return g->nodes[id].op == OP_CONST && !g->nodes[id].data; }

static const char *sstr(Shape s, char *buf) {
  shape_str(s, buf, 64);
  return buf;
}

/* ---- leaves ---- */

int ir_const(Graph *g, Shape s, double v) {
  int id = push(g, OP_CONST, s, 0, NULL);
  g->nodes[id].fval = v;
  return intern(g, id);
}

int ir_const_data(Graph *g, Shape s, const double *data) {
  if (g->const_numel + shape_numel64(s) > IR_MAX_CONST_NUMEL)
    ir_fail("constant data of the model would exceed %lld values", IR_MAX_CONST_NUMEL);
  int id = push(g, OP_CONST, s, 0, NULL);
  int n = shape_numel(s);
  g->const_numel += n;
  g->nodes[id].data = malloc(n * sizeof(double));
  memcpy(g->nodes[id].data, data, n * sizeof(double));
  return intern(g, id);
}

int ir_var(Graph *g, const char *name, VarKind kind, Shape s, int init_kind, double a, double b) {
  check_numel(s, "a variable");
  if (g->n_vars >= IR_MAX_VARS) ir_fail("a model may have at most %d variables", IR_MAX_VARS);
  for (int i = 0; i < g->n_vars; i++)
    if (!strcmp(g->vars[i].name, name)) ir_fail("a variable named '%s' exists already", name);
  int64_t total = g->var_numel + shape_numel64(s);
  if (total > IR_MAX_VAR_NUMEL)
    ir_fail(
        "variable '%s' brings the model's variables to %lld numbers; a model may have at most %lld "
        "(parameters, buffers and states together)",
        name, (long long)total, IR_MAX_VAR_NUMEL);
  if (g->n_vars == g->cap_vars) {
    g->cap_vars = g->cap_vars ? 2 * g->cap_vars : 64;
    g->vars = realloc(g->vars, g->cap_vars * sizeof *g->vars);
  }
  int vid = g->n_vars++;
  Var *v = &g->vars[vid];
  v->name = strdup(name);
  v->kind = kind;
  v->shape = s;
  v->init_kind = init_kind;
  v->init_a = a;
  v->init_b = b;
  v->node = push(g, OP_VAR, s, 0, NULL);
  g->var_numel = total;
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

int ir_step(Graph *g) { return intern(g, push(g, OP_STEP, shape_make(0, NULL), 0, NULL)); }

int ir_hparam_find(const Graph *g, const char *name) {
  for (int i = 0; i < g->n_hparams; i++)
    if (!strcmp(g->hparams[i].name, name)) return i;
  return -1;
}

int ir_hparam_ok(const Graph *g, int id, double v) {
  const HParam *h = &g->hparams[id];
  if (!isfinite(v)) return -1;
  if (h->lo_open ? !(v > h->lo) : !(v >= h->lo)) return -1;
  if (h->hi_open ? !(v < h->hi) : !(v <= h->hi)) return -1;
  if (h->whole && v != floor(v)) return -1;
  return 0;
}

int ir_hparam(Graph *g, const char *name, double dflt, const char *desc, double lo, double hi, int lo_open, int hi_open,
              const char **why) {
  int k = ir_hparam_find(g, name);
  if (k >= 0 && memcmp(&g->hparams[k].dflt, &dflt, sizeof dflt)) {
    *why = "declared twice with different defaults";
    return -1;
  }
  if (k < 0 && g->n_hparams == IR_MAX_HPARAMS) {
    *why = "is one too many (a model has at most 256)";
    return -1;
  }
  if (k < 0) {
    g->hparams = realloc(g->hparams, (g->n_hparams + 1) * sizeof(HParam));
    g->hparams[g->n_hparams] = (HParam){strdup(name), strdup(desc ? desc : ""), dflt, lo, hi, lo_open, hi_open, 0};
    k = g->n_hparams++;
    if (ir_hparam_ok(g, k, dflt)) {
      *why = "has a default outside its valid range";
      free(g->hparams[k].name);
      free(g->hparams[k].desc);
      g->n_hparams--;
      return -1;
    }
  }
  /* a leaf of its own op: never equal to a constant, so nothing folds it */
  int id = push(g, OP_HPARAM, shape_make(0, NULL), 0, NULL);
  g->nodes[id].var = k;
  return intern(g, id);
}

/* ---- operations ---- */

int ir_unary(Graph *g, OpCode op, int a) {
  if (op_kind(op) != KIND_UNARY) ir_fail("%s is not a unary op", op_name(op));
  const Node *x = &g->nodes[a];
  if (op == OP_NEG && x->op == OP_NEG) return x->in[0]; /* -(-x) = x */
  if (op == OP_NEG && is_fill(g, a)) return ir_const(g, x->shape, -x->fval);
  if (op == OP_STOP_GRAD && (x->op == OP_STOP_GRAD || x->op == OP_CONST)) return a;
  return intern(g, push(g, op, shp(g, a), 1, &a));
}

int ir_binary(Graph *g, OpCode op, int a, int b) {
  char s1[64], s2[64];
  if (op_kind(op) != KIND_BINARY) ir_fail("%s is not a binary op", op_name(op));
  if (!shape_eq(shp(g, a), shp(g, b)))
    ir_fail("%s: shapes %s and %s differ", op_name(op), sstr(shp(g, a), s1), sstr(shp(g, b), s2));
  /* exact identities only: x*1, 1*x, x/1, x+0, 0+x, x-0 */
  if ((op == OP_MUL || op == OP_DIV) && ir_is_const(g, b, 1.0)) return a;
  if (op == OP_MUL && ir_is_const(g, a, 1.0)) return b;
  if ((op == OP_ADD || op == OP_SUB) && ir_is_const(g, b, 0.0)) return a;
  if (op == OP_ADD && ir_is_const(g, a, 0.0)) return b;
  int in[2] = {a, b};
  return intern(g, push(g, op, shp(g, a), 2, in));
}

int ir_select(Graph *g, int c, int a, int b) {
  char s1[64], s2[64], s3[64];
  if (!shape_eq(shp(g, c), shp(g, a)) || !shape_eq(shp(g, a), shp(g, b)))
    ir_fail("select: shapes %s, %s, %s differ", sstr(shp(g, c), s1), sstr(shp(g, a), s2), sstr(shp(g, b), s3));
  if (a == b) return a;
  if (is_fill(g, c)) return g->nodes[c].fval != 0 ? a : b;
  int in[3] = {c, a, b};
  return intern(g, push(g, OP_SELECT, shp(g, a), 3, in));
}

int ir_broadcast(Graph *g, int a, Shape to) {
  char s1[64], s2[64];
  Shape s = shp(g, a);
  if (shape_eq(s, to)) return a;
  int ok = s.rank == to.rank;
  for (int i = 0; ok && i < s.rank; i++) ok = s.d[i] == to.d[i] || s.d[i] == 1;
  if (!ok) ir_fail("cannot broadcast %s to %s", sstr(s, s1), sstr(to, s2));
  if (is_fill(g, a)) return ir_const(g, to, g->nodes[a].fval);
  if (g->nodes[a].op == OP_BROADCAST) a = g->nodes[a].in[0]; /* broadcast of a broadcast */
  return intern(g, push(g, OP_BROADCAST, to, 1, &a));
}

int ir_reduce(Graph *g, OpCode op, int a, int axes) {
  Shape s = shp(g, a);
  axes &= (1 << s.rank) - 1;
  for (int i = 0; i < s.rank; i++)
    if (s.d[i] == 1) axes &= ~(1 << i); /* reducing a size-1 axis changes nothing */
  if (!axes) return a;
  for (int i = 0; i < s.rank; i++)
    if (axes & (1 << i)) s.d[i] = 1;
  int id = push(g, op, s, 1, &a);
  g->nodes[id].axes = axes;
  return intern(g, id);
}

int ir_reshape(Graph *g, int a, Shape to) {
  char s1[64], s2[64];
  Shape s = shp(g, a);
  if (shape_numel(s) != shape_numel(to))
    ir_fail("reshape: %s has %d elements, %s has %d", sstr(s, s1), shape_numel(s), sstr(to, s2), shape_numel(to));
  if (shape_eq(s, to)) return a;
  if (is_fill(g, a)) return ir_const(g, to, g->nodes[a].fval);
  if (g->nodes[a].op == OP_RESHAPE) return ir_reshape(g, g->nodes[a].in[0], to); /* reshape of a reshape */
  return intern(g, push(g, OP_RESHAPE, to, 1, &a));
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
  if (g->nodes[a].op == OP_TRANSPOSE) { /* compose: out i = inner out perm[i] = x inner.perm[perm[i]] */
    int p2[IR_MAX_RANK];
    for (int i = 0; i < s.rank; i++) p2[i] = g->nodes[a].perm[perm[i]];
    return ir_transpose(g, g->nodes[a].in[0], p2);
  }
  int id = push(g, OP_TRANSPOSE, o, 1, &a);
  memcpy(g->nodes[id].perm, perm, s.rank * sizeof(int));
  return intern(g, id);
}

static void check_window(const char *what, Shape outer, const int *start, Shape inner) {
  char s1[64], s2[64];
  if (outer.rank != inner.rank) ir_fail("%s: ranks of %s and %s differ", what, sstr(outer, s1), sstr(inner, s2));
  for (int i = 0; i < outer.rank; i++)
    if (start[i] < 0 || start[i] + inner.d[i] > outer.d[i])
      ir_fail("%s: window of size %s at offset %d on axis %d exceeds %s", what, sstr(inner, s1), start[i], i,
              sstr(outer, s2));
}

int ir_slice(Graph *g, int a, const int *start, Shape size) {
  check_window("slice", shp(g, a), start, size);
  if (shape_eq(size, shp(g, a))) return a;
  int id = push(g, OP_SLICE, size, 1, &a);
  memcpy(g->nodes[id].start, start, size.rank * sizeof(int));
  return intern(g, id);
}

int ir_pad(Graph *g, int a, const int *start, Shape to) {
  check_window("pad", to, start, shp(g, a));
  if (shape_eq(to, shp(g, a))) return a;
  int id = push(g, OP_PAD, to, 1, &a);
  memcpy(g->nodes[id].start, start, to.rank * sizeof(int));
  return intern(g, id);
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
    if ((int64_t)o.d[axis] + s.d[axis] > IR_MAX_NUMEL) ir_fail("concat: the result would be too large");
    o.d[axis] += s.d[axis];
  }
  int id = push(g, OP_CONCAT, o, n, ins);
  g->nodes[id].axis = axis;
  return intern(g, id);
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
  if (k == 1) {
    /* an outer product: exactly a broadcast multiply (sgemm gives the same bits), and fusable */
    int dm[2] = {m, 1}, dn[2] = {1, n};
    int col = ir_reshape(g, a, shape_make(2, dm)), row = ir_reshape(g, b, shape_make(2, dn));
    return ir_binary(g, OP_MUL, ir_broadcast(g, col, shape_make(2, d)), ir_broadcast(g, row, shape_make(2, d)));
  }
  int id = push(g, OP_MATMUL, shape_make(2, d), 2, in);
  g->nodes[id].ta = ta;
  g->nodes[id].tb = tb;
  return intern(g, id);
}

/* ---- convolution ----
 * The three ops are one bilinear form seen from each argument, so each one's
 * derivatives are the other two (autodiff.c) and the set is closed. */

static void conv_check(int a4, int b4, const char *what, Shape sa, Shape sb) {
  char s1[64], s2[64];
  if (!a4 || !b4) ir_fail("%s needs 4-D operands (NCHW), got %s and %s", what, sstr(sa, s1), sstr(sb, s2));
}

static int conv_push(Graph *g, OpCode op, Shape o, int a, int b, int stride, int pad) {
  int in[2] = {a, b};
  int id = push(g, op, o, 2, in);
  g->nodes[id].stride = stride;
  g->nodes[id].pad = pad;
  return intern(g, id);
}

static void conv_params(int stride, int pad) {
  if (stride < 1 || pad < 0 || stride > 4096 || pad > 4096)
    ir_fail("convolution: stride %d and padding %d (need 1 <= stride <= 4096, 0 <= padding <= 4096)", stride, pad);
}

int ir_conv(Graph *g, int x, int w, int stride, int pad) {
  char s1[64], s2[64];
  Shape sx = shp(g, x), sw = shp(g, w);
  conv_check(sx.rank == 4, sw.rank == 4, "conv2d", sx, sw);
  conv_params(stride, pad);
  if (sx.d[1] != sw.d[1])
    ir_fail("conv2d: input %s has %d channels, weight %s expects %d", sstr(sx, s1), sx.d[1], sstr(sw, s2), sw.d[1]);
  int ho = conv_out_size(sx.d[2], sw.d[2], stride, pad), wo = conv_out_size(sx.d[3], sw.d[3], stride, pad);
  if (sx.d[2] + 2 * pad < sw.d[2] || sx.d[3] + 2 * pad < sw.d[3])
    ir_fail("conv2d: kernel %dx%d is larger than the padded input %s (padding %d)", sw.d[2], sw.d[3], sstr(sx, s1),
            pad);
  int d[4] = {sx.d[0], sw.d[0], ho, wo};
  return conv_push(g, OP_CONV, shape_make(4, d), x, w, stride, pad);
}

int ir_conv_tx(Graph *g, int y, int w, int stride, int pad, int H, int W) {
  char s1[64], s2[64];
  Shape sy = shp(g, y), sw = shp(g, w);
  conv_check(sy.rank == 4, sw.rank == 4, "conv_transpose2d", sy, sw);
  conv_params(stride, pad);
  if (sy.d[1] != sw.d[0])
    ir_fail("conv_transpose2d: input %s has %d channels, weight %s expects %d", sstr(sy, s1), sy.d[1], sstr(sw, s2),
            sw.d[0]);
  if (H + 2 * pad < sw.d[2] || W + 2 * pad < sw.d[3] || conv_out_size(H, sw.d[2], stride, pad) != sy.d[2] ||
      conv_out_size(W, sw.d[3], stride, pad) != sy.d[3])
    ir_fail("conv_transpose2d: output %dx%d does not give input %s with kernel %dx%d, stride %d, padding %d", H, W,
            sstr(sy, s1), sw.d[2], sw.d[3], stride, pad);
  int d[4] = {sy.d[0], sw.d[1], H, W};
  return conv_push(g, OP_CONV_TX, shape_make(4, d), y, w, stride, pad);
}

int ir_conv_tw(Graph *g, int x, int y, int stride, int pad, int KH, int KW) {
  char s1[64], s2[64];
  Shape sx = shp(g, x), sy = shp(g, y);
  conv_check(sx.rank == 4, sy.rank == 4, "conv2d weight adjoint", sx, sy);
  conv_params(stride, pad);
  if (sx.d[0] != sy.d[0] || sx.d[2] + 2 * pad < KH || sx.d[3] + 2 * pad < KW ||
      conv_out_size(sx.d[2], KH, stride, pad) != sy.d[2] || conv_out_size(sx.d[3], KW, stride, pad) != sy.d[3])
    ir_fail("conv2d weight adjoint: %s and %s do not fit kernel %dx%d, stride %d, padding %d", sstr(sx, s1),
            sstr(sy, s2), KH, KW, stride, pad);
  int d[4] = {sy.d[1], sx.d[1], KH, KW};
  return conv_push(g, OP_CONV_TW, shape_make(4, d), x, y, stride, pad);
}

void ir_conv_dims(const Graph *g, int id, ConvDims *d) {
  const Node *n = &g->nodes[id];
  Shape a = shp(g, n->in[0]), b = shp(g, n->in[1]);
  Shape x = n->op == OP_CONV_TX ? n->shape : a;                        /* [N,C,H,W] */
  Shape w = n->op == OP_CONV_TW ? n->shape : b;                        /* [O,C,KH,KW] */
  Shape y = n->op == OP_CONV ? n->shape : n->op == OP_CONV_TX ? a : b; /* [N,O,HO,WO] */
  *d = (ConvDims){x.d[0], x.d[1], x.d[2], x.d[3], w.d[0], w.d[2], w.d[3], n->stride, n->pad, y.d[2], y.d[3]};
}

/* ---- conveniences ---- */

int ir_scalar_like(Graph *g, int like, double v) { return ir_const(g, shp(g, like), v); }

int ir_is_const(const Graph *g, int id, double v) {
  const Node *n = &g->nodes[id];
  return n->op == OP_CONST && !n->data && n->fval == v;
}

int ir_sum_columns(const Graph *g, int id) {
  const Node *n = &g->nodes[id];
  if (n->op != OP_SUM) return 0;
  Shape in = g->nodes[n->in[0]].shape;
  int every = (1 << in.rank) - 1, cols = in.rank ? in.d[in.rank - 1] : 1;
  return in.rank >= 2 && (n->axes & every) == every && cols > 1 && cols <= IR_MAX_SUM_COLUMNS ? cols : 0;
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
  if (n_outs)
    ir_reachable(g, n_outs, outs, mark);
  else
    memset(mark, 1, g->n_nodes);
  for (int i = 0; i < g->n_nodes; i++) {
    if (!mark[i]) continue;
    const Node *n = &g->nodes[i];
    char s[64];
    shape_str(n->shape, s, sizeof s);
    fprintf(f, "  %%%-5d = %-10s", i, op_name(n->op));
    for (int k = 0; k < n->n_in; k++) fprintf(f, "%s%%%d", k ? ", " : " ", n->in[k]);
    switch (n->op) {
      case OP_CONST:
        if (n->data)
          fprintf(f, " <data>");
        else
          fprintf(f, " %g", n->fval);
        break;
      case OP_VAR:
        fprintf(f, " %s", g->vars[n->var].name);
        break;
      case OP_HPARAM:
        fprintf(f, " %s", g->hparams[n->var].name);
        break;
      case OP_DATA:
      case OP_UNIFORM:
      case OP_NORMAL:
        fprintf(f, " stream=%d", n->stream);
        break;
      case OP_SUM:
      case OP_MAX:
        fprintf(f, " axes=0x%x", n->axes);
        break;
      case OP_CONCAT:
        fprintf(f, " axis=%d", n->axis);
        break;
      case OP_MATMUL:
        fprintf(f, " ta=%d tb=%d", n->ta, n->tb);
        break;
      case OP_CONV:
      case OP_CONV_TX:
      case OP_CONV_TW:
        fprintf(f, " stride=%d pad=%d", n->stride, n->pad);
        break;
      case OP_TRANSPOSE:
        fprintf(f, " perm=");
        for (int k = 0; k < n->shape.rank; k++) fprintf(f, "%s%d", k ? "," : "", n->perm[k]);
        break;
      case OP_SLICE:
      case OP_PAD:
        fprintf(f, " start=");
        for (int k = 0; k < n->shape.rank; k++) fprintf(f, "%s%d", k ? "," : "", n->start[k]);
        break;
      default:
        break;
    }
    fprintf(f, " : f32%s", s);
    if (n->line) fprintf(f, "  ; line %d", n->line);
    for (int k = 0; k < n_outs; k++)
      if (outs[k] == i && out_names && out_names[k]) fprintf(f, "  -> %s", out_names[k]);
    fputc('\n', f);
  }
  free(mark);
}
