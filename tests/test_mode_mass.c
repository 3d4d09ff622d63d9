/* Mode weights (runtime/mode_mass.h) against math: the masses of an analytic
 * Gaussian mixture on eval's grid are w_k (1 - exp(-r^2 / 2 s^2)) (the mass of
 * a 2-D Gaussian within radius r of its centre) up to grid error, whatever
 * weights the mixture has; the sample fractions of 10^5 data draws are the
 * declared weights within 5 binomial SE; TV is 0, 1/2 and 0.9 where the math
 * says so; importance weights exp(up) of draws of one mixture give another
 * mixture's weights, and the per-mode gap up - lo is the one put in. */
#include "mode_mass.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define R 256
#define A 4.0
#define BIG 100000

/* u = log sum_k w_k N(x; mu_k, s^2 I) at the cell centres (row = y) */
static void mixture_grid(const ToyDataset *d, const double *w, double *u) {
  double s = d->mode_std, h = 2 * A / R;
  for (int row = 0; row < R; row++)
    for (int col = 0; col < R; col++) {
      double x = -A + (col + 0.5) * h, y = -A + (row + 0.5) * h, p = 0;
      for (int k = 0; k < d->n_modes; k++) {
        double dx = x - d->modes[2 * k], dy = y - d->modes[2 * k + 1];
        p += w[k] * exp(-(dx * dx + dy * dy) / (2 * s * s)) / (2 * M_PI * s * s);
      }
      u[row * R + col] = log(p);
    }
}

static void check_grid(const char *name, const double *w, double tol) {
  const ToyDataset *d = toy_dataset(name);
  double *u = malloc(sizeof(double) * R * R), mass[MODE_MASS_MAX], out, r = mode_radius(d), in_disc;
  in_disc = 1 - exp(-r * r / (2 * (double)d->mode_std * d->mode_std));
  mixture_grid(d, w, u);
  mode_mass_grid(d, r, u, R, A, mass, &out);
  double sum = out, worst = 0;
  for (int k = 0; k < d->n_modes; k++) {
    sum += mass[k];
    worst = fmax(worst, fabs(mass[k] - w[k] * in_disc));
    CHECK(fabs(mass[k] - w[k] * in_disc) <= tol, "%s mode %d: mass %.5f, want %.5f", name, k, mass[k], w[k] * in_disc);
  }
  CHECK(fabs(sum - 1) < 1e-9, "%s: masses and outside sum to %.12f", name, sum);
  CHECK(fabs(out - (1 - in_disc)) <= tol * d->n_modes, "%s: outside %.5f, want %.5f", name, out, 1 - in_disc);
  printf("%s: radius %.4f (%.2f sd), largest mass error %.2g\n", name, r, r / d->mode_std, worst);
  free(u);
}

