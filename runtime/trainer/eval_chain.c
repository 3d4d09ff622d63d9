#include "eval_chain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
#include "xalloc.h"

#define GRID_RANGE 8.0 /* quadrature over [-8, 8]^2 */
#define GRID_MIN 512
#define GRID_MAX 1024
#define TOL 1e-3        /* nats beyond 3 SE: float32 weights and quadrature (an exact proposal gives gaps ~1e-7) */
#define COLS_PER_STEP 9 /* E~, A, se(A), C, se(C), x_n (2), a, beta: the chain_bounds entry's layout */

/* -f(., k) at the R x R cell centres of [-A, A]^2 (row = y) through the energy_k entry. */
static int grid_energy_k(const Model *m, ModelState *s, const ModelEntry *ek, int k, int R, double A, double *out) {
  const ModelVar *in = &m->vars[ek->in_var];
  long rows = in->shape[0], n = (long)R * R;
  double h = 2 * A / R;
  for (long done = 0; done < n; done += rows) {
    float *x = s->vars[ek->in_var];
    memset(x, 0, in->numel * sizeof(float));
    for (long i = 0; i < rows && done + i < n; i++) {
      long c = (done + i) % R, r = (done + i) / R;
      x[3 * i] = (float)(-A + (c + 0.5) * h);
      x[3 * i + 1] = (float)(-A + (r + 0.5) * h);
      x[3 * i + 2] = (float)k;
    }
    if (ek->run(s, 0)) return -1;
    for (long i = 0; i < rows && done + i < n; i++) out[done + i] = s->vars[ek->out_var][i];
  }
  return 0;
}

/* Cell range where the 1-D Gaussian factor exp(-(x - a c)^2 / (2 beta)) is above e^-80 of its peak. */
static void window(double x, double a, double beta, int R, double A, int *lo, int *hi) {
  double h = 2 * A / R, half = sqrt(160 * beta) / a, c = x / a;
  *lo = (int)floor((c - half + A) / h);
  *hi = (int)ceil((c + half + A) / h);
  if (*lo < 0) *lo = 0;
  if (*hi > R - 1) *hi = R - 1;
}

/* log of the midpoint sum of exp(f(y)) N(x; a y, beta I) over the grid (ef = exp(f - fmax));
 * *border receives the share of the sum in the outer band |y|_inf > A - 1. */
static double quad_log_z(const double *ef, double fmax, int R, double A, double x1, double x2, double a, double beta,
                         double *wx, double *wy, double *border) {
  double h = 2 * A / R, s = 0, sb = 0;
  int c0, c1, r0, r1;
  window(x1, a, beta, R, A, &c0, &c1);
  window(x2, a, beta, R, A, &r0, &r1);
  if (c0 > c1 || r0 > r1) {
    *border = 1;
    return -INFINITY;
  }
  double mx = -INFINITY, my = -INFINITY;
  for (int c = c0; c <= c1; c++) {
    double d = x1 - a * (-A + (c + 0.5) * h);
    wx[c] = -d * d / (2 * beta);
    if (wx[c] > mx) mx = wx[c];
  }
  for (int r = r0; r <= r1; r++) {
    double d = x2 - a * (-A + (r + 0.5) * h);
    wy[r] = -d * d / (2 * beta);
    if (wy[r] > my) my = wy[r];
  }
  for (int c = c0; c <= c1; c++) wx[c] = exp(wx[c] - mx);
  for (int r = r0; r <= r1; r++) wy[r] = exp(wy[r] - my);
  int band = (int)ceil(R / (2 * A)); /* cells in 1 unit */
  for (int r = r0; r <= r1; r++) {
    double row = 0, rowb = 0;
    int edge_r = r < band || r >= R - band;
    for (int c = c0; c <= c1; c++) {
      double v = ef[(long)r * R + c] * wx[c];
      row += v;
      if (edge_r || c < band || c >= R - band) rowb += v;
    }
    s += row * wy[r];
    sb += rowb * wy[r];
  }
  *border = s > 0 ? sb / s : 1;
  return log(s) + fmax + mx + my - log(2 * M_PI * beta) + 2 * log(h);
}

