/* The trainer's hooks for run-time hyper-parameters (docs/parameters.md):
 * `train --set NAME=VALUE` (repeatable) and `--config FILE.json`, applied
 * over the defaults (or, on --resume, over the checkpoint's values), with
 * every change against a resumed run logged as an event. */
#ifndef EBM_PARAMS_CLI_H
#define EBM_PARAMS_CLI_H

#include <stdio.h>

#include "cli.h"
#include "model.h"

/* the destinations of train's --config and --set options */
typedef struct {
  const char *config; /* --config FILE.json, or NULL */
  CliList sets;       /* the --set arguments, in order */
} ParamArgs;

/* vals <- the config file, then each --set in order. 0, or -1 with err naming the argument. */
int param_args_apply(const ParamArgs *a, const Model *m, double *vals, char *err, size_t errlen);
/* On resume: one {"iter": step, "event": "param_changed", ...} line per value that differs, also said on stderr. */
void param_log_changes(FILE *log, const char *prog, long step, const Model *m, const double *before,
                       const double *after);
/* The parameter table of `train --help` and `info`. */
void param_help(FILE *f, const Model *m, const double *vals);
void param_args_free(ParamArgs *a);

#endif
