#include "eval_toy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
#include "mode_mass.h"
#include "toy_data.h"
#include "xalloc.h"

#define N_TEST 20000
#define N_SAMPLES 2000
#define N_HIST 1000000
#define UPPER_MIN_ESS 100 /* effective weights below which the chi^2 upper side is not certified */

static double logsumexp(const double *u, long n) {
  double m = -INFINITY, s = 0;
  for (long i = 0; i < n; i++)
    if (u[i] > m) m = u[i];
  for (long i = 0; i < n; i++) s += exp(u[i] - m);
  return m + log(s);
}

static double Phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* log Z of exp(-E) on an R x R grid over [-A, A]^2, midpoint rule; u receives -E */
static int grid_log_z(const Model *m, ModelState *s, int R, double A, double *u, double *log_z) {
  float *e = xmalloc((size_t)R * R * sizeof(float), "an energy grid");
  if (entry_energy_grid(m, s, R, A, e)) {
    free(e);
    return -1;
  }
  for (long i = 0; i < (long)R * R; i++) u[i] = -(double)e[i];
  double h = 2 * A / R;
  *log_z = logsumexp(u, (long)R * R) + 2 * log(h);
  free(e);
  return 0;
}

/* rows [*first, ds->n) of a file: its held-out rows (every row of a --test-data
 * file, opened with data_keep_all; of a file too small to hold out, every row) */
static long held_out(const DataSource *ds, long *first) {
  *first = ds->n_train < ds->n ? ds->n_train : 0;
  return ds->n - *first;
}

/* P_data per cell: exact for Gaussian mixtures, else a histogram of fresh points */
static void data_cells(const DataSource *ds, double *p) {
  int R = EVAL_GRID;
  double A = EVAL_RANGE, h = 2 * A / R;
  memset(p, 0, sizeof(double) * R * R);
  const ToyDataset *t = ds->toy ? toy_dataset(ds->toy) : NULL;
  if (t && t->n_modes) {
    double s = t->mode_std;
    double *px = xmalloc(sizeof(double) * R, "grid marginals"), *py = xmalloc(sizeof(double) * R, "grid marginals");
    for (int k = 0; k < t->n_modes; k++) {
      double mx = t->modes[2 * k], my = t->modes[2 * k + 1];
      for (int c = 0; c < R; c++) {
        double lo = -A + c * h, hi = lo + h;
        px[c] = Phi((hi - mx) / s) - Phi((lo - mx) / s);
        py[c] = Phi((hi - my) / s) - Phi((lo - my) / s);
      }
      for (int r = 0; r < R; r++)
        for (int c = 0; c < R; c++) p[r * R + c] += py[r] * px[c] * toy_mode_weight(t, k);
    }
    free(px);
    free(py);
    return;
  }
  long n = 0, first = 0;
  float *buf = xmalloc(sizeof(float) * 2 * 10000, "held-out points");
  const float *pts = ds->points;
  long total = ds->toy ? N_HIST : held_out(ds, &first);
  for (long done = 0, chunk = 0; done < total; chunk++) {
    long k = total - done < 10000 ? total - done : 10000;
    if (ds->toy) {
      toy_sample(ds->toy, buf, (int)k, EVAL_SEED + 1, 0, 0, (uint32_t)chunk);
      pts = buf;
    } else
      pts = ds->points + 2 * (first + done);
    for (long i = 0; i < k; i++) {
      int c = (int)floor((pts[2 * i] + A) / h), r = (int)floor((pts[2 * i + 1] + A) / h);
      if (c >= 0 && c < R && r >= 0 && r < R) p[r * R + c] += 1;
      n++;
    }
    done += k;
  }
  for (long i = 0; i < (long)R * R; i++) p[i] /= n;
  free(buf);
}

