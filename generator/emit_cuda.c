/* The CUDA emitter: the same phases, fusion roles and arena plan as the C
 * emitter (emit_common.c), lowered to kernels with constant shapes:
 *  - elementwise kernels (with their inlined producers): one thread per element;
 *  - reductions: one block per output element, a shared-memory tree (sums in double);
 *  - matmuls: cublasSgemm, row-major as the transposed column-major product;
 *    a bias row added to the product (in place) is cuBLASLt's bias epilogue;
 *  - transpose, slice, pad, concat: one thread per output element;
 *  - data batches: drawn on the host (a host node of the graph) and copied.
 * Every buffer is a constant offset into one device arena: the variables, the
 * Adam moments, a data-parallel trainer's all-reduce buffer, then the phases'
 * scratch (runtime/cuda/cuda_rt.h). The training step is captured once into a
 * CUDA Graph by the runtime. A data-parallel trainer (--mpi-ranks) draws its
 * batch rows as emit_c does and averages each training phase's gradients and
 * logged values with NCCL (runtime/cuda/cuda_nccl.cu) before anything reads them. */
#include "emit_cuda.h"

#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "emit_common.h"

enum { THREADS = 256 };

/* Where the variables and moments sit (floats from F), and the checks so far.
 * One model is emitted at a time: emit_cuda_model fills this. */
static struct {
  const ShardPlan *shard;                       /* data-parallel (NULL: one process) */
  long *var_off, *m_off, *v_off, comm, scratch; /* comm: the all-reduce buffer */
  long hp_off;                                  /* the hyper-parameters, uploaded by the runtime with the state */
  Str checks;                                   /* C string literals, one per check */
  int n_checks;
  char *static_done; /* constant data already defined */
  char *epilogue;    /* bias additions done by their matmul's epilogue (this phase) */
} L;

static long align16(long x) { return (x + 15) & ~15L; }

/* node i's storage: an offset from F, or a constant array */
static void bufname(Str *b, const Phase *p, int i) {
  int r = p->root[i];
  if (p->role[r] == ROLE_VAR)
    sput(b, "(F + %ld)", L.var_off[p->g->nodes[r].var]);
  else if (p->role[r] == ROLE_STATIC)
    sput(b, "c%d", r);
  else
    sput(b, "(F + %ld)", L.scratch + p->off[r]);
}

/* hparam_fmt: "F[<hp_off> + %d]", the hyper-parameter block in the arena (emit_cuda_model) */
static char hparam_fmt[64];
static const ExprNames cuda_names = {bufname,   "c->seed", "iter", "c->step", "philox_uniform_at", "philox_normal_at",
                                     "c->rank", hparam_fmt};

/* a device pointer the host code passes on (to cuBLAS, a copy); constant
 * data is a __device__ array, whose address the runtime looks up */
static char *hostptr(const Phase *p, int i, const char *what) {
  (void)what;
  Str b = {0};
  if (p->role[p->root[i]] == ROLE_STATIC)
    sput(&b, "dev_ptr(c%d)", p->root[i]);
  else
    bufname(&b, p, i);
  return b.s;
}

/* coordinates i0..i(rank-1) of flat index `ix` in shape s; (void) so unused ones do not warn */
static void coords_of(Str *b, Shape s, const char *ix) {
  long st[4];
  emit_strides(s, st);
  for (int k = 0; k < s.rank; k++) {
    sput(b, "  const int i%d = %s / %ld", k, ix, st[k]);
    if (k) sput(b, " %% %d", s.d[k]);
    sput(b, ";\n  (void)i%d;\n", k);
  }
}

static void kernel_open(Str *b, int phase, int i) {
  sput(b, "static __global__ void __launch_bounds__(%d) k%d_%d(float *F, const DevCtr *c, uint32_t iter) {\n", THREADS,
       phase, i);
}

/* a label for error messages: the kernel, its node and the model line */
static void label(Str *b, const Graph *g, int phase, int i) {
  const Node *nd = &g->nodes[i];
  sput(b, "\"k%d_%d (%%%d = %s", phase, i, i, op_name(nd->op));
  if (nd->line) sput(b, ", line %d", nd->line);
  sput(b, ")\"");
}

