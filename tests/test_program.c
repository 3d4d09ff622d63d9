/* The step program against its definition: loops and their trip counts,
 * Adam as PyTorch computes it, the Philox counter layout of DESIGN 2.4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsl.h"
#include "gradcheck.h"
#include "philox.h"
#include "run.h"

static void check_loops(void) {
  Host *h = dsl_load(
      "s = ebm.state('s', {1}, 0)\n"
      "n = ebm.state('n', {1}, 0)\n"
      "loop(7, function() phase('inc', function(p) p:set(s, s + 1) end) end)\n"
      "loop(3, function() loop(4, function() phase('inner', function(p) p:set(n, n + 1) end) end) end)\n");
  Trainer *t = trainer_new(h, 1, 1);
  trainer_step(t, 0);
  trainer_step(t, 1);
  expect_le("loop(7) ran 7 times per step (2 steps)", fabs(trainer_var(t, dsl_var(h, "s"))[0] - 14), 0);
  expect_le("nested loops 3 x 4 ran 12 times per step (2 steps)", fabs(trainer_var(t, dsl_var(h, "n"))[0] - 24), 0);
  trainer_free(t);
  host_free(h);
}

/* Constant gradient c: bias correction makes every Adam step lr*c/(|c|+eps). */
static void check_adam(void) {
  Host *h = dsl_load(
      "w = ebm.param('w', {3}, 0.5)\n"
      "c = ebm.const({2, -0.001, 30}, {3})\n"
      "local opt = adam{lr = 0.01, betas = {0.5, 0.9}, eps = 1e-3}\n"
      "phase('opt', function(p) p:minimize(ebm.sum(c * w), {w}, opt) end)\n");
  Trainer *t = trainer_new(h, 1, 1);
  for (int s = 0; s < 5; s++) trainer_step(t, s);
  double c[3] = {2, -0.001, 30}, err = 0;
  for (int i = 0; i < 3; i++)
    err = fmax(err, fabs(trainer_var(t, dsl_var(h, "w"))[i] - (0.5 - 5 * 0.01 * c[i] / (fabs(c[i]) + 1e-3))));
  expect_le("Adam, 5 steps of a constant gradient, closed form", err, 1e-14);
  trainer_free(t);
  host_free(h);
}

/* The cosine schedule (adam{cosine = {to, iters}}): with a constant gradient
 * each step moves w by lr_t c/(|c|+eps), lr_t = to + (lr - to)(1 + cos(pi
 * min(t-1, N)/N))/2, so after 7 steps of N = 4 w = 0.5 - sum_t lr_t c/(|c|+eps);
 * a bad schedule is refused. */
static void check_adam_cosine(void) {
  Host *h = dsl_load(
      "w = ebm.param('w', {2}, 0.5)\n"
      "c = ebm.const({2, -3}, {2})\n"
      "local opt = adam{lr = 0.01, betas = {0.5, 0.9}, eps = 1e-3, cosine = {to = 0.001, iters = 4}}\n"
      "phase('opt', function(p) p:minimize(ebm.sum(c * w), {w}, opt) end)\n");
  Trainer *t = trainer_new(h, 1, 1);
  for (int s = 0; s < 7; s++) trainer_step(t, s);
  double c[2] = {2, -3}, sum = 0, err = 0;
  for (int s = 1; s <= 7; s++) sum += 0.001 + (0.01 - 0.001) * 0.5 * (1 + cos(M_PI * fmin(s - 1, 4) / 4));
  for (int i = 0; i < 2; i++)
    err = fmax(err, fabs(trainer_var(t, dsl_var(h, "w"))[i] - (0.5 - sum * c[i] / (fabs(c[i]) + 1e-3))));
  expect_le("Adam with a cosine decay over 4 steps, 7 steps of a constant gradient, closed form", err, 1e-14);
  trainer_free(t);
  host_free(h);
  Host *bad = host_new();
  int rc = host_run_string(bad, "adam{cosine = {to = 1e-5, iters = 0}}", "@snippet");
  expect_le("adam{cosine = {iters = 0}} is refused", !(rc && strstr(bad->error, "cosine")), 0);
  host_free(bad);
}

/* ebm.uniform / ebm.normal draw counter {index, stream, iter, step}; loop iterations count from 1. */
static void check_philox_layout(void) {
  Host *h = dsl_load(
      "u = ebm.state('u', {5}, 0)\n"
      "z = ebm.state('z', {3, 5}, 0)\n"
      "phase('draw', function(p) p:set(u, ebm.uniform({5})) end)\n"
      "loop(3, function() phase('inner', function(p)\n"
      "  zn = ebm.normal({5})\n"
      "  p:set(z, ebm.concat({ebm.slice(z, 1, 2, 2), ebm.reshape(zn, {1, 5})}, 1))\n"
      "end) end)\n");
  const uint64_t seed = 77;
  int su = -1, sz = -1;
  for (int i = 0; i < h->g->n_nodes; i++) {
    if (h->g->nodes[i].op == OP_UNIFORM) su = h->g->nodes[i].stream;
    if (h->g->nodes[i].op == OP_NORMAL) sz = h->g->nodes[i].stream;
  }
  Trainer *t = trainer_new(h, seed, 0);
  trainer_step(t, 41);
  double eu = 0, ez = 0;
  for (int i = 0; i < 5; i++)
    eu = fmax(eu, fabs(trainer_var(t, dsl_var(h, "u"))[i] - philox_uniform(seed, su, 0, 41, i)));
  for (int it = 0; it < 3; it++)
    for (int i = 0; i < 5; i++)
      ez = fmax(ez, fabs(trainer_var(t, dsl_var(h, "z"))[it * 5 + i] - (float)philox_normal(seed, sz, it + 1, 41, i)));
  expect_le("uniform draws = philox_uniform(seed, stream, 0, step, index)", eu, 0);
  expect_le("normal draws in loop iteration k use iter = k + 1", ez, 0);
  trainer_free(t);
  host_free(h);
}

int main(void) {
  check_loops();
  check_adam();
  check_adam_cosine();
  check_philox_layout();
  return report();
}