/* unbiased MMD^2 with a sum of five Gaussian kernels, float64 */
static double mmd2(const float *x, long n, const float *y, long m) {
  static const double sig[5] = {0.02, 0.1, 0.5, 1, 2};
  double inv[5], kxx = 0, kyy = 0, kxy = 0;
  for (int j = 0; j < 5; j++) inv[j] = -1.0 / (2 * sig[j] * sig[j]);
#define K(a, b)                                                                                      \
  ({                                                                                                 \
    double dx = (double)(a)[0] - (b)[0], dy = (double)(a)[1] - (b)[1], d = dx * dx + dy * dy, k = 0; \
    for (int j = 0; j < 5; j++) k += exp(d * inv[j]);                                                \
    k;                                                                                               \
  })
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++)
      if (i != j) kxx += K(x + 2 * i, x + 2 * j);
  for (long i = 0; i < m; i++)
    for (long j = 0; j < m; j++)
      if (i != j) kyy += K(y + 2 * i, y + 2 * j);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < m; j++) kxy += K(x + 2 * i, y + 2 * j);
#undef K
  return kxx / (n * (n - 1.0)) + kyy / (m * (m - 1.0)) - 2 * kxy / ((double)n * m);
}

/* the held-out test set: 20,000 fresh points of a toy set, or a file's held-out rows */
static float *test_points(const DataSource *ds, long *nt) {
  long first = 0;
  *nt = ds->toy ? N_TEST : held_out(ds, &first);
  float *t = xmalloc(sizeof(float) * 2 * *nt, "test points");
  if (ds->toy)
    toy_sample(ds->toy, t, N_TEST, EVAL_SEED, 0, 0, 0);
  else
    memcpy(t, ds->points + 2 * first, sizeof(float) * 2 * *nt);
  return t;
}

void eval_toy_arrays(const DataSource *ds, const float *grid_e, const float *samples, long n, ToyEval *r) {
  memset(r, 0, sizeof *r);
  int R = EVAL_GRID;
  double A = EVAL_RANGE, h = 2 * A / R;
  double *u = xmalloc(sizeof(double) * R * R, "grid densities"),
         *pd = xmalloc(sizeof(double) * R * R, "grid densities");
  for (long i = 0; i < (long)R * R; i++) u[i] = -(double)grid_e[i];
  double lse = logsumexp(u, (long)R * R);
  r->log_z = lse + 2 * log(h);
  /* test NLL with each point's own cell (comparable across implementations) */
  long nt, out = 0;
  float *test = test_points(ds, &nt);
  double sum = 0;
  for (long i = 0; i < nt; i++) {
    int c = (int)floor((test[2 * i] + A) / h), rr = (int)floor((test[2 * i + 1] + A) / h);
    if (c < 0 || c >= R || rr < 0 || rr >= R) {
      out++;
      continue;
    }
    sum += -u[rr * R + c];
  }
  r->n_test = nt;
  r->outside = (double)out / nt;
  r->test_nll_grid = nt > out ? sum / (nt - out) + r->log_z : NAN;
  /* KL(data || model) over cells */
  data_cells(ds, pd);
  double kl = 0;
  for (long i = 0; i < (long)R * R; i++)
    if (pd[i] > 0) kl += pd[i] * (log(pd[i]) - fmax(u[i] - lse, -690.0));
  r->kl = kl;
  /* samples */
  r->n_samples = n;
  r->mmd2 = mmd2(samples, n, test, nt < 2000 ? nt : 2000);
  const ToyDataset *t = ds->toy ? toy_dataset(ds->toy) : NULL;
  mode_mass_eval(t, u, R, A, samples, n, &r->modes);
  if (t && t->n_modes) {
    int *hit = xcalloc(t->n_modes, sizeof(int), "mode hits");
    long hq = 0;
    for (long i = 0; i < n; i++) {
      int best = 0;
      double bd = INFINITY;
      for (int k = 0; k < t->n_modes; k++) {
        double dx = samples[2 * i] - t->modes[2 * k], dy = samples[2 * i + 1] - t->modes[2 * k + 1];
        double d = sqrt(dx * dx + dy * dy);
        if (d < bd) {
          bd = d;
          best = k;
        }
      }
      if (bd <= 3 * t->mode_std) {
        hq++;
        hit[best] = 1;
      }
    }
    for (int k = 0; k < t->n_modes; k++) r->modes_covered += hit[k];
    r->n_modes = t->n_modes;
    r->hq_fraction = (double)hq / n;
    free(hit);
  }
  free(u);
  free(pd);
  free(test);
}

