/* `train --nan-retries N` (DESIGN 2.5): the state of the last checkpoint kept
 * in memory, so that a non-finite step can go back to it and continue with
 * lower learning rates instead of stopping. */
#ifndef EBM_ROLLBACK_H
#define EBM_ROLLBACK_H

#include "model.h"

typedef struct {
  long step; /* the step the copy was taken at */
  float **vars, **m, **v;
  long *opt_t;
} Snapshot;

void snapshot_init(Snapshot *k, const Model *m);
/* copies s (pulled from the device first, if any) as the state at `step`; 0, or -1 with s->err */
int snapshot_take(Snapshot *k, const Model *m, ModelState *s, long step);
/* s <- the copy (variables, Adam moments and step counts; lr_scale stays), the device copy released */
void snapshot_restore(const Snapshot *k, const Model *m, ModelState *s);
void snapshot_free(Snapshot *k, const Model *m);

#endif
