#include "eval_points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "entries.h"
#include "eval_toy.h"
#include "philox.h"
#include "xalloc.h"

#define N_SAMPLES 2000
#define N_MMD 2000    /* held-out points in the MMD^2 */
#define N_STATS 20000 /* rows of each set whose energies are averaged */

typedef struct {
  double mean, sd;
  long n;
} Stats;

/* the model's energies at n rows of x: mean and standard deviation */
static int energy_stats(const Model *m, ModelState *s, const float *x, long n, Stats *st) {
  float *e = xmalloc(sizeof(float) * (n ? n : 1), "energies");
  int rc = entry_energies(m, s, x, n, e);
  double a = 0, b = 0;
  for (long i = 0; i < n; i++) a += e[i];
  a /= n;
  for (long i = 0; i < n; i++) b += (e[i] - a) * (e[i] - a);
  st->mean = a;
  st->sd = n > 1 ? sqrt(b / (n - 1)) : 0;
  st->n = n;
  free(e);
  return rc;
}

static double sqdist(const float *a, const float *b, int D) {
  double d = 0;
  for (int k = 0; k < D; k++) d += ((double)a[k] - b[k]) * ((double)a[k] - b[k]);
  return d;
}

/* the median distance between (up to 500) held-out points: the kernels' scale */
static double median_distance(const float *y, long m, int D) {
  long k = m < 500 ? m : 500, c = 0;
  double *d = xmalloc(sizeof(double) * k * k, "pairwise distances");
  for (long i = 0; i < k; i++)
    for (long j = i + 1; j < k; j++) d[c++] = sqrt(sqdist(y + i * D, y + j * D, D));
  double med = 1;
  if (c) {
    for (long i = 1; i < c; i++) /* insertion sort: c is at most ~125,000 */
      for (long j = i; j > 0 && d[j - 1] > d[j]; j--) {
        double t = d[j];
        d[j] = d[j - 1];
        d[j - 1] = t;
      }
    med = d[c / 2] > 0 ? d[c / 2] : 1;
  }
  free(d);
  return med;
}

/* unbiased MMD^2 with a sum of Gaussian kernels at widths `sig` */
static double mmd2(const float *x, long n, const float *y, long m, int D, const double sig[5]) {
  double inv[5], kxx = 0, kyy = 0, kxy = 0;
  for (int j = 0; j < 5; j++) inv[j] = -1.0 / (2 * sig[j] * sig[j]);
#define K(a, b)                                         \
  ({                                                    \
    double d_ = sqdist(a, b, D), k_ = 0;                \
    for (int j = 0; j < 5; j++) k_ += exp(d_ * inv[j]); \
    k_;                                                 \
  })
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++)
      if (i != j) kxx += K(x + i * D, x + j * D);
  for (long i = 0; i < m; i++)
    for (long j = 0; j < m; j++)
      if (i != j) kyy += K(y + i * D, y + j * D);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < m; j++) kxy += K(x + i * D, y + j * D);
#undef K
  return kxx / (n * (n - 1.0)) + kyy / (m * (m - 1.0)) - 2 * kxy / ((double)n * m);
}

/* noise: a Gaussian with the training rows' per-column mean and standard deviation */
static float *noise_points(const float *x, long n, int D, long k) {
  double *mu = xcalloc(D, sizeof(double), "noise moments"), *sd = xcalloc(D, sizeof(double), "noise moments");
  for (long i = 0; i < n; i++)
    for (int c = 0; c < D; c++) mu[c] += x[i * D + c] / n;
  for (long i = 0; i < n; i++)
    for (int c = 0; c < D; c++) sd[c] += (x[i * D + c] - mu[c]) * (x[i * D + c] - mu[c]) / n;
  float *z = xmalloc(xmul(sizeof(float) * k, D, "noise points"), "noise points");
  for (long i = 0; i < k; i++)
    for (int c = 0; c < D; c++)
      z[i * D + c] = (float)(mu[c] + sqrt(sd[c]) * philox_normal(EVAL_SEED, 1, 0, (uint32_t)c, (uint32_t)i));
  free(mu);
  free(sd);
  return z;
}

