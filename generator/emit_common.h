/* What the C and CUDA emitters share: expression printing over a phase's
 * analysis (phase.h), the entry drivers' loop structure, the model tables and
 * the skeleton of a model source file. */
#ifndef EBM_EMIT_COMMON_H
#define EBM_EMIT_COMMON_H

#include <stddef.h>

#include "emit.h"
#include "ir.h"
#include "phase.h"
#include "program.h"

/* a growable string */
typedef struct {
  char *s;
  size_t n, cap;
} Str;
void sput(Str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How a backend names things inside expressions. */
typedef struct {
  void (*buf)(Str *b, const Phase *p, int node); /* the buffer holding a non-inlined node */
  const char *seed, *iter, *step;                /* the Philox counter words */
  const char *uniform, *normal;                  /* functions (seed, stream, iter, step, index) */
  const char *rank;                              /* this process's rank in a data-parallel run */
  const char *hparam;                            /* printf format of hyper-parameter %d as a float */
} ExprNames;

typedef struct {
  Str *out;
  const Phase *p;
  const ExprNames *names;
  const ShardPlan *shard; /* data-parallel: which draws hold batch rows (NULL: one process) */
  /* a fused loop (emit_c.c): local[r] != 0 when buffer r's value at index i is
   * already in the variable t<r> of this loop iteration (NULL: none) */
  const char *local;
  /* a loop over blocks of rows (emit_c.c): rep[b] != 0 when broadcast b's value at the
   * loop's position k in the block is in the array rep<b>[k] (NULL: none) */
  const char *rep;
} Emit;

/* node i's value at flat index ix (coords: loop coordinates i0..i3 of the
 * kernel's shape are in scope, which broadcasts index by) */
void emit_expr(Emit *e, int i, const char *ix, int coords);
/* node i's own expression (as if it were inlined) at index "i" */
void emit_self_expr(Emit *e, int i, int coords);
void emit_strides(Shape s, long *st);
void emit_index_expr(Str *b, Shape s, const int *shift); /* flat index from i0..i3 (+ shift) */
void emit_flit(Str *b, double v);                        /* a float literal */
void emit_cstring(Str *b, const char *s);
/* the C expression of optimiser o's learning rate at step `t` (block[k] or adam_lr(...) for a
 * schedule) times `scale`, the run's learning-rate scale (ModelState lr_scale) */
void adam_lr_expr(const Optimizer *o, const char *t, const char *scale, const char *block, char *out, size_t n);
/* an optimiser constant as C: block[hp] (the run's hyper-parameter block) when hp >= 0, else the literal v */
void opt_arg(int hp, double v, const char *block, char *out, size_t n);
/* the comment heading a kernel: its node, op, inputs, shape and model line */
void emit_node_comment(Str *b, const Graph *g, int i);

/* What differs between backends in a model file. */
typedef struct {
  void (*preamble)(Str *b, const Graph *g); /* after the prologue, before the phases (or NULL) */
  /* the code of phase idx (item idx, analysed as p); its logs are log_base, log_base + 1, ... */
  void (*phase)(Str *b, const Program *prog, int idx, int log_base, Phase *p);
  /* the head of an entry's driver (up to its loops), a phase call at iteration expression iter, the tail */
  void (*driver_head)(Str *b, const Program *prog, int entry);
  void (*call)(Str *b, int indent, int phase, const char *iter);
  void (*driver_tail)(Str *b, const Program *prog, int entry);
  /* anything placed before the tables (given the arena size) and extra fields of `model` */
  void (*before_tables)(Str *b, const Graph *g, const Program *prog, long arena);
  const char *model_fields;
  const char *hparams; /* the run's hyper-parameter values (double *) in a driver: loops with run-time counts */
} Backend;

char *emit_model(const Graph *g, const Program *prog, const EmitInfo *info, const Backend *be);

#endif
