/* Layers against their definitions (methods.md §8): PyTorch initialisation,
 * BatchNorm train/eval and running statistics, PReLU, the stable softplus and
 * logsumexp, spectral norm converging to the largest singular value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "gradcheck.h"
#include "run.h"

static void check_init(void) {
  Host *h = dsl_load("E = nets.toy_energy{width = 100}.build('E')\n");
  Env e = env_new(h->g, 3);
  const char *names[] = {"E.fc1.weight", "E.fc2.weight", "E.fc2.bias", "E.gain"};
  double bounds[] = {1 / sqrt(2.0), 0.1, 0.1, 1.0};
  for (int k = 0; k < 4; k++) {
    int v = dsl_var(h, names[k]), N = shape_numel(h->g->vars[v].shape);
    double mx = 0, mean = 0, var = 0;
    for (int i = 0; i < N; i++) {
      mx = fmax(mx, fabs(e.vals[v][i]));
      mean += e.vals[v][i] / N;
    }
    for (int i = 0; i < N; i++) var += (e.vals[v][i] - mean) * (e.vals[v][i] - mean) / N;
    char msg[128];
    snprintf(msg, sizeof msg, "%s within U(-b, b), b = 1/sqrt(fan_in)", names[k]);
    expect_le(msg, mx / bounds[k], 1.0);
    if (N >= 100) { /* uniform: variance b^2/3, checked to 6 standard errors */
      double se = bounds[k] * bounds[k] * sqrt(4.0 / 45.0 / N);
      snprintf(msg, sizeof msg, "%s variance b^2/3 (in standard errors)", names[k]);
      expect_le(msg, fabs(var - bounds[k] * bounds[k] / 3) / se, 6);
    }
  }
  int a = dsl_var(h, "E.act1.weight");
  expect_le("PReLU slope initialised 0.25", fabs(e.vals[a][0] - 0.25), 0);
  env_free(&e);
  host_free(h);
}

/* Train mode twice in one phase, then eval mode: statistics as PyTorch keeps them. */
static void check_batchnorm(void) {
  Host *h = dsl_load(
      "bn = nn.batchnorm(3, {name = 'bn'})\n"
      "x = ebm.state('x', {5, 3}, {'normal', 0.5, 2})\n"
      "phase('p', function(p)\n"
      "  y1 = bn(x)\n"
      "  y2 = bn(x * 2)\n"
      "  p:set(x, y1)\n"
      "end)\n");
  Trainer *t = trainer_new(h, 9, 1);
  int xv = dsl_var(h, "x"), rm = dsl_var(h, "bn.running_mean"), rv = dsl_var(h, "bn.running_var");
  double x[15], em[3], ev[3], err_y = 0, err_m = 0, err_v = 0;
  memcpy(x, trainer_var(t, xv), sizeof x);
  for (int j = 0; j < 3; j++) { /* running stats after batches x and 2x, momentum 0.1 */
    double m = 0, s = 0;
    for (int i = 0; i < 5; i++) m += x[i * 3 + j] / 5;
    for (int i = 0; i < 5; i++) s += (x[i * 3 + j] - m) * (x[i * 3 + j] - m);
    double vb = s / 5, vu = s / 4;
    em[j] = 0.9 * (0.1 * m) + 0.1 * (2 * m);
    ev[j] = 0.9 * (0.9 + 0.1 * vu) + 0.1 * (4 * vu);
    for (int i = 0; i < 5; i++) x[i * 3 + j] = (x[i * 3 + j] - m) / sqrt(vb + 1e-5); /* y1 */
  }
  if (trainer_step(t, 0)) {
    expect_le("bn step ran", 1, 0);
    return;
  }
  for (int i = 0; i < 15; i++) err_y = fmax(err_y, fabs(trainer_var(t, xv)[i] - x[i]));
  for (int j = 0; j < 3; j++) {
    err_m = fmax(err_m, fabs(trainer_var(t, rm)[j] - em[j]));
    err_v = fmax(err_v, fabs(trainer_var(t, rv)[j] - ev[j]));
  }
  expect_le("batchnorm train mode: biased batch variance", err_y, 1e-12);
  expect_le("batchnorm running mean after two train forwards", err_m, 1e-12);
  expect_le("batchnorm running var (unbiased) after two train forwards", err_v, 1e-12);
  trainer_free(t);
  host_free(h);
}

