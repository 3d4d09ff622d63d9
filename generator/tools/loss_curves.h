/* Loss curves from a trainer's log.jsonl: read, averaged over seeds, drawn
 * (one panel per logged term) by `ebmforge plot` and `ebmforge report`. */
#ifndef EBM_LOSS_CURVES_H
#define EBM_LOSS_CURVES_H

#include <stddef.h>

#include "figure.h"

#define CURVES_MAX_TERMS 32
typedef struct {
  char *names[CURVES_MAX_TERMS];
  double *y[CURVES_MAX_TERMS], *x; /* y[t][i] at iteration x[i]; NaN where term t was not logged */
  int n_terms, n, cap;
  double iter; /* scratch of the reader */
  int has_iter;
} Curves;

/* every numeric term of each step record of PATH (not "iter", not "wall"),
 * a step logged again (after a resume) replacing the earlier records from
 * there on; 0, or -1 when the file cannot be read */
int curves_read(const char *path, Curves *c);
void curves_free(Curves *c);
/* out = the term-by-term mean of n runs' curves over the iterations they all
 * logged alike from the start (runs of one trainer at one log interval) */
void curves_mean(const Curves *runs, int n, Curves *out);
/* PATH: one panel per term, raw and running mean; 0, or -1 with err */
int curves_draw(const Curves *c, const char *path, FigFormat fmt, const char *title, char *err, size_t errlen);

#endif
