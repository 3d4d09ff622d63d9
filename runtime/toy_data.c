#include "toy_data.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define PI 3.14159265358979323846
#define SQRT1_2 0.70710678118654752440

/* ---- helpers ------------------------------------------------------------ */

/* floor(u * k) for u in [0,1); clamped because for k > 2^24 the 24-bit
 * uniform cannot reach every slot and rounding must never give k. */
static int uniform_index(PhiloxCursor *c, int k) {
  int j = (int)(cursor_uniform(c) * k);
  return j < k ? j : k - 1;
}

static void swap_points(float *a, float *b) {
  float t0 = a[0], t1 = a[1];
  a[0] = b[0];
  a[1] = b[1];
  b[0] = t0;
  b[1] = t1;
}

static void shuffle(float *pts, int n, PhiloxCursor *c) {
  for (int i = n - 1; i > 0; i--) {
    int j = uniform_index(c, i + 1);
    swap_points(pts + 2 * i, pts + 2 * j);
  }
}

/* ---- gaussian mixtures -------------------------------------------------- */

/* Centres of the 25-grid after the ÷2.828: 2i/2.828 for i = -2..2. */
#define G25(i) ((float)(2.0 * (i) / 2.828))
#define G25ROW(i) G25(i), G25(-2), G25(i), G25(-1), G25(i), G25(0), G25(i), G25(1), G25(i), G25(2)
static const float modes25[50] = {G25ROW(-2), G25ROW(-1), G25ROW(0), G25ROW(1), G25ROW(2)};

/* Emission order of the spec: round after round, i outer, j inner; keeping
 * the first n before shuffling balances the modes within a batch. */
static void gaussians25(float *out, int n, PhiloxCursor *c, double std) {
  for (int k = 0; k < n; k++) {
    int w = k % 25, i = w / 5 - 2, j = w % 5 - 2;
    double x = 2.0 * i + std * cursor_normal(c);
    double y = 2.0 * j + std * cursor_normal(c);
    out[2 * k] = (float)(x / 2.828);
    out[2 * k + 1] = (float)(y / 2.828);
  }
  shuffle(out, n, c);
}

static void sample_25gaussians(float *out, int n, PhiloxCursor *c) { gaussians25(out, n, c, 0.05); }
static void sample_25gaussians_ddaebm(float *out, int n, PhiloxCursor *c) { gaussians25(out, n, c, 0.1); }

/* FFJORD / WGAN-GP order of the eight unit vectors. */
static const double unit8[8][2] = {
    {1, 0},
    {-1, 0},
    {0, 1},
    {0, -1},
    {SQRT1_2, SQRT1_2},
    {SQRT1_2, -SQRT1_2},
    {-SQRT1_2, SQRT1_2},
    {-SQRT1_2, -SQRT1_2},
};
#define G8(r, x, y) (float)((r) * (x) / 1.414), (float)((r) * (y) / 1.414)
#define G8ALL(r)                                                                                           \
  G8(r, 1, 0), G8(r, -1, 0), G8(r, 0, 1), G8(r, 0, -1), G8(r, SQRT1_2, SQRT1_2), G8(r, SQRT1_2, -SQRT1_2), \
      G8(r, -SQRT1_2, SQRT1_2), G8(r, -SQRT1_2, -SQRT1_2)
static const float modes8[16] = {G8ALL(4.0)};
static const float modes8_meg[16] = {G8ALL(2.0)};

static void gaussians8(float *out, int n, PhiloxCursor *c, double radius, double std) {
  for (int k = 0; k < n; k++) {
    int m = uniform_index(c, 8);
    double x = radius * unit8[m][0] + std * cursor_normal(c);
    double y = radius * unit8[m][1] + std * cursor_normal(c);
    out[2 * k] = (float)(x / 1.414);
    out[2 * k + 1] = (float)(y / 1.414);
  }
}

static void sample_8gaussians(float *out, int n, PhiloxCursor *c) { gaussians8(out, n, c, 4.0, 0.5); }
/* MEG / WGAN-GP recipe: scale 2 and std 0.02 before the ÷1.414. */
static void sample_8gaussians_meg(float *out, int n, PhiloxCursor *c) { gaussians8(out, n, c, 2.0, 0.02); }

/* Three modes of unequal weight 0.6 / 0.3 / 0.1 at radius 2 (angles 90, 210
 * and 330 degrees), std 0.3 per coordinate: 11.5 std apart, so every point
 * belongs to one mode. It shows whether a trained density weighs the modes
 * as the data do (docs/methods.md, "mode weights"). Per point: u (the mode:
 * the first k with u < cumulative weight k), xi, xi'. */
