/* A model's running state: variables at their initial values, Adam moments,
 * the arena. Allocated once at start-up; a trainer never allocates after. */
#ifndef EBM_STATE_H
#define EBM_STATE_H

#include "model.h"

/* calloc that exits with a message when memory runs out */
void *state_zalloc(size_t n);
void state_init(ModelState *s, const Model *m, uint64_t seed);
void state_free(ModelState *s, const Model *m);

#endif
