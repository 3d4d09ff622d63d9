/* Mode weights of a Gaussian-mixture toy set (docs/methods.md, "mode weights"):
 * how much of a density's mass, or of a set of points, each true mode holds.
 *
 * A point belongs to mode k when it lies within the mode radius of k's centre;
 * the radius is half the smallest distance between two centres, so the discs
 * are disjoint and a point belongs to at most one mode. The rest is "outside".
 * The weights a density or a sample gives the modes are its masses divided by
 * their sum (the outside mass left out); their total variation from the true
 * weights, TV = 1/2 sum_k |w_k - m_k / sum_j m_j|, is 0 for the right weights
 * and approaches 1 when all the mass sits on a mode of weight ~0. */
#ifndef EBM_MODE_MASS_H
#define EBM_MODE_MASS_H

#include "toy_data.h"

#define MODE_MASS_MAX 32

typedef struct {
  const ToyDataset *set;
  int n;                                          /* modes (0: the set has no known mixture) */
  double radius;                                  /* the mode radius */
  double weight[MODE_MASS_MAX];                   /* the data set's mixture weights */
  double density[MODE_MASS_MAX], density_outside; /* masses of the normalised density */
  double samples[MODE_MASS_MAX], samples_outside; /* fractions of the samples */
  double tv_density, tv_samples;
  long n_samples;
  /* from the generator's sandwich draws (methods.md §7.3), when it has them */
  int has_bounds, has_gap;
  double bounds[MODE_MASS_MAX], bounds_outside, tv_bounds; /* the energy's masses, importance-weighted by exp(up) */
  double gap[MODE_MASS_MAX];  /* mean of up - lo over the draws in the mode: (a)'s log(sigma_max / sigma_min) */
  double tilt[MODE_MASS_MAX]; /* log mean exp(up - lo) over them */
} ModeMass;

/* half the smallest distance between two centres (d must have n_modes >= 2) */
double mode_radius(const ToyDataset *d);
/* the mode whose disc of radius r holds (x, y), or -1 */
int mode_of(const ToyDataset *d, double r, double x, double y);
/* Masses of the density exp(u) normalised on an R x R grid of cells over
 * [-A, A]^2 (u[row * R + col], row = y, cell centres), each cell counted whole
 * in the mode that holds its centre: mass[n_modes] and *outside sum to 1. */
void mode_mass_grid(const ToyDataset *d, double r, const double *u, int R, double A, double *mass, double *outside);
/* fractions of n points [n, 2] per mode, and outside */
void mode_mass_points(const ToyDataset *d, double r, const float *xy, long n, double *mass, double *outside);
/* TV between the true weights and mass[] renormalised over the modes (1 when it is all 0) */
double mode_tv(const ToyDataset *d, const double *mass);
/* All of the above for a data set; m->n = 0 for a set without modes (or too many) */
void mode_mass_eval(const ToyDataset *d, const double *u, int R, double A, const float *xy, long n, ModeMass *m);
/* n generator draws x [n, 2] with their log-weights lo <= up (E[exp(up)] = Z):
 * the energy's mass of each mode as sum_{x_i in k} exp(up_i) / sum_i exp(up_i)
 * (self-normalised importance sampling, no grid), and per mode the gap
 * up - lo (mean and log mean exp; has_gap when some up differs from lo) */
void mode_mass_bounds(ModeMass *m, const float *xy, const double *lo, const double *up, long n);

#endif
