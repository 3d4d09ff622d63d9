/* The diffusion methods' math (methods.md §3d, §5.1):
 * - the VP schedule in generator/lua/diffusion.lua against closed forms
 *   recomputed here (marginal variances abar + sigma_cum^2 = 1, the posterior
 *   q(x_c | x_n, x_0) from Bayes' rule) and the table of methods.md §5.1;
 * - the random step k: one-hot rows, each level about 1/T of the rows;
 * - bound (d) for a Gaussian conditional EBM f(y) = -|y|^2/(2 s^2) whose
 *   per-step proposal is exact: every log-weight equals the analytic
 *   log Z(x_n, k), so A = C = log Z ((a) via JVP Jacobians, (b) via an exact
 *   encoder); with a too-wide proposal A < log Z < C;
 * - finite differences of the new second-order paths: d/dtheta of DDAEBM's
 *   R1 through the time-conditioned energy, d/dphi of log sigma_min of J_z of
 *   the time-conditioned generator (bb-sv-diff's entropy).
 * (ddaebm's EMA: test_ema.c) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autodiff.h"
#include "dsl.h"
#include "gradcheck.h"
#include "run.h"

static double var_tau(double t, double bmin, double bmax) { return 1 - exp(-0.5 * t * t * (bmax - bmin) - t * bmin); }

static void check_schedule(double bmin, double bmax, const double *tab_c1, const double *tab_pvar) {
  char code[512];
  snprintf(code, sizeof code,
           "local d = require 'diffusion'\n"
           "local S = d.schedule(4, %.17g, %.17g)\n"
           "local function v(t, n) local r = {} for j = 0, n - 1 do r[j + 1] = t[j] end return ebm.const(r, {n}) end\n"
           "beta, a, abar, sc = v(S.beta, 5), v(S.a, 5), v(S.abar, 5), v(S.sigma_cum, 5)\n"
           "c1, c2, pvar = v(S.c1, 4), v(S.c2, 4), v(S.pvar, 4)\n",
           bmin, bmax);
  Host *h = dsl_load(code);
  Env e = env_new(h->g, 1);
  double *beta = env_eval(&e, dsl_tensor(h, "beta")), *a = env_eval(&e, dsl_tensor(h, "a")),
         *abar = env_eval(&e, dsl_tensor(h, "abar")), *sc = env_eval(&e, dsl_tensor(h, "sc")),
         *c1 = env_eval(&e, dsl_tensor(h, "c1")), *c2 = env_eval(&e, dsl_tensor(h, "c2")),
         *pvar = env_eval(&e, dsl_tensor(h, "pvar"));
  double worst = 0, prod = 1;
  for (int j = 0; j <= 4; j++) {
    double tau = j / 4.0 * (1 - 1e-3) + 1e-3, ab = 1 - var_tau(tau, bmin, bmax);
    prod *= 1 - beta[j];
    worst = fmax(worst, fabs(abar[j] - ab));                /* abar_j = 1 - var(tau_j) */
    worst = fmax(worst, fabs(abar[j] - prod));              /* = prod (1 - beta_i) */
    worst = fmax(worst, fabs(abar[j] + sc[j] * sc[j] - 1)); /* marginal variance 1 */
    worst = fmax(worst, fabs(a[j] * a[j] + beta[j] - 1));
  }
  for (int k = 0; k < 4; k++) {
    /* Bayes: x_c ~ N(sqrt(abar_k) x_0, 1 - abar_k), x_n | x_c ~ N(a x_c, beta) */
    double s2 = 1 - abar[k], an = a[k + 1], bn = beta[k + 1], prec = 1 / s2 + an * an / bn;
    worst = fmax(worst, fabs(pvar[k] - 1 / prec));
    worst = fmax(worst, fabs(c2[k] - an / bn / prec));
    worst = fmax(worst, fabs(c1[k] - sqrt(abar[k]) / s2 / prec));
  }
  char msg[200];
  snprintf(msg, sizeof msg, "schedule beta %g/%g: closed forms (marginals, Bayes posterior)", bmin, bmax);
  expect_le(msg, worst, 1e-12);
  double tab = 0; /* methods.md §5.1 prints 3-4 significant digits */
  for (int k = 0; k < 4; k++)
    tab = fmax(tab, fmax(fabs(c1[k] - tab_c1[k]) / tab_c1[k], fabs(pvar[k] - tab_pvar[k]) / tab_pvar[k]));
  snprintf(msg, sizeof msg, "schedule beta %g/%g: c1, pvar as tabulated in methods.md", bmin, bmax);
  expect_le(msg, tab, 5e-3);
  free(beta);
  free(a);
  free(abar);
  free(sc);
  free(c1);
  free(c2);
  free(pvar);
  env_free(&e);
  host_free(h);
}