static void check_elementwise(void) {
  Host *h = dsl_load(
      "x = ebm.const({-100, -3, -0.5, 0.5, 3, 100}, {6})\n"
      "sp = ebm.softplus(x)\n"
      "big = ebm.const({1000, 999, 998, -5}, {2, 2})\n"
      "lse = ebm.logsumexp(big, 2)\n"
      "pr = nn.prelu{name = 'pr'}(x)\n");
  Env e = env_new(h->g, 1);
  double xs[6] = {-100, -3, -0.5, 0.5, 3, 100}, *sp = env_eval(&e, dsl_tensor(h, "sp")),
         *pr = env_eval(&e, dsl_tensor(h, "pr"));
  double err = 0, errp = 0;
  for (int i = 0; i < 6; i++) {
    err = fmax(err, fabs(sp[i] - log1p(exp(-fabs(xs[i]))) - fmax(xs[i], 0)) / fmax(sp[i], 1e-300));
    errp = fmax(errp, fabs(pr[i] - (xs[i] > 0 ? xs[i] : 0.25 * xs[i])));
  }
  expect_le("softplus stable at +-100 (relative)", err, 1e-15);
  expect_le("PReLU value", errp, 0);
  double *l = env_eval(&e, dsl_tensor(h, "lse"));
  double want0 = 1000 + log1p(exp(-1)), want1 = 998 + log1p(exp(-1003));
  expect_le("logsumexp stable at 1000", fabs(l[0] - want0) + fabs(l[1] - want1), 1e-12);
  free(sp);
  free(pr);
  free(l);
  env_free(&e);
  host_free(h);
}

/* largest singular value of a small matrix by power iteration on W'W, in double */
static double top_singular(const double *W, int m, int n) {
  double v[64], u[64];
  for (int j = 0; j < n; j++) v[j] = 1.0 / (j + 1);
  double s = 0;
  for (int it = 0; it < 5000; it++) {
    for (int i = 0; i < m; i++) {
      u[i] = 0;
      for (int j = 0; j < n; j++) u[i] += W[i * n + j] * v[j];
    }
    double nv = 0;
    for (int j = 0; j < n; j++) {
      v[j] = 0;
      for (int i = 0; i < m; i++) v[j] += W[i * n + j] * u[i];
      nv += v[j] * v[j];
    }
    nv = sqrt(nv);
    for (int j = 0; j < n; j++) v[j] /= nv;
    s = sqrt(nv);
  }
  return s;
}

static void check_spectral_norm(void) {
  Host *h = dsl_load(
      "lin = nn.linear(4, 3, {sn = true, name = 'lin'})\n"
      "x = ebm.state('x', {2, 4}, {'normal', 0, 1})\n"
      "out = ebm.state('out', {2, 3}, 0)\n"
      "loop(200, function() phase('power', function(p) p:set(out, lin(x)) end) end)\n"
      "phase('eval', function(p) p:set(out, lin(x, 'eval')) end)\n");
  Trainer *t = trainer_new(h, 4, 1);
  trainer_step(t, 0);
  int W = dsl_var(h, "lin.weight"), b = dsl_var(h, "lin.bias"), xv = dsl_var(h, "x"), ov = dsl_var(h, "out");
  double *w = trainer_var(t, W), sigma = top_singular(w, 3, 4), err = 0;
  for (int r = 0; r < 2; r++)
    for (int i = 0; i < 3; i++) {
      double y = trainer_var(t, b)[i];
      for (int j = 0; j < 4; j++) y += trainer_var(t, xv)[r * 4 + j] * w[i * 4 + j] / sigma;
      err = fmax(err, fabs(trainer_var(t, ov)[r * 3 + i] - y));
    }
  expect_le("spectral norm: W / sigma_max after converged power iterations", err, 1e-10);
  trainer_free(t);
  host_free(h);
}

/* Image layers against their definitions: conv2d and conv_transpose2d (with
 * spectral norm over PyTorch's weight views), batchnorm2d, avg_pool2d. */
