/* The C emitter: one C function per phase of the step program, every shape
 * a compile-time constant; fusion and the arena plan come from emit_common.c. */
#include "emit_c.h"

#include <stdlib.h>
#include <string.h>

#include "conv.h"

#include "emit_common.h"

/* name of the buffer that holds node i's value */
static void bufname(Str *b, const Phase *p, int i) { sput(b, "b%d", p->root[i]); }

/* the draws inline from philox.h (the functions philox.c wraps), so loops of them keep the counter in registers */
static const ExprNames c_names = {bufname,   "s->seed", "s->iter", "s->step", "philox_uniform_at", "philox_normal_at",
                                  "s->rank", "hp%d"};

/* ---------- kernels ---------- */

static void loops_open(Str *b, Shape s, const char *ind) {
  for (int k = 0; k < s.rank; k++)
    sput(b, "%*sfor (int i%d = 0; i%d < %d; i%d++)\n", (int)strlen(ind) + 2 * k, "", k, k, s.d[k], k);
}

/* A sum over leading axes (e.g. a bias gradient, [B, N] -> [1, N]) walks the
 * input row by row into one double accumulator per output: each output still
 * adds its terms in the interpreter's order, but the inner loop runs over
 * contiguous outputs, so it vectorises and reads memory in order. A sum over
 * every axis (a PReLU slope's gradient, a mean) does the same over its last
 * axis and then adds the columns' sums: one serial chain of B*N dependent
 * double adds would cost more than the arithmetic of the whole expression
 * (ir_sum_columns: the interpreter adds in the same order). Such a sum walks
 * its input's shape one element per index, so it is a member of a fused loop
 * (emit_fused), alone or sharing the pass with the kernels that compute its
 * input; other sums and maxima are kernels of their own (emit_reduce). */
typedef struct {
  int lead, all; /* axes [0, lead) summed; all: the columns' sums are then added */
  long cols;     /* accumulators: the elements of the kept axes */
} RowSum;

static int row_sum(const Graph *g, int i, RowSum *r) {
  const Node *nd = &g->nodes[i];
  if (nd->op != OP_SUM) return 0;
  Shape in = g->nodes[nd->in[0]].shape;
  int all = ir_sum_columns(g, i) > 0, lead = 0;
  while (lead < in.rank && (nd->axes & (1 << lead))) lead++;
  if (all) lead = in.rank - 1;
  long cols = 1;
  for (int k = lead; k < in.rank; k++) {
    if (nd->axes & (1 << k) && !all) return 0; /* a reduced axis after a kept one */
    cols *= in.d[k];
  }
  if (lead == 0 || lead == in.rank || cols > IR_MAX_SUM_COLUMNS) return 0;
  *r = (RowSum){lead, all, cols};
  return 1;
}

static void row_sum_open(Str *b, int i, const RowSum *r, int ind) {
  sput(b, "%*sdouble acc%d[%ld];\n%*sfor (int c = 0; c < %ld; c++) acc%d[c] = 0.0;\n", ind, "", i, r->cols, ind, "",
       r->cols, i);
}

/* inside the loop nest over the input's coordinates, flat index i in scope */
static void row_sum_add(Emit *e, int i, const RowSum *r, int ind) {
  const Graph *g = e->p->g;
  Shape in = g->nodes[g->nodes[i].in[0]].shape;
  long st[4];
  emit_strides(in, st);
  sput(e->out, "%*sacc%d[", ind, "", i);
  for (int k = r->lead; k < in.rank; k++) sput(e->out, "%si%d * %ld", k > r->lead ? " + " : "", k, st[k]);
  sput(e->out, "] += ");
  emit_expr(e, g->nodes[i].in[0], "i", 1);
  sput(e->out, ";\n");
}

static void row_sum_close(Str *b, int i, const RowSum *r, int ind) {
  if (r->all)
    sput(b, "%*s{\n%*sdouble t = 0.0;\n%*sfor (int c = 0; c < %ld; c++) t += acc%d[c];\n%*sb%d[0] = (float)t;\n%*s}\n",
         ind, "", ind + 2, "", ind + 2, "", r->cols, i, ind + 2, "", i, ind, "");
  else
    sput(b, "%*sfor (int c = 0; c < %ld; c++) b%d[c] = (float)acc%d[c];\n", ind, "", r->cols, i, i);
}

