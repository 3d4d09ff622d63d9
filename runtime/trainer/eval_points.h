/* Evaluation of a model of D-column points with D != 2, where no grid can
 * normalise the density: MMD^2 of samples against held-out points, energy
 * statistics on training rows, held-out rows and noise, and for (a)-type
 * generators the log Z bounds as a bracket on the test NLL (methods.md §7.3). */
#ifndef EBM_EVAL_POINTS_H
#define EBM_EVAL_POINTS_H

#include <stdio.h>

#include "model.h"
#include "run_data.h"

/* Scores the model on ds (opened by run_data_open, described by id) and prints
 * one JSON object to f (and to json_path when not NULL). 0, or an exit code. */
int eval_points(const Model *m, ModelState *s, const DataSource *ds, const DataId *id, FILE *f, const char *json_path);

#endif
