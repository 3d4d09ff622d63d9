/* Runs a model's step program in the reference interpreter (`ebmforge run`). */
#ifndef EBM_RUN_H
#define EBM_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "host.h"

typedef struct {
  long iters;
  uint64_t seed;
  const char *out_dir;
  int log_every;
  int f64;
  const char *data; /* --data: a .npy file or toy name replacing the model's, or NULL */
  const char *const *sets;
  int n_sets;         /* --set NAME=VALUE, in order */
  const char *config; /* --config FILE.json, or NULL */
} RunOptions;

/* The interpreter trainer: state variables, Adam moments, the latest log
 * values. The oracle the compiled trainers are compared with. */
typedef struct Trainer Trainer;
Trainer *trainer_new(Host *h, uint64_t seed, int f64);
void trainer_free(Trainer *t);
/* Replaces the model's data with `spec` (toy name or .npy path). 0 or -1 with err. */
int trainer_use_data(Trainer *t, const char *spec, char *err, size_t errlen);
/* Runs iteration `step` (0-based): 0 ok, 1 data error, 3 non-finite loss or gradient (reported). */
int trainer_step(Trainer *t, long step);
/* Runs entry point `name` (e.g. "sample") with Philox step `step`: 0 ok, -1 no such entry. */
int trainer_run_entry(Trainer *t, const char *name, long step);
double *trainer_var(Trainer *t, int var); /* current value, f64 array */
double *trainer_hparams(Trainer *t);      /* the hyper-parameter values (defaults until set) */
/* Applies --config, then each --set (as the trainers do). 0, or -1 with err naming the argument. */
int trainer_set_hparams(Trainer *t, const char *config, const char *const *sets, int n_sets, char *err, size_t errlen);
int trainer_n_logs(const Trainer *t);
const char *trainer_log_name(const Trainer *t, int k);
double trainer_log_value(const Trainer *t, int k); /* latest value */

/* Trains; returns the process exit code (0 ok, 1 I/O error, 3 non-finite loss). */
int run_model(Host *h, const RunOptions *o);

#endif