static void check_random_k(void) {
  Host *h = dsl_load(
      "local d = require 'diffusion'\n"
      "oh = d.random_k(40000, 4)\n"
      "rows = ebm.sum(oh, 2)\n"
      "freq = ebm.mean(oh, 1)\n"
      "lev = d.level(oh)\n");
  Env e = env_new(h->g, 1);
  double *rows = env_eval(&e, dsl_tensor(h, "rows")), *freq = env_eval(&e, dsl_tensor(h, "freq")),
         *oh = env_eval(&e, dsl_tensor(h, "oh")), *lev = env_eval(&e, dsl_tensor(h, "lev"));
  double worst = 0, fw = 0;
  for (int i = 0; i < 40000; i++) {
    worst = fmax(worst, fabs(rows[i] - 1));
    for (int j = 0; j < 4; j++)
      if (oh[4 * i + j] != 0 && oh[4 * i + j] != 1) worst = 1;
    double l = 0;
    for (int j = 0; j < 4; j++) l += j * oh[4 * i + j];
    worst = fmax(worst, fabs(l - lev[i]));
  }
  for (int j = 0; j < 4; j++) fw = fmax(fw, fabs(freq[j] - 0.25));
  expect_le("random k: one-hot rows, level column", worst, 0);
  expect_le("random k: each level ~1/4 of 40000 rows (6 sd)", fw, 6 * sqrt(0.25 * 0.75 / 40000));
  free(rows);
  free(freq);
  free(oh);
  free(lev);
  env_free(&e);
  host_free(h);
}

static void check_bounds_exact(void) {
  Host *h = dsl_load(
      "local diff = require 'diffusion'\n"
      "local bd = require 'bound_diff'\n"
      "local S = diff.schedule(4, 0.1, 20)\n"
      "local k, P, m = 1, 3, 4096\n"
      "local a, be, c1, c2, pv = S.a[k + 1], S.beta[k + 1], S.c1[k], S.c2[k], S.pvar[k]\n"
      "local s2 = 0.49\n"
      "local prec = 1 / s2 + a * a / be\n"
      "local vpost, r = 1 / prec, a / be / prec\n"
      "local f = function(y) return -ebm.sum(y * y, 2) / (2 * s2) end\n"
      "xn = ebm.state('xn', {P, 2}, {'normal', 0, 1})\n"
      "local oh = diff.fixed_k(P * m, 4, k)\n"
      "local xnr, emb = diff.repeat_rows(xn, m), nets.time_embedding(diff.level(oh), 16)\n"
      "local z, eps = ebm.normal({P * m, 2}), ebm.normal({P * m, 2})\n"
      "local function lin(al, ga) return function(x, zz) return al * x + ga * zz end end\n"
      "local function run(kind, G, q)\n"
      "  local y, wlo, wup = bd.proposal(kind, S, G, q, xnr, oh, emb, z, eps, 'eval')\n"
      "  local ne = diff.neg_cond_energy(S, f, y, xnr, oh, emb)\n"
      "  return bd.estimates(ne + wlo, ne + wup, m)\n"
      "end\n"
      /* log Z(x_n) = int exp(f(y)) N(x_n; a y, beta I) dy = 2 pi s2 N(x_n; 0, (a^2 s2 + beta) I) */
      "logZ = math.log(2 * math.pi * s2) + diff.log_normal(xn, 0 * xn, a * a * s2 + be)\n"
      "A_a, C_a = run('a', lin((r - c2) / c1, math.sqrt(vpost) / c1))\n"
      "A_aw, C_aw = run('a', lin((r - c2) / c1, 1.3 * math.sqrt(vpost) / c1))\n"
      "local u = math.sqrt(vpost - pv)\n"
      "local function qex(w)\n"
      "  return function(y, x) local pz = 1 + u * u / pv; return (u / pv) * (y - r * x) / pz, 0 * y + math.log(w / pz) "
      "end\n"
      "end\n"
      "A_b, C_b = run('b', lin((r - c2) / c1, u / c1), qex(1))\n"
      "A_bw, C_bw = run('b', lin((r - c2) / c1, u / c1), qex(2))\n");
  Env e = env_new(h->g, 3);
  double *lz = env_eval(&e, dsl_tensor(h, "logZ"));
  const char *names[] = {"A_a", "C_a", "A_b", "C_b"};
  double worst = 0;
  for (int i = 0; i < 4; i++) {
    double *v = env_eval(&e, dsl_tensor(h, names[i]));
    for (int p = 0; p < 3; p++) worst = fmax(worst, fabs(v[p] - lz[p]));
    free(v);
  }
  expect_le("bound (d), exact proposal: A = C = analytic log Z ((a) and (b))", worst, 1e-9);
  const char *wide[][2] = {{"A_aw", "C_aw"}, {"A_bw", "C_bw"}};
  for (int i = 0; i < 2; i++) {
    double *A = env_eval(&e, dsl_tensor(h, wide[i][0])), *C = env_eval(&e, dsl_tensor(h, wide[i][1]));
    int ok = 1;
    for (int p = 0; p < 3; p++) {
      ok &= A[p] < lz[p] - 1e-3 && lz[p] < C[p];
      printf("     %s: A %.4f < log Z %.4f < C %.4f\n", i ? "(b) wide encoder" : "(a) wide generator", A[p], lz[p],
             C[p]);
    }
    expect_le(i ? "bound (d), (b) with a too-wide encoder: A < log Z < C"
                : "bound (d), (a) with a too-wide generator: A < log Z < C",
              !ok, 0);
    free(A);
    free(C);
  }
  free(lz);
  env_free(&e);
  host_free(h);
}

