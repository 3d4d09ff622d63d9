/* Image metrics of methods.md §7.4, in float64: the Frechet distance between
 * two Gaussians fitted to feature sets (FD-FMNIST; never called FID) and the
 * AUROC of two score sets from ranks (Mann-Whitney, ties count one half). */
#ifndef EBM_METRICS_H
#define EBM_METRICS_H

/* Mean mu [d] and covariance S [d, d] (divisor n - 1) of n rows of f [n, d]. */
void feature_stats(const float *f, long n, int d, double *mu, double *S);

/* ||mu1 - mu2||^2 + tr(S1 + S2) - 2 sum_i sqrt(lambda_i), lambda_i the
 * eigenvalues of S1^(1/2) S2 S1^(1/2) (negative round-off clamped to 0). */
double frechet_distance(const double *mu1, const double *S1, const double *mu2, const double *S2, int d);

/* Eigen-decomposition of a symmetric d x d matrix by cyclic Jacobi rotations:
 * A is overwritten, values[d], vectors [d, d] with eigenvector k in column k. */
void sym_eig(double *A, int d, double *values, double *vectors);

/* P(s_in > s_out) + P(s_in = s_out) / 2 over all pairs. */
double auroc(const float *s_in, long n_in, const float *s_out, long n_out);

#endif
