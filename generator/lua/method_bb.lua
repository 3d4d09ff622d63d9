-- Single-EBM minimax methods (methods.md §2, §3e) as a lower-bound module
-- (generator side) times an energy-side module:
--   bb-<lower>-<upper>: the bidirectional bounds, lower in {sv (a), mi (b)}
--                       (bound_sv.lua, bound_mi.lua), upper gp (c) (bound_gp.lua);
--   ebm-lb:  (a) against no energy-side term (one-sided);
--   ebm-0gp: (a) against the zero-centred gradient penalty on real data.
-- Everything is built from grad / jvp / vjp / stop_gradient: no bound-specific C.
local minimax = require "minimax"
local M = {}

M.default_iters = 150000

-- ebm-lb: mean E(x) - mean E(sg(x~))
local one_sided = {options = {}}
function one_sided.energy_loss(s, p, ex, rec)
  local ef = s.E(ebm.stop_gradient(rec.x))
  return ebm.mean(ex) - ebm.mean(ef), ef
end

-- ebm-0gp: + weight * mean_b |grad_x E(x_b)|^2 on real data (its theta-gradient is a VJP of a VJP)
local zero_gp = {options = {}}
function zero_gp.energy_loss(s, p, ex, rec, weight, x)
  local ef = s.E(ebm.stop_gradient(rec.x))
  local gx = ebm.grad(ebm.sum(ex), x)           -- per-sample input gradients (E has no batch coupling)
  local penalty = ebm.mean(ebm.sum(gx * gx, 2))
  p:log("penalty", penalty)
  return ebm.mean(ex) - ebm.mean(ef) + weight * penalty, ef
end

local baselines = {["ebm-lb"] = {"sv", one_sided}, ["ebm-0gp"] = {"sv", zero_gp}}

-- the two modules of a method name
local function parts(method)
  local b = baselines[method]
  if b then return require("bound_" .. b[1]), b[2] end
  local lower, upper = method:match("^bb%-(%w+)%-(%w+)$")
  return require("bound_" .. lower), require("bound_" .. upper)
end

function M.options_for(method)
  local lower, upper = parts(method)
  local o = {}
  for _, t in ipairs({minimax.options, lower.options, upper.options}) do
    for k, v in pairs(t) do o[k] = v end
  end
  return o
end

function M.build(cfg)
  local lower, upper = parts(cfg.method)
  local s = minimax.setup(cfg, lower)
  if upper == require("bound_gp") and lower.share_with_c then lower.share_with_c(s) end
  phase("energy", function(p)
    local x = ebm.data({s.B, s.D})
    local rec = lower.draw(s, "train")
    local ex = require("entries").check_energy(s.E(x), "the energy network")
    local loss, ef = upper.energy_loss(s, p, ex, rec, minimax.weight(s), x)
    p:minimize(loss, s.E.params, s.optE)
    p:log("loss_e", loss)
    p:log("e_data", ebm.mean(ex))
    p:log("e_fake", ebm.mean(ef))
  end)
  minimax.generator_phase(s)
  minimax.entries(s)
end

return M