/* The log Z estimates of an (a)-type generator's "bounds" entry (methods.md §7.3):
 * the mean lower bound and the chi^2 upper bound over N_TEST draws, with their
 * standard errors and certification flags. 0 without the entry, 1 done, -1 error. */
int eval_bounds(const Model *m, ModelState *s, ToyEval *r) {
  const ModelEntry *bd = entry_find(m, "bounds");
  if (!bd) return 0;
  {
    /* rows: lo, up, sign, then the draw x (D columns) */
    int B = m->vars[bd->out_var].shape[0], K = m->vars[bd->out_var].shape[1], with_x = K == 5 && r->modes.n;
    long n = 0, neg = 0;
    double *lo = xmalloc(sizeof(double) * (N_TEST + B), "sandwich bounds"),
           *up = xmalloc(sizeof(double) * (N_TEST + B), "sandwich bounds");
    float *xy = with_x ? xmalloc(sizeof(float) * 2 * (N_TEST + B), "sandwich draws") : NULL;
    for (long c = 0; n < N_TEST; c++) {
      if (bd->run(s, c)) {
        free(lo);
        free(up);
        free(xy);
        return -1;
      }
      const float *o = s->vars[bd->out_var];
      for (int b = 0; b < B; b++, n++) {
        lo[n] = o[K * b];
        up[n] = o[K * b + 1];
        neg += o[K * b + 2] < 0;
        if (xy) xy[2 * n] = o[K * b + 3], xy[2 * n + 1] = o[K * b + 4];
      }
    }
    if (xy) mode_mass_bounds(&r->modes, xy, lo, up, n);
    free(xy);
    double mlo = 0, vlo = 0, mx = -INFINITY, sw = 0, sw2 = 0;
    for (long i = 0; i < n; i++) mlo += lo[i] / n;
    for (long i = 0; i < n; i++) vlo += (lo[i] - mlo) * (lo[i] - mlo) / (n - 1);
    for (long i = 0; i < n; i++)
      if (2 * up[i] > mx) mx = 2 * up[i];
    for (long i = 0; i < n; i++) {
      double w = exp(2 * up[i] - mx);
      sw += w;
      sw2 += w * w;
    }
    double mw = sw / n, sdw = sqrt(fmax(sw2 / n - mw * mw, 0) * n / (n - 1));
    r->has_bounds = 1;
    r->log_z_lb = mlo;
    r->log_z_lb_se = sqrt(vlo / n);
    r->log_z_ub = 0.5 * (log(mw) + mx);
    r->log_z_ub_se = 0.5 * sdw / (sqrt((double)n) * mw);
    r->ess = sw * sw / sw2;
    long minority = neg < n - neg ? neg : n - neg;
    r->sign_minority = (double)minority / n;
    r->lower_certified = r->sign_minority <= 1e-3;
    /* the delta-method SE of the chi^2 bound needs many effective weights:
     * with a handful dominating (heavy tails, e.g. (b) with an encoder far
     * from the posterior: E[exp(2 lambda)] can be infinite) the estimate
     * and its SE say nothing, and the upper side is "not certified" */
    r->upper_certified = r->ess >= UPPER_MIN_ESS;
    free(lo);
    free(up);
  }
  return 1;
}

