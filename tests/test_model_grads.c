/* Whole-model derivative checks through the Lua DSL, in f64:
 *  - d/dtheta of mean ||grad_x E(x)||^2 for the toy energy net (VJP of VJP);
 *  - d/dphi of mean log sigma_min(dG/dz) for the toy generator (VJP of JVP);
 *  - Hessian-vector products of E (JVP of VJP), symmetric and equal to
 *    differences of gradients and to the VJP-of-VJP form;
 *  - the identities of methods.md §9: D3 two ways, the 2x2 closed form
 *    against an SVD, D6 with the exact v* against D7. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autodiff.h"
#include "gradcheck.h"
#include "host.h"

static Host *load(const char *code) {
  Host *h = host_new();
  if (host_run_string(h, code, "@test_model_grads")) {
    fprintf(stderr, "snippet failed: %s\n", h->error);
    exit(1);
  }
  return h;
}

static int tensor(Host *h, const char *name) {
  int id = host_global_tensor(h, name);
  if (id < 0) {
    fprintf(stderr, "no tensor %s\n", name);
    exit(1);
  }
  return id;
}

/* gradient nodes of scalar f w.r.t. every parameter variable */
static int param_grads(Graph *g, int f, int *vars, int *grads) {
  int n = 0, nodes[256];
  for (int v = 0; v < g->n_vars; v++)
    if (g->vars[v].kind == VAR_PARAM) {
      vars[n] = v;
      nodes[n++] = g->vars[v].node;
    }
  int one = ir_scalar_like(g, f, 1.0);
  ad_vjp(g, 1, &f, &one, n, nodes, grads);
  for (int i = 0; i < n; i++) grads[i] = ad_materialize(g, grads[i], nodes[i]);
  return n;
}

static void check_params(const char *what, const char *code, double h_fd) {
  Host *h = load(code);
  int f = tensor(h, "f"), vars[256], grads[256];
  int n = param_grads(h->g, f, vars, grads);
  Env e = env_new(h->g, 5);
  /* BN running statistics away from their initial 0/1, so eval mode is a real affine map */
  for (int v = 0; v < h->g->n_vars; v++) {
    const char *name = h->g->vars[v].name;
    int N = shape_numel(h->g->vars[v].shape);
    if (strstr(name, "running_var"))
      for (int i = 0; i < N; i++) e.vals[v][i] = 0.5 + 0.1 * (i % 7);
    if (strstr(name, "running_mean"))
      for (int i = 0; i < N; i++) e.vals[v][i] = 0.05 * ((i % 5) - 2);
  }
  expect_le(what, check_grad(&e, f, n, vars, grads, 24, h_fd), 1e-6);
  env_free(&e);
  host_free(h);
}

static const char *energy_penalty =
    "E = nets.toy_energy{width = 16, act = '%s'}.build('E')\n"
    "x = ebm.state('x', {8, 2}, {'normal', 0, 1.5})\n"
    "local g = ebm.grad(ebm.sum(E(x)), x)\n"
    "f = ebm.mean(ebm.sum(g * g, 2))\n";

static const char *generator_logsigma =
    "local sv = require 'sv'\n"
    "G = nets.toy_generator{width = 16}.build('G')\n"
    "z = ebm.state('z', {8, 2}, {'normal', 0, 1})\n"
    "f = ebm.mean(sv.log_sigma_min(G, z))\n"
    "a, b, c, e = sv.jacobian_2x2(G, z)\n";

static void check_hvp(void) {
  Host *h = load(
      "E = nets.toy_energy{width = 16, act = 'silu'}.build('E')\n"
      "x = ebm.state('x', {8, 2}, {'normal', 0, 1.5})\n"
      "u = ebm.state('u', {8, 2}, {'normal', 0, 1})\n"
      "v = ebm.state('v', {8, 2}, {'normal', 0, 1})\n"
      "g = ebm.grad(ebm.sum(E(x)), x)\n"
      "Hv = ebm.jvp(x, v, g)                       -- forward over reverse\n"
      "Hu = ebm.jvp(x, u, g)\n"
      "Hv2 = ebm.grad(ebm.sum(g * v), x)           -- reverse over reverse\n"
      "uHv = ebm.sum(u * Hv)\n"
      "vHu = ebm.sum(v * Hu)\n");
  Graph *g = h->g;
  int x = tensor(h, "x"), grad = tensor(h, "g"), hv = tensor(h, "Hv"), hv2 = tensor(h, "Hv2");
  Env e = env_new(g, 11);
  int xv = g->nodes[x].var, vv = g->nodes[tensor(h, "v")].var, N = 16;
  double *a = env_eval(&e, hv), *b = env_eval(&e, hv2), fd[16], *save = malloc(N * sizeof(double));
  memcpy(save, e.vals[xv], N * sizeof(double));
  const double step = 1e-5;
  for (int s = -1; s <= 1; s += 2) { /* [grad E(x + h v) - grad E(x - h v)] / 2h */
    for (int i = 0; i < N; i++) e.vals[xv][i] = save[i] + s * step * e.vals[vv][i];
    double *gr = env_eval(&e, grad);
    for (int i = 0; i < N; i++) fd[i] = (s < 0 ? 0 : fd[i]) + s * gr[i] / (2 * step);
    free(gr);
  }
  memcpy(e.vals[xv], save, N * sizeof(double));
  expect_le("HVP (JVP of VJP) vs differences of gradients", rel_err(a, fd, N, 1e-12), 1e-6);
  expect_le("HVP: JVP of VJP equals VJP of VJP", rel_err(a, b, N, 1e-12), 1e-12);
  double uhv = env_scalar(&e, tensor(h, "uHv")), vhu = env_scalar(&e, tensor(h, "vHu"));
  expect_le("HVP symmetric: u'Hv = v'Hu", rel_err(&uhv, &vhu, 1, 1e-12), 1e-12);
  free(a);
  free(b);
  free(save);
  env_free(&e);
  host_free(h);
}

