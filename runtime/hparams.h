/* Run-time hyper-parameters on the command line and in records (docs/parameters.md):
 * `--set NAME=VALUE`, `--config FILE.json` (a flat JSON object name -> number),
 * the listing of `info` / `train --help`, and the JSON object a checkpoint
 * records. Shared by the trainers and `ebmforge run`. */
#ifndef EBM_HPARAMS_H
#define EBM_HPARAMS_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"

int hparam_index(const ModelHParam *hp, int n, const char *name); /* -1 if absent */
/* 0 if v is finite and inside h's range; else -1 with err "NAME = V is outside ..." */
int hparam_check(const ModelHParam *h, double v, char *err, size_t errlen);
/* "[0, inf)" */
void hparam_range(const ModelHParam *h, char *buf, size_t n);
/* Applies one NAME=VALUE (what: the option it came from, for messages). 0, or -1 with err. */
int hparam_set_arg(const ModelHParam *hp, int n, double *vals, const char *arg, const char *what, char *err,
                   size_t errlen);
/* Applies a flat JSON object {"NAME": number, ...} (text of len bytes; path names it in messages). */
int hparam_set_json(const ModelHParam *hp, int n, double *vals, const char *text, size_t len, const char *path,
                    char *err, size_t errlen);
/* The same from a file. */
int hparam_set_file(const ModelHParam *hp, int n, double *vals, const char *path, char *err, size_t errlen);
/* One line per parameter: name, value (vals, or the defaults when NULL), range, meaning. */
void hparam_list(FILE *f, const ModelHParam *hp, int n, const double *vals);
/* {"NAME": value, ...} with every value round-tripping (malloc'd) */
char *hparam_json(const ModelHParam *hp, int n, const double *vals);

#endif
