/* Test helpers: evaluate IR nodes in f64 with chosen variable values and
 * compare derivatives built by autodiff against central finite differences. */
#ifndef EBM_GRADCHECK_H
#define EBM_GRADCHECK_H

#include "check.h"
#include "ir.h"

typedef struct {
  Graph *g;
  double **vals;   /* value of every variable, f64 */
  int n_vals;
} Env;

Env env_new(Graph *g, uint64_t seed);      /* variables at their initial values */
void env_sync(Env *e);                     /* picks up variables created after env_new */
void env_free(Env *e);
double *env_eval(Env *e, int node);        /* malloc'd values of a node */
double env_scalar(Env *e, int node);

/* ||a-b|| / max(||a||, ||b||); 0 when both norms are below `floor` */
double rel_err(const double *a, const double *b, int n, double floor);

/* Central differences of scalar f along `dir` in variable v (dir = NULL: coordinate k). */
double fd_var(Env *e, int f, int v, const double *dir, int k, double h);

/* Checks the gradient nodes grads[i] of scalar f w.r.t. variables vars[i]
 * against coordinate-wise central differences (at most max_coords random
 * coordinates per variable). Returns the worst relative error. */
double check_grad(Env *e, int f, int n, const int *vars, const int *grads, int max_coords, double h);

/* Reporting: prints a line and counts into checks_passed / checks_failed
 * (check.h, with report()). */
void expect_le(const char *what, double value, double bound);

#endif
