-- EBM-0GP (methods.md §3e): energy net + generator; the generator's entropy
-- from the exact 2x2 sigma_min of dG/dz, a zero-centred gradient penalty on
-- real data for the energy. Presets: `paper` (default) and `code` (§8).
local entries = require "entries"
local sv = require "sv"
local M = {}

M.default_iters = 150000
M.options = {
  energy = {type = "net"}, generator = {type = "net"},
  preset = {type = "string", default = "paper", one_of = {"paper", "code"}},
  sn = {type = "boolean"}, ada = {type = "boolean"},
  lambda = {type = "number", default = 1e-3}, w_H = {type = "number", default = 1},
  adam = {type = "table", default = {lr = 2e-4, betas = {0, 0.9}, eps = 1e-6}},
}

function M.build(cfg)
  local B, D = cfg.batch, 2
  local paper = cfg.preset == "paper"
  local sn = cfg.sn == nil and paper or cfg.sn
  local ada = cfg.ada == nil and paper or cfg.ada
  local E = (cfg.energy or nets.toy_energy{sn = sn}).build("energy")
  local G = (cfg.generator or nets.toy_generator{}).build("generator")
  local d = G.latent or 2
  local optE = adam{name = "adam_energy", lr = cfg.adam.lr, betas = cfg.adam.betas, eps = cfg.adam.eps}
  local optG = adam{name = "adam_generator", lr = cfg.adam.lr, betas = cfg.adam.betas, eps = cfg.adam.eps}

  phase("energy", function(p)
    -- decaying weight of the `paper` preset: 0.7 (2307 + t)^-0.55
    local lam = ada and 0.7 * ebm.exp(-0.55 * ebm.log(ebm.step() + 2307)) or cfg.lambda
    local x = ebm.data({B, D})
    local fake = ebm.stop_gradient(G(ebm.normal({B, d}), "train"))
    local ex, ef = E(x), E(fake)
    local gx = ebm.grad(ebm.sum(ex), x)           -- per-sample input gradients (E has no batch coupling)
    local penalty = ebm.mean(ebm.sum(gx * gx, 2))
    local loss = ebm.mean(ex) - ebm.mean(ef) + lam * penalty
    p:minimize(loss, E.params, optE)
    p:log("loss_e", loss)
    p:log("e_data", ebm.mean(ex))
    p:log("e_fake", ebm.mean(ef))
    p:log("penalty", penalty)
  end)
  phase("generator", function(p)
    local z = ebm.normal({B, d})
    local adv = ebm.mean(E(G(z, "train")))
    local H = d * ebm.mean(sv.log_sigma_min(G, z))  -- H[gamma_d] dropped in the loss
    p:minimize(adv - cfg.w_H * H, G.params, optG)
    p:log("loss_g", adv - cfg.w_H * H)
    p:log("entropy", H)
  end)
  entries.sample(B, D, function(xs)
    phase("sample", function(p) p:set(xs, G(ebm.normal({B, d}), "eval")) end)
  end)
  entries.energy(E, D)
end

return M