static void emit_reduce(Emit *e, int i) {
  Str *b = e->out;
  const Node *nd = &e->p->g->nodes[i];
  Shape in = e->p->g->nodes[nd->in[0]].shape;
  int is_max = nd->op == OP_MAX, depth = 0;
  /* kept axes outside, reduced axes inside, one accumulator per output */
  for (int k = 0; k < in.rank; k++)
    if (!(nd->axes & (1 << k))) {
      sput(b, "%*sfor (int i%d = 0; i%d < %d; i%d++)\n", 2 + 2 * depth, "", k, k, in.d[k], k);
      depth++;
    }
  sput(b, "%*s{\n", 2 + 2 * depth, "");
  sput(b, "%*s%s acc = %s;\n", 4 + 2 * depth, "", is_max ? "float" : "double", is_max ? "-INFINITY" : "0.0");
  int inner = 0;
  for (int k = 0; k < in.rank; k++)
    if (nd->axes & (1 << k)) {
      sput(b, "%*sfor (int i%d = 0; i%d < %d; i%d++)\n", 4 + 2 * (depth + inner), "", k, k, in.d[k], k);
      inner++;
    }
  sput(b, "%*s{ const int i = ", 4 + 2 * (depth + inner), "");
  emit_index_expr(b, in, NULL);
  sput(b, "; const float x = ");
  emit_expr(e, nd->in[0], "i", 1);
  sput(b, is_max ? "; if (x > acc || x != x) acc = x; }\n" : "; acc += x; }\n");
  sput(b, "%*sb%d[", 4 + 2 * depth, "", i);
  /* output index: kept coordinates with the output's strides */
  long so[4];
  emit_strides(nd->shape, so);
  int terms = 0;
  for (int k = 0; k < in.rank; k++)
    if (!(nd->axes & (1 << k))) sput(b, "%si%d * %ld", terms++ ? " + " : "", k, so[k]);
  if (!terms) sput(b, "0");
  sput(b, "] = (float)acc;\n%*s}\n", 2 + 2 * depth, "");
}

static void emit_matmul(Emit *e, int i) {
  Str *b = e->out;
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  Shape sa = g->nodes[nd->in[0]].shape, sb = g->nodes[nd->in[1]].shape;
  int M = nd->shape.d[0], N = nd->shape.d[1], K = nd->ta ? sa.d[0] : sa.d[1];
  Str A = {0}, B = {0};
  bufname(&A, e->p, nd->in[0]);
  bufname(&B, e->p, nd->in[1]);
  /* runtime/gemm.c: the interpreter's f32 mode calls it too, so results agree bit for bit */
  sput(b, "  ebm_sgemm(%d, %d, %d, %d, %d, %s, %d, %s, %d, b%d);\n", nd->ta, nd->tb, M, N, K, A.s, sa.d[1], B.s,
       sb.d[1], i);
  free(A.s);
  free(B.s);
}

/* im2col + sgemm (runtime/conv.c), the interpreter's f32 path; ws: the model's one conv workspace */
static void emit_conv(Emit *e, int i) {
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  ConvDims d;
  ir_conv_dims(g, i, &d);
  Str A = {0}, B = {0};
  bufname(&A, e->p, nd->in[0]);
  bufname(&B, e->p, nd->in[1]);
  const char *fn = nd->op == OP_CONV ? "conv_f32" : nd->op == OP_CONV_TX ? "conv_tx_f32" : "conv_tw_f32";
  long flops = 2L * d.N * d.O * d.HO * d.WO * d.C * d.KH * d.KW; /* the GEMMs of one conv, any of the three */
  sput(e->out, "  blas_threads_for(%ldL);\n", flops);
  sput(e->out,
       "  { static const ConvDims d = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d};\n    %s(&d, %s, %s, b%d, conv_ws); "
       "}\n",
       d.N, d.C, d.H, d.W, d.O, d.KH, d.KW, d.S, d.P, d.HO, d.WO, fn, A.s, B.s, i);
  free(A.s);
  free(B.s);
}

