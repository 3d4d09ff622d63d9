/* The step program: the ordered, static schedule of one training iteration.
 * A phase evaluates some graph outputs, then writes state variables, applies
 * an optimiser to parameters and records log taps. Loops repeat their body a
 * static number of times (Langevin steps, power iterations). */
#ifndef EBM_PROGRAM_H
#define EBM_PROGRAM_H

#include "ir.h"

typedef struct {
  int var, node;
} Assign;
typedef struct {
  char *name;
  int node;
} LogTap;
/* Adam; horizon > 0: the rate decays from lr to lr_min by a cosine over `horizon` steps (adam_lr) */
/* hp_*: the run-time hyper-parameter (Graph.hparams) holding the value, or -1 (the value is fixed) */
typedef struct {
  char *name;
  double lr, beta1, beta2, eps, lr_min;
  long horizon;
  int hp_lr, hp_beta1, hp_beta2, hp_eps, hp_lr_min;
} Optimizer;

typedef enum { ITEM_PHASE, ITEM_LOOP_BEGIN, ITEM_LOOP_END } ItemKind;

/* How deep loops may nest: the interpreter (run.c) and the emitters
 * (emit_common.c) keep one fixed-size stack entry per open loop, and
 * program_loop_begin refuses the loop that would go deeper. */
#define PROGRAM_MAX_LOOP_DEPTH 8

typedef struct {
  ItemKind kind;
  int entry; /* the entry point this item belongs to (0 = train) */
  char *name;
  int count;    /* LOOP_BEGIN: trip count (with hp_count: the most it may run; the Philox stride) */
  int hp_count; /* LOOP_BEGIN: the whole-number hyper-parameter giving the run's trip count, or -1 */
  Assign *assigns;
  int n_assigns;
  LogTap *logs;
  int n_logs;
  int opt; /* optimiser id or -1 */
  int *params, *grads;
  int n_params; /* param var ids and their gradient nodes */
  int line;     /* model-file line of the phase */
} Item;

/* Entry points: "train" (0, the step) and others a method declares, such as
 * "sample" and "energy"; their input and output are state variables. */
typedef struct {
  char *name;
  int in_var, out_var;
} Entry;

typedef struct {
  Item *items;
  int n_items, cap_items;
  Optimizer *opts;
  int n_opts;
  Entry *entries;
  int n_entries;
  int cur_entry; /* where new items go while building */
  int depth;     /* open loops while building */
} Program;

Program *program_new(void);
void program_free(Program *p);
int program_add_optimizer(Program *p, const char *name, double lr, double b1, double b2, double eps, double lr_min,
                          long horizon);
Item *program_add_phase(Program *p, const char *name, int line); /* caller fills assigns/logs/params */
/* fails (ir_fail) past PROGRAM_MAX_LOOP_DEPTH open loops; hp_count: -1, or the hyper-parameter
 * (whole, in [1, count]) whose run-time value is the trip count */
void program_loop_begin(Program *p, int count, int hp_count, int line);
void program_loop_end(Program *p);
/* Starts (or reopens) entry `name`; new items go there until program_entry_end. Returns its id. */
int program_entry(Program *p, const char *name, int in_var, int out_var);
void program_entry_end(Program *p);
int program_find_entry(const Program *p, const char *name); /* -1 if absent */
/* Human-readable listing: phases, loops, their outputs and (optionally) their IR. */
void program_dump(const Graph *g, const Program *p, FILE *f, int with_ir);

/* Outputs a phase evaluates, in the order assigns, logs, grads. Caller frees. */
int *phase_outputs(const Item *it, int *n);

#endif
