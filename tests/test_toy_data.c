/* Toy datasets of methods.md §6: generic properties of every set, then checks
 * of each set against the math of its formula. Statistical tolerances are
 * 5 standard errors (plus a stated allowance where a known O(1/n) or
 * small-noise bias exists). */
#include "toy_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PI 3.14159265358979323846
#define BIG 100000
#define SEED 20240611ull

/* Running mean with its standard error. */
typedef struct {
  double n, s, s2;
} Acc;
static void acc_add(Acc *a, double x) {
  a->n++;
  a->s += x;
  a->s2 += x * x;
}
static double acc_mean(const Acc *a) { return a->s / a->n; }
static double acc_sd(const Acc *a) {
  double m = acc_mean(a), v = a->s2 / a->n - m * m;
  return sqrt(v > 0 ? v : 0);
}
static double acc_se(const Acc *a) { return acc_sd(a) / sqrt(a->n); }

/* |mean - target| <= 5 SE + allowance */
static void check_mean(const char *what, const Acc *a, double target, double allowance) {
  double m = acc_mean(a), se = acc_se(a);
  CHECK(fabs(m - target) <= 5 * se + allowance, "%s: mean %.6f, want %.6f (SE %.2g, allowance %.2g)", what, m, target,
        se, allowance);
}

/* Fraction k/n against p with the binomial SE. */
static void check_fraction(const char *what, double k, double n, double p, double allowance) {
  double se = sqrt(p * (1 - p) / n);
  CHECK(fabs(k / n - p) <= 5 * se + allowance, "%s: fraction %.5f, want %.5f (SE %.2g)", what, k / n, p, se);
}

static float *draw(const char *name, int n, uint32_t step) {
  float *x = malloc(sizeof *x * 2 * (size_t)(n > 0 ? n : 1));
  int rc = toy_sample(name, x, n, SEED, 4, 0, step);
  CHECK(rc == 0, "toy_sample(%s) returned %d", name, rc);
  return x;
}