/* one static scratch matrix for every convolution: the largest im2col matrix the model needs */
static void conv_scratch(Str *b, const Graph *g) {
  size_t m = 0;
  for (int i = 0; i < g->n_nodes; i++)
    if (op_kind(g->nodes[i].op) == KIND_CONV) {
      ConvDims d;
      ir_conv_dims(g, i, &d);
      if (conv_workspace(&d) > m) m = conv_workspace(&d);
    }
  if (m) sput(b, "static float conv_ws[%zu];\n\n", m);
}

static void emit_datamove(Emit *e, int i) {
  Str *b = e->out;
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  Str in = {0};
  bufname(&in, e->p, nd->in[0]);
  Shape s = nd->shape, si = g->nodes[nd->in[0]].shape;
  switch (nd->op) {
    case OP_TRANSPOSE: {
      long st[4];
      emit_strides(si, st);
      loops_open(b, s, "  ");
      sput(b, "%*sb%d[", 2 + 2 * s.rank, "", i);
      emit_index_expr(b, s, NULL);
      sput(b, "] = %s[", in.s);
      for (int k = 0; k < s.rank; k++) sput(b, "%si%d * %ld", k ? " + " : "", k, st[nd->perm[k]]);
      sput(b, "];\n");
      break;
    }
    case OP_SLICE: {
      loops_open(b, s, "  ");
      sput(b, "%*sb%d[", 2 + 2 * s.rank, "", i);
      emit_index_expr(b, s, NULL);
      sput(b, "] = %s[", in.s);
      emit_index_expr(b, si, nd->start);
      sput(b, "];\n");
      break;
    }
    case OP_PAD: {
      long so[4];
      emit_strides(s, so);
      sput(b, "  memset(b%d, 0, %d * sizeof(float));\n", i, shape_numel(s));
      loops_open(b, si, "  ");
      sput(b, "%*sb%d[", 2 + 2 * si.rank, "", i);
      for (int d = 0; d < si.rank; d++) sput(b, "%s(i%d + %d) * %ld", d ? " + " : "", d, nd->start[d], so[d]);
      sput(b, "] = %s[", in.s);
      emit_index_expr(b, si, NULL);
      sput(b, "];\n");
      break;
    }
    case OP_CONCAT: {
      int off = 0;
      for (int k = 0; k < nd->n_in; k++) {
        Str src = {0};
        bufname(&src, e->p, nd->in[k]);
        Shape sk = g->nodes[nd->in[k]].shape;
        int shift[4] = {0, 0, 0, 0};
        shift[nd->axis] = off;
        loops_open(b, sk, "  ");
        sput(b, "%*sb%d[", 2 + 2 * sk.rank, "", i);
        /* output coordinates = input coordinates shifted along the axis */
        long so[4];
        emit_strides(s, so);
        for (int d = 0; d < sk.rank; d++) {
          if (shift[d])
            sput(b, "%s(i%d + %d) * %ld", d ? " + " : "", d, shift[d], so[d]);
          else
            sput(b, "%si%d * %ld", d ? " + " : "", d, so[d]);
        }
        sput(b, "] = %s[", src.s);
        emit_index_expr(b, sk, NULL);
        sput(b, "];\n");
        off += sk.d[nd->axis];
        free(src.s);
      }
      break;
    }
    default:
      ir_fail("emit_c: no data-movement kernel for %s", op_name(nd->op));
  }
  free(in.s);
}

/* set by emit_c_model: the data-parallel plan of the model being emitted (NULL: one process) */
static const ShardPlan *cur_shard;

