/* The IR: one append-only graph of SSA nodes with static shapes (rank <= 4).
 * Nodes are created in topological order, so an index order is a valid schedule.
 * Broadcasting is explicit (OP_BROADCAST), which keeps every autodiff rule
 * shape-exact: the VJP of a broadcast is a sum and vice versa. */
#ifndef EBM_IR_H
#define EBM_IR_H

#include <stdint.h>
#include <stdio.h>

#define IR_MAX_RANK 4
#define IR_MAX_INPUTS 3
#define IR_MAX_HPARAMS 256 /* run-time hyper-parameters of a model (runtime/cuda/cuda_rt.cu uploads them) */

typedef struct {
  int rank;
  int d[IR_MAX_RANK];
} Shape;

/* Limits that keep every element count in an int (the emitted loops, the
 * interpreter and the trainers count with int): a tensor has at most
 * IR_MAX_NUMEL elements, and a model's variables (parameters, buffers and
 * sampler states) hold at most IR_MAX_VAR_NUMEL numbers in all (8 GB of
 * float32, plus Adam's two moments per parameter). Constructors refuse more
 * with a message at the model file's line. */
#define IR_MAX_NUMEL 2147483647LL
#define IR_MAX_VAR_NUMEL 2000000000LL
/* The front end's own memory and time stay bounded too: the largest shipped
 * model has 4,677 nodes and 202 variables (fmnist_ddaebm), so these are
 * over 100x margins; constant data (ebm.const of a list) is held as doubles. */
#define IR_MAX_NODES 1000000
#define IR_MAX_VARS 20000
#define IR_MAX_CONST_NUMEL 33554432LL

// an op table, one entry per op, laid out by hand:
// clang-format off
/* X-macro: name, number of inputs (-1 = variadic), kind. */
#define IR_OPS(X)                                                              \
  /* leaves */                                                                 \
  X(CONST, 0, LEAF)     /* filled with .fval, or .data if set */              \
  X(VAR, 0, LEAF)       /* a state variable: parameter, buffer, sampler state */ \
  X(DATA, 0, LEAF)      /* a fresh data batch [B,D] drawn on stream .stream */ \
  X(UNIFORM, 0, LEAF)   /* Philox U[0,1) on stream .stream */                  \
  X(NORMAL, 0, LEAF)    /* Philox N(0,1) on stream .stream */                  \
  X(STEP, 0, LEAF)      /* the training iteration t as a scalar */            \
  X(HPARAM, 0, LEAF)    /* run-time hyper-parameter .var of Graph.hparams, a scalar */ \
  /* elementwise unary */                                                      \
  X(NEG, 1, UNARY) X(EXP, 1, UNARY) X(LOG, 1, UNARY) X(LOG1P, 1, UNARY) X(SIN, 1, UNARY)         \
  X(COS, 1, UNARY) X(TANH, 1, UNARY) X(SIGMOID, 1, UNARY) X(SQRT, 1, UNARY)   \
  X(ABS, 1, UNARY) X(SIGN, 1, UNARY)                                           \
  X(STOP_GRAD, 1, UNARY) /* value passes, derivative is zero */              \
  /* elementwise binary, equal shapes */                                       \
  X(ADD, 2, BINARY) X(SUB, 2, BINARY) X(MUL, 2, BINARY) X(DIV, 2, BINARY)     \
  X(GT, 2, BINARY) X(GE, 2, BINARY) X(EQ, 2, BINARY) /* 1.0 or 0.0 */         \
  X(SELECT, 3, SELECT)  /* in0 != 0 ? in1 : in2 */                             \
  /* shape and reduction */                                                    \
  X(BROADCAST, 1, SHAPE) /* expand size-1 axes to .shape (same rank) */       \
  X(SUM, 1, SHAPE)      /* sum over axes in .axes (bitmask), kept as size 1 */ \
  X(MAX, 1, SHAPE)      /* max over axes in .axes, kept as size 1 */          \
  X(RESHAPE, 1, SHAPE)                                                         \
  X(TRANSPOSE, 1, SHAPE) /* out axis i = in axis .perm[i] */                  \
  X(SLICE, 1, SHAPE)    /* window at .start of size .shape */                 \
  X(PAD, 1, SHAPE)      /* zero-pad: input placed at .start inside .shape */  \
  X(CONCAT, -1, SHAPE)  /* along .axis */                                     \
  X(MATMUL, 2, MATMUL)  /* op(A) op(B), 2-D; .ta/.tb transpose flags */     \
  /* 2-D convolution, NCHW, .stride/.pad (runtime/conv.h), and its adjoints */ \
  X(CONV, 2, CONV)      /* (x[N,C,H,W], w[O,C,KH,KW]) -> y[N,O,HO,WO] */      \
  X(CONV_TX, 2, CONV)   /* (y, w) -> x-shaped: the adjoint in x */            \
  X(CONV_TW, 2, CONV)   /* (x, y) -> w-shaped: the adjoint in w */
