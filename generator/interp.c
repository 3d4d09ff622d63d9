/* Reference interpreter. Every kernel computes in double; in f32 mode each
 * node's result is rounded to float, which is what f32 storage means. */
#include "interp.h"

#include <cblas.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "gemm.h"
#include "init.h"
#include "philox.h"
#include "vmath.h"

/* Shapes right-aligned to 4 axes ([B,n] -> [1,1,B,n]) so the innermost loop
 * runs along the longest axis; `off` maps an IR axis to its position here. */
typedef struct {
  int d[4];
  int st[4];
  int off;
} Idx4;

static Idx4 idx4(Shape s) {
  Idx4 r;
  r.off = 4 - s.rank;
  for (int i = 0; i < 4; i++) r.d[i] = i < r.off ? 1 : s.d[i - r.off];
  r.st[3] = 1;
  for (int i = 2; i >= 0; i--) r.st[i] = r.st[i + 1] * r.d[i + 1];
  return r;
}

#define FOR4(D)                             \
  for (int i0 = 0; i0 < (D).d[0]; i0++)     \
    for (int i1 = 0; i1 < (D).d[1]; i1++)   \
      for (int i2 = 0; i2 < (D).d[2]; i2++) \
        for (int i3 = 0; i3 < (D).d[3]; i3++)

/* One loop per op (the switch stays outside the element loop). */
// an op table, one entry per op, laid out by hand:
// clang-format off
#define MAP1(OP, EXPR) case OP: for (int i = 0; i < N; i++) { double x = a[i]; y[i] = (EXPR); } break;
#define MAP2(OP, EXPR) case OP: for (int i = 0; i < N; i++) { double x = a[i], z = b[i]; y[i] = (EXPR); } break;

static void unary(OpCode op, const double *a, double *y, int N) {
  switch (op) {
    MAP1(OP_NEG, -x) MAP1(OP_EXP, exp(x)) MAP1(OP_LOG, log(x)) MAP1(OP_LOG1P, log1p(x)) MAP1(OP_SIN, sin(x))
    MAP1(OP_COS, cos(x)) MAP1(OP_TANH, tanh(x)) MAP1(OP_SQRT, sqrt(x)) MAP1(OP_ABS, fabs(x))
    MAP1(OP_SIGN, (x > 0) - (x < 0)) MAP1(OP_STOP_GRAD, x)
    MAP1(OP_SIGMOID, x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)))
    default: abort();
  }
}

/* f32 mode: an f32 program calls the float functions (the compiled trainers
 * call the same ones), so both round identically. */
static void unary_f32(OpCode op, const double *a, double *y, int N) {
  switch (op) {
    MAP1(OP_EXP, ebm_expf((float)x)) MAP1(OP_LOG, logf((float)x)) MAP1(OP_LOG1P, log1pf((float)x))
    MAP1(OP_SIN, sinf((float)x)) MAP1(OP_COS, cosf((float)x)) MAP1(OP_TANH, tanhf((float)x))
    MAP1(OP_SQRT, sqrtf((float)x))
    MAP1(OP_SIGMOID, ebm_sigmoidf((float)x))
    default: unary(op, a, y, N);
  }
}

static void binary(OpCode op, const double *a, const double *b, double *y, int N) {
  switch (op) {
    MAP2(OP_ADD, x + z) MAP2(OP_SUB, x - z) MAP2(OP_MUL, x * z) MAP2(OP_DIV, x / z)
    MAP2(OP_GT, x > z) MAP2(OP_GE, x >= z) MAP2(OP_EQ, x == z)
    default: abort();
  }
}
// clang-format on