static void emit_kernel(Emit *e, int i) {
  const Node *nd = &e->p->g->nodes[i];
  Str *b = e->out;
  emit_node_comment(b, e->p->g, i);
  switch (op_kind(nd->op)) {
    case KIND_MATMUL:
      emit_matmul(e, i);
      return;
    case KIND_CONV:
      emit_conv(e, i);
      return;
    case KIND_SHAPE:
      if (nd->op == OP_SUM || nd->op == OP_MAX) {
        emit_reduce(e, i);
        return;
      }
      if (nd->op != OP_BROADCAST && nd->op != OP_RESHAPE) {
        emit_datamove(e, i);
        return;
      }
      break;
    case KIND_LEAF:
      if (nd->op == OP_DATA && e->shard && e->shard->node_rows[i]) {
        /* a data batch need not be row-separable (toy sets shuffle it): draw all rows, keep this rank's */
        int N = shape_numel(nd->shape), R = e->shard->ranks;
        sput(b,
             "  static float rows%d[%d];\n  if (data_sample(s->data, rows%d, %d, s->seed, %d, s->iter, s->step)) {\n"
             "    snprintf(s->err, sizeof s->err, \"the data could not be sampled\");\n    return 1;\n  }\n"
             "  memcpy(b%d, rows%d + (size_t)s->rank * %d, %d * sizeof(float));\n",
             i, N * R, i, nd->shape.d[0] * R, nd->stream, i, i, N, N);
        return;
      }
      if (nd->op == OP_DATA) {
        sput(b,
             "  if (data_sample(s->data, b%d, %d, s->seed, %d, s->iter, s->step)) {\n"
             "    snprintf(s->err, sizeof s->err, \"the data could not be sampled\");\n    return 1;\n  }\n",
             i, nd->shape.d[0], nd->stream);
        return;
      }
      break;
    default:
      break;
  }
  ir_fail("emit_c: %s is written by a loop (emit_fused), not as a kernel of its own", op_name(nd->op));
}

/* ---------- loop fusion ----------
 * Consecutive kernels that each compute one element per index of the same
 * shape run in one loop nest: element i of every member, in order, before
 * element i + 1. A member reads an earlier member's value at the same index
 * from a local variable; a value no one reads after the loop is not stored.
 * A sum over leading axes (row_sum) joins as a member that walks its input's
 * shape: it adds element i into its accumulators and writes its output after
 * the loop. Each element sees the arithmetic of the separate loops, so the
 * results are the same bits; the arena plan lets a buffer reuse a dead one's
 * place, so a kernel joins only when no element can read a place another
 * member has already overwritten (or write one a member has yet to read). */

/* kernels that write one element per index (emit_fused) */
static int loop_kernel(const Node *nd) {
  switch (op_kind(nd->op)) {
    case KIND_MATMUL:
    case KIND_CONV:
      return 0;
    case KIND_SHAPE:
      return nd->op == OP_BROADCAST || nd->op == OP_RESHAPE;
    case KIND_LEAF:
      return nd->op != OP_DATA;
    default:
      return 1;
  }
}

/* may kernel i be a member of a fused loop, and over which shape does it walk? */
static int member(const Graph *g, int i, Shape *walk) {
  RowSum r;
  if (loop_kernel(&g->nodes[i])) {
    *walk = g->nodes[i].shape;
    return 1;
  }
  if (!row_sum(g, i, &r)) return 0;
  *walk = g->nodes[g->nodes[i].in[0]].shape;
  return 1;
}

typedef struct {
  int buf, same;
} Read; /* an arena buffer read, at the kernel's own index or not */
typedef struct {
  Read *r;
  int n, cap;
} Reads;

static void add_reads(const Phase *p, int i, int same, Reads *out) {
  const Node *nd = &p->g->nodes[i];
  int s = same && nd->op != OP_BROADCAST; /* a broadcast maps the index */
  for (int k = 0; k < nd->n_in; k++) {
    int x = nd->in[k];
    if (p->role[x] == ROLE_INLINE) {
      add_reads(p, x, s, out);
      continue;
    }
    int r = p->root[x];
    if (p->role[r] != ROLE_KERNEL) continue; /* state variables and constants: never written by kernels */
    if (out->n == out->cap) out->r = realloc(out->r, (out->cap = 2 * out->cap + 8) * sizeof(Read));
    out->r[out->n++] = (Read){r, s};
  }
}

static int overlap(const Phase *p, int a, int b) {
  long ea = p->off[a] + shape_numel(p->g->nodes[a].shape), eb = p->off[b] + shape_numel(p->g->nodes[b].shape);
  return p->off[a] < eb && p->off[b] < ea;
}