/* D3 two ways: d/dtheta ||grad_x E||^2 / 2 by VJP of VJP, and as
 * d/dtheta <grad_x E, sg(g)> (JVP of E along the fixed g, then VJP). */
static void check_d3(void) {
  Host *h = load(
      "E = nets.toy_energy{width = 16, act = 'silu'}.build('E')\n"
      "x = ebm.state('x', {8, 2}, {'normal', 0, 1.5})\n"
      "local g = ebm.grad(ebm.sum(E(x)), x)\n"
      "f1 = 0.5 * ebm.sum(g * g)\n"
      "local sg = ebm.stop_gradient(g)\n"
      "f2 = ebm.sum(ebm.jvp(x, sg, E(x)))\n");
  int vars[256], g1[256], g2[256];
  int n = param_grads(h->g, tensor(h, "f1"), vars, g1);
  param_grads(h->g, tensor(h, "f2"), vars, g2);
  Env e = env_new(h->g, 13);
  double worst = 0;
  for (int i = 0; i < n; i++) {
    double *a = env_eval(&e, g1[i]), *b = env_eval(&e, g2[i]);
    worst = fmax(worst, rel_err(a, b, shape_numel(h->g->vars[vars[i]].shape), 1e-12));
    free(a);
    free(b);
  }
  expect_le("D3: VJP of VJP equals JVP-then-VJP", worst, 1e-12);
  env_free(&e);
  host_free(h);
}

/* smallest singular value and its right vector of [[a,b],[c,e]] from the eigen-decomposition of J'J */
static double sigma_min_svd(double a, double b, double c, double e, double *v) {
  double p = a * a + c * c, q = a * b + c * e, r = b * b + e * e; /* J'J = [[p,q],[q,r]] */
  double lmin = 0.5 * (p + r) - sqrt(0.25 * (p - r) * (p - r) + q * q);
  if (v) { /* eigenvector of lmin */
    double x = q, y = lmin - p;
    if (fabs(x) + fabs(y) < 1e-300) {
      x = r - lmin;
      y = -q;
    }
    double n = hypot(x, y);
    v[0] = x / n;
    v[1] = y / n;
  }
  return sqrt(fmax(lmin, 0));
}

static void check_sigma_identities(void) {
  Host *h = load(generator_logsigma);
  Graph *g = h->g;
  Env env = env_new(g, 17);
  double *A = env_eval(&env, tensor(h, "a")), *B = env_eval(&env, tensor(h, "b"));
  double *C = env_eval(&env, tensor(h, "c")), *E = env_eval(&env, tensor(h, "e"));
  /* log sigma_min per sample, before the mean */
  host_run_string(h, "ls = require('sv').log_sigma_min(G, z)\n", "@test_model_grads");
  double *ls = env_eval(&env, tensor(h, "ls")), worst = 0, vstar[16];
  for (int i = 0; i < 8; i++) {
    double s = sigma_min_svd(A[i], B[i], C[i], E[i], vstar + 2 * i);
    worst = fmax(worst, fabs(exp(ls[i]) - s) / s);
  }
  expect_le("2x2 closed-form sigma_min equals the SVD", worst, 1e-12);
  /* D6 with the exact v* (a constant) against D7, the closed form differentiated */
  char code[512];
  snprintf(code, sizeof code,
           "vstar = ebm.const({%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,"
           "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g}, {8, 2})\n",
           vstar[0], vstar[1], vstar[2], vstar[3], vstar[4], vstar[5], vstar[6], vstar[7], vstar[8], vstar[9],
           vstar[10], vstar[11], vstar[12], vstar[13], vstar[14], vstar[15]);
  host_run_string(h, code, "@test_model_grads");
  host_run_string(h,
                  "local Jv = ebm.jvp(z, vstar, G(z, 'eval'))\n"
                  "f6 = ebm.mean(0.5 * ebm.log(ebm.sum(Jv * Jv, 2)))\n",
                  "@test_model_grads");
  int vars[256], g7[256], g6[256];
  int n = param_grads(g, tensor(h, "f"), vars, g7);
  param_grads(g, tensor(h, "f6"), vars, g6);
  worst = 0;
  for (int i = 0; i < n; i++) {
    double *x = env_eval(&env, g7[i]), *y = env_eval(&env, g6[i]);
    worst = fmax(worst, rel_err(x, y, shape_numel(g->vars[vars[i]].shape), 1e-12));
    free(x);
    free(y);
  }
  expect_le("D6 (||J v*||, v* exact) gives the same phi-gradient as D7", worst, 1e-9);
  free(A);
  free(B);
  free(C);
  free(E);
  free(ls);
  env_free(&env);
  host_free(h);
}

int main(void) {
  char code[1024];
  snprintf(code, sizeof code, energy_penalty, "silu");
  check_params("d/dtheta mean ||grad_x E||^2, toy energy (SiLU)", code, 1e-5);
  snprintf(code, sizeof code, energy_penalty, "prelu");
  check_params("d/dtheta mean ||grad_x E||^2, toy energy (PReLU)", code, 1e-6);
  check_params("d/dphi mean log sigma_min(dG/dz), toy generator", generator_logsigma, 1e-6);
  check_hvp();
  check_d3();
  check_sigma_identities();
  return report();
}
