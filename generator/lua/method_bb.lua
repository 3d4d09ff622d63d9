-- Bidirectional bounds on a single EBM (methods.md §2, §3a, §3c):
--   bb-sv-gp: generator maximises the lower bound with the sigma_min entropy
--             (a); the energy minimises an upper bound, the gradient-penalty-
--             like term (c) on KL(p_g || p_theta);
--   ebm-lb:   the one-sided baseline (no energy-side term).
-- Everything below is built from grad / jvp / stop_gradient: no bound-specific C.
local minimax = require "minimax"
local sv = require "sv"
local M = {}

M.default_iters = 150000
M.options = minimax.with{
  thre = {type = "number"},       -- tau of relu(lambda P - tau): 1 (`code`), 0 (`paper`)
  mins = {type = "boolean", default = true},   -- q_b from d log sigma_min (code default `mins`)
}

-- Bound (c): P = 1/(2B) sum_b (<s_b, w_b> - g_b)^2 with
--   s_b = grad_x E(x) at the fakes x~_b = G^tr(z_b) (differentiable in theta),
--   w_b = sg(J^ev(z_b) v_b), v_b ~ N(0, I_d) (one JVP),
--   q_b = sg(z_b + d grad_z log sigma_min(J^ev(z))) (grad of -log p^_g),
--   g_b = <q_b, v_b>.
-- Returns P and the energies of the fakes (for the mean term). v: the probe
-- (drawn here unless given).
function M.bound_c(s, z, fake, v)
  local B, d = s.B, s.d
  local xt = ebm.stop_gradient(fake)
  local ef = s.E(xt)
  local sb = ebm.grad(ebm.sum(ef), xt)                        -- [B, D], kept differentiable in theta
  v = v or ebm.normal({B, d})
  local w = ebm.stop_gradient(ebm.jvp(z, v, s.G(z, "eval")))  -- J^ev v
  local q = z
  if s.cfg.mins then                                          -- d * grad_z log sigma_min (second order, detached)
    q = z + d * ebm.grad(ebm.sum(sv.log_sigma_min(s.G, z)), z)
  end
  local g = ebm.sum(ebm.stop_gradient(q) * v, 2)
  local r = ebm.sum(sb * w, 2) - g
  return ebm.sum(r * r) / (2 * B), ef
end

function M.build(cfg)
  local s = minimax.setup(cfg)
  local tau = cfg.thre or (s.paper and 0 or 1)
  phase("energy", function(p)
    local x = ebm.data({s.B, s.D})
    local z = ebm.normal({s.B, s.d})
    local fake = s.G(z, "train")
    local ex = s.E(x)
    local loss, ef
    if cfg.method == "bb-sv-gp" then
      local P
      P, ef = M.bound_c(s, z, fake)
      local R = ebm.relu(minimax.weight(s) * P - tau)
      loss = ebm.mean(ex) - ebm.mean(ef) + R
      p:log("P", P)                                            -- logged every step, active or not
      p:log("R", R)
    else
      ef = s.E(ebm.stop_gradient(fake))
      loss = ebm.mean(ex) - ebm.mean(ef)
    end
    p:minimize(loss, s.E.params, s.optE)
    p:log("loss_e", loss)
    p:log("e_data", ebm.mean(ex))
    p:log("e_fake", ebm.mean(ef))
  end)
  minimax.generator_phase(s)
  minimax.entries(s)
end

return M