/* may kernel w (a member) write its place while reads rd happen in the same loop? */
static int reads_allow(const Phase *p, const Reads *rd, int w) {
  for (int k = 0; k < rd->n; k++)
    if (overlap(p, rd->r[k].buf, w) && !(rd->r[k].same && p->off[rd->r[k].buf] == p->off[w])) return 0;
  return 1;
}

/* does any of reads rd touch kernel w's place? (a sum writes its place after the loop: none may) */
static int reads_touch(const Phase *p, const Reads *rd, int w) {
  for (int k = 0; k < rd->n; k++)
    if (overlap(p, rd->r[k].buf, w)) return 1;
  return 0;
}

/* can kernel c join the loop of members m[0..n) (reads rd[0..n))? */
static int joins(const Phase *p, const int *m, const Reads *rd, int n, int c, const Reads *rc) {
  const Graph *g = p->g;
  Shape wc, w0;
  RowSum r;
  if (!member(g, c, &wc) || !member(g, m[0], &w0) || !shape_eq(wc, w0)) return 0;
  int c_sum = row_sum(g, c, &r);
  for (int j = 0; j < n; j++) {
    if (!reads_allow(p, rc, m[j]) || !reads_allow(p, &rd[j], c)) return 0;
    if (overlap(p, m[j], c) && p->off[m[j]] != p->off[c]) return 0;
    if (c_sum || row_sum(g, m[j], &r)) { /* a sum's place: shared with no member's place or read */
      int s = c_sum ? c : m[j], o = c_sum ? m[j] : c;
      if (overlap(p, s, o) || reads_touch(p, c_sum ? &rd[j] : rc, s)) return 0;
    }
  }
  return 1;
}

/* Rows of C floats, C not a multiple of 16, mostly start off the 64-byte
 * cache lines, and a 16-float vector then straddles two lines at every load
 * and store: a loop over such rows costs about twice what it costs over
 * aligned ones (0.50 against 0.26 ns an element at C = 100, rows 100 or 112
 * floats apart). A block of g = 16 / gcd(C, 16) rows (400 floats at C = 100)
 * starts on a line, so such a loop runs over blocks, flat inside. An input
 * broadcast along the rows is read from a copy repeated g times, evaluated
 * once before the loop (rep<b>): the same values, so the same bits. Loops
 * whose inputs depend on the row (a [B, 1] broadcast) or that sum over rows
 * keep the row-by-column nest. */
typedef struct {
  int blocks, g, cols; /* blocks of g rows of cols (C) elements */
} Blocks;

/* the broadcasts under node x (through inlined nodes) into rep; 0 if one maps the index otherwise */
static int scan_broadcasts(const Phase *p, int x, Shape s, char *rep) {
  const Node *nd = &p->g->nodes[x];
  if (p->role[x] != ROLE_INLINE) return 1;
  if (nd->op == OP_BROADCAST) {
    Shape in = p->g->nodes[nd->in[0]].shape;
    if (!shape_eq(nd->shape, s) || in.rank != s.rank) return 0;
    for (int k = 0; k < in.rank - 1; k++)
      if (in.d[k] != 1) return 0;
    rep[x] = 1;
    return 1;
  }
  if (nd->op == OP_RESHAPE) return 1; /* its input is read at the flat index, broadcasts by division */
  for (int k = 0; k < nd->n_in; k++)
    if (!scan_broadcasts(p, nd->in[k], s, rep)) return 0;
  return 1;
}

static int row_blocks(const Phase *p, const int *m, int n, Shape s, Blocks *bl, char *rep) {
  if (s.rank < 2) return 0;
  int C = s.d[s.rank - 1], g = 16, rows = shape_numel(s) / C;
  while (C % g) g /= 2;
  g = 16 / g;
  if (g == 1 || rows % g || rows / g < 2 || g * C > 4096) return 0;
  RowSum r;
  for (int j = 0; j < n; j++) {
    const Node *nd = &p->g->nodes[m[j]];
    if (row_sum(p->g, m[j], &r)) return 0; /* measured: adding a block's rows from a buffer costs more */
    for (int k = 0; k < nd->n_in; k++)
      if (!scan_broadcasts(p, nd->in[k], s, rep)) return 0;
  }
  *bl = (Blocks){rows / g, g, C};
  return 1;
}

