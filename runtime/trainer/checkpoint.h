/* Checkpoints: a model's whole state as safetensors (variables, Adam
 * moments) with the step, seed, optimiser steps and model fingerprint in the
 * metadata. Written atomically; refused with a reason when they do not fit. */
#ifndef EBM_CHECKPOINT_H
#define EBM_CHECKPOINT_H

#include <stddef.h>

#include "model.h"

int checkpoint_save(const char *path, const Model *m, const ModelState *s, long step, char *err, size_t errlen);
/* Restores s (already initialised for m) and *step; seeds must be checked by the caller via *seed. */
int checkpoint_load(const char *path, const Model *m, ModelState *s, long *step, uint64_t *seed, char *err, size_t errlen);

#endif