static void stats_json(FILE *f, const char *name, const Stats *st) {
  fprintf(f, ", \"%s\": {\"mean\": %.6f, \"sd\": %.6f, \"n\": %ld}", name, st->mean, st->sd, st->n);
}

static void write_json(FILE *f, const DataId *id, int D, const Stats st[3], int has_samples, double mmd, double med,
                       const ToyEval *b) {
  fprintf(f, "{\"test\": ");
  run_data_test_json(id, f);
  fprintf(f, ", \"dims\": %d, \"n_test\": %ld", D, st[1].n);
  stats_json(f, "energy_train", &st[0]);
  stats_json(f, "energy_test", &st[1]);
  stats_json(f, "energy_noise", &st[2]);
  fprintf(f, ", \"energy_gap\": %.6f", st[2].mean - st[1].mean);
  if (has_samples)
    fprintf(f, ", \"mmd2\": %.6g, \"mmd2_widths\": \"median distance %.4g x {1/4, 1/2, 1, 2, 4}\", \"n_samples\": %d",
            mmd, med, N_SAMPLES);
  if (b->has_bounds)
    fprintf(f,
            ", \"log_z_lb\": %.6f, \"log_z_lb_se\": %.3g, \"log_z_ub\": %.6f, \"log_z_ub_se\": %.3g, \"ess\": %.1f, "
            "\"test_nll_lb\": %.6f, \"test_nll_ub\": %.6f, \"lower_certified\": %s, \"upper_certified\": %s",
            b->log_z_lb, b->log_z_lb_se, b->log_z_ub, b->log_z_ub_se, b->ess, st[1].mean + b->log_z_lb,
            st[1].mean + b->log_z_ub, b->lower_certified ? "true" : "false", b->upper_certified ? "true" : "false");
  fprintf(f, ", \"not_computed\": \"grid NLL, KL and density plots need 2-D points%s\"}\n",
          b->has_bounds ? "" : "; no log Z bracket: the method has no bounds entry (2-D (a)-type generators have one)");
}

int eval_points(const Model *m, ModelState *s, const DataSource *ds, const DataId *id, FILE *f, const char *json_path) {
  int D = ds->d, rc = 1;
  long nt = 0;
  float *test = run_data_test_points(id, ds, &nt), *smp = NULL, *noise = NULL;
  if (!test) return 2;
  if (nt < 2) {
    fprintf(stderr, "%s: %ld held-out points: too few to evaluate\n", prog, nt);
    free(test);
    return 2;
  }
  long ntr = ds->n_train < N_STATS ? ds->n_train : N_STATS, nte = nt < N_STATS ? nt : N_STATS;
  long nn = nte > 1000 ? nte : 1000;
  noise = noise_points(ds->points, ds->n_train, D, nn);
  Stats st[3];
  ToyEval b;
  memset(&b, 0, sizeof b);
  double mmd = 0, med = 0;
  int has_samples = entry_find(m, "sample") != NULL;
  if (energy_stats(m, s, ds->points, ntr, &st[0]) || energy_stats(m, s, test, nte, &st[1]) ||
      energy_stats(m, s, noise, nn, &st[2]))
    goto fail;
  if (has_samples) {
    smp = xmalloc(xmul(sizeof(float) * N_SAMPLES, D, "samples"), "samples");
    if (entry_samples(m, s, smp, N_SAMPLES, 0)) goto fail;
    med = median_distance(test, nt, D);
    double sig[5] = {med / 4, med / 2, med, 2 * med, 4 * med};
    mmd = mmd2(smp, N_SAMPLES, test, nt < N_MMD ? nt : N_MMD, D, sig);
  }
  if (eval_bounds(m, s, &b) < 0) goto fail;
  write_json(f, id, D, st, has_samples, mmd, med, &b);
  rc = 0;
  if (json_path) {
    FILE *o = fopen(json_path, "w");
    if (o) write_json(o, id, D, st, has_samples, mmd, med, &b);
    if (!o || fclose(o)) {
      fprintf(stderr, "%s: cannot write %s\n", prog, json_path);
      rc = 1;
    }
  }
  free(test);
  free(smp);
  free(noise);
  return rc;
fail:
  fprintf(stderr, "%s: %s\n", prog, s->err);
  free(test);
  free(smp);
  free(noise);
  return 1;
}