/* members m[0..n) as one loop nest */
static void emit_fused(Emit *e, const int *m, int n) {
  const Phase *p = e->p;
  const Graph *g = p->g;
  Str *b = e->out;
  Shape s;
  member(g, m[0], &s);
  int N = shape_numel(s), coords = s.rank >= 2 && N > 1;
  char *local = calloc(p->n, 1), *rep = calloc(p->n, 1);
  RowSum *sums = calloc(n, sizeof(RowSum));
  int *is_sum = calloc(n, sizeof(int)), any_sum = 0;
  Blocks bl = {0, 0, 0};
  int blocked = row_blocks(p, m, n, s, &bl, rep), len = bl.g * bl.cols;
  Emit fe = *e;
  fe.local = local;
  for (int j = 0; j < n; j++) {
    emit_node_comment(b, g, m[j]);
    any_sum |= is_sum[j] = row_sum(g, m[j], &sums[j]);
  }
  int wrap = any_sum || blocked, in0 = wrap ? 4 : 2; /* a block for the accumulators and copies */
  if (wrap) sput(b, "  {\n");
  for (int j = 0; j < n; j++)
    if (is_sum[j]) row_sum_open(b, m[j], &sums[j], 4);
  int ind = coords ? in0 + 2 + 2 * s.rank : in0 + 2;
  if (blocked) {
    int any_rep = 0;
    for (int x = 0; x < p->n; x++)
      if (rep[x]) {
        sput(b, "    float rep%d[%d] __attribute__((aligned(64)));\n", x, len);
        any_rep = 1;
      }
    if (any_rep) {
      sput(b, "    for (int k = 0; k < %d; k++) {\n", len);
      for (int x = 0; x < p->n; x++)
        if (rep[x]) {
          char ix[32]; /* a [1, C] input's flat index is the column; a [1, 1] input's is 0 */
          Shape in = g->nodes[g->nodes[x].in[0]].shape;
          snprintf(ix, sizeof ix, in.d[in.rank - 1] == 1 ? "0" : "k %% %d", bl.cols);
          sput(b, "      rep%d[k] = ", x);
          emit_expr(e, g->nodes[x].in[0], ix, 0);
          sput(b, ";\n");
        }
      sput(b, "    }\n");
    }
    sput(b, "    for (int q = 0; q < %d; q++) {\n      for (int k = 0; k < %d; k++) {\n", bl.blocks, len);
    sput(b, "        const int i = q * %d + k;\n", len);
    fe.rep = rep;
    coords = 0;
    ind = 8;
  } else if (!coords)
    sput(b, "%*sfor (int i = 0; i < %d; i++) {\n", in0, "", N);
  else {
    loops_open(b, s, wrap ? "    " : "  ");
    sput(b, "%*s{\n%*sconst int i = ", in0 + 2 * s.rank, "", in0 + 2 + 2 * s.rank, "");
    emit_index_expr(b, s, NULL);
    sput(b, ";\n");
  }
  for (int j = 0; j < n; j++) {
    int i = m[j];
    if (is_sum[j]) {
      row_sum_add(&fe, i, &sums[j], ind);
      continue;
    }
    sput(b, "%*sconst float t%d = ", ind, "", i);
    emit_self_expr(&fe, i, coords);
    sput(b, ";\n");
    local[i] = 1;
    /* stored unless only later members read it */
    if (p->is_out[i] || p->last[i] > m[n - 1]) sput(b, "%*sb%d[i] = t%d;\n", ind, "", i, i);
  }
  if (blocked)
    sput(b, "      }\n    }\n");
  else
    sput(b, "%*s}\n", coords ? in0 + 2 * s.rank : in0, "");
  for (int j = 0; j < n; j++)
    if (is_sum[j]) row_sum_close(b, m[j], &sums[j], 4);
  if (wrap) sput(b, "  }\n");
  free(local);
  free(rep);
  free(sums);
  free(is_sum);
}

