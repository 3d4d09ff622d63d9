-- What every single-EBM minimax method shares (methods.md §2, §3e): the
-- `code`/`paper` presets, the two networks and optimisers, the generator
-- step with the sigma_min entropy lower bound (a), and the entry points.
-- A method (method_ebm0gp.lua, method_bb.lua) adds its energy step.
local entries = require "entries"
local sv = require "sv"
local M = {}

M.options = {
  energy = {type = "net"}, generator = {type = "net"},
  preset = {type = "string", default = "paper", one_of = {"paper", "code"}},
  sn = {type = "boolean"}, ada = {type = "boolean"},
  lambda = {type = "number", default = 1e-3}, w_H = {type = "number", default = 1},
  adam = {type = "table", default = {lr = 2e-4, betas = {0, 0.9}, eps = 1e-6}},
}

-- options of M.options plus the method's own
function M.with(extra)
  local o = {}
  for k, v in pairs(M.options) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

-- Resolves the preset and builds nets and optimisers.
function M.setup(cfg)
  local paper = cfg.preset == "paper"
  local s = {cfg = cfg, B = cfg.batch, D = 2, paper = paper}
  s.sn = cfg.sn == nil and paper or cfg.sn
  s.ada = cfg.ada == nil and paper or cfg.ada
  s.E = (cfg.energy or nets.toy_energy{sn = s.sn}).build("energy")
  s.G = (cfg.generator or nets.toy_generator{}).build("generator")
  s.d = s.G.latent or 2
  local a = cfg.adam
  s.optE = adam{name = "adam_energy", lr = a.lr, betas = a.betas, eps = a.eps}
  s.optG = adam{name = "adam_generator", lr = a.lr, betas = a.betas, eps = a.eps}
  return s
end

-- The penalty weight: the `paper` preset's decaying 0.7 (2307 + t)^-0.55, else lambda.
function M.weight(s)
  if s.ada then return 0.7 * ebm.exp(-0.55 * ebm.log(ebm.step() + 2307)) end
  return s.cfg.lambda
end

-- Generator step: mean E(G^tr(z')) - w_H * d * mean log sigma_min(J^ev(z')), theta frozen.
function M.generator_phase(s)
  phase("generator", function(p)
    local z = ebm.normal({s.B, s.d})
    local adv = ebm.mean(s.E(s.G(z, "train")))
    local H = s.d * ebm.mean(sv.log_sigma_min(s.G, z))   -- H[gamma_d] dropped in the loss
    p:minimize(adv - s.cfg.w_H * H, s.G.params, s.optG)
    p:log("loss_g", adv - s.cfg.w_H * H)
    p:log("entropy", H)
  end)
end

function M.entries(s)
  entries.sample(s.B, s.D, function(xs)
    phase("sample", function(p) p:set(xs, s.G(ebm.normal({s.B, s.d}), "eval")) end)
  end)
  entries.energy(s.E, s.D)
  if s.d == 2 and s.D == 2 then M.bounds_entry(s) end
end

-- The bound sandwich of methods.md §7.3 for (a)-type generators: per latent
-- draw z ~ N(0, I), with G in eval mode,
--   lambda_lo = -E(G(z)) - log N(z; 0, I) + 2 log sigma_min(J(z))   (Jensen: E[lambda_lo] <= log Z)
--   lambda_up = -E(G(z)) - log N(z; 0, I) + log|det J(z)|           (chi^2: log Z <= 1/2 log E[exp(2 lambda_up)])
-- and sign(det J) to check injectivity. Output rows: lambda_lo, lambda_up, sign.
function M.bounds_entry(s)
  local out = ebm.state("bounds.out", {s.B, 3}, 0)
  entry("bounds", {output = out}, function()
    phase("bounds", function(p)
      local z = ebm.normal({s.B, 2})
      local a, b, c, e = sv.jacobian_2x2(s.G, z)
      local log_n = -math.log(2 * math.pi) - 0.5 * ebm.sum(z * z, 2)
      local base = -s.E(s.G(z, "eval"), "eval") - log_n
      local lo = base + 2 * sv.log_sigma_min_2x2(a, b, c, e)
      local up = base + sv.log_abs_det_2x2(a, b, c, e)
      local col = function(t) return ebm.reshape(t, {s.B, 1}) end
      p:set(out, ebm.concat({col(lo), col(up), col(ebm.sign(a * e - b * c))}, 2))
    end)
  end)
end

return M
