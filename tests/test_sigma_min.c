/* sigma_min of a generator Jacobian for latents wider than 2 (methods.md
 * §3a, §9), in the f64 interpreter, against LAPACK's SVD (dgesvd) of J
 * formed from JVPs, for a random MLP G: R^d -> R^10, d = 3..8:
 *  - Jacobi (the exact small-d path) equals sigma_min;
 *  - LOBPCG: a Ritz value, so mu >= sigma_min after 2 iterations, and mu ->
 *    sigma_min as iterations grow; the shifted power iteration likewise;
 *  - d/dphi and d/dz of mean log mu with v* detached equal central
 *    differences of the whole computation (envelope theorem);
 *  - at d = D = 2, the Jacobi path gives the closed form's value and phi-gradient. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "autodiff.h"
#include "dsl.h"
#include "gradcheck.h"

#define B 4
#define D 10

extern void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a, const int *lda,
                    double *s, double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
                    int *info);

/* sigma_min of the D x d matrix with rows Jt[i*D + k] = J[k][i] (column-major J = Jt as given) */
static double lapack_sigma_min(const double *Jt, int d, int Dd) {
  double a[8 * 16], s[8], work[512];
  int m = Dd, n = d, lwork = 512, info, one = 1;
  for (int i = 0; i < d * Dd; i++) a[i] = Jt[i];
  dgesvd_("N", "N", &m, &n, a, &m, s, NULL, &one, NULL, &one, work, &lwork, &info);
  return info ? NAN : s[d - 1];
}

/* gradients of scalar f w.r.t. every variable whose name starts with `prefix` */
static int grads_of(Graph *g, int f, const char *prefix, int *vars, int *grads) {
  int nodes[64], n = 0;
  for (int v = 0; v < g->n_vars; v++)
    if (!strncmp(g->vars[v].name, prefix, strlen(prefix))) {
      vars[n] = v;
      nodes[n++] = g->vars[v].node;
    }
  int one = ir_scalar_like(g, f, 1.0);
  ad_vjp(g, 1, &f, &one, n, nodes, grads);
  for (int i = 0; i < n; i++) grads[i] = ad_materialize(g, grads[i], nodes[i]);
  return n;
}