static void check_image_layers(void) {
  Host *h = dsl_load(
      "conv = nn.conv2d(2, 3, 3, {stride = 2, padding = 1, sn = true, name = 'conv'})\n"
      "convt = nn.conv_transpose2d(3, 2, 4, {stride = 2, padding = 1, sn = true, name = 'convt'})\n"
      "bn = nn.batchnorm2d(3, {name = 'bn'})\n"
      "pool = nn.avg_pool2d(2)\n"
      "x = ebm.state('x', {2, 2, 5, 4}, {'normal', 0, 1})\n"
      "y = ebm.state('y', {2, 3, 3, 2}, 0)\n"
      "xt = ebm.state('xt', {2, 2, 6, 4}, 0)\n"
      "yb = ebm.state('yb', {2, 3, 3, 2}, 0)\n"
      "xp = ebm.state('xp', {2, 2, 3, 2}, 0)\n"
      "loop(300, function() phase('power', function(p) p:set(y, conv(x)); p:set(xt, convt(ebm.current(y))) end) end)\n"
      "phase('eval', function(p)\n"
      "  p:set(y, conv(x, 'eval')); p:set(xt, convt(conv(x, 'eval'), 'eval')); p:set(yb, bn(conv(x, 'eval')))\n"
      "  p:set(xp, pool(convt(conv(x, 'eval'), 'eval')))\n"
      "end)\n");
  Trainer *t = trainer_new(h, 5, 1);
  if (trainer_step(t, 0)) {
    expect_le("image layers step ran", 1, 0);
    return;
  }
  double *x = trainer_var(t, dsl_var(h, "x")), *W = trainer_var(t, dsl_var(h, "conv.weight"));
  double *b = trainer_var(t, dsl_var(h, "conv.bias")), *Wt = trainer_var(t, dsl_var(h, "convt.weight"));
  double *bt = trainer_var(t, dsl_var(h, "convt.bias"));
  double s1 = top_singular(W, 3, 18), Wv[2 * 3 * 16], y[36] = {0}, xt[96] = {0}, e1 = 0, e2 = 0, e3 = 0, e4 = 0;
  for (int ci = 0; ci < 3; ci++) /* convt weight [3,2,4,4] viewed as [2, 3*16] (PyTorch's dim 1) */
    for (int co = 0; co < 2; co++)
      for (int k = 0; k < 16; k++) Wv[co * 48 + ci * 16 + k] = Wt[(ci * 2 + co) * 16 + k];
  double s2 = top_singular(Wv, 2, 48);
  for (int n = 0; n < 2; n++)
    for (int o = 0; o < 3; o++)
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
          double acc = b[o];
          for (int c = 0; c < 2; c++)
            for (int a = 0; a < 3; a++)
              for (int d = 0; d < 3; d++) {
                int hh = 2 * i + a - 1, ww = 2 * j + d - 1;
                if (hh >= 0 && hh < 5 && ww >= 0 && ww < 4)
                  acc += x[((n * 2 + c) * 5 + hh) * 4 + ww] * W[((o * 2 + c) * 3 + a) * 3 + d] / s1;
              }
          y[((n * 3 + o) * 3 + i) * 2 + j] = acc;
        }
  for (int i = 0; i < 36; i++) e1 = fmax(e1, fabs(trainer_var(t, dsl_var(h, "y"))[i] - y[i]));
  expect_le("conv2d (stride 2, padding 1) with spectral norm over [cout, cin k k]", e1, 1e-10);
  for (int n = 0; n < 2; n++) /* transposed: out[n,co,S i+a-P, S j+d-P] += y[n,ci,i,j] W[ci,co,a,d] */
    for (int ci = 0; ci < 3; ci++)
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
          for (int co = 0; co < 2; co++)
            for (int a = 0; a < 4; a++)
              for (int d = 0; d < 4; d++) {
                int hh = 2 * i + a - 1, ww = 2 * j + d - 1;
                if (hh >= 0 && hh < 6 && ww >= 0 && ww < 4)
                  xt[((n * 2 + co) * 6 + hh) * 4 + ww] +=
                      y[((n * 3 + ci) * 3 + i) * 2 + j] * Wt[((ci * 2 + co) * 4 + a) * 4 + d] / s2;
              }
  for (int i = 0; i < 96; i++) e2 = fmax(e2, fabs(trainer_var(t, dsl_var(h, "xt"))[i] - xt[i] - bt[(i / 24) % 2]));
  expect_le("conv_transpose2d (stride 2, padding 1) with spectral norm over [cout, cin k k]", e2, 1e-10);
  for (int c = 0; c < 3; c++) { /* batchnorm2d: per channel over N, H, W, biased variance */
    double m = 0, v = 0;
    for (int n = 0; n < 2; n++)
      for (int k = 0; k < 6; k++) m += y[(n * 3 + c) * 6 + k] / 12;
    for (int n = 0; n < 2; n++)
      for (int k = 0; k < 6; k++) v += pow(y[(n * 3 + c) * 6 + k] - m, 2) / 12;
    for (int n = 0; n < 2; n++)
      for (int k = 0; k < 6; k++)
        e3 = fmax(e3, fabs(trainer_var(t, dsl_var(h, "yb"))[(n * 3 + c) * 6 + k] -
                           (y[(n * 3 + c) * 6 + k] - m) / sqrt(v + 1e-5)));
  }
  expect_le("batchnorm2d train mode: per-channel statistics over N, H, W", e3, 1e-10);
  double *xtv = trainer_var(t, dsl_var(h, "xt"));
  for (int nc = 0; nc < 4; nc++)
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 2; j++) {
        double m = 0;
        for (int a = 0; a < 2; a++)
          for (int d = 0; d < 2; d++) m += xtv[(nc * 6 + 2 * i + a) * 4 + 2 * j + d] / 4;
        e4 = fmax(e4, fabs(trainer_var(t, dsl_var(h, "xp"))[(nc * 3 + i) * 2 + j] - m));
      }
  expect_le("avg_pool2d(2): means of 2x2 windows", e4, 1e-12);
  trainer_free(t);
  host_free(h);
}

int main(void) {
  check_init();
  check_image_layers();
  check_batchnorm();
  check_elementwise();
  check_spectral_norm();
  return report();
}