static void launch(Str *host, const Graph *g, int phase, int i, long blocks) {
  sput(host, "  k%d_%d<<<%ld, %d, 0, d->stream>>>(F, d->ctr, iter);\n  if (cuda_launched(d, ", phase, i, blocks,
       THREADS);
  label(host, g, phase, i);
  sput(host, ")) return 1;\n");
}

static void elementwise(Emit *e, Str *host, int phase, int i) {
  Str *b = e->out;
  Shape s = e->p->g->nodes[i].shape;
  int N = shape_numel(s), coords = s.rank > 1 && N > 1;
  kernel_open(b, phase, i);
  sput(b, "  const int i = blockIdx.x * %d + threadIdx.x;\n  if (i >= %d) return;\n", THREADS, N);
  if (coords) coords_of(b, s, "i");
  sput(b, "  ");
  bufname(b, e->p, i);
  sput(b, "[i] = ");
  emit_self_expr(e, i, coords);
  sput(b, ";\n}\n");
  launch(host, e->p->g, phase, i, (N + THREADS - 1) / THREADS);
}

static void reduce(Emit *e, Str *host, int phase, int i) {
  Str *b = e->out;
  const Node *nd = &e->p->g->nodes[i];
  Shape in = e->p->g->nodes[nd->in[0]].shape;
  int is_max = nd->op == OP_MAX, R = 1;
  long so[4], rs[4];
  emit_strides(nd->shape, so);
  for (int k = in.rank - 1; k >= 0; k--)
    if (nd->axes & (1 << k)) {
      rs[k] = R;
      R *= in.d[k];
    }
  const char *acc_t = is_max ? "float" : "double";
  kernel_open(b, phase, i);
  sput(b, "  const int o = blockIdx.x, t = threadIdx.x;\n  __shared__ %s part[%d];\n  %s acc = %s;\n", acc_t, THREADS,
       acc_t, is_max ? "-INFINITY" : "0.0");
  sput(b, "  for (int r = t; r < %d; r += %d) {\n", R, THREADS);
  for (int k = 0; k < in.rank; k++) {
    if (nd->axes & (1 << k))
      sput(b, "    const int i%d = r / %ld %% %d;\n", k, rs[k], in.d[k]);
    else
      sput(b, "    const int i%d = o / %ld %% %d;\n", k, so[k], in.d[k]);
    sput(b, "    (void)i%d;\n", k);
  }
  sput(b, "    const int i = ");
  emit_index_expr(b, in, NULL);
  sput(b, ";\n    (void)i;\n    const float x = ");
  emit_expr(e, nd->in[0], "i", 1);
  sput(b, is_max ? ";\n    if (x > acc || x != x) acc = x;\n  }\n" : ";\n    acc += x;\n  }\n");
  sput(b, "  part[t] = acc;\n  __syncthreads();\n  for (int w = %d; w > 0; w >>= 1) {\n", THREADS / 2);
  if (is_max)
    sput(b, "    if (t < w && (part[t + w] > part[t] || part[t + w] != part[t + w])) part[t] = part[t + w];\n");
  else
    sput(b, "    if (t < w) part[t] += part[t + w];\n");
  sput(b, "    __syncthreads();\n  }\n  if (t == 0) ");
  bufname(b, e->p, i);
  sput(b, "[o] = (float)part[0];\n}\n");
  launch(host, e->p->g, phase, i, shape_numel(nd->shape));
}

/* The bias addition a matmul m can do in its epilogue: m's only reader is
 * ADD(m, broadcast row) or ADD(broadcast row, m), written in place over m's
 * buffer (so writing it at m's time clobbers nothing live), the row a [1, N]
 * variable. Returns the ADD node (and the row's node), or -1. */
