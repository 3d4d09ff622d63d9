#include "mode_mass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double mode_radius(const ToyDataset *d) {
  double best = INFINITY;
  for (int i = 0; i < d->n_modes; i++)
    for (int j = i + 1; j < d->n_modes; j++) {
      double dx = (double)d->modes[2 * i] - d->modes[2 * j], dy = (double)d->modes[2 * i + 1] - d->modes[2 * j + 1];
      best = fmin(best, sqrt(dx * dx + dy * dy));
    }
  return 0.5 * best;
}

int mode_of(const ToyDataset *d, double r, double x, double y) {
  for (int k = 0; k < d->n_modes; k++) {
    double dx = x - d->modes[2 * k], dy = y - d->modes[2 * k + 1];
    if (dx * dx + dy * dy <= r * r) return k; /* discs are disjoint: the first is the only one */
  }
  return -1;
}

void mode_mass_grid(const ToyDataset *d, double r, const double *u, int R, double A, double *mass, double *outside) {
  double h = 2 * A / R, mx = -INFINITY, total = 0, out = 0;
  long N = (long)R * R;
  for (long i = 0; i < N; i++)
    if (u[i] > mx) mx = u[i];
  for (int k = 0; k < d->n_modes; k++) mass[k] = 0;
  for (int row = 0; row < R; row++)
    for (int col = 0; col < R; col++) {
      double p = exp(u[(long)row * R + col] - mx);
      int k = mode_of(d, r, -A + (col + 0.5) * h, -A + (row + 0.5) * h);
      if (k < 0)
        out += p;
      else
        mass[k] += p;
      total += p;
    }
  for (int k = 0; k < d->n_modes; k++) mass[k] /= total;
  *outside = out / total;
}

void mode_mass_points(const ToyDataset *d, double r, const float *xy, long n, double *mass, double *outside) {
  long out = 0;
  for (int k = 0; k < d->n_modes; k++) mass[k] = 0;
  for (long i = 0; i < n; i++) {
    int k = mode_of(d, r, xy[2 * i], xy[2 * i + 1]);
    if (k < 0)
      out++;
    else
      mass[k] += 1;
  }
  for (int k = 0; k < d->n_modes; k++) mass[k] = n ? mass[k] / n : 0;
  *outside = n ? (double)out / n : 1;
}

double mode_tv(const ToyDataset *d, const double *mass) {
  double s = 0, tv = 0;
  for (int k = 0; k < d->n_modes; k++) s += mass[k];
  if (!(s > 0)) return 1;
  for (int k = 0; k < d->n_modes; k++) tv += fabs(toy_mode_weight(d, k) - mass[k] / s);
  return 0.5 * tv;
}

void mode_mass_eval(const ToyDataset *d, const double *u, int R, double A, const float *xy, long n, ModeMass *m) {
  memset(m, 0, sizeof *m);
  if (!d || d->n_modes < 2 || d->n_modes > MODE_MASS_MAX || !d->modes) return;
  m->set = d;
  m->n = d->n_modes;
  m->radius = mode_radius(d);
  for (int k = 0; k < m->n; k++) m->weight[k] = toy_mode_weight(d, k);
  mode_mass_grid(d, m->radius, u, R, A, m->density, &m->density_outside);
  mode_mass_points(d, m->radius, xy, n, m->samples, &m->samples_outside);
  m->n_samples = n;
  m->tv_density = mode_tv(d, m->density);
  m->tv_samples = mode_tv(d, m->samples);
}

void mode_mass_bounds(ModeMass *m, const float *xy, const double *lo, const double *up, long n) {
  if (!m->n || n < 1) return;
  double mx = -INFINITY, total = 0, out = 0, gmax[MODE_MASS_MAX], cnt[MODE_MASS_MAX] = {0}, gexp[MODE_MASS_MAX] = {0};
  for (long i = 0; i < n; i++)
    if (up[i] > mx) mx = up[i];
  for (int k = 0; k < m->n; k++) m->bounds[k] = m->gap[k] = 0, gmax[k] = -INFINITY;
  int *which = malloc(sizeof(int) * n);
  m->has_gap = 0;
  for (long i = 0; i < n; i++) {
    double w = exp(up[i] - mx);
    int k = which[i] = mode_of(m->set, m->radius, xy[2 * i], xy[2 * i + 1]);
    total += w;
    m->has_gap |= up[i] != lo[i];
    if (k < 0) {
      out += w;
      continue;
    }
    m->bounds[k] += w;
    m->gap[k] += up[i] - lo[i];
    cnt[k]++;
    gmax[k] = fmax(gmax[k], up[i] - lo[i]);
  }
  for (long i = 0; i < n; i++)
    if (which[i] >= 0) gexp[which[i]] += exp(up[i] - lo[i] - gmax[which[i]]);
  for (int k = 0; k < m->n; k++) {
    m->bounds[k] /= total;
    m->gap[k] = cnt[k] ? m->gap[k] / cnt[k] : NAN;
    m->tilt[k] = cnt[k] ? gmax[k] + log(gexp[k] / cnt[k]) : NAN;
  }
  m->bounds_outside = out / total;
  m->tv_bounds = mode_tv(m->set, m->bounds);
  m->has_bounds = 1;
  free(which);
}
