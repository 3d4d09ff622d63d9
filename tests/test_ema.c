/* EMA of parameters (generator/lua/ema.lua; methods.md §5.5, §8): for a toy
 * ddaebm (averages of f, G, q) and a toy ebm-0gp (averages of G only), each
 * with decay 0.5:
 * - the recurrence e <- 0.5 e + 0.5 p after every step, e = p at step 0;
 * - `sample` and `energy` leave parameters and averages as they were;
 * - with every parameter set to its average, `sample` and `energy` give what
 *   they gave before: they run with the averages (ddaebm's energy too; the
 *   minimax energy is not averaged, so copying leaves it alone). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "gradcheck.h"
#include "run.h"

static int var_by_name(Graph *g, const char *name) {
  for (int v = 0; v < g->n_vars; v++)
    if (!strcmp(g->vars[v].name, name)) return v;
  return -1;
}

/* the outputs of the sample and energy entries (energy at fixed points) */
static void run_entries(Trainer *t, Graph *g, double *S, double *E) {
  int sx = var_by_name(g, "sample.x"), ex = var_by_name(g, "energy.x"), ee = var_by_name(g, "energy.e");
  int ns = shape_numel(g->vars[sx].shape), nx = shape_numel(g->vars[ex].shape), ne = shape_numel(g->vars[ee].shape);
  trainer_run_entry(t, "sample", 0);
  memcpy(S, trainer_var(t, sx), ns * sizeof(double));
  for (int i = 0; i < nx; i++) trainer_var(t, ex)[i] = 0.37 * sin(0.1 * i);
  trainer_run_entry(t, "energy", 0);
  memcpy(E, trainer_var(t, ee), ne * sizeof(double));
}

static double max_diff(const double *a, const double *b, int n) {
  double d = 0;
  for (int i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

/* what: label; src: model text; param: a tracked parameter; energy_avg: whether f is averaged */
static void check_ema(const char *what, const char *src, const char *param, int energy_avg) {
  char path[64], msg[300], avg_name[300];
  snprintf(path, sizeof path, "ema_%s.lua", what);
  const char *file = test_path(path);
  FILE *f = fopen(file, "w");
  fputs(src, f);
  fclose(f);
  Host *h = host_new();
  if (host_load_model(h, file)) {
    printf("FAIL %s: %s\n", what, h->error);
    checks_failed++;
    host_free(h);
    return;
  }
  Graph *g = h->g;
  snprintf(avg_name, sizeof avg_name, "ema.%s", param);
  int p = dsl_var(h, param), e = dsl_var(h, avg_name);
  int n = shape_numel(g->vars[p].shape), n_avg = 0, n_energy_avg = 0;
  for (int v = 0; v < g->n_vars; v++)
    if (!strncmp(g->vars[v].name, "ema.", 4)) {
      n_avg++;
      n_energy_avg += !strncmp(g->vars[v].name, "ema.energy.", 11);
    }
  snprintf(msg, sizeof msg, "%s: the energy's parameters are %saveraged", what, energy_avg ? "" : "not ");
  expect_le(msg, (n_energy_avg > 0) != energy_avg, 0);
  Trainer *t = trainer_new(h, 3, 1);
  double *want = calloc(n, sizeof(double)), worst = 0;
  for (int step = 0; step < 4; step++) {
    trainer_step(t, step);
    for (int i = 0; i < n; i++) {
      want[i] = step ? 0.5 * want[i] + 0.5 * trainer_var(t, p)[i] : trainer_var(t, p)[i];
      worst = fmax(worst, fabs(trainer_var(t, e)[i] - want[i]));
    }
  }
  snprintf(msg, sizeof msg, "%s: e <- 0.5 e + 0.5 p after each step (e = p at step 0)", what);
  expect_le(msg, worst, 1e-12);
  /* every variable before the entries, to see that they leave all as it was */
  double **before = malloc(g->n_vars * sizeof(double *));
  double moved = 0;
  for (int v = 0; v < g->n_vars; v++) {
    int m = shape_numel(g->vars[v].shape);
    before[v] = malloc(m * sizeof(double));
    memcpy(before[v], trainer_var(t, v), m * sizeof(double));
  }
  moved = max_diff(trainer_var(t, p), trainer_var(t, e), n);
  snprintf(msg, sizeof msg, "%s: the average differs from the parameters (%.3g)", what, moved);
  expect_le(msg, moved > 1e-6 ? 0 : 1, 0);
  int ns = shape_numel(g->vars[var_by_name(g, "sample.x")].shape),
      ne = shape_numel(g->vars[var_by_name(g, "energy.e")].shape);
  double *S0 = malloc(ns * sizeof(double)), *E0 = malloc(ne * sizeof(double));
  double *S1 = malloc(ns * sizeof(double)), *E1 = malloc(ne * sizeof(double));
  run_entries(t, g, S0, E0);
  double kept = 0;
  for (int v = 0; v < g->n_vars; v++)
    if (!strncmp(g->vars[v].name, "ema.", 4) || g->vars[v].kind == VAR_PARAM)
      kept = fmax(kept, max_diff(trainer_var(t, v), before[v], shape_numel(g->vars[v].shape)));
  snprintf(msg, sizeof msg, "%s: sample and energy leave parameters and averages as they were", what);
  expect_le(msg, kept, 0);
  for (int v = 0; v < g->n_vars; v++)
    if (!strncmp(g->vars[v].name, "ema.", 4)) {
      int q = dsl_var(h, g->vars[v].name + 4);
      memcpy(trainer_var(t, q), trainer_var(t, v), shape_numel(g->vars[v].shape) * sizeof(double));
    }
  run_entries(t, g, S1, E1);
  snprintf(msg, sizeof msg, "%s: sample draws with the averaged generator", what);
  expect_le(msg, max_diff(S0, S1, ns), 0);
  snprintf(msg, sizeof msg, "%s: energy evaluates %s", what, energy_avg ? "the averaged energy" : "the trained energy");
  expect_le(msg, max_diff(E0, E1, ne), 0);
  for (int v = 0; v < g->n_vars; v++) free(before[v]);
  free(before);
  free(want);
  free(S0);
  free(E0);
  free(S1);
  free(E1);
  trainer_free(t);
  host_free(h);
}

int main(void) {
  check_ema("ddaebm",
            "model { method = 'ddaebm', data = '25gaussians', batch = 16, ema = 0.5, sample_batch = 16, M_eval = 4,\n"
            "  energy = nets.ddaebm_energy{width = 8}, generator = nets.ddaebm_generator{width = 8},\n"
            "  encoder = nets.ddaebm_encoder{width = 8} }\n",
            "generator.h2.weight", 1);
  check_ema("ebm0gp",
            "model { method = 'ebm-0gp', data = '25gaussians', batch = 16, ema = 0.5,\n"
            "  energy = nets.toy_energy{width = 8}, generator = nets.toy_generator{width = 8} }\n",
            "generator.fc2.weight", 0);
  return report();
}