static void matmul(const Node *n, const Shape *sa, const Shape *sb, const double *A, const double *B, double *C,
                   int f64) {
  int m = n->shape.d[0], nn = n->shape.d[1], k = n->ta ? sa->d[0] : sa->d[1];
  int lda = sa->d[1], ldb = sb->d[1];
  CBLAS_TRANSPOSE ta = n->ta ? CblasTrans : CblasNoTrans, tb = n->tb ? CblasTrans : CblasNoTrans;
  if (f64) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, nn, k, 1.0, A, lda, B, ldb, 0.0, C, nn);
    return;
  }
  int na = shape_numel(*sa), nb = shape_numel(*sb);
  float *fa = malloc((na + nb + m * nn) * sizeof(float)), *fb = fa + na, *fc = fb + nb;
  for (int i = 0; i < na; i++) fa[i] = (float)A[i];
  for (int i = 0; i < nb; i++) fb[i] = (float)B[i];
  ebm_sgemm(n->ta, n->tb, m, nn, k, fa, lda, fb, ldb, fc);
  for (int i = 0; i < m * nn; i++) C[i] = fc[i];
  free(fa);
}

/* f64: direct loops over the defining sum (independent of runtime/conv.c, which
 * they check); f32: the trainers' im2col + sgemm code, for bitwise parity. */
static void conv(const Graph *g, const Node *n, int id, const double *a, const double *b, double *y, int f64) {
  ConvDims d;
  ir_conv_dims(g, id, &d);
  if (!f64) {
    size_t na = shape_numel(g->nodes[n->in[0]].shape), nb = shape_numel(g->nodes[n->in[1]].shape);
    size_t no = shape_numel(n->shape);
    float *fa = malloc((na + nb + no + conv_workspace(&d)) * sizeof(float)), *fb = fa + na, *fo = fb + nb,
          *ws = fo + no;
    for (size_t i = 0; i < na; i++) fa[i] = (float)a[i];
    for (size_t i = 0; i < nb; i++) fb[i] = (float)b[i];
    if (n->op == OP_CONV)
      conv_f32(&d, fa, fb, fo, ws);
    else if (n->op == OP_CONV_TX)
      conv_tx_f32(&d, fa, fb, fo, ws);
    else
      conv_tw_f32(&d, fa, fb, fo, ws);
    for (size_t i = 0; i < no; i++) y[i] = fo[i];
    free(fa);
    return;
  }
  for (int bn = 0; bn < d.N; bn++)
    for (int o = 0; o < d.O; o++)
      for (int i = 0; i < d.HO; i++)
        for (int j = 0; j < d.WO; j++)
          for (int c = 0; c < d.C; c++)
            for (int ka = 0; ka < d.KH; ka++)
              for (int kb = 0; kb < d.KW; kb++) {
                int h = d.S * i + ka - d.P, v = d.S * j + kb - d.P;
                if (h < 0 || h >= d.H || v < 0 || v >= d.W) continue;
                size_t xi = (((size_t)bn * d.C + c) * d.H + h) * d.W + v;
                size_t wi = (((size_t)o * d.C + c) * d.KH + ka) * d.KW + kb;
                size_t yi = (((size_t)bn * d.O + o) * d.HO + i) * d.WO + j;
                switch (n->op) {
                  case OP_CONV:
                    y[yi] += a[xi] * b[wi];
                    break; /* a = x, b = w */
                  case OP_CONV_TX:
                    y[xi] += a[yi] * b[wi];
                    break; /* a = y, b = w */
                  default:
                    y[wi] += a[xi] * b[yi];
                    break; /* a = x, b = y */
                }
              }
}

