/* The sandwich's per-draw log-weights of both lower-bound modules (methods.md
 * §7.3, §9 "for a Gaussian energy and a linear generator the three numbers
 * are analytic"), in the f64 interpreter on 20,000 draws, with
 * E(x) = |x|^2 / 2, so Z = 2 pi exactly:
 *   (a) G(z) = A z + b: E[exp(lambda_up)] = Z (change of variables), and
 *       E[lambda_lo] = -(tr(A'A) + |b|^2)/2 + 1 + log 2 pi + 2 log sigma_min(A);
 *   (b) x = A z + b + sigma eps with a fixed encoder: E[exp(lambda)] = Z for
 *       any encoder (importance sampling), and E[lambda] < log Z (Jensen).
 * Every Gaussian constant, log|det| and sigma_min term enters these numbers. */
#include <math.h>
#include <stdlib.h>

#include "dsl.h"
#include "gradcheck.h"

#define N 20000

static const double A[4] = {1.2, 0.3, -0.2, 0.9}, b[2] = {0.1, -0.2};

/* mean and standard error of x, and log mean exp(x) with its delta-method SE */
static void moments(const double *x, double *mean, double *se, double *lme, double *lme_se) {
  double m = 0, v = 0, mx = -INFINITY, sw = 0, sw2 = 0;
  for (int i = 0; i < N; i++) {
    m += x[i] / N;
    mx = fmax(mx, x[i]);
  }
  for (int i = 0; i < N; i++) {
    v += (x[i] - m) * (x[i] - m) / (N - 1);
    double w = exp(x[i] - mx);
    sw += w;
    sw2 += w * w;
  }
  double mw = sw / N, vw = (sw2 / N - mw * mw) * N / (N - 1);
  *mean = m;
  *se = sqrt(v / N);
  *lme = log(mw) + mx;
  *lme_se = sqrt(vw / N) / mw;
}

static const char *common =
    "E = nn.module({}, function(x) return 0.5 * ebm.sum(x * x, 2) end)\n"
    "G = nn.module({}, function(z) return ebm.matmul(z, ebm.const({1.2, -0.2, 0.3, 0.9}, {2, 2})) + ebm.const({0.1, "
    "-0.2}, {1, 2}) end)\n";

int main(void) {
  double log_z = log(2 * M_PI), m, se, lme, lse;
  char code[2048];
  /* (a): G(z) = z A^T + b, i.e. x = A z + b with A as above (rows) */
  snprintf(code, sizeof code,
           "%s"
           "local s = {B = %d, d = 2, D = 2, E = E, G = G, cfg = {}}\n"
           "lo, up, sign = require('bound_sv').log_weights(s)\n",
           common, N);
  Host *h = dsl_load(code);
  Env e = env_new(h->g, 1);
  double *lo = env_eval(&e, dsl_tensor(h, "lo")), *up = env_eval(&e, dsl_tensor(h, "up"));
  double ata = A[0] * A[0] + A[1] * A[1] + A[2] * A[2] + A[3] * A[3], det = A[0] * A[3] - A[1] * A[2];
  double smin = sqrt((ata - sqrt(ata * ata - 4 * det * det)) / 2);
  double want_lo = -(ata + b[0] * b[0] + b[1] * b[1]) / 2 + 1 + log(2 * M_PI) + 2 * log(smin);
  moments(up, &m, &se, &lme, &lse);
  printf("     (a): log mean exp(lambda_up) = %.5f +- %.5f, log Z = %.5f\n", lme, lse, log_z);
  expect_le("(a): E[exp(lambda_up)] = Z (within 4 SE)", fabs(lme - log_z) / lse, 4);
  moments(lo, &m, &se, &lme, &lse);
  printf("     (a): mean lambda_lo = %.5f +- %.5f, analytic %.5f\n", m, se, want_lo);
  expect_le("(a): E[lambda_lo] matches its closed form (within 4 SE)", fabs(m - want_lo) / se, 4);
  expect_le("(a): E[lambda_lo] < log Z", m + 4 * se - log_z, 0);
  free(lo);
  free(up);
  env_free(&e);
  host_free(h);
  /* (b): sigma = 1 (a finite second moment of the weights: sigma^2 > 1/2); encoder mu = x/4, l = x/10 */
  snprintf(code, sizeof code,
           "%s"
           "local enc = nn.module({}, function(x) return ebm.concat({0.25 * x, 0.1 * x}, 2) end)\n"
           "local s = {B = %d, d = 2, D = 2, E = E, G = G, enc = enc, cfg = {sigma = 1},\n"
           "           sigma = ebm.hparam('sigma', 1, 'output noise', 'pos')}\n"
           "lam = require('bound_mi').log_weights(s)\n",
           common, N);
  h = dsl_load(code);
  e = env_new(h->g, 2);
  double *lam = env_eval(&e, dsl_tensor(h, "lam"));
  moments(lam, &m, &se, &lme, &lse);
  printf("     (b): log mean exp(lambda) = %.5f +- %.5f, mean lambda = %.5f +- %.5f, log Z = %.5f\n", lme, lse, m, se,
         log_z);
  expect_le("(b): E[exp(lambda)] = Z (within 4 SE)", fabs(lme - log_z) / lse, 4);
  expect_le("(b): E[lambda] < log Z", m + 4 * se - log_z, 0);
  free(lam);
  env_free(&e);
  host_free(h);
  return report();
}
