#include "gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

void env_sync(Env *e) {
  if (e->n_vals == e->g->n_vars) return;
  e->vals = realloc(e->vals, e->g->n_vars * sizeof(double *));
  for (int v = e->n_vals; v < e->g->n_vars; v++) {
    e->vals[v] = malloc(shape_numel(e->g->vars[v].shape) * sizeof(double));
    interp_init_var(e->g, v, 1234, e->vals[v], 1);
  }
  e->n_vals = e->g->n_vars;
}

Env env_new(Graph *g, uint64_t seed) {
  Env e = {g, NULL, 0};
  env_sync(&e);
  for (int v = 0; v < g->n_vars; v++) interp_init_var(g, v, seed, e.vals[v], 1);
  return e;
}

void env_free(Env *e) {
  for (int v = 0; v < e->n_vals; v++) free(e->vals[v]);
  free(e->vals);
}

double *env_eval(Env *e, int node) {
  env_sync(e);
  Interp ip = {.f64 = 1, .seed = 99, .vars = e->vals};
  double *r;
  if (interp_eval(e->g, &ip, 1, &node, &r)) {
    fprintf(stderr, "evaluation failed\n");
    exit(1);
  }
  return r;
}

double env_scalar(Env *e, int node) {
  double *r = env_eval(e, node), v = r[0];
  free(r);
  return v;
}

double rel_err(const double *a, const double *b, int n, double floor) {
  double na = 0, nb = 0, nd = 0;
  for (int i = 0; i < n; i++) {
    na += a[i] * a[i];
    nb += b[i] * b[i];
    nd += (a[i] - b[i]) * (a[i] - b[i]);
  }
  na = sqrt(na);
  nb = sqrt(nb);
  nd = sqrt(nd);
  double m = na > nb ? na : nb;
  if (m < floor) return 0;
  return nd / m;
}

double fd_var(Env *e, int f, int v, const double *dir, int k, double h) {
  env_sync(e);
  int N = shape_numel(e->g->vars[v].shape);
  double *x = e->vals[v], *save = malloc(N * sizeof(double));
  memcpy(save, x, N * sizeof(double));
  for (int i = 0; i < N; i++) x[i] = save[i] + h * (dir ? dir[i] : i == k);
  double fp = env_scalar(e, f);
  for (int i = 0; i < N; i++) x[i] = save[i] - h * (dir ? dir[i] : i == k);
  double fm = env_scalar(e, f);
  memcpy(x, save, N * sizeof(double));
  free(save);
  return (fp - fm) / (2 * h);
}

double check_grad(Env *e, int f, int n, const int *vars, const int *grads, int max_coords, double h) {
  double worst = 0;
  unsigned rng = 12345;
  for (int i = 0; i < n; i++) {
    int N = shape_numel(e->g->vars[vars[i]].shape), m = N < max_coords ? N : max_coords;
    double *an = env_eval(e, grads[i]), *a = malloc(m * sizeof(double)), *fd = malloc(m * sizeof(double));
    for (int j = 0; j < m; j++) {
      int k = N <= max_coords ? j : (int)((rng = rng * 1103515245u + 12345u) >> 8) % N;
      a[j] = an[k];
      fd[j] = fd_var(e, f, vars[i], NULL, k, h);
    }
    double r = rel_err(a, fd, m, 1e-9);
    if (r > worst) worst = r;
    free(an);
    free(a);
    free(fd);
  }
  return worst;
}

void expect_le(const char *what, double value, double bound) {
  int ok = value <= bound; /* NaN fails */
  printf("%-4s %-60s %.3g (bound %.3g)\n", ok ? "ok" : "FAIL", what, value, bound);
  if (ok)
    checks_passed++;
  else
    checks_failed++;
}