/* every kernel of the phase, in order, consecutive loop kernels fused */
static void emit_kernels(Emit *e) {
  const Phase *p = e->p;
  int *m = malloc(p->n * sizeof(int)), n = 0;
  Reads *rd = calloc(p->n, sizeof(Reads));
  for (int i = 0; i <= p->n; i++) {
    int kernel = i < p->n && p->need[i] && p->role[i] == ROLE_KERNEL;
    if (i < p->n && !kernel) continue;
    Shape walk;
    int can = kernel && member(p->g, i, &walk);
    if (can) {
      add_reads(p, i, 1, &rd[n]);
      if (n == 0 || joins(p, m, rd, n, i, &rd[n])) {
        m[n++] = i;
        continue;
      }
    }
    /* the group ends here: emit it */
    if (n > 0) emit_fused(e, m, n);
    int old = n;
    if (can) { /* it starts the next group (its reads are in rd[n]) */
      Reads t = rd[0];
      rd[0] = rd[n];
      rd[n] = t;
      m[0] = i;
      n = 1;
    } else {
      n = 0;
      if (kernel) emit_kernel(e, i);
    }
    for (int k = n; k <= old && k < p->n; k++) rd[k].n = 0;
  }
  for (int k = 0; k < p->n; k++) free(rd[k].r);
  free(rd);
  free(m);
}

/* Data-parallel: the phase's gradients and logs, averaged over the ranks in one
 * all-reduce before anything reads them; names[k] becomes where value k now lives. */
static void emit_allreduce(Str *b, const Graph *g, const Item *it, const Phase *p, char (*grad)[96], char (*logv)[96]) {
  int total = it->n_logs;
  for (int k = 0; k < it->n_params; k++) total += shape_numel(g->vars[it->params[k]].shape);
  if (!total) return;
  sput(b, "  static float comm[%d];\n  if (s->allreduce) {\n", total);
  int off = 0;
  for (int k = 0; k < it->n_params; k++) {
    int n = shape_numel(g->vars[it->params[k]].shape);
    sput(b, "    memcpy(comm + %d, %s, %d * sizeof(float));\n", off, grad[k], n);
    char local[96];
    memcpy(local, grad[k], 96);
    snprintf(grad[k], 96, "(s->allreduce ? comm + %d : %.40s)", off, local);
    off += n;
  }
  for (int k = 0; k < it->n_logs; k++) {
    sput(b, "    comm[%d] = %s;\n", off, logv[k]);
    snprintf(logv[k], 96, "(s->allreduce ? comm[%d] : b%d[0])", off, p->root[it->logs[k].node]);
    off++;
  }
  sput(b, "    if (s->allreduce(comm, %d, s->err, sizeof s->err)) return 1;\n  }\n", total);
}

