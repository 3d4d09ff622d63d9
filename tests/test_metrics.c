/* FD-FMNIST's Frechet distance and the OOD AUROC (methods.md §7.4) against
 * closed forms and brute force. */
#include <math.h>
#include <stdlib.h>

#include "gradcheck.h"
#include "metrics.h"

static unsigned state = 7;
static double urand(void) {
  state = state * 1664525u + 1013904223u;
  return (state >> 8) / 16777216.0;
}

/* random symmetric positive definite A = B B^T + 0.1 I */
static void spd(double *A, int d) {
  double *B = malloc(d * d * sizeof(double));
  for (int i = 0; i < d * d; i++) B[i] = urand() - 0.5;
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      double s = i == j ? 0.1 : 0;
      for (int k = 0; k < d; k++) s += B[i * d + k] * B[j * d + k];
      A[i * d + j] = s;
    }
  free(B);
}

int main(void) {
  enum { d = 12 };
  double A[d * d], A0[d * d], V[d * d], lam[d], err = 0;
  spd(A, d);
  for (int i = 0; i < d * d; i++) A0[i] = A[i];
  sym_eig(A, d, lam, V);
  for (int i = 0; i < d; i++) /* A0 v_k = lambda_k v_k */
    for (int k = 0; k < d; k++) {
      double s = 0;
      for (int j = 0; j < d; j++) s += A0[i * d + j] * V[j * d + k];
      err = fmax(err, fabs(s - lam[k] * V[i * d + k]));
    }
  expect_le("Jacobi eigenpairs: |A v - lambda v|", err, 1e-12);

  double mu1[d], mu2[d], S1[d * d], S2[d * d];
  for (int i = 0; i < d; i++) {
    mu1[i] = urand();
    mu2[i] = urand();
  }
  spd(S1, d);
  expect_le("FD of a Gaussian with itself is 0", fabs(frechet_distance(mu1, S1, mu1, S1, d)), 1e-9);
  /* diagonal covariances: sum (mu1 - mu2)^2 + (sigma1 - sigma2)^2 */
  double D1[d * d] = {0}, D2[d * d] = {0}, want = 0;
  for (int i = 0; i < d; i++) {
    double a = 0.1 + urand(), b = 0.1 + urand();
    D1[i * d + i] = a * a;
    D2[i * d + i] = b * b;
    want += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + (a - b) * (a - b);
  }
  expect_le("FD of diagonal Gaussians = closed form", fabs(frechet_distance(mu1, D1, mu2, D2, d) - want), 1e-10);
  /* symmetric in its arguments, although the formula is not written symmetrically */
  spd(S2, d);
  expect_le("FD symmetric", fabs(frechet_distance(mu1, S1, mu2, S2, d) - frechet_distance(mu2, S2, mu1, S1, d)), 1e-9);

  /* feature_stats: mean and unbiased covariance of 3 rows */
  float f[6] = {1, 2, 3, 4, 5, 9};
  double mu[2], S[4];
  feature_stats(f, 3, 2, mu, S);
  expect_le("feature means", fabs(mu[0] - 3) + fabs(mu[1] - 5), 1e-12);
  expect_le("feature covariance (n - 1)", fabs(S[0] - 4) + fabs(S[1] - 7) + fabs(S[2] - 7) + fabs(S[3] - 13), 1e-12);

  /* AUROC against the pair count, with ties */
  enum { ni = 300, no = 200 };
  float si[ni], so[no];
  for (int i = 0; i < ni; i++) si[i] = (float)(int)(urand() * 20 + 3);
  for (int i = 0; i < no; i++) so[i] = (float)(int)(urand() * 20);
  double pairs = 0;
  for (int i = 0; i < ni; i++)
    for (int j = 0; j < no; j++) pairs += si[i] > so[j] ? 1 : si[i] == so[j] ? 0.5 : 0;
  expect_le("AUROC from ranks = pair count with ties", fabs(auroc(si, ni, so, no) - pairs / (ni * no)), 1e-12);
  float hi[3] = {5, 6, 7}, lo[2] = {1, 2};
  expect_le("AUROC of separated scores is 1", fabs(auroc(hi, 3, lo, 2) - 1), 0);
  expect_le("AUROC of identical scores is 1/2", fabs(auroc(lo, 2, lo, 2) - 0.5), 0);
  return report();
}