static int eval_node(const Graph *g, const Interp *ip, int id, double **val) {
  const Node *n = &g->nodes[id];
  int N = shape_numel(n->shape);
  double *y = calloc(N ? N : 1, sizeof(double));
  const double *a = n->n_in > 0 ? val[n->in[0]] : NULL;
  const double *b = n->n_in > 1 ? val[n->in[1]] : NULL;
  Idx4 o = idx4(n->shape);
  switch (op_kind(n->op)) {
    case KIND_LEAF:
      switch (n->op) {
        case OP_CONST:
          for (int i = 0; i < N; i++) y[i] = n->data ? n->data[i] : n->fval;
          break;
        case OP_VAR:
          memcpy(y, ip->vars[n->var], N * sizeof(double));
          break;
        case OP_STEP:
          y[0] = ip->step;
          break;
        case OP_HPARAM:
          y[0] = ip->hparams ? ip->hparams[n->var] : g->hparams[n->var].dflt;
          break;
        case OP_UNIFORM:
          for (int i = 0; i < N; i++) y[i] = philox_uniform(ip->seed, n->stream, ip->iter, ip->step, i);
          break;
        case OP_NORMAL:
          for (int i = 0; i < N; i++) y[i] = philox_normal(ip->seed, n->stream, ip->iter, ip->step, i);
          break;
        case OP_DATA: {
          float *buf = malloc(N * sizeof(float));
          if (!ip->data ||
              ip->data(ip->data_ctx, buf, n->shape.d[0], n->shape.d[1], ip->seed, n->stream, ip->iter, ip->step)) {
            free(buf);
            free(y);
            return -1;
          }
          for (int i = 0; i < N; i++) y[i] = buf[i];
          free(buf);
          break;
        }
        default:
          abort();
      }
      break;
    case KIND_UNARY:
      if (ip->f64)
        unary(n->op, a, y, N);
      else
        unary_f32(n->op, a, y, N);
      break;
    case KIND_BINARY:
      binary(n->op, a, b, y, N);
      break;
    case KIND_SELECT: {
      const double *c = val[n->in[2]];
      for (int i = 0; i < N; i++) y[i] = a[i] != 0 ? b[i] : c[i];
      break;
    }
    case KIND_MATMUL:
      matmul(n, &g->nodes[n->in[0]].shape, &g->nodes[n->in[1]].shape, a, b, y, ip->f64);
      break;
    case KIND_CONV:
      conv(g, n, id, a, b, y, ip->f64);
      break;
    case KIND_SHAPE: {
      Idx4 in = idx4(g->nodes[n->in[0]].shape);
      switch (n->op) {
        case OP_BROADCAST:
          FOR4(o) {
            int j = (in.d[0] == 1 ? 0 : i0) * in.st[0] + (in.d[1] == 1 ? 0 : i1) * in.st[1] +
                    (in.d[2] == 1 ? 0 : i2) * in.st[2] + (in.d[3] == 1 ? 0 : i3) * in.st[3];
            y[i0 * o.st[0] + i1 * o.st[1] + i2 * o.st[2] + i3 * o.st[3]] = a[j];
          }
          break;
        case OP_SUM:
        case OP_MAX: {
          int is_max = n->op == OP_MAX;
          int cols = ir_sum_columns(g, id);
          if (cols) { /* emit_c.c's order: per last-axis column, then the columns */
            double *acc = calloc(cols, sizeof(double));
            for (int i = 0, M = shape_numel(g->nodes[n->in[0]].shape); i < M; i++) acc[i % cols] += a[i];
            for (int c = 0; c < cols; c++) y[0] += acc[c];
            free(acc);
            break;
          }
          for (int i = 0; i < N; i++) y[i] = is_max ? -INFINITY : 0.0;
          FOR4(in) {
            int j = (o.d[0] == 1 ? 0 : i0) * o.st[0] + (o.d[1] == 1 ? 0 : i1) * o.st[1] +
                    (o.d[2] == 1 ? 0 : i2) * o.st[2] + (o.d[3] == 1 ? 0 : i3) * o.st[3];
            double x = a[i0 * in.st[0] + i1 * in.st[1] + i2 * in.st[2] + i3 * in.st[3]];
            if (is_max) {
              if (x > y[j] || isnan(x)) y[j] = x;
            } else
              y[j] += x;
          }
          break;
        }
        case OP_RESHAPE:
          memcpy(y, a, N * sizeof(double));
          break;
        case OP_TRANSPOSE:
          FOR4(o) {
            int ii[4] = {i0, i1, i2, i3}, src[4] = {0, 0, 0, 0};
            for (int k = 0; k < n->shape.rank; k++) src[n->perm[k] + o.off] = ii[k + o.off];
            y[i0 * o.st[0] + i1 * o.st[1] + i2 * o.st[2] + i3 * o.st[3]] =
                a[src[0] * in.st[0] + src[1] * in.st[1] + src[2] * in.st[2] + src[3] * in.st[3]];
          }
          break;
        case OP_SLICE: {
          int s[4] = {0, 0, 0, 0};
          for (int k = 0; k < n->shape.rank; k++) s[k + o.off] = n->start[k];
          FOR4(o) {
            int j = (i0 + s[0]) * in.st[0] + (i1 + s[1]) * in.st[1] + (i2 + s[2]) * in.st[2] + (i3 + s[3]) * in.st[3];
            y[i0 * o.st[0] + i1 * o.st[1] + i2 * o.st[2] + i3 * o.st[3]] = a[j];
          }
          break;
        }
        case OP_PAD: {
          int s[4] = {0, 0, 0, 0};
          for (int k = 0; k < n->shape.rank; k++) s[k + o.off] = n->start[k];
          FOR4(in) {
            int j = (i0 + s[0]) * o.st[0] + (i1 + s[1]) * o.st[1] + (i2 + s[2]) * o.st[2] + (i3 + s[3]) * o.st[3];
            y[j] = a[i0 * in.st[0] + i1 * in.st[1] + i2 * in.st[2] + i3 * in.st[3]];
          }
          break;
        }
        case OP_CONCAT: {
          int off = 0;
          for (int k = 0; k < n->n_in; k++) {
            Idx4 ik = idx4(g->nodes[n->in[k]].shape);
            const double *src = val[n->in[k]];
            FOR4(ik) {
              int ii[4] = {i0, i1, i2, i3};
              ii[n->axis + o.off] += off;
              y[ii[0] * o.st[0] + ii[1] * o.st[1] + ii[2] * o.st[2] + ii[3] * o.st[3]] =
                  src[i0 * ik.st[0] + i1 * ik.st[1] + i2 * ik.st[2] + i3 * ik.st[3]];
            }
            off += ik.d[n->axis + o.off];
          }
          break;
        }
        default:
          abort();
      }
      break;
    }
  }
  if (!ip->f64)
    for (int i = 0; i < N; i++) y[i] = (float)y[i];
  val[id] = y;
  return 0;
}

