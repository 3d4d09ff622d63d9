/* One run of a study: a seed of one method on one data set (with one element
 * of the parameter grid), trained in stages, each stage scored.
 *
 * In the run directory, per budget B (iterations), written in this order:
 *   stage_B.safetensors  the checkpoint at step B (a copy of ckpt.safetensors)
 *   samples_B.npy        `sample -n S` at that checkpoint
 *   energy_grid_B.npy    `energy --grid 256 --range 4`
 *   eval_B.json          `eval` (toy metrics, methods.md 7.1-7.2)
 *   verdict_B.json       the verdicts below, last: a stage is finished when
 *                        it exists. Each file appears whole (renamed into place).
 * plus the trainer's own log.jsonl, ckpt.safetensors (every ckpt_every steps,
 * so a killed stage resumes from there) and train.txt (its messages). */
#ifndef EBM_STUDY_RUN_H
#define EBM_STUDY_RUN_H

/* Verdict thresholds (ours, as bench/stability_verdict.py had them; methods.md
 * defines the metrics, not the verdicts):
 *   diverged   the trainer stopped on NaN/Inf (exit 3), eval failed, or the
 *              samples are not finite;
 *   collapsed  the samples' variance (trace of the covariance) is below
 *              COLLAPSE_VAR_RATIO of the data's, or they cover fewer than
 *              COLLAPSE_MODES of a Gaussian mixture's modes;
 *   unfit      grid test NLL above the uniform density on [-4, 4]^2, log 64. */
#define STUDY_COLLAPSE_VAR_RATIO 0.25
#define STUDY_COLLAPSE_MODES 0.5
#define STUDY_UNFIT_NLL 4.1588830833596715 /* log(64) */
#define STUDY_GRID 256
#define STUDY_RANGE 4

typedef struct {
  const char *trainer;                     /* the train-cpu binary */
  const char *dir;                         /* run directory */
  const char *data;                        /* --data: toy name or .npy path */
  const char *data_name, *method, *params; /* recorded in the verdicts; params "" without a grid */
  char **set;                              /* NAME=VALUE for `train --set` */
  int n_set;
  long seed;
  const long *budgets;
  int n_budgets;
  long samples, ckpt_every, log_every;
} StudyRun;

/* Trains and scores every unfinished stage (in the calling process, which
 * forks the trainer's commands). 0 when every stage is finished, 1 on a
 * failure (said on stderr; the stage stays unfinished, to be tried again). */
int study_run(const StudyRun *r);

/* Runs argv[0] with argv, stdout and stderr appended to `log` (or into
 * `out` when given, stderr to log). The child dies with the caller. Returns
 * its exit code, 128 + signal, or -1 when it could not be started. */
int study_spawn(char *const *argv, const char *out, const char *log);

#endif