static const double weights3[3] = {0.6, 0.3, 0.1};
static const float weights3f[3] = {0.6f, 0.3f, 0.1f};
#define SQRT3 1.73205080756887729353
static const double centres3[3][2] = {{0, 2}, {-SQRT3, -1}, {SQRT3, -1}};
static const float modes3[6] = {0, 2, (float)-SQRT3, -1, (float)SQRT3, -1};

static void sample_unequal3(float *out, int n, PhiloxCursor *c) {
  for (int k = 0; k < n; k++) {
    double u = cursor_uniform(c), cum = 0;
    int m = 0;
    while (m < 2 && u >= (cum += weights3[m])) m++;
    out[2 * k] = (float)(centres3[m][0] + 0.3 * cursor_normal(c));
    out[2 * k + 1] = (float)(centres3[m][1] + 0.3 * cursor_normal(c));
  }
}

/* ---- sklearn-style sets -------------------------------------------------- */

static void sample_swissroll(float *out, int n, PhiloxCursor *c) {
  for (int k = 0; k < n; k++) {
    double t = 1.5 * PI * (1 + 2 * cursor_uniform(c));
    double x = t * cos(t) + cursor_normal(c);
    double y = t * sin(t) + cursor_normal(c);
    out[2 * k] = (float)(x / 5);
    out[2 * k + 1] = (float)(y / 5);
  }
}

/* Angle of point i of `count` spaced over [0, span] (or [0, span) when the
 * endpoint is excluded); a single point sits at angle 0. */
static double spaced_angle(int i, int count, double span, int endpoint) {
  int div = endpoint ? count - 1 : count;
  return div > 0 ? span * i / div : 0.0;
}

static void add_noise(float *out, int n, PhiloxCursor *c, double std, double scale) {
  for (int k = 0; k < 2 * n; k++) out[k] = (float)((out[k] + std * cursor_normal(c)) * scale);
}

static void sample_moons(float *out, int n, PhiloxCursor *c) {
  int n_out = n / 2, n_in = n - n_out;
  for (int i = 0; i < n_out; i++) {
    double a = spaced_angle(i, n_out, PI, 1);
    out[2 * i] = (float)cos(a);
    out[2 * i + 1] = (float)sin(a);
  }
  for (int j = 0; j < n_in; j++) {
    double a = spaced_angle(j, n_in, PI, 1);
    out[2 * (n_out + j)] = (float)(1 - cos(a));
    out[2 * (n_out + j) + 1] = (float)(1 - sin(a) - 0.5);
  }
  shuffle(out, n, c);
  add_noise(out, n, c, 0.1, 1.0);
}

static void sample_circles(float *out, int n, PhiloxCursor *c) {
  int n_out = n / 2, n_in = n - n_out;
  for (int i = 0; i < n_out; i++) {
    double a = spaced_angle(i, n_out, 2 * PI, 0);
    out[2 * i] = (float)cos(a);
    out[2 * i + 1] = (float)sin(a);
  }
  for (int j = 0; j < n_in; j++) {
    double a = spaced_angle(j, n_in, 2 * PI, 0);
    out[2 * (n_out + j)] = (float)(0.5 * cos(a));
    out[2 * (n_out + j) + 1] = (float)(0.5 * sin(a));
  }
  shuffle(out, n, c);
  /* Noise before the ×3: make_circles(noise=0.08), then the scaling. */
  add_noise(out, n, c, 0.08, 3.0);
}

/* The spec's pool of N = 20n ring points has floor(N/4) = 5n on each of rings
 * 4,3,2 and the rest (also 5n, as 20n is divisible by 4) on ring 1, so picking
 * uniformly from it is choosing a ring with probability exactly 1/4 each. We
 * use the equivalent the spec allows: uniform ring, angle ~ U[0, 2pi), which
 * needs no 20n-point buffer. The noise (0.08) is added after the ×3. */
static void sample_rings(float *out, int n, PhiloxCursor *c) {
  for (int k = 0; k < n; k++) {
    int r = 1 + uniform_index(c, 4); /* ring r has radius r/4 */
    double a = 2 * PI * cursor_uniform(c);
    double rho = 3.0 * r / 4.0;
    out[2 * k] = (float)(rho * cos(a) + 0.08 * cursor_normal(c));
    out[2 * k + 1] = (float)(rho * sin(a) + 0.08 * cursor_normal(c));
  }
}

/* Pinwheel generates 5m >= n points, shuffles all of them and keeps n. The
 * 5m - n <= 4 surplus points live in a small stack array, so the shuffle runs
 * over out[0..n) followed by extra[0..5m-n) without a heap buffer. */
static float *pinwheel_slot(float *out, float *extra, int n, int k) {
  return k < n ? out + 2 * k : extra + 2 * (k - n);
}

