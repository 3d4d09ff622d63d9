/* Bound (c) of methods.md §3c as bound_gp.lua builds it with (a), against an
 * independent construction: with a generator whose train and eval modes
 * coincide, <s_b, w_b> - g_b = v'grad_z E(G(z)) - v'z - d v'grad_z log sigma_min,
 * which here is computed by JVPs only (the method uses VJPs). Also the
 * theta-gradient of P (a mixed second derivative) against finite differences. */
#include <math.h>
#include <stdlib.h>

#include "autodiff.h"
#include "dsl.h"
#include "gradcheck.h"

int main(void) {
  Host *h = dsl_load(
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
  Graph *g = h->g;
  int P = dsl_tensor(h, "P"), P2 = dsl_tensor(h, "P2");
  /* gradient of P w.r.t. the energy's parameters */
  int vars[64], nodes[64], grads[64], n = 0;
  for (int v = 0; v < g->n_vars; v++)
    if (g->vars[v].kind == VAR_PARAM && g->vars[v].name[0] == 'E') { vars[n] = v; nodes[n++] = g->vars[v].node; }
  int one = ir_scalar_like(g, P, 1.0);
  ad_vjp(g, 1, &P, &one, n, nodes, grads);
  for (int i = 0; i < n; i++) grads[i] = ad_materialize(g, grads[i], nodes[i]);
  Env e = env_new(g, 21);
  double a = env_scalar(&e, P), b = env_scalar(&e, P2);
  printf("     P = %.12g (VJP form), %.12g (JVP form)\n", a, b);
  expect_le("bound (c): P by VJPs equals P by JVPs", rel_err(&a, &b, 1, 1e-300), 1e-10);
  expect_le("bound (c): P is not trivially zero", a > 1e-6 ? 0 : 1, 0);
  expect_le("d/dtheta P (mixed second derivative) vs finite differences", check_grad(&e, P, n, vars, grads, 24, 1e-5), 1e-6);
  env_free(&e);
  host_free(h);
  return report();
}