// clang-format on

typedef enum {
#define X(name, n, kind) OP_##name,
  IR_OPS(X)
#undef X
      OP_COUNT
} OpCode;

typedef enum { KIND_LEAF, KIND_UNARY, KIND_BINARY, KIND_SELECT, KIND_SHAPE, KIND_MATMUL, KIND_CONV } OpKind;

typedef struct {
  OpCode op;
  Shape shape;
  int n_in;
  int *in; /* input node ids (all < this node's id) */
  /* attributes, by op */
  double fval;  /* CONST fill */
  double *data; /* CONST data (owned), or NULL */
  int var;      /* VAR: state variable id; HPARAM: hyper-parameter id */
  int stream;   /* DATA, UNIFORM, NORMAL: Philox stream id */
  int axes;     /* SUM, MAX: bitmask of reduced axes */
  int axis;     /* CONCAT */
  int perm[IR_MAX_RANK];
  int start[IR_MAX_RANK];
  int ta, tb;
  int stride, pad; /* CONV* */
  int line;        /* model-file line that created the node (0 = unknown) */
} Node;

/* State variables live outside the graph: the step program reads them through
 * OP_VAR leaves and writes them after a phase is evaluated. */
typedef enum { VAR_PARAM, VAR_BUFFER, VAR_STATE } VarKind;
typedef struct {
  char *name;
  VarKind kind;
  Shape shape;
  /* initial value: init_kind 0 = fill (init_a), 1 = U(init_a, init_b), 2 = N(init_a, init_b^2) */
  int init_kind;
  double init_a, init_b;
  int node; /* its OP_VAR leaf */
} Var;

/* A run-time hyper-parameter: a scalar the trainer reads from its parameter
 * block (train --set), never folded into the code. Its default is not part of
 * the model's structure (the fingerprint names it, without the value). */
typedef struct {
  char *name, *desc;
  double dflt;
  double lo, hi; /* valid range; lo_open/hi_open exclude the end */
  int lo_open, hi_open;
  int whole; /* only whole numbers (a loop's run-time trip count) */
} HParam;

typedef struct {
  Node *nodes;
  int n_nodes, cap_nodes;
  HParam *hparams;
  int n_hparams;
  Var *vars;
  int n_vars, cap_vars;
  int n_streams;   /* Philox streams handed out so far */
  char *data_name; /* dataset behind OP_DATA (toy name or .npy path) */
  int *htab;
  int hcap;            /* value numbering: identical nodes are created once (CSE) */
  int cur_line;        /* stamped on new nodes: set by the front end */
  int64_t var_numel;   /* numbers held by all variables (IR_MAX_VAR_NUMEL) */
  int64_t const_numel; /* values of all constant-data nodes (IR_MAX_CONST_NUMEL) */
} Graph;

/* Errors in node construction (shape mismatch, bad axis) go through this hook,
 * which the Lua front end points at luaL_error-like reporting. It must not return. */
typedef void (*IrErrorFn)(void *ctx, const char *msg);
void ir_set_error_handler(IrErrorFn fn, void *ctx);
void ir_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