static void mean_se(const double *v, long n, double *mean, double *se) {
  double m = 0, q = 0;
  for (long i = 0; i < n; i++) m += v[i] / n;
  for (long i = 0; i < n; i++) q += (v[i] - m) * (v[i] - m);
  *mean = m;
  *se = n > 1 ? sqrt(q / (n - 1) / n) : INFINITY;
}

int eval_chain(const Model *m, ModelState *s, const float *test, long n_test, ChainEval *r) {
  memset(r, 0, sizeof *r);
  const ModelEntry *cb = entry_find(m, "chain_bounds"), *ek = entry_find(m, "energy_k");
  if (!cb || !ek) {
    snprintf(s->err, sizeof s->err, "model '%s' lacks the chain_bounds/energy_k entries", m->name);
    return -1;
  }
  const ModelVar *in = &m->vars[cb->in_var], *ov = &m->vars[cb->out_var];
  int P = in->shape[0], cols = ov->numel / ov->shape[0], T = (cols - 1) / COLS_PER_STEP;
  if (T < 1 || T > CHAIN_MAX_T || cols != 1 + COLS_PER_STEP * T) {
    snprintf(s->err, sizeof s->err, "chain_bounds: %d output columns, expected 1 + %d T", cols, COLS_PER_STEP);
    return -1;
  }
  /* enough trajectories for a stable mean, bounded by the cost of the inner draws: the
   * entry runs about 4096 rows per step for its P points, so M_eval ~ 4096 / P */
  long n = 512L * P / T;
  if (n < 200) n = 200;
  if (n > 2000) n = 2000;
  n = n / P * P;
  if (n > n_test) n = n_test / P * P;
  double *o = xmalloc(sizeof(double) * n * cols, "chain bounds");
  int rc = -1;
  for (long c = 0; c * P < n; c++) {
    for (int i = 0; i < P * 2; i++) s->vars[cb->in_var][i] = test[2 * c * P + i];
    if (cb->run(s, c)) {
      free(o);
      return -1;
    }
    for (long i = 0; i < (long)P * cols; i++) o[c * P * cols + i] = s->vars[cb->out_var][i];
  }
  r->T = T;
  r->n = n;
  double *tot_lo = xcalloc(n, sizeof(double), "chain bounds"), *tot = xcalloc(n, sizeof(double), "chain bounds"),
         *tot_up = xcalloc(n, sizeof(double), "chain bounds");
  double *tmp = xmalloc(sizeof(double) * n, "chain bounds"), *lz = xmalloc(sizeof(double) * n, "chain bounds");
  double *grid = xmalloc(sizeof(double) * GRID_MAX * GRID_MAX, "a quadrature grid"),
         *wx = xmalloc(sizeof(double) * GRID_MAX, "a quadrature grid"),
         *wy = xmalloc(sizeof(double) * GRID_MAX, "a quadrature grid");
  for (long i = 0; i < n; i++) tot_lo[i] = tot[i] = tot_up[i] = o[i * cols];
  for (long i = 0; i < n; i++) tmp[i] = o[i * cols];
  double se;
  mean_se(tmp, n, &r->prior, &se);
  r->ok = r->ordered = 1;
  for (int k = 0; k < T; k++) {
    ChainStep *st = &r->step[k];
    int b = 1 + COLS_PER_STEP * k;
    double a = o[b + 7], beta = o[b + 8];
    /* cells fine enough for the narrowest factor: h <= sqrt(beta) / (4 a) */
    int R = GRID_MIN;
    while (R < GRID_MAX && 2 * GRID_RANGE / R > sqrt(beta) / (4 * a)) R *= 2;
    st->grid_cells = R;
    if (grid_energy_k(m, s, ek, k, R, GRID_RANGE, grid)) goto done;
    double fmax = -INFINITY;
    for (long i = 0; i < (long)R * R; i++) {
      grid[i] = -grid[i];
      if (grid[i] > fmax) fmax = grid[i];
    }
    for (long i = 0; i < (long)R * R; i++) grid[i] = exp(grid[i] - fmax);
    long pass = 0;
    for (long i = 0; i < n; i++) {
      const double *row = o + i * cols + b;
      double border;
      lz[i] = quad_log_z(grid, fmax, R, GRID_RANGE, row[5], row[6], a, beta, wx, wy, &border);
      if (border > st->border_mass) st->border_mass = border;
      pass += row[1] - 3 * row[2] - TOL <= lz[i] && lz[i] <= row[3] + 3 * row[4] + TOL;
      double c_k = log(2 * M_PI * M_E * beta); /* (D/2) log(2 pi e beta), D = 2 */
      tot_lo[i] += row[0] + row[1] - c_k;
      tot[i] += row[0] + lz[i] - c_k;
      tot_up[i] += row[0] + row[3] - c_k;
    }
    st->pass_fraction = (double)pass / n;
#define STEP_MEAN(field, expr, se_out)    \
  for (long i = 0; i < n; i++) {          \
    const double *row = o + i * cols + b; \
    (void)row;                            \
    tmp[i] = (expr);                      \
  }                                       \
  mean_se(tmp, n, &st->field, se_out);
    STEP_MEAN(A, row[1], &se)
    STEP_MEAN(C, row[3], &se)
    STEP_MEAN(log_z, lz[i], &se)
    STEP_MEAN(l_lo, row[0] + row[1], &se)
    STEP_MEAN(l, row[0] + lz[i], &se)
    STEP_MEAN(l_up, row[0] + row[3], &se)
    STEP_MEAN(lo_gap, lz[i] - row[1], &st->lo_gap_se)
    STEP_MEAN(up_gap, row[3] - lz[i], &st->up_gap_se)
    double ac, ac_se;
    for (long i = 0; i < n; i++) tmp[i] = o[i * cols + b + 3] - o[i * cols + b + 1];
    mean_se(tmp, n, &ac, &ac_se);
    st->ordered = ac >= -3 * ac_se - TOL;
    r->ordered &= st->ordered;
#undef STEP_MEAN
    st->ok = st->lo_gap >= -3 * st->lo_gap_se - TOL && st->up_gap >= -3 * st->up_gap_se - TOL;
    r->ok &= st->ok;
  }
  mean_se(tot_lo, n, &r->elbo_lo, &r->elbo_lo_se);
  mean_se(tot, n, &r->elbo, &r->elbo_se);
  mean_se(tot_up, n, &r->elbo_up, &r->elbo_up_se);
  for (long i = 0; i < n; i++) tmp[i] = tot_up[i] - tot_lo[i];
  double gap, gap_se;
  mean_se(tmp, n, &gap, &gap_se);
  r->ordered &= gap >= -3 * gap_se - TOL;
  r->ok &= r->ordered;
  rc = 0;
done:
  free(o);
  free(tot_lo);
  free(tot);
  free(tot_up);
  free(tmp);
  free(lz);
  free(grid);
  free(wx);
  free(wy);
  return rc;
}

