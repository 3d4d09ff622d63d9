/* The C emitter: a model's step program as one C source file (see emit_c.c). */
#ifndef EBM_EMIT_C_H
#define EBM_EMIT_C_H

#include "ir.h"
#include "program.h"
#include "shard.h"

typedef struct {
  const char *name, *method;
  const char *prologue;   /* the filled template text placed first */
  long default_iters;
  int log_every;
  const ShardPlan *shard;  /* data-parallel over shard->ranks MPI ranks, or NULL */
} EmitInfo;

/* The whole model.c as a malloc'd string. */
char *emit_c_model(const Graph *g, const Program *prog, const EmitInfo *info);
/* 16 hex digits identifying the program, its IR and its variables. */
void emit_fingerprint(const Graph *g, const Program *prog, char out[17]);

#endif