Graph *ir_new(void);
void ir_free(Graph *g);

const char *op_name(OpCode op);
OpKind op_kind(OpCode op);
int shape_numel(Shape s);       /* fits an int for every shape in a graph (IR_MAX_NUMEL) */
int64_t shape_numel64(Shape s); /* any shape; saturates at INT64_MAX */
int shape_eq(Shape a, Shape b);
Shape shape_make(int rank, const int *d);
void shape_str(Shape s, char *buf, int n); /* "[200,2]" */

/* Leaves */
int ir_const(Graph *g, Shape s, double v);
int ir_const_data(Graph *g, Shape s, const double *data);
int ir_var(Graph *g, const char *name, VarKind kind, Shape s, int init_kind, double a, double b);
int ir_data(Graph *g, Shape s);
int ir_rng(Graph *g, OpCode op, Shape s); /* OP_UNIFORM or OP_NORMAL, fresh stream */
int ir_step(Graph *g);
/* The scalar leaf of hyper-parameter `name` (registered on first use; a second
 * registration must agree on the default). Returns the node, or -1 with *why
 * set when the name is taken with another default. */
int ir_hparam(Graph *g, const char *name, double dflt, const char *desc, double lo, double hi, int lo_open, int hi_open,
              const char **why);
int ir_hparam_find(const Graph *g, const char *name); /* id, or -1 */
/* 0 if v is a finite value inside hyper-parameter id's range */
int ir_hparam_ok(const Graph *g, int id, double v);

/* Operations: every constructor checks shapes and fails with a message naming them. */
int ir_unary(Graph *g, OpCode op, int a);
int ir_binary(Graph *g, OpCode op, int a, int b);
int ir_select(Graph *g, int c, int a, int b);
int ir_broadcast(Graph *g, int a, Shape to);
int ir_reduce(Graph *g, OpCode op, int a, int axes);
int ir_reshape(Graph *g, int a, Shape to);
int ir_transpose(Graph *g, int a, const int *perm);
int ir_slice(Graph *g, int a, const int *start, Shape size);
int ir_pad(Graph *g, int a, const int *start, Shape to);
int ir_concat(Graph *g, int n, const int *ins, int axis);
int ir_matmul(Graph *g, int a, int b, int ta, int tb);
int ir_conv(Graph *g, int x, int w, int stride, int pad);
int ir_conv_tx(Graph *g, int y, int w, int stride, int pad, int H, int W);   /* -> [N,C,H,W] */
int ir_conv_tw(Graph *g, int x, int y, int stride, int pad, int KH, int KW); /* -> [O,C,KH,KW] */
struct ConvDims;
void ir_conv_dims(const Graph *g, int id, struct ConvDims *d); /* the sizes of a CONV* node */

/* Conveniences built from the primitives above. */
int ir_scalar_like(Graph *g, int like, double v);  /* CONST of like's shape */
int ir_sum_to(Graph *g, int a, Shape to);          /* reduce broadcast axes back to `to` */
int ir_bcast_to(Graph *g, int a, Shape to);        /* numpy-style: reshape (prepend 1s) + broadcast */
int ir_is_const(const Graph *g, int id, double v); /* CONST filled with v */
/* The most double accumulators a generated sum keeps on the stack, one per
 * output column (emit_c.c); ir_sum_columns applies only up to it. */
#define IR_MAX_SUM_COLUMNS 4096
/* A SUM over every axis of a rank >= 2 input is added per last-axis column, then
 * the columns are added (emit_c.c and interp.c share this order, so trainers and
 * the interpreter agree bit for bit): returns the column count, or 0 if it does not apply. */
int ir_sum_columns(const Graph *g, int id);

/* Readable textual dump of the nodes reachable from outs (all if n_outs == 0). */
void ir_dump(const Graph *g, FILE *f, int n_outs, const int *outs, const char *const *out_names);
/* Marks (1) every node the outputs depend on. */
void ir_reachable(const Graph *g, int n_outs, const int *outs, char *mark);

#endif