static int bias_add(const Phase *p, int m, int *row) {
  const Graph *g = p->g;
  if (p->uses[m] != 1 || p->is_out[m]) return -1;
  int j = m + 1;
  while (j < p->n && !(p->need[j] && g->nodes[j].n_in == 2 && (g->nodes[j].in[0] == m || g->nodes[j].in[1] == m))) j++;
  if (j == p->n || g->nodes[j].op != OP_ADD || p->role[j] != ROLE_KERNEL || p->off[j] != p->off[m]) return -1;
  int b = g->nodes[j].in[g->nodes[j].in[0] == m];
  if (p->role[b] != ROLE_INLINE || g->nodes[b].op != OP_BROADCAST) return -1;
  int r = g->nodes[b].in[0];
  Shape rs = g->nodes[r].shape;
  if (p->role[r] == ROLE_INLINE || p->role[p->root[r]] != ROLE_VAR || rs.rank != 2 || rs.d[0] != 1) return -1;
  *row = r;
  return j;
}

/* row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T */
static void matmul(Emit *e, Str *host, int phase, int i) {
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  Shape sa = g->nodes[nd->in[0]].shape, sb = g->nodes[nd->in[1]].shape;
  int M = nd->shape.d[0], N = nd->shape.d[1], K = nd->ta ? sa.d[0] : sa.d[1], row;
  char *A = hostptr(e->p, nd->in[0], "matmul operand"), *B = hostptr(e->p, nd->in[1], "matmul operand");
  const char *ta = nd->ta ? "CUBLAS_OP_T" : "CUBLAS_OP_N", *tb = nd->tb ? "CUBLAS_OP_T" : "CUBLAS_OP_N";
  int j = bias_add(e->p, i, &row);
  Str C = {0};
  bufname(&C, e->p, j >= 0 ? j : i);
  if (j >= 0) {
    char *bias = hostptr(e->p, row, "bias");
    emit_node_comment(host, g, j);
    sput(host, "  if (cuda_gemm_bias(d, %s, %s, %d, %d, %d, %s, %d, %s, %d, %s, %s, ", tb, ta, N, M, K, B, sb.d[1], A,
         sa.d[1], bias, C.s);
    L.epilogue[j] = 1;
    free(bias);
  } else
    sput(host, "  if (cuda_blas_ok(d, cublasSgemm(d->blas, %s, %s, %d, %d, %d, &one, %s, %d, %s, %d, &zero, %s, %d), ",
         tb, ta, N, M, K, B, sb.d[1], A, sa.d[1], C.s, N);
  label(host, g, phase, i);
  sput(host, ")) return 1;\n");
  free(A);
  free(B);
  free(C.s);
}

/* transpose, slice, pad, concat: out[i] from its coordinates */
static void datamove(Emit *e, Str *host, int phase, int i) {
  Str *b = e->out;
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  Shape s = nd->shape, si = g->nodes[nd->in[0]].shape;
  int N = shape_numel(s);
  long st[4];
  emit_strides(si, st);
  kernel_open(b, phase, i);
  sput(b, "  const int i = blockIdx.x * %d + threadIdx.x;\n  if (i >= %d) return;\n", THREADS, N);
  coords_of(b, s, "i");
  Str out = {0}, src = {0};
  bufname(&out, e->p, i);
  bufname(&src, e->p, nd->in[0]);
  switch (nd->op) {
    case OP_TRANSPOSE:
      sput(b, "  %s[i] = %s[", out.s, src.s);
      for (int k = 0; k < s.rank; k++) sput(b, "%si%d * %ld", k ? " + " : "", k, st[nd->perm[k]]);
      sput(b, "];\n");
      break;
    case OP_SLICE:
      sput(b, "  %s[i] = %s[", out.s, src.s);
      emit_index_expr(b, si, nd->start);
      sput(b, "];\n");
      break;
    case OP_PAD:
      sput(b, "  %s[i] = ", out.s);
      for (int k = 0; k < s.rank; k++)
        sput(b, "%si%d >= %d && i%d < %d", k ? " && " : "", k, nd->start[k], k, nd->start[k] + si.d[k]);
      sput(b, " ? %s[", src.s);
      for (int k = 0; k < s.rank; k++) sput(b, "%s(i%d - %d) * %ld", k ? " + " : "", k, nd->start[k], st[k]);
      sput(b, "] : 0.0f;\n");
      break;
    case OP_CONCAT: {
      int off = 0, ax = nd->axis;
      for (int j = 0; j < nd->n_in; j++) {
        Shape sj = g->nodes[nd->in[j]].shape;
        long sjs[4];
        emit_strides(sj, sjs);
        Str in = {0};
        bufname(&in, e->p, nd->in[j]);
        sput(b, "  if (i%d < %d) { %s[i] = %s[", ax, off + sj.d[ax], out.s, in.s);
        for (int k = 0; k < s.rank; k++) {
          if (k == ax && off)
            sput(b, "%s(i%d - %d) * %ld", k ? " + " : "", k, off, sjs[k]);
          else
            sput(b, "%si%d * %ld", k ? " + " : "", k, sjs[k]);
        }
        sput(b, "]; return; }\n");
        off += sj.d[ax];
        free(in.s);
      }
      break;
    }
    default:
      ir_fail("emit_cuda: no data-movement kernel for %s", op_name(nd->op));
  }
  sput(b, "}\n");
  free(out.s);
  free(src.s);
  launch(host, g, phase, i, (N + THREADS - 1) / THREADS);
}

