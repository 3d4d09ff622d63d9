/* The interface between a generated model (model.c, written by
 * `ebmforge build`) and the trainer runtime that links it. Everything
 * shape-dependent lives in model.c as constants; the runtime only sees
 * these tables and entry points. */
#ifndef EBM_MODEL_H
#define EBM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

enum { MODEL_PARAM = 0, MODEL_BUFFER = 1, MODEL_STATE = 2 };

typedef struct {
  const char *name;
  int kind; /* MODEL_PARAM, MODEL_BUFFER, MODEL_STATE */
  int rank, shape[4], numel;
  int init_kind; /* see init.h */
  double init_a, init_b;
  int opt; /* optimiser of a parameter, -1 otherwise */
} ModelVar;

/* lr at step t of the optimiser: adam_lr(lr, lr_min, horizon, t) (adam.h), where lr and
 * lr_min are the run-time parameters hparams[hp_lr], hparams[hp_lr_min] when those are >= 0 */
typedef struct {
  const char *name;
  double lr, beta1, beta2, eps, lr_min;
  long horizon;
  int hp_lr, hp_lr_min;
} ModelOpt;

/* A run-time hyper-parameter (`train --set NAME=VALUE`): valid values lie in
 * [lo, hi], an end excluded where lo_open / hi_open, whole numbers only where whole. */
typedef struct {
  const char *name, *desc;
  double dflt, lo, hi;
  int lo_open, hi_open;
  int whole; /* only whole numbers: a loop's run-time trip count */
} ModelHParam;

/* Everything a running model reads and writes. */
typedef struct {
  float **vars;             /* current value of every variable */
  float **adam_m, **adam_v; /* Adam moments (parameters only, else NULL) */
  long *opt_t;              /* steps taken by each optimiser */
  float *arena;             /* scratch, model.arena_floats long */
  double *logs;             /* latest value of every log tap */
  uint64_t seed;
  uint32_t step, iter;    /* Philox counter words */
  double lr_scale;        /* multiplies every learning rate: 1, lowered by `train --nan-retries` */
  double *hparams;        /* the run's hyper-parameter values (model.hparams order), fixed while it runs */
  const DataSource *data; /* where DATA nodes draw batches */
  /* data-parallel training (model.ranks > 1): this process's rank, and the
   * in-place sum-then-average over the ranks (NULL: one process) */
  int rank;
  int (*allreduce)(float *buf, int n, char *err, size_t errlen);
  char err[512]; /* what went wrong when an entry returns non-zero */
  void *device;  /* a GPU backend's copy of the state (NULL until its first entry) */
} ModelState;

/* An entry point other than the step: reads state variable in_var (or -1),
 * writes out_var (or -1). */
typedef struct {
  const char *name;
  int (*run)(ModelState *s, long step);
  int in_var, out_var;
} ModelEntry;

typedef struct {
  const char *name, *method, *data, *fingerprint; /* data: the model's default data set */
  int data_cols;                                  /* D of the model's data batches (0: the model reads no data) */
  int n_vars;
  const ModelVar *vars;
  int n_opts;
  const ModelOpt *opts;
  int n_hparams;
  const ModelHParam *hparams;
  int n_logs;
  const char *const *log_names;
  long arena_floats;
  double matmul_flops; /* 2*M*N*K summed over every matmul of one training step */
  long default_iters;
  int log_every;
  /* One training iteration (0-based step): 0 ok, 1 data error, 3 a non-finite term (s->err names it). */
  int (*train_step)(ModelState *s, long step);
  int n_entries;
  const ModelEntry *entries; /* entries[0] is the training step */
  /* `ebmforge build --mpi-ranks R`: R > 1 ranks each train on batch rows
   * [rank B/R, (rank+1) B/R); var_rows marks the state variables holding such
   * rows (checkpoints gather them). 0 and NULL for a single-process trainer. */
  int ranks;
  const unsigned char *var_rows;
  /* A GPU backend keeps the state on the device (NULL on the CPU): device_pull
   * copies it into s's host arrays (0, or -1 with s->err) before a checkpoint is
   * written; device_release frees it, so the next entry uploads s afresh (after
   * a checkpoint was loaded into s, and when s is freed). */
  int (*device_pull)(ModelState *s);
  void (*device_release)(ModelState *s);
} Model;

extern const Model model;

#endif
