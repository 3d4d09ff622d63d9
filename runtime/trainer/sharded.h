/* The state of one rank of a data-parallel run. A state variable of batch
 * rows starts at the single-process values of the rank's rows.
 * Checkpoints: a state variable of batch rows is
 * gathered from every rank (in rank order) into its single-process shape,
 * so the file holds the whole run; loading hands each rank its rows back.
 * For a single-process model these are checkpoint_save/checkpoint_load. */
#ifndef EBM_SHARDED_H
#define EBM_SHARDED_H

#include <stddef.h>

#include "model.h"

/* after state_init: draws the random initial values of s->rank's batch rows at their global indices */
void sharded_init(const Model *m, ModelState *s);
/* Collective: every rank calls it; rank 0 writes. 0 on every rank or -1 on every rank. */
int sharded_save(const char *path, const Model *m, const ModelState *s, long step, char *err, size_t errlen);
/* Any rank, independently (also without MPI): restores the rows of s->rank. */
int sharded_load(const char *path, const Model *m, ModelState *s, long *step, uint64_t *seed, char *err, size_t errlen);

#endif