/* The convolution ops as direct sums, one thread per output element,
 * accumulated in double (a plain first lowering: no im2col + cuBLAS yet). */
static void conv(Emit *e, Str *host, int phase, int i) {
  Str *b = e->out;
  const Graph *g = e->p->g;
  const Node *nd = &g->nodes[i];
  ConvDims d;
  ir_conv_dims(g, i, &d);
  int N = shape_numel(nd->shape);
  Str out = {0}, A = {0}, B = {0};
  bufname(&out, e->p, i);
  bufname(&A, e->p, nd->in[0]);
  bufname(&B, e->p, nd->in[1]);
  kernel_open(b, phase, i);
  sput(b, "  const int t = blockIdx.x * %d + threadIdx.x;\n  if (t >= %d) return;\n  double acc = 0;\n", THREADS, N);
  const char *X = "x[((n * C + ch) * H + h) * W + v]", *Wt = "w[((o * C + ch) * KH + a) * KW + q]";
  const char *Y = "y[((n * O + o) * HO + i) * WO + j]";
  sput(b,
       "  const int C = %d, H = %d, W = %d, O = %d, KH = %d, KW = %d, S = %d, P = %d, HO = %d, WO = %d, NB = %d;\n"
       "  (void)NB;\n",
       d.C, d.H, d.W, d.O, d.KH, d.KW, d.S, d.P, d.HO, d.WO, d.N);
  switch (nd->op) {
    case OP_CONV: /* (x, w) -> y[n, o, i, j] */
      sput(b,
           "  const float *x = %s, *w = %s;\n  const int j = t %% WO, i = t / WO %% HO, o = t / (WO * HO) %% O, n = t "
           "/ (WO * HO * O);\n"
           "  for (int ch = 0; ch < C; ch++) for (int a = 0; a < KH; a++) for (int q = 0; q < KW; q++) {\n"
           "    const int h = S * i + a - P, v = S * j + q - P;\n"
           "    if (h >= 0 && h < H && v >= 0 && v < W) acc += (double)%s * %s;\n  }\n",
           A.s, B.s, X, Wt);
      break;
    case OP_CONV_TX: /* (y, w) -> x[n, ch, h, v] */
      sput(b,
           "  const float *y = %s, *w = %s;\n  const int v = t %% W, h = t / W %% H, ch = t / (W * H) %% C, n = t / (W "
           "* H * C);\n"
           "  for (int o = 0; o < O; o++) for (int a = 0; a < KH; a++) for (int q = 0; q < KW; q++) {\n"
           "    const int hi = h + P - a, vj = v + P - q;\n"
           "    if (hi < 0 || vj < 0 || hi %% S || vj %% S) continue;\n"
           "    const int i = hi / S, j = vj / S;\n"
           "    if (i < HO && j < WO) acc += (double)%s * %s;\n  }\n",
           A.s, B.s, Y, Wt);
      break;
    default: /* (x, y) -> w[o, ch, a, q] */
      sput(b,
           "  const float *x = %s, *y = %s;\n  const int q = t %% KW, a = t / KW %% KH, ch = t / (KW * KH) %% C, o = t "
           "/ (KW * KH * C);\n"
           "  for (int n = 0; n < NB; n++) for (int i = 0; i < HO; i++) for (int j = 0; j < WO; j++) {\n"
           "    const int h = S * i + a - P, v = S * j + q - P;\n"
           "    if (h >= 0 && h < H && v >= 0 && v < W) acc += (double)%s * %s;\n  }\n",
           A.s, B.s, X, Y);
      break;
  }
  sput(b, "  %s[t] = (float)acc;\n}\n", out.s);
  free(out.s);
  free(A.s);
  free(B.s);
  launch(host, g, phase, i, (N + THREADS - 1) / THREADS);
}

