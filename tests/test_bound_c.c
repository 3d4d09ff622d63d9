/* Bound (c) of methods.md §3c as bound_gp.lua builds it, against an
 * independent construction: with a generator whose train and eval modes
 * coincide, <s_b, w_b> - g_b = v'grad_z E(x(z)) - v'z - v'grad_z log p^_g-term:
 *   with (a): x = G(z), the term d log sigma_min(J(z));
 *   with (b): x = G(z) + sigma eps, the term log q(z | G(z) + sigma eps) (total derivative),
 * computed here by JVPs only (the bound uses VJPs). Also the theta-gradient
 * of P (a mixed second derivative) against finite differences. */
#include <math.h>
#include <stdlib.h>

#include "autodiff.h"
#include "dsl.h"
#include "gradcheck.h"

/* P (global "P") against its JVP form (global "P2"), and d/dtheta P against finite differences */
static void check_bound(const char *label, const char *code) {
  Host *h = dsl_load(code);
  Graph *g = h->g;
  int P = dsl_tensor(h, "P"), P2 = dsl_tensor(h, "P2");
  /* gradient of P w.r.t. the energy's parameters */
  int vars[64], nodes[64], grads[64], n = 0;
  for (int v = 0; v < g->n_vars; v++)
    if (g->vars[v].kind == VAR_PARAM && g->vars[v].name[0] == 'E') {
      vars[n] = v;
      nodes[n++] = g->vars[v].node;
    }
  int one = ir_scalar_like(g, P, 1.0);
  ad_vjp(g, 1, &P, &one, n, nodes, grads);
  for (int i = 0; i < n; i++) grads[i] = ad_materialize(g, grads[i], nodes[i]);
  Env e = env_new(g, 21);
  double a = env_scalar(&e, P), b = env_scalar(&e, P2);
  char msg[256];
  printf("     %s: P = %.12g (VJP form), %.12g (JVP form)\n", label, a, b);
  snprintf(msg, sizeof msg, "bound (c) with %s: P by VJPs equals P by JVPs", label);
  expect_le(msg, rel_err(&a, &b, 1, 1e-300), 1e-10);
  snprintf(msg, sizeof msg, "bound (c) with %s: P is not trivially zero", label);
  expect_le(msg, a > 1e-6 ? 0 : 1, 0);
  snprintf(msg, sizeof msg, "bound (c) with %s: d/dtheta P vs finite differences", label);
  expect_le(msg, check_grad(&e, P, n, vars, grads, 24, 1e-5), 1e-6);
  env_free(&e);
  host_free(h);
}

int main(void) {
  /* (a): q_b = z + d grad_z log sigma_min */
  check_bound("(a)",
              "local gp = require 'bound_gp'\n"
              "local sv = require 'sv'\n"
              "local E = nets.toy_energy{width = 16, act = 'silu'}.build('E')\n"
              "local G = nn.seq{nn.linear(2, 16, {name = 'g1'}), nn.silu(), nn.linear(16, 2, {name = 'g2'})}\n"
              "z = ebm.state('z', {8, 2}, {'normal', 0, 1})\n"
              "v = ebm.state('v', {8, 2}, {'normal', 0, 1})\n"
              "local s = {B = 8, d = 2, E = E, G = G, cfg = {mins = true}, lower = require 'bound_sv'}\n"
              "P = gp.bound_c(s, {z = z, x = G(z)}, v)\n"
              "local r = ebm.jvp(z, v, E(G(z))) - ebm.sum(z * v, 2) - 2 * ebm.jvp(z, v, sv.log_sigma_min(G, z))\n"
              "P2 = ebm.sum(r * r) / 16\n");
  /* (b): x = G(z) + sigma eps, q_b = z + grad_z log q(z | G(z) + sigma eps), the total derivative */
  check_bound("(b)",
              "local gp = require 'bound_gp'\n"
              "local mi = require 'bound_mi'\n"
              "local E = nets.toy_energy{width = 16, act = 'silu'}.build('E')\n"
              "local G = nn.seq{nn.linear(2, 16, {name = 'g1'}), nn.silu(), nn.linear(16, 2, {name = 'g2'})}\n"
              "local Q = nn.seq{nn.linear(2, 16, {name = 'q1'}), nn.tanh(), nn.linear(16, 4, {name = 'q2'})}\n"
              "z = ebm.state('z', {8, 2}, {'normal', 0, 1})\n"
              "v = ebm.state('v', {8, 2}, {'normal', 0, 1})\n"
              "eps = ebm.state('eps', {8, 2}, {'normal', 0, 1})\n"
              "local s = {B = 8, d = 2, D = 2, E = E, G = G, enc = Q, cfg = {sigma = 0.1}, lower = mi,\n"
              "           sigma = ebm.hparam('sigma', 0.1, 'output noise', 'pos')}\n"
              "local x = G(z) + 0.1 * eps\n"
              "P = gp.bound_c(s, {z = z, x = x, eps = eps}, v)\n"
              "local r = ebm.jvp(z, v, E(x)) - ebm.sum(z * v, 2) - ebm.jvp(z, v, mi.log_q(s, z, x))\n"
              "P2 = ebm.sum(r * r) / 16\n");
  return report();
}
