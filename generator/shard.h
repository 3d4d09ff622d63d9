/* Data-parallel sharding (`ebmforge build --mpi-ranks R`): which random
 * leaves and state variables of a model traced for one rank (batch B/R) hold
 * batch rows, found by comparing it with the same model traced at batch B. */
#ifndef EBM_SHARD_H
#define EBM_SHARD_H

#include <stddef.h>

#include "ir.h"

typedef struct {
  int ranks;
  char *node_rows; /* per node of the rank's graph: a DATA/UNIFORM/NORMAL leaf of batch rows */
  char *var_rows;  /* per variable: a state variable of batch rows (gathered into checkpoints) */
} ShardPlan;

/* 0, or -1 with err when the two traces differ in more than the batch
 * dimension (the model's structure depends on the batch size). */
int shard_plan(const Graph *global, const Graph *local, int ranks, ShardPlan *p, char *err, size_t errlen);
void shard_free(ShardPlan *p);

#endif
