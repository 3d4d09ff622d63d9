/* Run-time hyper-parameters (OP_HPARAM, docs/parameters.md) against their
 * definition: a leaf nothing folds (x * p with p = 1 stays a product), one
 * node per name, a constant for autodiff, read from the trainer's values (so
 * a set value changes the closed-form result of Adam and of a state update),
 * left out of the fingerprint by value but not by name; bad declarations and
 * bad --set values are refused with messages naming them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dsl.h"
#include "emit_c.h"
#include "interp.h"
#include "run.h"

static void check_leaf(void) {
  Host *h = dsl_load(
      "p = ebm.param('scale', 1, 'a scale', {0, 10})\n"
      "q = ebm.param('scale', 1)\n"
      "w = ebm.param('w', {3}, 0.5)\n"
      "y = w * p\n"
      "g = ebm.grad(ebm.sum(w * p * p), w)\n");
  int p = dsl_tensor(h, "p"), y = dsl_tensor(h, "y");
  CHECK(h->g->nodes[p].op == OP_HPARAM, "ebm.param(name, number) is an HPARAM leaf, got %s",
        op_name(h->g->nodes[p].op));
  CHECK(dsl_tensor(h, "q") == p, "a second ebm.param of the same name is the same node");
  CHECK(h->g->nodes[y].op == OP_MUL, "w * p with p's default 1 is not folded to w (got %s)",
        op_name(h->g->nodes[y].op));
  CHECK(h->g->n_hparams == 1 && !strcmp(h->g->hparams[0].desc, "a scale") && h->g->hparams[0].hi == 10,
        "the table holds one parameter with its meaning and range");
  /* d/dw sum(w p^2) = p^2 at the trainer's value of p, not at its default */
  Trainer *t = trainer_new(h, 1, 1);
  const char *set[] = {"scale=3"};
  char err[300];
  CHECK(!trainer_set_hparams(t, NULL, set, 1, err, sizeof err), "scale=3 accepted");
  Interp ip = {.f64 = 1, .vars = NULL, .hparams = trainer_hparams(t)};
  double *vars[1] = {trainer_var(t, dsl_var(h, "w"))};
  ip.vars = vars;
  int out = dsl_tensor(h, "g");
  double *r[1];
  interp_eval(h->g, &ip, 1, &out, r);
  CHECK(r[0][0] == 9 && r[0][2] == 9, "the gradient reads the set value (9 = 3^2), got %g", r[0][0]);
  free(r[0]);
  trainer_free(t);
  host_free(h);
}

/* Adam with lr, betas, eps from the parameter block: a constant gradient c
 * moves w by lr c/(|c| + eps) per step; a state update by the set amount. */
static void check_training(void) {
  Host *h = dsl_load(
      "w = ebm.param('w', {3}, 0.5)\n"
      "s = ebm.state('s', {1}, 0)\n"
      "c = ebm.const({2, -0.001, 30}, {3})\n"
      "local step = ebm.param('step', 1, 'added to s every iteration')\n"
      "local opt = adam{lr = 0.01, betas = {0.5, 0.9}, eps = 1e-3}\n"
      "phase('opt', function(p) p:minimize(ebm.sum(c * w), {w}, opt); p:set(s, s + step) end)\n");
  Trainer *t = trainer_new(h, 1, 1);
  const char *set[] = {"lr=0.02", "eps=0.5", "step=2.5"};
  char err[300];
  CHECK(!trainer_set_hparams(t, NULL, set, 3, err, sizeof err), "lr, eps, step set: %s", err);
  for (int s = 0; s < 5; s++) trainer_step(t, s);
  double c[3] = {2, -0.001, 30}, e = 0;
  for (int i = 0; i < 3; i++)
    e = fmax(e, fabs(trainer_var(t, dsl_var(h, "w"))[i] - (0.5 - 5 * 0.02 * c[i] / (fabs(c[i]) + 0.5))));
  CHECK(e <= 1e-14, "Adam with lr = 0.02, eps = 0.5 set at run time, closed form (error %g)", e);
  CHECK(trainer_var(t, dsl_var(h, "s"))[0] == 12.5, "s += step (2.5) for 5 steps is 12.5, got %g",
        trainer_var(t, dsl_var(h, "s"))[0]);
  const char *bad[][2] = {
      {"lr=-1", "outside its valid range"}, {"beta2=1", "outside"},      {"eps=0", "outside"}, {"step=nan", "NaN"},
      {"stpe=1", "did you mean 'step'"},    {"lr=fast", "not a number"}, {"lr", "NAME=VALUE"}};
  for (int k = 0; k < 7; k++) {
    int rc = trainer_set_hparams(t, NULL, &bad[k][0], 1, err, sizeof err);
    CHECK(rc && strstr(err, bad[k][1]) && strstr(err, bad[k][0]), "--set %s refused naming it (%s): %s", bad[k][0],
          bad[k][1], rc ? err : "accepted");
  }
  trainer_free(t);
  host_free(h);
}

/* The fingerprint: the same for another default, another for another name. */
static void check_fingerprint(void) {
  const char *code =
      "w = ebm.param('w', {3}, 0.5)\n"
      "local opt = adam{lr = %s}\n"
      "local k = ebm.param('%s', %s)\n"
      "phase('opt', function(p) p:minimize(ebm.sum(w * w * k), {w}, opt) end)\n";
  const char *v[3][3] = {{"1e-3", "k", "2"}, {"5e-4", "k", "3"}, {"1e-3", "kk", "2"}};
  char fp[3][17], src[600];
  for (int i = 0; i < 3; i++) {
    snprintf(src, sizeof src, code, v[i][0], v[i][1], v[i][2]);
    Host *h = dsl_load(src);
    emit_fingerprint(h->g, h->prog, fp[i]);
    host_free(h);
  }
  CHECK(!strcmp(fp[0], fp[1]), "another lr and another default of k keep the fingerprint");
  CHECK(strcmp(fp[0], fp[2]), "another parameter name changes it");
}

static void check_refused(void) {
  const char *bad[][2] = {{"ebm.param('x', 2, 'd', {0, 1})", "outside its valid range"},
                          {"ebm.param('x', 1); ebm.param('x', 2)", "declared twice"},
                          {"ebm.param('1x', 1)", "identifier"},
                          {"adam{lr = -1}", "-1"},
                          {"adam{betas = {1, 0.9}}", "[0, 1)"}};
  for (int k = 0; k < 5; k++) {
    Host *h = host_new();
    int rc = host_run_string(h, bad[k][0], "@snippet");
    CHECK(rc && strstr(h->error, bad[k][1]), "%s is refused (%s): %s", bad[k][0], bad[k][1],
          rc ? h->error : "accepted");
    host_free(h);
  }
}

int main(void) {
  check_leaf();
  check_training();
  check_fingerprint();
  check_refused();
  return report();
}
