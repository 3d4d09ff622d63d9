#include "metrics.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void feature_stats(const float *f, long n, int d, double *mu, double *S) {
  memset(mu, 0, d * sizeof(double));
  memset(S, 0, (size_t)d * d * sizeof(double));
  for (long i = 0; i < n; i++)
    for (int a = 0; a < d; a++) mu[a] += f[i * d + a];
  for (int a = 0; a < d; a++) mu[a] /= n;
  double *c = xmalloc(d * sizeof(double), "a mean vector");
  for (long i = 0; i < n; i++) {
    for (int a = 0; a < d; a++) c[a] = f[i * d + a] - mu[a];
    for (int a = 0; a < d; a++)
      for (int b = a; b < d; b++) S[a * d + b] += c[a] * c[b];
  }
  for (int a = 0; a < d; a++)
    for (int b = a; b < d; b++) S[b * d + a] = S[a * d + b] = S[a * d + b] / (n > 1 ? n - 1 : 1);
  free(c);
}

void sym_eig(double *A, int d, double *values, double *V) {
  for (int i = 0; i < d * d; i++) V[i] = i % (d + 1) == 0;
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0, total = 0;
    for (int p = 0; p < d; p++)
      for (int q = 0; q < d; q++) {
        total += A[p * d + q] * A[p * d + q];
        if (p != q) off += A[p * d + q] * A[p * d + q];
      }
    if (off <= 1e-30 * total || off == 0) break;
    for (int p = 0; p < d - 1; p++)
      for (int q = p + 1; q < d; q++) {
        double apq = A[p * d + q];
        if (apq == 0) continue;
        /* the rotation that zeroes A[p][q] (Golub & Van Loan, sym.schur2) */
        double tau = (A[q * d + q] - A[p * d + p]) / (2 * apq);
        double t = (tau >= 0 ? 1 : -1) / (fabs(tau) + sqrt(1 + tau * tau));
        double c = 1 / sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < d; k++) { /* A <- A J */
          double akp = A[k * d + p], akq = A[k * d + q];
          A[k * d + p] = c * akp - s * akq;
          A[k * d + q] = s * akp + c * akq;
        }
        for (int k = 0; k < d; k++) { /* A <- J^T A */
          double apk = A[p * d + k], aqk = A[q * d + k];
          A[p * d + k] = c * apk - s * aqk;
          A[q * d + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < d; k++) { /* V <- V J */
          double vkp = V[k * d + p], vkq = V[k * d + q];
          V[k * d + p] = c * vkp - s * vkq;
          V[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < d; i++) values[i] = A[i * d + i];
}

double frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int d) {
  size_t dd = (size_t)d * d;
  double *A = xmalloc(6 * dd * sizeof(double), "a covariance eigen-decomposition"), *V = A + dd, *R = V + dd,
         *T = R + dd, *M = T + dd, *lam = M + dd;
  /* R = S1^(1/2) from the eigen-decomposition of S1 (eigenvalues clamped at 0) */
  memcpy(A, S1, dd * sizeof(double));
  sym_eig(A, d, lam, V);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      double r = 0;
      for (int k = 0; k < d; k++) r += V[i * d + k] * sqrt(fmax(lam[k], 0)) * V[j * d + k];
      R[i * d + j] = r;
    }
  for (int i = 0; i < d; i++) /* T = R S2 */
    for (int j = 0; j < d; j++) {
      double t = 0;
      for (int k = 0; k < d; k++) t += R[i * d + k] * S2[k * d + j];
      T[i * d + j] = t;
    }
  for (int i = 0; i < d; i++) /* M = T R, symmetrised against round-off */
    for (int j = 0; j < d; j++) {
      double m = 0;
      for (int k = 0; k < d; k++) m += T[i * d + k] * R[k * d + j];
      M[i * d + j] = m;
    }
  for (int i = 0; i < d; i++)
    for (int j = 0; j < i; j++) M[i * d + j] = M[j * d + i] = 0.5 * (M[i * d + j] + M[j * d + i]);
  sym_eig(M, d, lam, V);
  double fd = 0;
  for (int i = 0; i < d; i++)
    fd += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + S1[i * d + i] + S2[i * d + i] - 2 * sqrt(fmax(lam[i], 0));
  free(A);
  return fd;
}

typedef struct {
  float s;
  int in;
} Scored;

static int by_score(const void *a, const void *b) {
  float x = ((const Scored *)a)->s, y = ((const Scored *)b)->s;
  return (x > y) - (x < y);
}

double auroc(const float *s_in, long n_in, const float *s_out, long n_out) {
  long n = n_in + n_out;
  Scored *all = xmalloc(n * sizeof(Scored), "AUROC scores");
  for (long i = 0; i < n_in; i++) all[i] = (Scored){s_in[i], 1};
  for (long i = 0; i < n_out; i++) all[n_in + i] = (Scored){s_out[i], 0};
  qsort(all, n, sizeof(Scored), by_score);
  double rank_sum = 0; /* sum of the in-distribution ranks, ties at their mean rank */
  for (long i = 0; i < n;) {
    long j = i;
    while (j < n && all[j].s == all[i].s) j++;
    double mean_rank = 0.5 * ((i + 1) + j);
    for (long k = i; k < j; k++)
      if (all[k].in) rank_sum += mean_rank;
    i = j;
  }
  free(all);
  return (rank_sum - 0.5 * n_in * (n_in + 1.0)) / ((double)n_in * n_out);
}