void eval_chain_json(const ChainEval *r, FILE *f) {
  fprintf(f,
          "\"chain\": {\"T\": %d, \"n\": %ld, \"prior\": %.6f, \"elbo_lb\": %.6f, \"elbo_lb_se\": %.3g, \"elbo_grid\": "
          "%.6f, "
          "\"elbo_grid_se\": %.3g, \"elbo_ub\": %.6f, \"elbo_ub_se\": %.3g, \"ordered\": %s, \"chain_ok\": %s, "
          "\"steps\": [",
          r->T, r->n, r->prior, r->elbo_lo, r->elbo_lo_se, r->elbo, r->elbo_se, r->elbo_up, r->elbo_up_se,
          r->ordered ? "true" : "false", r->ok ? "true" : "false");
  for (int k = 0; k < r->T; k++) {
    const ChainStep *st = &r->step[k];
    fprintf(f,
            "%s{\"k\": %d, \"l_lb\": %.6f, \"l\": %.6f, \"l_ub\": %.6f, \"A\": %.6f, \"log_z\": %.6f, \"C\": %.6f, "
            "\"lo_gap\": %.4g, \"lo_gap_se\": %.3g, \"up_gap\": %.4g, \"up_gap_se\": %.3g, \"pass_fraction\": %.4f, "
            "\"border_mass\": %.3g, \"grid\": %d, \"ordered\": %s, \"ok\": %s}",
            k ? ", " : "", k, st->l_lo, st->l, st->l_up, st->A, st->log_z, st->C, st->lo_gap, st->lo_gap_se, st->up_gap,
            st->up_gap_se, st->pass_fraction, st->border_mass, st->grid_cells, st->ordered ? "true" : "false",
            st->ok ? "true" : "false");
  }
  fprintf(f, "]}");
}
