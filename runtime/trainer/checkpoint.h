/* Checkpoints: a model's whole state as safetensors (variables, Adam
 * moments) with the step, seed, optimiser steps and model fingerprint in the
 * metadata. Written atomically; refused with a reason when they do not fit. */
#ifndef EBM_CHECKPOINT_H
#define EBM_CHECKPOINT_H

#include <stddef.h>

#include "model.h"
#include "data_id.h"

int checkpoint_save(const char *path, const Model *m, const ModelState *s, long step, char *err, size_t errlen);
/* Restores s (already initialised for m) and *step; seeds must be checked by the caller via *seed. */
int checkpoint_load(const char *path, const Model *m, ModelState *s, long *step, uint64_t *seed, char *err,
                    size_t errlen);

/* The data every later checkpoint of this process records (kept by pointer). */
void checkpoint_record_data(const DataId *id);
/* The data recorded in a checkpoint: *has = 0 for one written before data were
 * recorded (or outside `train`) or whose metadata fails its crc. 0, or -1 when
 * the file cannot be read. */
int checkpoint_read_data(const char *path, DataId *id, int *has, char *err, size_t errlen);

#endif