int eval_toy(const Model *m, ModelState *s, const DataSource *ds, ToyEval *r) {
  int R = EVAL_GRID, rc = -1;
  double A = EVAL_RANGE;
  float *e = xmalloc(sizeof(float) * R * R, "an energy grid"), *smp = xmalloc(sizeof(float) * 2 * N_SAMPLES, "samples");
  long nt;
  float *test = test_points(ds, &nt), *et = xmalloc(sizeof(float) * nt, "test energies");
  memset(r, 0, sizeof *r);
  if (entry_energy_grid(m, s, R, A, e) || entry_samples(m, s, smp, N_SAMPLES, 0)) goto done;
  eval_toy_arrays(ds, e, smp, N_SAMPLES, r);
  /* exact test NLL: u evaluated at the points themselves */
  if (entry_energies(m, s, test, nt, et)) goto done;
  double sum = 0;
  for (long i = 0; i < nt; i++) sum += et[i];
  r->test_nll = sum / nt + r->log_z;
  /* mass outside the box: widen the grid at the same cell width (to at most
   * 8A) until less than 1e-3 of the mass lies beyond; the bounds use that log Z */
  double log_z_prev = r->log_z, log_z_big = r->log_z;
  int Rw = R;
  double Aw = A;
  for (int k = 0; k < 3; k++) {
    Rw *= 2;
    Aw *= 2;
    double *uw = xmalloc(sizeof(double) * (size_t)Rw * Rw, "a fine energy grid");
    int bad = grid_log_z(m, s, Rw, Aw, uw, &log_z_big);
    free(uw);
    if (bad) goto done;
    if (k == 0) r->extra_mass = 1 - exp(r->log_z - log_z_big);
    if (1 - exp(log_z_prev - log_z_big) < 1e-3) break;
    log_z_prev = log_z_big;
  }
  r->mass_flag = r->extra_mass > 1e-3;
  r->log_z_wide = log_z_big;
  r->wide_range = Aw;
  r->exact = 1;
  /* the bound sandwich: log Z_lb - 3 SE <= log Z_grid <= log Z_ub + 3 SE */
  int nb = eval_bounds(m, s, r);
  if (nb < 0) goto done;
  if (nb) {
    /* the bounds are on the whole plane's log Z: compare with the wide grid */
    r->mean_test_e = r->test_nll - r->log_z;
    r->L = r->mean_test_e + r->log_z_wide;
    r->L_lb = r->mean_test_e + r->log_z_lb;
    r->L_ub = r->mean_test_e + r->log_z_ub;
    r->sandwich_ok = (r->log_z_lb - 3 * r->log_z_lb_se <= r->log_z_wide || !r->lower_certified) &&
                     (r->log_z_wide <= r->log_z_ub + 3 * r->log_z_ub_se || !r->upper_certified);
  }
  /* mle-gd: mean log q of its samples, the EBM's normalised log-density at them, folds */
  const ModelEntry *ind = entry_find(m, "induced");
  if (ind) {
    int B = m->vars[ind->out_var].shape[0];
    long n = 0;
    double lq = 0, lp = 0, folds = 0;
    float xy[2 * 4096], e[4096];
    for (long c = 0; n < N_SAMPLES && B <= 4096; c++) {
      if (ind->run(s, c)) goto done;
      const float *o = s->vars[ind->out_var];
      for (int b = 0; b < B; b++) {
        xy[2 * b] = o[4 * b];
        xy[2 * b + 1] = o[4 * b + 1];
      }
      if (entry_energies(m, s, xy, B, e)) goto done;
      for (int b = 0; b < B; b++) {
        lq += o[4 * b + 2];
        folds += o[4 * b + 3];
        lp += -e[b] - r->log_z;
      }
      n += B;
    }
    r->has_induced = 1;
    r->induced_logq = lq / n;
    r->ebm_logp_at_samples = lp / n;
    r->fold_fraction = folds / n;
  }
  /* diffusion methods: the chain's per-step bounds and ELBO sandwich */
  if (entry_find(m, "chain_bounds")) {
    if (eval_chain(m, s, test, nt, &r->chain)) goto done;
    r->has_chain = 1;
  }
  rc = 0;
done:
  free(e);
  free(smp);
  free(test);
  free(et);
  return rc;
}