/* theta-gradient of a scalar against central differences, over parameters whose name starts with `prefix` */
static void check_second_order(const char *code, const char *what, const char *prefix) {
  Host *h = dsl_load(code);
  Graph *g = h->g;
  int L = dsl_tensor(h, "L");
  int vars[64], nodes[64], grads[64], n = 0;
  for (int v = 0; v < g->n_vars && n < 64; v++)
    if (g->vars[v].kind == VAR_PARAM && !strncmp(g->vars[v].name, prefix, strlen(prefix))) {
      vars[n] = v;
      nodes[n++] = g->vars[v].node;
    }
  int one = ir_scalar_like(g, L, 1.0);
  ad_vjp(g, 1, &L, &one, n, nodes, grads);
  for (int i = 0; i < n; i++) grads[i] = ad_materialize(g, grads[i], nodes[i]);
  Env e = env_new(g, 11);
  expect_le(what, check_grad(&e, L, n, vars, grads, 12, 1e-5), 1e-5);
  env_free(&e);
  host_free(h);
}

int main(void) {
  static const double toy_c1[4] = {.9981, .6721, .5042, .4030}, toy_pvar[4] = {1.00e-5, .00359, .00821, .01323};
  static const double img_c1[4] = {.9998, .6657, .2692, .0578}, img_pvar[4] = {1.10e-4, .4409, .8842, .9841};
  check_schedule(0.01, 0.1, toy_c1, toy_pvar);
  check_schedule(0.1, 20, img_c1, img_pvar);
  check_random_k();
  check_bounds_exact();
  /* DDAEBM's R1: d/dtheta mean |grad_x f(x, k) + (a/beta)(x_n - a x)|^2 (a mixed second derivative) */
  check_second_order(
      "local diff = require 'diffusion'\n"
      "local S = diff.schedule(4, 0.01, 0.1)\n"
      "local f = nets.ddaebm_energy{width = 8}.build('E')\n"
      "local k = diff.random_k(6, 4)\n"
      "local emb = nets.time_embedding(diff.level(k), 16)\n"
      "local xc, xn = diff.pairs(S, k, ebm.normal({6, 2}))\n"
      "xc, xn = ebm.stop_gradient(xc), ebm.stop_gradient(xn)\n"
      "local an = diff.pick(k, diff.per_step(S, function(j) return S.a[j + 1] end))\n"
      "local bn = diff.pick(k, diff.per_step(S, function(j) return S.beta[j + 1] end))\n"
      "local g = ebm.grad(ebm.sum(f(xc, emb)), xc) + an / bn * (xn - an * xc)\n"
      "L = ebm.mean(ebm.sum(g * g, 2))\n",
      "ddaebm R1: d/dtheta vs finite differences", "E.");
  /* bb-sv-diff's entropy: d/dphi log sigma_min(J_z) of G(x_n, z, k) (reverse over forward) */
  check_second_order(
      "local diff = require 'diffusion'\n"
      "local bd = require 'bound_diff'\n"
      "local S = diff.schedule(4, 0.1, 20)\n"
      "local G = nets.ddaebm_generator{width = 8, bn = false}.build('G')\n"
      "local k = diff.random_k(6, 4)\n"
      "local emb = nets.time_embedding(diff.level(k), 16)\n"
      "local y, wlo, wup, ent = bd.proposal('a', S, G, nil, ebm.normal({6, 2}), k, emb, ebm.normal({6, 2}), nil, "
      "'eval')\n"
      "L = ebm.mean(ent) + ebm.mean(wup) + ebm.mean(ebm.sum(y * y, 2))\n",
      "bb-sv-diff: d/dphi of the sigma_min entropy, log|det J_z| and y vs finite differences", "G.");
  return report();
}
