-- What every single-EBM minimax method shares (methods.md §2, §3e): the
-- `code`/`paper` presets, the networks and optimisers, the generator step
-- that maximises the lower bound of the active lower-bound module
-- (bound_sv.lua, bound_mi.lua), and the entry points. method_bb.lua adds the
-- energy step of the energy-side module.
local entries = require "entries"
local ema = require "ema"
local opts = require "opts"
local M = {}

M.options = {
  energy = {type = "net", desc = "the energy E(x) (default nets.toy_energy{sn = preset's}; pictures nets.image_energy{})"}, generator = {type = "net", desc = "the generator G(z) (default nets.toy_generator{}; pictures nets.image_generator{})"},
  preset = {type = "string", default = "paper", one_of = {"paper", "code"}, desc = "the toy recipe: paper (spectral norm, decaying weight, tau 0) or code (neither, tau 1)"},
  sn = {type = "boolean", desc = "spectral norm in the default energy (default: the preset's)"},
  ada = {type = "boolean", desc = "the decaying penalty weight 0.7 (2307 + t)^-0.55 instead of lambda (default: the preset's)"},
  lambda = opts.nonneg{default = 1e-3, desc = "weight of the energy-side penalty"},
  w_H = opts.positive{desc = "weight of the entropy in the generator's loss (its temperature; toy 1, pictures 1e-4)"},
  adam = {type = "table", desc = "Adam options {lr, betas, eps, cosine} of both optimisers (toy lr 2e-4, betas {0, 0.9}, eps 1e-6; pictures lr 5e-5, betas {0, 0.999})"},
  ema = opts.fraction{desc = "EMA decay of the generator's parameters for sample and bounds (toy 0: none; pictures 0.999)"},
}

-- defaults that differ between toy data and images (methods.md §8, defaults per method)
local defaults = {
  toy = {w_H = 1, adam = {lr = 2e-4, betas = {0, 0.9}, eps = 1e-6}, ema = 0},
  image = {w_H = 1e-4, adam = {lr = 5e-5, betas = {0, 0.999}, eps = 1e-6}, ema = 0.999},
}

-- Resolves the preset and builds nets and optimisers; `lower` is the lower-bound module.
-- The presets are toy recipes; image models default to no spectral norm, tau = 0.
function M.setup(cfg, lower)
  local img = cfg.image
  for k, v in pairs(defaults[img and "image" or "toy"]) do if cfg[k] == nil then cfg[k] = v end end
  local paper = cfg.preset == "paper" and not img
  local s = {cfg = cfg, B = cfg.batch, D = cfg.D, paper = paper, image = img, lower = lower}
  s.sn = cfg.sn == nil and paper or cfg.sn
  s.ada = cfg.ada == nil and paper or cfg.ada
  local E0 = img and nets.image_energy{sn = s.sn, channels = img[1]} or nets.toy_energy{sn = s.sn, input = s.D}
  local G0 = img and nets.image_generator{channels = img[1]} or nets.toy_generator{out = s.D}
  s.E = (cfg.energy or E0).build("energy")
  s.G = (cfg.generator or G0).build("generator")
  s.d = s.G.latent or 2
  lower.setup(s)
  local a = cfg.adam
  s.optE = adam{name = "adam_energy", lr = a.lr, betas = a.betas, eps = a.eps, cosine = a.cosine}
  s.optG = adam{name = "adam_generator", lr = a.lr, betas = a.betas, eps = a.eps, cosine = a.cosine}
  return s
end

-- The penalty weight: the `paper` preset's decaying 0.7 (2307 + t)^-0.55, else lambda.
function M.weight(s)
  if s.ada then return 0.7 * ebm.exp(-0.55 * ebm.log(ebm.step() + 2307)) end
  return ebm.hparam("lambda", s.cfg.lambda, "penalty weight lambda of the energy step's bound", "nonneg")
end

-- Generator step: mean E(x~') - w_H * H^ at fresh draws x~' (G in train mode),
-- theta frozen; updates phi (and the encoder of (b)).
function M.generator_phase(s)
  phase("generator", function(p)
    local kept = s.lower.kept_entropy and s.lower.kept_entropy(s)
    local rec = s.lower.draw(s, "train")
    local adv = ebm.mean(s.E(rec.x))
    local H = kept or s.lower.entropy(s, rec)   -- constants dropped in the loss
    local w_H = ebm.hparam("w_H", s.cfg.w_H, "weight w_H of the entropy in the generator's loss", "nonneg")
    p:minimize(adv - w_H * H, s.gen_params, s.optG)
    p:log("loss_g", adv - w_H * H)
    p:log("entropy", H)
  end)
  -- the average of phi (not of BN's running statistics, which eval mode takes from the trained G)
  if s.cfg.ema > 0 then s.avg = ema.track(s.G.params, s.cfg.ema) end
end

function M.entries(s)
  entries.sample(s.B, s.D, function(xs)
    ema.swapped(s.avg, "sample", function()
      phase("sample", function(p) p:set(xs, s.lower.sample(s)) end)
    end)
  end)
  entries.energy(s.E, s.D)
  if s.lower.has_log_weights(s) then M.bounds_entry(s) end
end

-- The bound sandwich of methods.md §7.3: a batch of per-draw log-weights
-- from the lower-bound module. Output rows: lambda_lo, lambda_up, sign
-- (sign(det J) for (a): injectivity; 1 where no injectivity is needed), then
-- the draw x itself (D columns: eval splits the sandwich by mode).
function M.bounds_entry(s)
  local out = ebm.state("bounds.out", {s.B, 3 + s.D}, 0)
  entry("bounds", {output = out}, function() ema.swapped(s.avg, "bounds", function()
    phase("bounds", function(p)
      local lo, up, sign, x = s.lower.log_weights(s)
      local col = function(t) return ebm.reshape(t, {s.B, 1}) end
      p:set(out, ebm.concat({col(lo), col(up), col(sign), x}, 2))
    end)
  end) end)
end

return M