/* the mode weights: summary numbers at the top level (report tables read
 * those), the per-mode masses as an array */
static void eval_modes_json(const ModeMass *m, FILE *f) {
  fprintf(f,
          ", \"mode_tv_density\": %.4f, \"mode_tv_samples\": %.4f, \"mode_outside_density\": %.4f, "
          "\"mode_outside_samples\": %.4f, \"mode_radius\": %.4f, \"modes\": [",
          m->tv_density, m->tv_samples, m->density_outside, m->samples_outside, m->radius);
  for (int k = 0; k < m->n; k++) {
    /* %.4g: a mode the density all but empties keeps its digits (its depth in nats is -log density) */
    fprintf(f, "%s{\"weight\": %.4g, \"density\": %.4g, \"samples\": %.4g", k ? ", " : "", m->weight[k], m->density[k],
            m->samples[k]);
    if (m->has_bounds) fprintf(f, ", \"bounds\": %.4g", m->bounds[k]);
    if (m->has_gap && isfinite(m->gap[k])) fprintf(f, ", \"gap\": %.4f, \"tilt\": %.4f", m->gap[k], m->tilt[k]);
    fprintf(f, "}");
  }
  fprintf(f, "]");
  if (m->has_bounds)
    fprintf(f, ", \"mode_tv_bounds\": %.4f, \"mode_outside_bounds\": %.4f", m->tv_bounds, m->bounds_outside);
}

void eval_toy_json(const ToyEval *r, FILE *f) {
  fprintf(f, "{");
  if (r->data) {
    fprintf(f, "\"test\": ");
    run_data_test_json(r->data, f);
    fprintf(f, ", ");
  }
  if (r->exact)
    fprintf(f, "\"test_nll\": %.6f, \"extra_mass\": %.3g, \"grid_flagged\": %s, ", r->test_nll, r->extra_mass,
            r->mass_flag ? "true" : "false");
  fprintf(
      f,
      "\"test_nll_grid\": %.6f, \"log_z\": %.6f, \"kl\": %.6f, \"mmd2\": %.6g, \"n_test\": %ld, \"outside_box\": %.6f",
      r->test_nll_grid, r->log_z, r->kl, r->mmd2, r->n_test, r->outside);
  if (r->n_modes)
    fprintf(f, ", \"modes_covered\": %d, \"n_modes\": %d, \"hq_fraction\": %.4f", r->modes_covered, r->n_modes,
            r->hq_fraction);
  if (r->modes.n) eval_modes_json(&r->modes, f);
  if (r->has_bounds)
    fprintf(f,
            ", \"wide_range\": %g, \"log_z_wide\": %.6f, \"log_z_lb\": %.6f, \"log_z_lb_se\": %.3g, \"log_z_ub\": "
            "%.6f, \"log_z_ub_se\": %.3g, \"ess\": %.1f, "
            "\"L_lb\": %.6f, \"L\": %.6f, \"L_ub\": %.6f, \"sign_minority\": %.4f, \"lower_certified\": %s, "
            "\"upper_certified\": %s, \"sandwich_ok\": %s",
            r->wide_range, r->log_z_wide, r->log_z_lb, r->log_z_lb_se, r->log_z_ub, r->log_z_ub_se, r->ess, r->L_lb,
            r->L, r->L_ub, r->sign_minority, r->lower_certified ? "true" : "false",
            r->upper_certified ? "true" : "false", r->sandwich_ok ? "true" : "false");
  if (r->has_induced)
    fprintf(f, ", \"induced_logq\": %.6f, \"ebm_logp_at_samples\": %.6f, \"fold_fraction\": %.4f", r->induced_logq,
            r->ebm_logp_at_samples, r->fold_fraction);
  if (r->has_chain) {
    fprintf(f, ", ");
    eval_chain_json(&r->chain, f);
  }
  fprintf(f, "}\n");
}
