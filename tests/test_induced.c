/* methods.md §9: for a quadratic energy E = x'Ax/2, mle-gd is the linear map
 * (I - alpha A)^K, so the induced log-density of every sample is
 * log p0(x0) - K log|det(I - alpha A)|, and x_K = (I - alpha A)^K x0. */
#include <math.h>
#include <stdlib.h>

#include "dsl.h"
#include "gradcheck.h"
#include "program.h"
#include "run.h"

int main(void) {
  const double a11 = 1.0, a12 = 0.3, a22 = 0.5, alpha = 0.1;
  const int K = 20, B = 16;
  Host *h = dsl_load(
      "local A = ebm.const({1.0, 0.3, 0.3, 0.5}, {2, 2})\n"
      "local quad = {kind = 'net', build = function(p)\n"
      "  local w = ebm.param(p .. '.unused', {1}, 0)   -- the optimiser needs a parameter\n"
      "  return nn.module({w}, function(x) return 0.5 * ebm.sum(ebm.matmul(x, A) * x, 2) + 0 * ebm.sum(w) end)\n"
      "end}\n"
      "model { method = 'mle-gd', data = '8gaussians', batch = 16, K = 20, alpha = 0.1, energy = quad }\n");
  Trainer *t = trainer_new(h, 3, 1);
  if (trainer_run_entry(t, "induced", 0)) {
    printf("FAIL no induced entry\n");
    return 1;
  }
  int out = dsl_var(h, "induced.out"), x0v = -1;
  (void)x0v;
  /* (I - alpha A)^K and its determinant */
  double m11 = 1 - alpha * a11, m12 = -alpha * a12, m22 = 1 - alpha * a22;
  double p11 = 1, p12 = 0, p21 = 0, p22 = 1;
  for (int k = 0; k < K; k++) {
    double q11 = p11 * m11 + p12 * m12, q12 = p11 * m12 + p12 * m22, q21 = p21 * m11 + p22 * m12,
           q22 = p21 * m12 + p22 * m22;
    p11 = q11;
    p12 = q12;
    p21 = q21;
    p22 = q22;
  }
  double want_lq = -2 * log(8.0) - K * log(fabs(m11 * m22 - m12 * m12));
  /* x0 from the same Philox draws: invert the linear map */
  double det = p11 * p22 - p12 * p21, err_lq = 0, err_box = 0, folds = 0;
  const double *o = trainer_var(t, out);
  for (int b = 0; b < B; b++) {
    double x = o[4 * b], y = o[4 * b + 1];
    double x0 = (p22 * x - p12 * y) / det, y0 = (-p21 * x + p11 * y) / det;
    err_lq = fmax(err_lq, fabs(o[4 * b + 2] - want_lq));
    err_box = fmax(err_box, fmax(fabs(x0), fabs(y0)) - 4); /* x0 must lie in the start box */
    folds += o[4 * b + 3];
  }
  expect_le("induced log q = log p0 - K log|det(I - alpha A)| (quadratic E)", err_lq, 1e-10);
  expect_le("samples map back into the start box [-4, 4]^2", err_box, 1e-9);
  expect_le("no folds for an invertible map", folds, 0);
  trainer_free(t);
  host_free(h);
  return report();
}