static int nearest(const float *p, const float *modes, int k) {
  int best = 0;
  double bd = INFINITY;
  for (int i = 0; i < k; i++) {
    double dx = p[0] - modes[2 * i], dy = p[1] - modes[2 * i + 1];
    double d = dx * dx + dy * dy;
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

/* ---- every dataset ------------------------------------------------------ */

static void test_generic(const char *name) {
  static const int sizes[] = {1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 199, 200, 201, BIG};
  const ToyDataset *d = toy_dataset(name);
  CHECK(d && strcmp(d->name, name) == 0, "toy_dataset(%s)", name);
  if (!d) return;
  for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
    int n = sizes[t];
    /* Guard points after the batch catch writes past n. */
    float *a = malloc(sizeof *a * 2 * (n + 8)), *b = malloc(sizeof *b * 2 * (n + 8));
    float *e = malloc(sizeof *e * 2 * (n + 8));
    for (int i = 0; i < 2 * (n + 8); i++) a[i] = b[i] = e[i] = 12345.0f;
    toy_sample(name, a, n, SEED, 1, 2, 3);
    PhiloxCursor c = philox_cursor(SEED, 1, 2, 3);
    d->sample(b, n, &c);
    toy_sample(name, e, n, SEED, 1, 2, 4);
    int finite = 1, guard = 1, differ = 0;
    for (int i = 0; i < 2 * n; i++) finite &= isfinite(a[i]) && fabsf(a[i]) < 50;
    for (int i = 2 * n; i < 2 * (n + 8); i++) guard &= a[i] == 12345.0f && e[i] == 12345.0f;
    for (int i = 0; i < n; i++) differ += a[2 * i] != e[2 * i] || a[2 * i + 1] != e[2 * i + 1];
    CHECK(finite, "%s n=%d: non-finite or absurd value", name, n);
    CHECK(guard, "%s n=%d: wrote past n points", name, n);
    CHECK(memcmp(a, b, sizeof *a * 2 * n) == 0, "%s n=%d: not deterministic", name, n);
    CHECK(differ >= (n < 100 ? 1 : n * 99 / 100), "%s n=%d: only %d of %d points change with step", name, n, differ, n);
    free(a);
    free(b);
    free(e);
  }
  float dummy[2] = {7, 7};
  CHECK(toy_sample(name, dummy, 0, SEED, 0, 0, 0) == 0 && dummy[0] == 7, "%s n=0", name);
}

static void test_registry(void) {
  const char *const *names = toy_dataset_names();
  int count = 0;
  for (; names[count]; count++) test_generic(names[count]);
  CHECK(count == 12, "%d datasets listed, want 12", count);
  CHECK(toy_dataset("nope") == NULL && toy_dataset(NULL) == NULL, "unknown name found");
  float x[2];
  CHECK(toy_sample("nope", x, 1, 0, 0, 0, 0) == -1, "toy_sample of unknown name");
}

/* ---- gaussian mixtures -------------------------------------------------- */

static void test_25gaussians(const char *name, double std) {
  const ToyDataset *d = toy_dataset(name);
  double s = std / 2.828;
  CHECK(d->n_modes == 25 && fabs(d->mode_std - s) < 1e-6, "%s: modes/std metadata", name);
  /* Centres {0, ±0.7072, ±1.4144}², i.e. 2i/2.828. */
  for (int k = 0; k < 25; k++) {
    int i = k / 5 - 2, j = k % 5 - 2;
    CHECK(fabs(d->modes[2 * k] - 2 * i / 2.828) < 1e-6 && fabs(d->modes[2 * k + 1] - 2 * j / 2.828) < 1e-6,
          "%s: mode %d", name, k);
  }
  /* A batch of 200 is 8 rounds of 25: exactly 8 per mode, whatever the step. */
  for (uint32_t step = 0; step < 5; step++) {
    float *x = draw(name, 200, step);
    int count[25] = {0};
    for (int i = 0; i < 200; i++) count[nearest(x + 2 * i, d->modes, 25)]++;
    for (int k = 0; k < 25; k++) CHECK(count[k] == 8, "%s step %u: mode %d has %d points", name, step, k, count[k]);
    free(x);
  }
  /* The shuffle is uniform: n = 4 emits modes 0..3 once each, so the batch is
   * a permutation of them; each of the 24 has probability 1/24. */
  int perm[24] = {0};
  for (uint32_t step = 0; step < 24000; step++) {
    float *y = draw(name, 4, step);
    int code = 0, used = 0;
    for (int i = 0; i < 4; i++) {
      int k = nearest(y + 2 * i, d->modes, 25), rank = 0;
      for (int j = 0; j < k; j++) rank += !(used >> j & 1);
      used |= 1 << k;
      code = code * (4 - i) + rank; /* Lehmer code */
    }
    CHECK(used == 15, "%s n=4: modes %x", name, used);
    perm[code]++;
    free(y);
  }
  for (int p = 0; p < 24; p++) check_fraction("25g n=4 permutation share", perm[p], 24000, 1.0 / 24, 0);
  /* Residuals about the nearest centre: mean 0, per-coordinate std s. */
  float *x = draw(name, BIG, 9);
  int count[25] = {0};
  Acc r = {0}, r2 = {0};
  for (int i = 0; i < BIG; i++) {
    int k = nearest(x + 2 * i, d->modes, 25);
    count[k]++;
    for (int t = 0; t < 2; t++) {
      double e = x[2 * i + t] - d->modes[2 * k + t];
      acc_add(&r, e);
      acc_add(&r2, e * e);
    }
  }
  for (int k = 0; k < 25; k++) CHECK(count[k] == BIG / 25, "%s: mode %d has %d points", name, k, count[k]);
  check_mean("25g residual mean", &r, 0, 0);
  check_mean("25g residual variance", &r2, s * s, 1e-9); /* float rounding of points */
  printf("%s: residual std %.5f (spec %.5f)\n", name, sqrt(acc_mean(&r2)), s);
  free(x);
}

/* Moments of |x|^2 for a ring of Gaussians with radius R and std s:
 * m2 = R^2 + 2 s^2 and m4 - m2^2 = 4 s^2 (R^2 + s^2), which solve for s and R
 * without assigning points to modes (neighbouring 8gaussians modes overlap). */
static void ring_moments(const float *x, int n, double *s_out, double *r_out) {
  double m2 = 0, m4 = 0;
  for (int i = 0; i < n; i++) {
    double q = (double)x[2 * i] * x[2 * i] + (double)x[2 * i + 1] * x[2 * i + 1];
    m2 += q;
    m4 += q * q;
  }
  m2 /= n;
  m4 /= n;
  double v = m4 - m2 * m2;
  double s2 = (m2 - sqrt(m2 * m2 - v)) / 2;
  *s_out = sqrt(s2);
  *r_out = sqrt(m2 - 2 * s2);
}

static void test_8gaussians(void) {
  const ToyDataset *d = toy_dataset("8gaussians");
  double s = 0.5 / 1.414, R = 4 / 1.414;
  CHECK(d->n_modes == 8 && fabs(d->mode_std - s) < 1e-6, "8gaussians metadata");
  for (int k = 0; k < 8; k++)
    CHECK(fabs(hypot(d->modes[2 * k], d->modes[2 * k + 1]) - R) < 1e-5, "8gaussians mode %d radius", k);
  /* s and R from 20 independent batches; SE from their spread. */
  Acc as = {0}, ar = {0};
  for (uint32_t b = 0; b < 20; b++) {
    float *x = draw("8gaussians", 5000, 100 + b);
    double sb, rb;
    ring_moments(x, 5000, &sb, &rb);
    acc_add(&as, sb);
    acc_add(&ar, rb);
    free(x);
  }
  check_mean("8gaussians s", &as, s, 0);
  check_mean("8gaussians radius", &ar, R, 0);
  printf("8gaussians: s %.4f (spec %.4f), radius %.4f (spec %.4f)\n", acc_mean(&as), s, acc_mean(&ar), R);
  /* Each mode is chosen with probability 1/8; misassignments cancel by symmetry. */
  float *x = draw("8gaussians", BIG, 7);
  int count[8] = {0};
  Acc mx = {0}, my = {0};
  for (int i = 0; i < BIG; i++) {
    count[nearest(x + 2 * i, d->modes, 8)]++;
    acc_add(&mx, x[2 * i]);
    acc_add(&my, x[2 * i + 1]);
  }
  for (int k = 0; k < 8; k++) check_fraction("8gaussians mode share", count[k], BIG, 0.125, 0);
  check_mean("8gaussians mean x", &mx, 0, 0);
  check_mean("8gaussians mean y", &my, 0, 0);
  free(x);
}

static void test_8gaussians_meg(void) {
  const ToyDataset *d = toy_dataset("8gaussians-meg");
  double s = 0.02 / 1.414, R = 2 / 1.414;
  CHECK(d->n_modes == 8 && fabs(d->mode_std - s) < 1e-6, "8gaussians-meg metadata");
  float *x = draw("8gaussians-meg", BIG, 7);
  Acc r2 = {0};
  for (int i = 0; i < BIG; i++) {
    int k = nearest(x + 2 * i, d->modes, 8);
    CHECK(fabs(hypot(d->modes[2 * k], d->modes[2 * k + 1]) - R) < 1e-5, "meg mode radius");
    for (int t = 0; t < 2; t++) {
      double e = x[2 * i + t] - d->modes[2 * k + t];
      acc_add(&r2, e * e);
    }
  }
  check_mean("8gaussians-meg residual variance", &r2, s * s, 1e-9);
  free(x);
}

/* Declared weights 0.6 / 0.3 / 0.1 (they sum to 1 and toy_mode_weight reports
 * them), the mode shares of 10^5 draws against them (modes are 11.5 std apart:
 * no point is misassigned), the residuals' mean and variance against 0.3^2. */
static void test_unequal3(void) {
  const ToyDataset *d = toy_dataset("unequal3");
  static const double w[3] = {0.6, 0.3, 0.1};
  CHECK(d && d->n_modes == 3 && d->weights && fabs(d->mode_std - 0.3) < 1e-7, "unequal3 metadata");
  if (!d) return;
  double sum = 0;
  for (int k = 0; k < 3; k++) {
    sum += toy_mode_weight(d, k);
    CHECK(fabs(toy_mode_weight(d, k) - w[k]) < 1e-7, "unequal3 weight %d: %g", k, toy_mode_weight(d, k));
    CHECK(fabs(hypot(d->modes[2 * k], d->modes[2 * k + 1]) - 2) < 1e-6, "unequal3 mode %d radius", k);
  }
  CHECK(fabs(sum - 1) < 1e-6, "unequal3 weights sum to %g", sum);
  CHECK(fabs(toy_mode_weight(toy_dataset("8gaussians"), 3) - 0.125) < 1e-12, "8gaussians: equal weights");
  float *x = draw("unequal3", BIG, 7);
  int count[3] = {0};
  Acc r = {0}, r2 = {0};
  for (int i = 0; i < BIG; i++) {
    int k = nearest(x + 2 * i, d->modes, 3);
    count[k]++;
    for (int t = 0; t < 2; t++) {
      double e = x[2 * i + t] - d->modes[2 * k + t];
      acc_add(&r, e);
      acc_add(&r2, e * e);
    }
  }
  for (int k = 0; k < 3; k++) check_fraction("unequal3 mode share", count[k], BIG, w[k], 0);
  check_mean("unequal3 residual mean", &r, 0, 0);
  check_mean("unequal3 residual variance", &r2, 0.09, 0);
  printf("unequal3: shares %.4f %.4f %.4f (declared 0.6 0.3 0.1)\n", (double)count[0] / BIG, (double)count[1] / BIG,
         (double)count[2] / BIG);
  free(x);
}

/* ---- the other sets ----------------------------------------------------- */

static void test_swissroll(void) {
  /* t ~ U[1.5pi, 4.5pi]: E t cos t = 2, E t sin t = 2/(3pi), E t^2 = (a^2+ab+b^2)/3. */
  const double a = 1.5 * PI, b = 4.5 * PI;
  float *x = draw("swissroll", BIG, 1);
  Acc mx = {0}, my = {0}, q = {0};
  int out_of_range = 0;
  for (int i = 0; i < BIG; i++) {
    double px = x[2 * i], py = x[2 * i + 1], r = hypot(px, py);
    acc_add(&mx, px);
    acc_add(&my, py);
    acc_add(&q, px * px + py * py);
    /* noise-free radius t/5 in [0.942, 2.827]; a 2-D noise of 6 std (6 * 0.2) has p ~ 1.5e-8 */
    if (r > b / 5 + 1.2) out_of_range++;
  }
  CHECK(out_of_range == 0, "swissroll: %d points beyond radius %.3f", out_of_range, b / 5 + 1.2);
  check_mean("swissroll mean x", &mx, 2.0 / 5, 0);
  check_mean("swissroll mean y", &my, 2.0 / (3 * PI) / 5, 0);
  check_mean("swissroll E|x|^2", &q, ((a * a + a * b + b * b) / 3 + 2) / 25, 0);
  free(x);
  /* Noise scale: match each point to the roll point with the same polar angle
   * (t = angle + 2 pi k) nearest in radius; 5r - t ~ e_radial - e_tangential/t,
   * variance 1 + E[1/t^2] = 1.02 (turns are 2 pi apart, so mismatches are rare). */
  x = draw("swissroll", BIG, 3);
  Acc d2 = {0};
  for (int i = 0; i < BIG; i++) {
    double r5 = 5 * hypot(x[2 * i], x[2 * i + 1]), th = atan2(x[2 * i + 1], x[2 * i]);
    double t = th + 2 * PI * floor((r5 - th) / (2 * PI) + 0.5);
    acc_add(&d2, (r5 - t) * (r5 - t));
  }
  CHECK(fabs(acc_mean(&d2) - 1.02) < 0.05, "swissroll noise variance %.4f, want ~1.02", acc_mean(&d2));
  free(x);
  /* The lower end of the radius range: no noise-free point inside 0.942. */
  x = draw("swissroll", BIG, 2);
  int inside = 0;
  for (int i = 0; i < BIG; i++) inside += hypot(x[2 * i], x[2 * i + 1]) < a / 5 - 0.6;
  /* Inside 0.34 needs a noise of >= 3 std along one direction: rare, never most. */
  CHECK(inside < BIG / 500, "swissroll: %d points well inside the inner radius", inside);
  free(x);
}

static void test_moons(void) {
  /* With n even the noise-free means are exactly 0.5 and 0.25; E x^2 is
   * 1 + 1/(2m) (m = n/2, from the sampled endpoints) plus the noise 0.01. */
  float *x = draw("moons", BIG, 5);
  Acc mx = {0}, my = {0}, qx = {0};
  for (int i = 0; i < BIG; i++) {
    acc_add(&mx, x[2 * i]);
    acc_add(&my, x[2 * i + 1]);
    acc_add(&qx, (double)x[2 * i] * x[2 * i]);
  }
  check_mean("moons mean x", &mx, 0.5, 0);
  check_mean("moons mean y", &my, 0.25, 0);
  check_mean("moons E x^2", &qx, 1 + 1.0 / BIG + 0.01, 0);
  /* Shuffled: the first half is not all outer moon (outer points lie near the
   * unit circle, inner ones near the unit circle about (1, 0.5)). */
  int first_outer = 0;
  for (int i = 0; i < BIG / 2; i++) {
    double d_out = fabs(hypot(x[2 * i], x[2 * i + 1]) - 1);
    double d_in = fabs(hypot(x[2 * i] - 1, x[2 * i + 1] - 0.5) - 1);
    first_outer += d_out < d_in;
  }
  CHECK(first_outer > BIG / 2 * 0.4 && first_outer < BIG / 2 * 0.6, "moons: %d of the first half outer", first_outer);
  free(x);
  /* Small batches: the shuffle keeps the noise-free points (n = 2: one per moon). */
  Acc d0 = {0};
  for (uint32_t step = 0; step < 2000; step++) {
    float *y = draw("moons", 2, step);
    /* points (1,0) [outer, angle 0] and (0,0.5) [inner, angle 0] in some order */
    int first_outer = y[0] > 0.5;
    float *o = y + (first_outer ? 0 : 2), *in = y + (first_outer ? 2 : 0);
    acc_add(&d0, o[0] - 1.0);
    acc_add(&d0, o[1] - 0.0);
    acc_add(&d0, in[0] - 0.0);
    acc_add(&d0, in[1] - 0.5);
    free(y);
  }
  check_mean("moons n=2 noise mean", &d0, 0, 0);
  CHECK(fabs(acc_sd(&d0) - 0.1) < 0.005, "moons n=2 noise sd %.4f", acc_sd(&d0));
}

static void test_circles(void) {
  /* radii 3 and 1.5 plus a 2-D noise of std 0.24 (after the ×3), which adds
   * sigma^2/(2r) to the mean radius (Rice, to O(sigma^4/r^3) ~ 1e-4). */
  const double sigma = 0.24;
  float *x = draw("circles", BIG, 5);
  Acc r = {0}, dev_out = {0}, dev_in = {0};
  int n_outer = 0;
  for (int i = 0; i < BIG; i++) {
    double ri = hypot(x[2 * i], x[2 * i + 1]);
    acc_add(&r, ri);
    if (ri > 2.25) {
      n_outer++;
      acc_add(&dev_out, ri - 3);
    } else
      acc_add(&dev_in, ri - 1.5);
  }
  double target = 3 * (1 + 0.5) / 2 + (sigma * sigma / (2 * 3) + sigma * sigma / (2 * 1.5)) / 2;
  check_mean("circles mean radius", &r, target, 2e-4);
  check_fraction("circles outer share", n_outer, BIG, 0.5, 1e-3);
  CHECK(fabs(acc_sd(&dev_out) - sigma) < 0.01 && fabs(acc_sd(&dev_in) - sigma) < 0.01, "circles radial sd %.4f %.4f",
        acc_sd(&dev_out), acc_sd(&dev_in));
  int first_outer = 0;
  for (int i = 0; i < BIG / 2; i++) first_outer += hypot(x[2 * i], x[2 * i + 1]) > 2.25;
  check_fraction("circles outer share of the first half (shuffled)", first_outer, BIG / 2, 0.5, 1e-3);
  printf("circles: mean radius %.4f (3*(1+0.5)/2 = 2.25 plus noise bias %.4f)\n", acc_mean(&r), target - 2.25);
  free(x);
  /* n = 4: endpoints excluded, so the noise-free points are (±3, 0), (±1.5, 0)
   * and their sum is zero (an included endpoint would repeat (3, 0)). */
  Acc sx = {0}, sy = {0};
  for (uint32_t step = 0; step < 2000; step++) {
    float *y = draw("circles", 4, step);
    acc_add(&sx, y[0] + y[2] + y[4] + y[6]);
    acc_add(&sy, y[1] + y[3] + y[5] + y[7]);
    free(y);
  }
  check_mean("circles n=4 sum x", &sx, 0, 0);
  check_mean("circles n=4 sum y", &sy, 0, 0);
}

static void test_rings(void) {
  /* Four rings of radius 3, 2.25, 1.5, 0.75 (9 noise std apart), share 1/4 each. */
  float *x = draw("rings", BIG, 5);
  int count[4] = {0};
  Acc dev[4] = {{0}};
  double rmax = 0;
  for (int i = 0; i < BIG; i++) {
    double ri = hypot(x[2 * i], x[2 * i + 1]);
    int k = (int)floor(ri / 0.75 - 0.5); /* nearest of 0.75 (k=0) .. 3 (k=3) */
    k = k < 0 ? 0 : k > 3 ? 3 : k;
    count[k]++;
    acc_add(&dev[k], ri - 0.75 * (k + 1));
    if (ri > rmax) rmax = ri;
  }
  CHECK(rmax < 3 + 0.08 * 8, "rings: radius %.3f", rmax);
  for (int k = 0; k < 4; k++) {
    check_fraction("rings share", count[k], BIG, 0.25, 0);
    /* radial spread 0.08; curvature adds under 1% */
    CHECK(fabs(acc_sd(&dev[k]) - 0.08) < 5 * 0.08 / sqrt(2.0 * count[k]) + 0.001, "rings ring %d radial sd %.4f", k,
          acc_sd(&dev[k]));
    check_mean("rings radial offset", &dev[k], 0, 0.08 * 0.08 / (2 * 0.75 * (k + 1)));
  }
  free(x);
}

static int pinwheel_arm(const float *p) {
  double phi = -(atan2(p[1], p[0]) + 0.25 * exp(hypot(p[0], p[1]) / 2)) / (2 * PI / 5);
  return ((int)floor(phi + 0.5) % 5 + 5) % 5;
}

static void test_pinwheel(void) {
  /* x = 2 R(-a) f, so |x|^2 = 4 |f|^2 with E|f|^2 = 1 + 0.09 + 0.01, and
   * angle(x) + 0.25 exp(f1) = atan2(f2, f1) - 2 pi c / 5 with f1 ~ |x|/2:
   * the arm index c is recoverable up to a small atan(f2/f1). */
  float *x = draw("pinwheel", BIG, 5);
  Acc q = {0}, mx = {0}, my = {0};
  int count[5] = {0}, close = 0;
  double rmax = 0;
  for (int i = 0; i < BIG; i++) {
    double px = x[2 * i], py = x[2 * i + 1], r = hypot(px, py);
    acc_add(&q, px * px + py * py);
    acc_add(&mx, px);
    acc_add(&my, py);
    if (r > rmax) rmax = r;
    double phi = -(atan2(py, px) + 0.25 * exp(r / 2)) / (2 * PI / 5);
    double c = floor(phi + 0.5), res = (phi - c) * 2 * PI / 5;
    count[(((int)c % 5) + 5) % 5]++;
    close += fabs(res) < 0.4;
  }
  /* |f| <= sqrt((1 + 0.3*5.78)^2 + 0.578^2) = 2.8 since |xi| <= 5.78 */
  CHECK(rmax < 2 * 2.8, "pinwheel radius %.3f", rmax);
  check_mean("pinwheel E|x|^2", &q, 4 * 1.1, 0);
  check_mean("pinwheel mean x", &mx, 0, 0);
  check_mean("pinwheel mean y", &my, 0, 0);
  CHECK(close > BIG * 99 / 100, "pinwheel: only %d points near an arm", close);
  for (int k = 0; k < 5; k++) check_fraction("pinwheel arm share", count[k], BIG, 0.2, 2e-3);
  /* The shuffle mixes the arms: point k is not in arm k/m (m = n/5). */
  int in_order = 0;
  for (int i = 0; i < BIG; i++) in_order += pinwheel_arm(x + 2 * i) == i / (BIG / 5);
  check_fraction("pinwheel point in arm k/m", in_order, BIG, 0.2, 0.01);
  free(x);
  /* n = 3 < 5m = 5: all five points compete for the 3 slots, so every arm is
   * equally likely (1% allowance for arm-recovery errors). */
  int small[5] = {0};
  for (uint32_t step = 0; step < 4000; step++) {
    float *y = draw("pinwheel", 3, step);
    for (int i = 0; i < 3; i++) small[pinwheel_arm(y + 2 * i)]++;
    free(y);
  }
  for (int k = 0; k < 5; k++) check_fraction("pinwheel n=3 arm share", small[k], 12000, 0.2, 0.01);
}

static void test_2spirals(void) {
  /* s has density 2s/(9 pi^2) on [0, 3pi]; with u', u'' ~ U[0,1):
   * E|p|^2 = 9pi^2/2 + 2/(3pi) + 1 - 4/(9pi^2) + 1/6, x = e/3 + noise 0.1. */
  const int n = BIG, m = n / 2;
  float *x = draw("2spirals", n, 5);
  Acc q = {0}, pair = {0}, pair2 = {0};
  double rmax = 0;
  for (int i = 0; i < n; i++) {
    double r2 = (double)x[2 * i] * x[2 * i] + (double)x[2 * i + 1] * x[2 * i + 1];
    acc_add(&q, r2);
    if (sqrt(r2) > rmax) rmax = sqrt(r2);
  }
  /* The second arm negates the first: e_k + e_{k+m} = 0, leaving two noises. */
  for (int k = 0; k < m; k++)
    for (int t = 0; t < 2; t++) {
      double s = x[2 * k + t] + x[2 * (k + m) + t];
      acc_add(&pair, s);
      acc_add(&pair2, s * s);
    }
  double ep2 = 9 * PI * PI / 2 + 2 / (3 * PI) + 1 - 4 / (9 * PI * PI) + 1.0 / 6;
  check_mean("2spirals E|x|^2", &q, ep2 / 9 + 2 * 0.01, 0);
  check_mean("2spirals arm sum mean", &pair, 0, 0);
  check_mean("2spirals arm sum variance", &pair2, 2 * 0.01, 0);
  CHECK(rmax < (3 * PI + 0.5 * sqrt(2.0)) / 3 + 0.1 * 5.8 * sqrt(2.0), "2spirals radius %.3f", rmax);
  free(x);
  /* Odd n: m = (n+1)/2 first-arm points, n - m negated ones. */
  float *y = draw("2spirals", 7, 1);
  for (int k = 0; k < 3; k++)
    for (int t = 0; t < 2; t++)
      CHECK(fabs(y[2 * k + t] + y[2 * (k + 4) + t]) < 2 * 0.1 * 5.8, "2spirals odd n pairing");
  free(y);
}

static void test_checkerboard(void) {
  /* With X = x/2: floor(X2) = floor(X1) mod 2 - 2b, so floor(X1) and floor(X2)
   * have equal parity, X1 in [-2,2), X2 in [-2,2). Only the float rounding of
   * u' + integer up to the next integer (u' = 1 - 2^-24) can break it, and then
   * X2 is exactly an integer. */
  float *x = draw("checkerboard", BIG, 5);
  int bad = 0, range = 0, rounded = 0;
  int cell[4][4] = {{0}};
  for (int i = 0; i < BIG; i++) {
    double X1 = x[2 * i] / 2.0, X2 = x[2 * i + 1] / 2.0;
    double f1 = floor(X1), f2 = floor(X2);
    range += !(X1 >= -2 && X1 < 2 && X2 >= -2 && X2 <= 2);
    int p1 = (int)(f1 - 2 * floor(f1 / 2)), p2 = (int)(f2 - 2 * floor(f2 / 2));
    if (p1 != p2) {
      if (X2 == f2)
        rounded++;
      else
        bad++;
    }
    if (f1 >= -2 && f1 <= 1 && f2 >= -2 && f2 <= 1) cell[(int)f1 + 2][(int)f2 + 2]++;
  }
  CHECK(range == 0, "checkerboard: %d points out of [-4,4)^2", range);
  CHECK(bad == 0 && rounded <= 2, "checkerboard: %d points on a wrong square (%d rounding)", bad, rounded);
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++) {
      int black = ((a + b) % 2) == 0; /* equal parity of floor(X1), floor(X2) */
      if (black)
        check_fraction("checkerboard square share", cell[a][b], BIG, 1.0 / 8, 0);
      else
        CHECK(cell[a][b] <= rounded, "checkerboard: white square %d,%d has %d", a, b, cell[a][b]);
    }
  free(x);
}

int main(void) {
  test_registry();
  test_25gaussians("25gaussians", 0.05);
  test_25gaussians("25gaussians-ddaebm", 0.1);
  test_8gaussians();
  test_8gaussians_meg();
  test_unequal3();
  test_swissroll();
  test_moons();
  test_circles();
  test_rings();
  test_pinwheel();
  test_2spirals();
  test_checkerboard();
  return report();
}
