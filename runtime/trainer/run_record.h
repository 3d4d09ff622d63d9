/* A run directory's record: DIR/run.json (what was trained, on what, by
 * which build and OpenBLAS kernels, where and when; rewritten atomically at
 * the start and at the end), and the fields every log.jsonl line carries
 * (wall time, learning rates) beside the `start`/`resume` event that opens
 * each session. */
#ifndef EBM_RUN_RECORD_H
#define EBM_RUN_RECORD_H

#include <stdio.h>

#include "model.h"
#include "run_data.h"

typedef struct {
  char path[RUN_PATH_MAX];         /* DIR/run.json */
  char start[32], end[32];         /* ISO 8601 UTC */
  double t0;                       /* monotonic seconds at the start */
  long seed, threads, iters, step; /* step: the last one reached (at the end) */
  const char *resume;              /* --resume CKPT, or NULL */
  long resume_step;
  const char *status; /* "running", then "done", "interrupted", "failed" */
  const DataId *data;
  int argc;
  char **argv;           /* the train command's arguments */
  const double *hparams; /* the run's hyper-parameter values (model.hparams order) */
} RunRecord;

/* Fills r and writes DIR/run.json with "end": null. 0, or -1 (message printed). */
int run_record_start(RunRecord *r, const char *dir, int argc, char **argv, long seed, long threads, long iters,
                     const char *resume, long resume_step, const DataId *data, const double *hparams);
/* Rewrites run.json with the end time, the last step and the status. */
int run_record_end(RunRecord *r, long step, const char *status);
/* Seconds since run_record_start. */
double run_wall(const RunRecord *r);

/* The run's hyper-parameter values as one JSON object {"NAME": value, ...}. */
void run_record_params_json(FILE *f, const double *hparams);

/* log.jsonl: the line opening a session at iteration `step` ("start" or "resume"). */
void run_log_start(FILE *log, const RunRecord *r, long step);
/* `, "lr_<optimiser>": rate` of each optimiser at its current step (learning-rate
 * schedule and --nan-retries scale applied). */
void run_log_rates(FILE *log, const ModelState *s);

#endif
