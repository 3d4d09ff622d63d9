/* Which data a run trained on, and which data a later command uses.
 *
 * A run records its data's identity (run.json, checkpoint metadata): a toy
 * set's name, an image set's spec, or a .npy file's absolute path, SHA-256,
 * shape and dtype, and where its held-out points come from. `train --resume`
 * and `eval` take the recorded data when --data is not given; a file whose
 * hash differs from the record (or a missing one) is refused unless the user
 * passes --data-changed. */
#ifndef EBM_RUN_DATA_H
#define EBM_RUN_DATA_H

#include <stdio.h>

#include "data.h"
#include "data_id.h"

/* What the command line said. */
typedef struct {
  const char *data;      /* --data, or NULL */
  const char *test_data; /* --test-data, or NULL */
  int changed;           /* --data-changed */
} DataArgs;

/* Opens the data of a command: --data, else the data recorded in checkpoint
 * ckpt (NULL: none), else the model's own; checks it against the record and
 * fills id. cols: the model's D. Returns 0, or an exit code (2: refused, the
 * reason printed on stderr). */
int run_data_open(const DataArgs *a, const char *ckpt, int cols, DataSource *ds, DataId *id);

/* The held-out points of an opened run (float [*n, D], malloc'd; NULL for toy
 * and image sets, whose evaluations draw their own): the file's held-out rows,
 * the --test-data file, or (under 10 rows) the training rows themselves. */
float *run_data_test_points(const DataId *id, const DataSource *ds, long *n);

/* "data": {...} and "test": {...} as JSON objects (no trailing newline). */
void run_data_json(const DataId *id, FILE *f);
void run_data_test_json(const DataId *id, FILE *f);

/* s as a JSON string, quoted and escaped. */
void run_json_str(FILE *f, const char *s);

/* A toy set's name or a path ending in .npy: 2-D or D-column points, not pictures. */
int data_is_points(const char *spec);

#endif