static void kernel(Emit *e, Str *host, int phase, int i) {
  const Node *nd = &e->p->g->nodes[i];
  if (L.epilogue[i]) return;
  emit_node_comment(e->out, e->p->g, i);
  switch (op_kind(nd->op)) {
    case KIND_MATMUL:
      matmul(e, host, phase, i);
      return;
    case KIND_CONV:
      conv(e, host, phase, i);
      return;
    case KIND_SHAPE:
      if (nd->op == OP_SUM || nd->op == OP_MAX) {
        reduce(e, host, phase, i);
        return;
      }
      if (nd->op != OP_BROADCAST && nd->op != OP_RESHAPE) {
        datamove(e, host, phase, i);
        return;
      }
      break;
    case KIND_LEAF:
      if (nd->op == OP_DATA) {
        char *dst = hostptr(e->p, i, "data batch");
        int R = e->shard && e->shard->node_rows[i] ? e->shard->ranks : 1;
        sput(host, "  if (cuda_data(d, %s, %d, %d, %d, iter, %d)) return 1;\n", dst, nd->shape.d[0], nd->shape.d[1],
             nd->stream, R);
        free(dst);
        return;
      }
      break;
    default:
      break;
  }
  elementwise(e, host, phase, i);
}

static int add_check(const char *fmt, const char *a, const char *b) {
  char msg[600];
  snprintf(msg, sizeof msg, fmt, a, b);
  sput(&L.checks, "  ");
  emit_cstring(&L.checks, msg);
  sput(&L.checks, ",\n");
  return L.n_checks++;
}

/* floats a training phase all-reduces: its gradients, then its logged values */
static int comm_floats(const Graph *g, const Item *it) {
  int n = it->n_logs;
  for (int k = 0; k < it->n_params; k++) n += shape_numel(g->vars[it->params[k]].shape);
  return n;
}

/* Data-parallel, as emit_c: the phase's gradients and logged values copied into
 * the all-reduce buffer, averaged over the ranks in one call; grad[k] and logv[k]
 * then name their averaged copies there. */
static void allreduce(Str *host, const Graph *g, const Item *it, char **grad, char **logv) {
  int total = comm_floats(g, it), off = 0;
  if (!total) return;
  for (int k = 0; k < it->n_params + it->n_logs; k++) {
    int is_log = k >= it->n_params, j = is_log ? k - it->n_params : k;
    int n = is_log ? 1 : shape_numel(g->vars[it->params[j]].shape);
    char **name = is_log ? &logv[j] : &grad[j];
    sput(host, "  if (cuda_copy(d, F + %ld, %s, %d, \"gathering %s for the all-reduce\")) return 1;\n", L.comm + off,
         *name, n, is_log ? it->logs[j].name : g->vars[it->params[j]].name);
    free(*name);
    Str at = {0};
    sput(&at, "(F + %ld)", L.comm + off);
    *name = at.s;
    off += n;
  }
  sput(host, "  if (cuda_allreduce_mean(d, F + %ld, %d)) return 1;\n", L.comm, total);
}