static void sample_pinwheel(float *out, int n, PhiloxCursor *c) {
  float extra[2 * 4];
  int m = (n + 4) / 5, total = 5 * m;
  for (int arm = 0; arm < 5; arm++) {
    for (int i = 0; i < m; i++) {
      double f1 = 1 + 0.3 * cursor_normal(c);
      double f2 = 0.1 * cursor_normal(c);
      double a = 2 * PI * arm / 5 + 0.25 * exp(f1);
      float *p = pinwheel_slot(out, extra, n, arm * m + i);
      p[0] = (float)(2 * (f1 * cos(a) + f2 * sin(a)));
      p[1] = (float)(2 * (-f1 * sin(a) + f2 * cos(a)));
    }
  }
  for (int i = total - 1; i > 0; i--) {
    int j = uniform_index(c, i + 1);
    swap_points(pinwheel_slot(out, extra, n, i), pinwheel_slot(out, extra, n, j));
  }
}

/* Arm 1 is m = ceil(n/2) points p_i, arm 2 the same points negated (as in the
 * FFJORD code), truncated to n; no shuffle. Fresh noise for every element. */
static void sample_2spirals(float *out, int n, PhiloxCursor *c) {
  int m = (n + 1) / 2;
  for (int i = 0; i < m; i++) {
    double s = sqrt(cursor_uniform(c)) * 3 * PI;
    double x = -s * cos(s) + 0.5 * cursor_uniform(c);
    double y = s * sin(s) + 0.5 * cursor_uniform(c);
    out[2 * i] = (float)x;
    out[2 * i + 1] = (float)y;
  }
  for (int k = m; k < n; k++) {
    out[2 * k] = -out[2 * (k - m)];
    out[2 * k + 1] = -out[2 * (k - m) + 1];
  }
  /* /3 before the noise: the noise std 0.1 is in output units. */
  for (int k = 0; k < 2 * n; k++) out[k] = (float)(out[k] / 3.0 + 0.1 * cursor_normal(c));
}

static void sample_checkerboard(float *out, int n, PhiloxCursor *c) {
  for (int k = 0; k < n; k++) {
    double x1 = 4 * cursor_uniform(c) - 2;
    double u = cursor_uniform(c);
    int b = cursor_uniform(c) >= 0.5;
    double f = floor(x1);
    double parity = f - 2 * floor(f / 2); /* floored modulo: in {0,1} for negative f too */
    double x2 = u - 2 * b + parity;
    out[2 * k] = (float)(2 * x1);
    out[2 * k + 1] = (float)(2 * x2);
  }
}

/* ---- registry ----------------------------------------------------------- */

static const ToyDataset datasets[] = {
    {"25gaussians", sample_25gaussians, 25, modes25, (float)(0.05 / 2.828), NULL},
    {"25gaussians-ddaebm", sample_25gaussians_ddaebm, 25, modes25, (float)(0.1 / 2.828), NULL},
    {"8gaussians", sample_8gaussians, 8, modes8, (float)(0.5 / 1.414), NULL},
    {"8gaussians-meg", sample_8gaussians_meg, 8, modes8_meg, (float)(0.02 / 1.414), NULL},
    {"unequal3", sample_unequal3, 3, modes3, 0.3f, weights3f},
    {"swissroll", sample_swissroll, 0, NULL, 0, NULL},
    {"moons", sample_moons, 0, NULL, 0, NULL},
    {"circles", sample_circles, 0, NULL, 0, NULL},
    {"rings", sample_rings, 0, NULL, 0, NULL},
    {"pinwheel", sample_pinwheel, 0, NULL, 0, NULL},
    {"2spirals", sample_2spirals, 0, NULL, 0, NULL},
    {"checkerboard", sample_checkerboard, 0, NULL, 0, NULL},
};
#define N_DATASETS ((int)(sizeof datasets / sizeof datasets[0]))

static const char *const names[N_DATASETS + 1] = {
    "25gaussians", "25gaussians-ddaebm", "8gaussians", "8gaussians-meg", "unequal3", "swissroll", "moons", "circles",
    "rings",       "pinwheel",           "2spirals",   "checkerboard",   NULL,
};

const ToyDataset *toy_dataset(const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < N_DATASETS; i++)
    if (strcmp(datasets[i].name, name) == 0) return &datasets[i];
  return NULL;
}

const char *const *toy_dataset_names(void) { return names; }

double toy_mode_weight(const ToyDataset *d, int k) { return d->weights ? d->weights[k] : 1.0 / d->n_modes; }

int toy_sample(const char *name, float *out, int n, uint64_t seed, uint32_t stream, uint32_t iter, uint32_t step) {
  const ToyDataset *d = toy_dataset(name);
  if (!d) return -1;
  PhiloxCursor c = philox_cursor(seed, stream, iter, step);
  if (n > 0) d->sample(out, n, &c);
  return 0;
}
