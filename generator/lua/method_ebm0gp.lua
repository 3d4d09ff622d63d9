-- EBM-0GP (methods.md §3e): energy net + generator; the generator's entropy
-- from the exact 2x2 sigma_min of dG/dz, a zero-centred gradient penalty on
-- real data for the energy. Presets: `paper` (default) and `code` (§8).
local minimax = require "minimax"
local M = {}

M.default_iters = 150000
M.options = minimax.with()

function M.build(cfg)
  local s = minimax.setup(cfg)
  phase("energy", function(p)
    local x = ebm.data({s.B, s.D})
    local fake = ebm.stop_gradient(s.G(ebm.normal({s.B, s.d}), "train"))
    local ex, ef = s.E(x), s.E(fake)
    local gx = ebm.grad(ebm.sum(ex), x)           -- per-sample input gradients (E has no batch coupling)
    local penalty = ebm.mean(ebm.sum(gx * gx, 2))
    local loss = ebm.mean(ex) - ebm.mean(ef) + minimax.weight(s) * penalty
    p:minimize(loss, s.E.params, s.optE)
    p:log("loss_e", loss)
    p:log("e_data", ebm.mean(ex))
    p:log("e_fake", ebm.mean(ef))
    p:log("penalty", penalty)
  end)
  minimax.generator_phase(s)
  minimax.entries(s)
end

return M