static void emit_phase(Str *b, const Program *prog, int idx, int log_base, Phase *p) {
  const Item *it = &prog->items[idx];
  const Graph *g = p->g;
  Str host = {0};
  Emit e = {b, p, &cuda_names, L.shard, NULL, NULL};
  sput(b, "/* ---------- phase %s ---------- */\n\n", it->name);
  for (int i = 0; i < g->n_nodes; i++) {
    if (!p->need[i] || p->root[i] != i || p->role[i] != ROLE_STATIC || L.static_done[i]) continue;
    const Node *nd = &g->nodes[i];
    int N = shape_numel(nd->shape);
    sput(b, "static __device__ const float c%d[%d] = {", i, N);
    for (int k = 0; k < N; k++) {
      if (k) sput(b, ", ");
      emit_flit(b, nd->data[k]);
    }
    sput(b, "};\n\n");
    L.static_done[i] = 1;
  }
  memset(L.epilogue, 0, g->n_nodes);
  sput(&host, "static int phase_%d(CudaDev *d, uint32_t iter) {  /* %s */\n  float *const F = d->F;\n  (void)F;\n", idx,
       it->name);
  for (int i = 0; i < g->n_nodes; i++)
    if (p->need[i] && p->role[i] == ROLE_KERNEL) kernel(&e, &host, idx, i);
  /* effects in the C trainer's order: (the all-reduce,) checks, assignments, the optimiser */
  char **grad = calloc(it->n_params + 1, sizeof(char *)), **logv = calloc(it->n_logs + 1, sizeof(char *));
  for (int k = 0; k < it->n_params; k++) grad[k] = hostptr(p, it->grads[k], "gradient");
  for (int k = 0; k < it->n_logs; k++) logv[k] = hostptr(p, it->logs[k].node, "log tap");
  if (L.shard && it->entry == 0) allreduce(&host, g, it, grad, logv);
  for (int k = 0; k < it->n_logs; k++)
    sput(&host, "  if (cuda_log(d, %s, %d, %d)) return 1;\n", logv[k], log_base + k,
         add_check("phase %s: %s is", it->name, it->logs[k].name));
  for (int k = 0; k < it->n_params; k++) {
    int v = it->params[k];
    sput(&host, "  if (cuda_check_finite(d, %s, %d, %d)) return 1;\n", grad[k], shape_numel(g->vars[v].shape),
         add_check("phase %s: the gradient of %s is not finite", it->name, g->vars[v].name));
  }
  for (int k = 0; k < it->n_assigns; k++) {
    int v = it->assigns[k].var, src = p->root[it->assigns[k].node];
    if (p->role[src] == ROLE_VAR && g->nodes[src].var == v) continue;
    char *x = hostptr(p, src, "assigned value");
    sput(&host, "  if (cuda_copy(d, F + %ld, %s, %d, \"assigning %s (phase %s)\")) return 1;\n", L.var_off[v], x,
         shape_numel(g->vars[v].shape), g->vars[v].name, it->name);
    free(x);
  }
  if (it->opt >= 0) {
    const Optimizer *o = &prog->opts[it->opt];
    sput(&host, "  if (cuda_opt_tick(d, %d)) return 1;\n", it->opt);
    for (int k = 0; k < it->n_params; k++) {
      int v = it->params[k];
      /* lr_scale is read when the step is captured; a rollback releases the device, so the next capture sees the new
       * one */
      /* so are the hyper-parameters: they are fixed for a run */
      char lr[64], lr_min[64], b1[64], b2[64], eps[64];
      opt_arg(o->hp_lr, o->lr, "d->s->hparams", lr, sizeof lr);
      opt_arg(o->hp_lr_min, o->lr_min, "d->s->hparams", lr_min, sizeof lr_min);
      opt_arg(o->hp_beta1, o->beta1, "d->s->hparams", b1, sizeof b1);
      opt_arg(o->hp_beta2, o->beta2, "d->s->hparams", b2, sizeof b2);
      opt_arg(o->hp_eps, o->eps, "d->s->hparams", eps, sizeof eps);
      sput(&host,
           "  if (cuda_adam(d, F + %ld, F + %ld, F + %ld, %s, %d, %d, d->s->lr_scale * %s, d->s->lr_scale * %s, %ld, "
           "%s, %s, %s)) return 1;\n",
           L.var_off[v], L.m_off[v], L.v_off[v], grad[k], shape_numel(g->vars[v].shape), it->opt, lr, lr_min,
           o->horizon, b1, b2, eps);
    }
  }
  for (int k = 0; k < it->n_params; k++) free(grad[k]);
  for (int k = 0; k < it->n_logs; k++) free(logv[k]);
  free(grad);
  free(logv);
  sput(&host, "  return 0;\n}\n\n");
  sput(b, "%s", host.s);
  free(host.s);
}

