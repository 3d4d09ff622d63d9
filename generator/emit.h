/* What a caller gives either emitter (emit_c.h, emit_cuda.h) and what both
 * derive from a model: the facts of the generated file and its fingerprint. */
#ifndef EBM_EMIT_H
#define EBM_EMIT_H

#include "ir.h"
#include "program.h"
#include "shard.h"

typedef struct {
  const char *name, *method;
  const char *prologue; /* the filled template text placed first */
  long default_iters;
  int log_every;
  const ShardPlan *shard; /* data-parallel over shard->ranks MPI ranks, or NULL */
} EmitInfo;

/* 16 hex digits identifying the program, its IR and its variables. */
void emit_fingerprint(const Graph *g, const Program *prog, char out[17]);

#endif