static void check_width(int d) {
  char code[2048];
  snprintf(code, sizeof code,
           "local sv = require 'sv'\n"
           "G = nn.seq{nn.linear(%d, 16, {name = 'g1'}), nn.tanh(), nn.linear(16, %d, {name = 'g2'})}\n"
           "z = ebm.state('z', {%d, %d}, {'normal', 0, 1})\n"
           "local y, rows = G(z, 'eval'), {}\n"
           "for i = 1, %d do\n"
           "  local e = {}\n"
           "  for j = 1, %d do e[j] = i == j and 1 or 0 end\n"
           "  rows[i] = ebm.reshape(ebm.jvp(z, ebm.broadcast(ebm.const(e, {1, %d}), {%d, %d}), y), {%d, 1, %d})\n"
           "end\n"
           "Jt = ebm.concat(rows, 2)\n"
           "exact = sv.log_sigma_min(G, z, {algorithm = 'exact'})\n"
           "lob2 = sv.log_sigma_min(G, z, {algorithm = 'lobpcg', iters = 2})\n"
           "lob40 = sv.log_sigma_min(G, z, {algorithm = 'lobpcg', iters = 40})\n"
           "pow2 = sv.log_sigma_min(G, z, {algorithm = 'power', iters = 2})\n"
           "pow400 = sv.log_sigma_min(G, z, {algorithm = 'power', iters = 400})\n"
           "f = ebm.mean(exact)\n",
           d, D, B, d, d, d, d, B, d, B, D);
  Host *h = dsl_load(code);
  Graph *g = h->g;
  Env e = env_new(g, 30 + d);
  double *Jt = env_eval(&e, dsl_tensor(h, "Jt"));
  double *ex = env_eval(&e, dsl_tensor(h, "exact")), *l2 = env_eval(&e, dsl_tensor(h, "lob2"));
  double *l12 = env_eval(&e, dsl_tensor(h, "lob40")), *p2 = env_eval(&e, dsl_tensor(h, "pow2"));
  double *p400 = env_eval(&e, dsl_tensor(h, "pow400"));
  double err_exact = 0, below2 = 0, err12 = 0, err_l2 = 0, below_p = 0, err_p2 = 0, err_p400 = 0;
  for (int b = 0; b < B; b++) {
    double ref = log(lapack_sigma_min(Jt + b * d * D, d, D));
    err_exact = fmax(err_exact, fabs(ex[b] - ref));
    below2 = fmax(below2, ref - l2[b]);
    below_p = fmax(below_p, fmax(ref - p2[b], ref - p400[b]));
    err_l2 = fmax(err_l2, l2[b] - ref);
    err12 = fmax(err12, fabs(l12[b] - ref));
    err_p2 = fmax(err_p2, p2[b] - ref);
    err_p400 = fmax(err_p400, p400[b] - ref);
  }
  char msg[256];
  printf("     d = %d: log mu - log sigma_min: LOBPCG 2 its %.3g, 40 its %.3g; power 2 its %.3g, 400 its %.3g\n", d,
         err_l2, err12, err_p2, err_p400);
  snprintf(msg, sizeof msg, "d = %d: Jacobi log sigma_min vs LAPACK SVD", d);
  expect_le(msg, err_exact, 1e-9);
  snprintf(msg, sizeof msg, "d = %d: LOBPCG (2 its) mu >= sigma_min (a Ritz value)", d);
  expect_le(msg, below2, 1e-12);
  snprintf(msg, sizeof msg, "d = %d: LOBPCG (40 its) converged to sigma_min", d);
  expect_le(msg, err12, 1e-6);
  snprintf(msg, sizeof msg, "d = %d: power iteration mu >= sigma_min", d);
  expect_le(msg, below_p, 1e-12);
  snprintf(msg, sizeof msg, "d = %d: power iteration closer after 400 its than after 2", d);
  expect_le(msg, err_p400 - err_p2, 0);
  /* envelope theorem: gradients with v* detached equal differences of the whole computation */
  int f = dsl_tensor(h, "f"), vars[64], grads[64];
  int n = grads_of(g, f, "g", vars, grads);
  n += grads_of(g, f, "z", vars + n, grads + n);
  env_sync(&e);
  snprintf(msg, sizeof msg, "d = %d: d/dphi, d/dz of mean log sigma_min vs finite differences", d);
  expect_le(msg, check_grad(&e, f, n, vars, grads, 12, 1e-5), 1e-6);
  free(Jt);
  free(ex);
  free(l2);
  free(l12);
  free(p2);
  free(p400);
  env_free(&e);
  host_free(h);
}

/* d = D = 2: the Jacobi path agrees with the closed form (value and phi-gradient, §9 "the D6 path with exact v*") */
static void check_2x2(void) {
  Host *h = dsl_load(
      "local sv = require 'sv'\n"
      "G = nn.seq{nn.linear(2, 16, {name = 'g1'}), nn.tanh(), nn.linear(16, 2, {name = 'g2'})}\n"
      "z = ebm.state('z', {8, 2}, {'normal', 0, 1})\n"
      "closed = ebm.mean(sv.log_sigma_min(G, z, {algorithm = 'exact'}))\n"
      "jac = ebm.mean(sv.log_sigma_min(G, z, {algorithm = 'jacobi'}))\n");
  Graph *g = h->g;
  int c = dsl_tensor(h, "closed"), j = dsl_tensor(h, "jac"), vars[64], gc[64], gj[64];
  int n = grads_of(g, c, "g", vars, gc);
  grads_of(g, j, "g", vars, gj);
  Env e = env_new(g, 3);
  double a = env_scalar(&e, c), b = env_scalar(&e, j), worst = 0;
  for (int i = 0; i < n; i++) {
    int N = shape_numel(g->vars[vars[i]].shape);
    double *x = env_eval(&e, gc[i]), *y = env_eval(&e, gj[i]);
    worst = fmax(worst, rel_err(x, y, N, 1e-12));
    free(x);
    free(y);
  }
  expect_le("d = 2: Jacobi mean log sigma_min equals the closed form", fabs(a - b), 1e-12);
  expect_le("d = 2: its phi-gradient (v* detached) equals the closed form's", worst, 1e-9);
  env_free(&e);
  host_free(h);
}

int main(void) {
  for (int d = 3; d <= 8; d++) check_width(d);
  check_2x2();
  return report();
}