static void driver_head(Str *b, const Program *prog, int entry) {
  sput(b, "static int body_%d(CudaDev *d) {  /* entry %s */\n  int rc;\n", entry, prog->entries[entry].name);
}

static void call(Str *b, int indent, int phase, const char *iter) {
  sput(b, "%*sif ((rc = phase_%d(d, %s))) return rc;\n", indent, "", phase, iter);
}

static void driver_tail(Str *b, const Program *prog, int entry) {
  (void)prog;
  (void)entry;
  sput(b, "  return 0;\n}\n\n");
}

/* the layout table the runtime reads, then the entry points the model table names */
static void before_tables(Str *b, const Graph *g, const Program *prog, long arena) {
  const char *name[3] = {"var_off", "m_off", "v_off"};
  const long *off[3] = {L.var_off, L.m_off, L.v_off};
  for (int k = 0; k < 3; k++) {
    sput(b, "static const long %s[%d] = {", name[k], g->n_vars ? g->n_vars : 1);
    for (int v = 0; v < g->n_vars; v++) sput(b, "%s%ld", v ? ", " : "", off[k][v]);
    sput(b, "};\n");
  }
  sput(b, "static const char *const checks[%d] = {\n%s};\n", L.n_checks ? L.n_checks : 1, L.checks.s ? L.checks.s : "");
  sput(b, "static const CudaLayout layout = {var_off, m_off, v_off, %ld, %d, checks, %s, %ld};\n\n", L.scratch + arena,
       L.n_checks, L.shard ? "&cuda_nccl" : "NULL", L.hp_off);
  for (int e = 0; e < prog->n_entries; e++)
    sput(b, "static int entry_%d(ModelState *s, long step) { return cuda_entry(s, &layout, %d, step, body_%d); }\n", e,
         e, e);
  sput(b, "\n");
}

char *emit_cuda_model(const Graph *g, const Program *prog, const EmitInfo *info) {
  memset(&L, 0, sizeof L);
  int nv = g->n_vars;
  L.var_off = calloc(nv + 1, sizeof(long));
  L.m_off = calloc(nv + 1, sizeof(long));
  L.v_off = calloc(nv + 1, sizeof(long));
  L.static_done = calloc(g->n_nodes + 1, 1);
  L.epilogue = calloc(g->n_nodes + 1, 1);
  long at = 0;
  for (int v = 0; v < nv; v++) {
    L.var_off[v] = at;
    at += align16(shape_numel(g->vars[v].shape));
  }
  for (int v = 0; v < nv; v++) {
    L.m_off[v] = L.v_off[v] = -1;
    if (g->vars[v].kind != VAR_PARAM) continue;
    L.m_off[v] = at;
    at += align16(shape_numel(g->vars[v].shape));
    L.v_off[v] = at;
    at += align16(shape_numel(g->vars[v].shape));
  }
  L.hp_off = at;
  at += align16(g->n_hparams);
  snprintf(hparam_fmt, sizeof hparam_fmt, "F[%ld + %%d]", L.hp_off);
  L.shard = info->shard;
  L.comm = at;
  for (int i = 0; i < prog->n_items && L.shard; i++) { /* one buffer: the phases run one after another */
    const Item *it = &prog->items[i];
    if (it->kind == ITEM_PHASE && it->entry == 0 && L.comm + align16(comm_floats(g, it)) > at)
      at = L.comm + align16(comm_floats(g, it));
  }
  L.scratch = at;
  const Backend be = {NULL,
                      emit_phase,
                      driver_head,
                      call,
                      driver_tail,
                      before_tables,
                      "  .device_pull = cuda_pull, .device_release = cuda_release,\n",
                      "d->s->hparams"};
  char *text = emit_model(g, prog, info, &be);
  free(L.var_off);
  free(L.m_off);
  free(L.v_off);
  free(L.static_done);
  free(L.epilogue);
  free(L.checks.s);
  return text;
}