int interp_eval(const Graph *g, const Interp *ip, int n_out, const int *outs, double **results) {
  static int blas_pinned;
  if (!blas_pinned) {
    openblas_set_num_threads(1); /* one fixed summation order */
    /* node buffers come and go every phase: keep them on the heap, not in fresh mmaps */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    blas_pinned = 1;
  }
  int n = g->n_nodes, rc = 0;
  char *need = malloc(n);
  ir_reachable(g, n_out, outs, need);
  /* last use of every node, so intermediate buffers are freed as soon as possible */
  int *last = malloc(n * sizeof(int));
  for (int i = 0; i < n; i++) last[i] = -1;
  for (int i = 0; i < n; i++)
    if (need[i])
      for (int k = 0; k < g->nodes[i].n_in; k++) last[g->nodes[i].in[k]] = i;
  for (int k = 0; k < n_out; k++) last[outs[k]] = n; /* outputs survive */
  double **val = calloc(n, sizeof(double *));
  for (int i = 0; i < n && !rc; i++) {
    if (!need[i]) continue;
    rc = eval_node(g, ip, i, val);
    for (int k = 0; k < g->nodes[i].n_in; k++) {
      int x = g->nodes[i].in[k];
      if (last[x] == i) {
        free(val[x]);
        val[x] = NULL;
      }
    }
  }
  for (int k = 0; k < n_out; k++) {
    if (rc) {
      results[k] = NULL;
      continue;
    }
    int N = shape_numel(g->nodes[outs[k]].shape);
    results[k] = malloc((N ? N : 1) * sizeof(double));
    memcpy(results[k], val[outs[k]], N * sizeof(double));
  }
  for (int i = 0; i < n; i++) free(val[i]);
  free(val);
  free(last);
  free(need);
  return rc;
}

void interp_init_var(const Graph *g, int v, uint64_t seed, double *out, int f64) {
  const Var *var = &g->vars[v];
  int N = shape_numel(var->shape);
  for (int i = 0; i < N; i++) {
    double x = init_value(var->init_kind, var->init_a, var->init_b, seed, v, i);
    out[i] = f64 ? x : (float)x;
  }
}
