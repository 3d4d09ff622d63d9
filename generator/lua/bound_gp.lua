-- Upper side (c) (methods.md §3c): the gradient-penalty-like bound on
-- KL(p_g || p_theta). In the energy step, with the fakes' latents z_b:
--   s_b = grad_x E(x) at the fakes x~_b (differentiable in theta),
--   w_b = sg(J^ev(z_b) v_b), v_b ~ N(0, I_d) (one JVP),
--   q_b = sg(grad_z[-log p^_g](z_b)), from the active lower bound's `score`,
--   g_b = <q_b, v_b>,
--   P = 1/(2B) sum_b (<s_b, w_b> - g_b)^2,  R = relu(lambda P - tau).
local M = {}

M.options = {
  thre = {type = "number", min = 0, desc = "tau of relu(lambda P - tau): 1 (code), 0 (paper, images)"},
}

-- P and the energies of the (detached) fakes. rec: the lower bound's draw
-- {z, x[, eps]}; v: the probe, unless given from the lower bound (images:
-- LOBPCG's v0) or drawn here.
function M.bound_c(s, rec, v)
  local xt = ebm.stop_gradient(rec.x)
  local ef = s.E(xt)
  local sb = ebm.grad(ebm.sum(ef), xt)                            -- [B, D], kept differentiable in theta
  v = v or s.lower.probe and s.lower.probe(s, rec) or ebm.normal({s.B, s.d})
  local w = ebm.stop_gradient(ebm.jvp(rec.z, v, s.G(rec.z, "eval")))  -- J^ev v
  local g = ebm.sum(ebm.stop_gradient(s.lower.score(s, rec)) * v, 2)
  local r = ebm.sum(sb * w, 2) - g
  return ebm.sum(r * r) / (2 * s.B), ef
end

-- The energy loss mean E(x) - mean E(x~) + R; logs P every step, active or not.
function M.energy_loss(s, p, ex, rec, weight)
  local tau = ebm.hparam("thre", s.cfg.thre or ((s.paper or s.image) and 0 or 1),
                         "threshold tau of the upper bound's relu(lambda P - tau)", "nonneg")
  local P, ef = M.bound_c(s, rec)
  local R = ebm.relu(weight * P - tau)
  p:log("P", P)
  p:log("R", R)
  return ebm.mean(ex) - ebm.mean(ef) + R, ef
end

return M