static void emit_phase(Str *b, const Program *prog, int idx, int log_base, Phase *p) {
  const Item *it = &prog->items[idx];
  const Graph *g = p->g;
  Emit e = {b, p, &c_names, cur_shard, NULL, NULL};
  sput(b, "/* phase %s%s */\nstatic int phase_%d(ModelState *s) {\n", it->name, "", idx);
  /* the arena is allocated on a cache line (state_zalloc): aligned vector accesses, no peeling */
  sput(b, "  float *const A = __builtin_assume_aligned(s->arena, 64);\n  (void)A;\n");
  for (int i = 0; i < g->n_nodes; i++) {
    if (!p->need[i] || p->root[i] != i) continue;
    const Node *nd = &g->nodes[i];
    if (p->role[i] == ROLE_VAR)
      sput(b, "  float *const b%d = s->vars[%d];  /* %s */\n", i, nd->var, g->vars[nd->var].name);
    else if (p->role[i] == ROLE_KERNEL)
      sput(b, "  float *const b%d = A + %ld;\n", i, p->off[i]);
    if (nd->op == OP_HPARAM) /* read once per phase: the loops see a local, not a load through s */
      sput(b, "  const float hp%d = (float)s->hparams[%d];  /* %s */\n  (void)hp%d;\n", nd->var, nd->var,
           g->hparams[nd->var].name, nd->var);
    else if (p->role[i] == ROLE_STATIC) {
      int N = shape_numel(nd->shape);
      sput(b, "  static const float b%d[%d] = {", i, N);
      for (int k = 0; k < N; k++) {
        if (k) sput(b, ", ");
        emit_flit(b, nd->data[k]);
      }
      sput(b, "};\n");
    }
  }
  emit_kernels(&e);
  /* effects, in the interpreter's order: check every term, then assign, then step the optimiser */
  char(*grad)[96] = calloc(it->n_params + 1, 96), (*logv)[96] = calloc(it->n_logs + 1, 96);
  for (int k = 0; k < it->n_params; k++) snprintf(grad[k], 96, "b%d", p->root[it->grads[k]]);
  for (int k = 0; k < it->n_logs; k++) snprintf(logv[k], 96, "b%d[0]", p->root[it->logs[k].node]);
  if (cur_shard && it->entry == 0) emit_allreduce(b, g, it, p, grad, logv);
  for (int k = 0; k < it->n_logs; k++) {
    sput(b, "  s->logs[%d] = %s;\n", log_base + k, logv[k]);
    sput(b,
         "  if (!isfinite(s->logs[%d])) { snprintf(s->err, sizeof s->err, \"phase %s: %s is %%s\", "
         "isnan(s->logs[%d]) ? \"NaN\" : \"Inf\"); return 3; }\n",
         log_base + k, it->name, it->logs[k].name, log_base + k);
  }
  for (int k = 0; k < it->n_params; k++) {
    int v = it->params[k];
    sput(b,
         "  if (!ebm_all_finite(%s, %d)) { snprintf(s->err, sizeof s->err, "
         "\"phase %s: the gradient of %s is not finite\"); return 3; }\n",
         grad[k], shape_numel(g->vars[v].shape), it->name, g->vars[v].name);
  }
  for (int k = 0; k < it->n_assigns; k++) {
    int v = it->assigns[k].var, src = p->root[it->assigns[k].node];
    if (p->role[src] == ROLE_VAR && g->nodes[src].var == v) continue;
    sput(b, "  memcpy(s->vars[%d], b%d, %d * sizeof(float));  /* %s */\n", v, src, shape_numel(g->vars[v].shape),
         g->vars[v].name);
  }
  if (it->opt >= 0) {
    const Optimizer *o = &prog->opts[it->opt];
    sput(b, "  const long t = ++s->opt_t[%d];\n", it->opt);
    for (int k = 0; k < it->n_params; k++) {
      int v = it->params[k];
      char lr[256], b1[64], b2[64], eps[64];
      adam_lr_expr(o, "t", "s->lr_scale", "s->hparams", lr, sizeof lr);
      opt_arg(o->hp_beta1, o->beta1, "s->hparams", b1, sizeof b1);
      opt_arg(o->hp_beta2, o->beta2, "s->hparams", b2, sizeof b2);
      opt_arg(o->hp_eps, o->eps, "s->hparams", eps, sizeof eps);
      sput(b, "  adam_step_f32(s->vars[%d], s->adam_m[%d], s->adam_v[%d], %s, %d, %s, %s, %s, %s, t);\n", v, v, v,
           grad[k], shape_numel(g->vars[v].shape), lr, b1, b2, eps);
    }
  }
  sput(b, "  return 0;\n}\n\n");
  free(grad);
  free(logv);
}

static void driver_head(Str *b, const Program *prog, int entry) {
  sput(b, "static int entry_%d(ModelState *s, long step) {  /* %s */\n  int rc;\n  s->step = (uint32_t)step;\n", entry,
       prog->entries[entry].name);
}

static void call(Str *b, int indent, int phase, const char *iter) {
  sput(b, "%*ss->iter = %s;\n%*sif ((rc = phase_%d(s))) return rc;\n", indent, "", iter, indent, "", phase);
}

static void driver_tail(Str *b, const Program *prog, int entry) {
  (void)prog;
  (void)entry;
  sput(b, "  return 0;\n}\n\n");
}

char *emit_c_model(const Graph *g, const Program *prog, const EmitInfo *info) {
  const Backend be = {conv_scratch, emit_phase, driver_head, call, driver_tail, NULL, "", "s->hparams"};
  cur_shard = info->shard;
  char *text = emit_model(g, prog, info, &be);
  cur_shard = NULL;
  return text;
}