int main(void) {
  const ToyDataset *u3 = toy_dataset("unequal3"), *g25 = toy_dataset("25gaussians");
  CHECK(fabs(mode_radius(u3) - sqrt(3.0)) < 1e-6, "unequal3 radius %.6f, want sqrt(3)", mode_radius(u3));
  CHECK(fabs(mode_radius(g25) - 1 / 2.828) < 1e-6, "25gaussians radius %.6f", mode_radius(g25));
  CHECK(mode_of(u3, 1.0, 0, 2.5) == 0 && mode_of(u3, 1.0, 0, 0) == -1 && mode_of(u3, 1.0, 1.7, -1.2) == 2, "mode_of");

  /* the declared weights, reversed ones and equal ones: the grid sees each */
  static const double w_true[3] = {0.6, 0.3, 0.1}, w_rev[3] = {0.1, 0.3, 0.6};
  check_grid("unequal3", w_true, 2e-3);
  check_grid("unequal3", w_rev, 2e-3);
  double w8[8], w25[25];
  for (int k = 0; k < 8; k++) w8[k] = (k + 1) / 36.0; /* 1..8 over 36 */
  for (int k = 0; k < 25; k++) w25[k] = 1.0 / 25;
  check_grid("8gaussians", w8, 2e-3);
  check_grid("25gaussians", w25, 2e-3); /* s = 0.57 cells: the midpoint rule still holds */

  /* TV: the declared weights give 0; reversed weights 1/2; all on mode 2, 0.9 */
  double *u = malloc(sizeof(double) * R * R), mass[MODE_MASS_MAX], out;
  mixture_grid(u3, w_rev, u);
  mode_mass_grid(u3, mode_radius(u3), u, R, A, mass, &out);
  CHECK(fabs(mode_tv(u3, mass) - 0.5) < 2e-3, "reversed weights: TV %.5f, want 0.5", mode_tv(u3, mass));
  double only2[3] = {0, 0, 0.7}, none[3] = {0, 0, 0}, right[3] = {0.3, 0.15, 0.05};
  CHECK(fabs(mode_tv(u3, only2) - 0.9) < 1e-6, "all on the light mode: TV %.6f, want 0.9", mode_tv(u3, only2));
  CHECK(mode_tv(u3, none) == 1, "no mass in any mode: TV 1");
  CHECK(fabs(mode_tv(u3, right)) < 1e-6, "the right weights at half mass: TV %.3g, want 0", mode_tv(u3, right));

  /* points: 10^5 draws of the data set; every one within a disc (5.8 sd) */
  float *x = malloc(sizeof(float) * 2 * BIG);
  toy_sample("unequal3", x, BIG, 99, 0, 0, 0);
  mode_mass_points(u3, mode_radius(u3), x, BIG, mass, &out);
  for (int k = 0; k < 3; k++) {
    double se = sqrt(w_true[k] * (1 - w_true[k]) / BIG);
    CHECK(fabs(mass[k] - w_true[k]) <= 5 * se, "unequal3 sample share %d: %.5f, want %.2f (SE %.2g)", k, mass[k],
          w_true[k], se);
  }
  CHECK(out < 1e-4, "unequal3: %.5f of the draws outside every disc", out);

  /* the whole: a mixture density and its own samples, as eval sees them */
  ModeMass m;
  mixture_grid(u3, w_true, u);
  mode_mass_eval(u3, u, R, A, x, BIG, &m);
  CHECK(m.n == 3 && m.tv_density < 2e-3 && m.tv_samples < 5e-3, "eval: n %d, TV density %.4f, samples %.4f", m.n,
        m.tv_density, m.tv_samples);
  /* the draws x come from the declared weights q; the "energy" has the reversed
   * ones p: up = log p(x) - log q(x) (E_q[exp(up)] = 1 = Z); lo = up - c_k */
  double *lo = malloc(sizeof(double) * BIG), *up = malloc(sizeof(double) * BIG), c[3] = {0.5, 1, 2};
  for (long i = 0; i < BIG; i++) {
    double p = 0, q = 0, s2 = 2 * 0.3 * 0.3;
    for (int k = 0; k < 3; k++) {
      double dx = x[2 * i] - u3->modes[2 * k], dy = x[2 * i + 1] - u3->modes[2 * k + 1],
             g = exp(-(dx * dx + dy * dy) / s2);
      p += w_rev[k] * g, q += w_true[k] * g;
    }
    up[i] = log(p / q);
    lo[i] = up[i] - c[mode_of(u3, mode_radius(u3), x[2 * i], x[2 * i + 1])];
  }
  mode_mass_bounds(&m, x, lo, up, BIG);
  CHECK(m.has_bounds && m.has_gap, "bounds: flags");
  for (int k = 0; k < 3; k++) {
    CHECK(fabs(m.bounds[k] - w_rev[k]) < 0.01, "importance-weighted mass of mode %d: %.4f, want %.2f", k, m.bounds[k],
          w_rev[k]);
    CHECK(fabs(m.gap[k] - c[k]) < 1e-9 && fabs(m.tilt[k] - c[k]) < 1e-9, "mode %d: gap %.6f, tilt %.6f, want %.1f", k,
          m.gap[k], m.tilt[k], c[k]);
  }
  CHECK(fabs(m.tv_bounds - 0.5) < 0.01, "TV of the importance-weighted masses: %.4f, want 0.5", m.tv_bounds);
  mode_mass_bounds(&m, x, up, up, BIG);
  CHECK(!m.has_gap && fabs(m.gap[0]) < 1e-12, "lo = up: no gap");
  free(lo);
  free(up);
  mode_mass_eval(toy_dataset("moons"), u, R, A, x, BIG, &m);
  CHECK(m.n == 0, "moons has no modes");
  free(u);
  free(x);
  return report();
}
