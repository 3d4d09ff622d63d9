-- DDAEBM (methods.md §5): per diffusion step k a conditional EBM
-- exp(f(y, k)) N(x_n; a_{k+1} y, beta_{k+1} I) sharing one time-conditioned
-- f, against a per-step generator x^_0 = G(x_n, z, k) with a posterior
-- encoder q(z | x_c, x_n, k). One iteration: the energy step (§5.3, R1 on
-- real pairs), then the generator + encoder step (§5.4) on the same draws.
-- Toy data get the toy nets of nets_diff.lua, pictures those of
-- nets_image_diff.lua, the matched schedule, an EMA of all three nets and
-- the cosine decay of Adam's rate to 1e-5 over 50,000 iterations
-- (`adam = {..., cosine = false}` turns it off).
local diff = require "diffusion"
local entries_diff = require "entries_diff"
local ema = require "ema"
local opts = require "opts"
local M = {}

M.default_iters = 100000
M.options = {
  energy = {type = "net"}, generator = {type = "net"}, encoder = {type = "net"},
  T = opts.count(1, 1000, {default = 4, desc = "diffusion steps"}),
  beta_min = opts.positive{desc = "noise schedule: beta at t = 0"},
  beta_max = opts.positive{desc = "noise schedule: beta at t = 1"},
  r1_gamma = opts.nonneg{default = 0.02, desc = "gamma of the R1 penalty (gamma/2) mean ||g||^2"},
  w_ent = opts.nonneg{default = 0.1, desc = "weight of the encoder's entropy NLL"},
  rec_floor = opts.positive{desc = "variance floor of the reconstruction term"},
  ema = opts.fraction{desc = "EMA decay of f, G, q, used by the entries (0: none)"},
  adam = {type = "table", default = {lr = 1e-4, betas = {0, 0.9}, eps = 1e-8}, desc = "Adam options {lr, betas, eps, cosine}"},
  sample_batch = opts.count(1, opts.MAX_BATCH, {desc = "rows per `sample` call"}),
  M_eval = opts.count(1, 1000000, {default = 1024, desc = "inner draws of the chain_bounds entry"}),
}

-- defaults that differ between toy data and pictures (methods.md §8, `ddaebm`);
-- the image floor of the reconstruction variance is pvar[1] (set in build)
local defaults = {
  toy = {beta_min = 0.01, beta_max = 0.1, rec_floor = 1e-2, ema = 0, sample_batch = 1000},
  image = {beta_min = 0.1, beta_max = 20, ema = 0.999},
}

function M.build(cfg)
  local img = cfg.image
  for k, v in pairs(defaults[img and "image" or "toy"]) do if cfg[k] == nil then cfg[k] = v end end
  local S = diff.schedule(cfg.T, cfg.beta_min, cfg.beta_max)
  cfg.rec_floor = cfg.rec_floor or (S.T > 1 and S.pvar[1] or S.pvar[0])
  cfg.sample_batch = cfg.sample_batch or cfg.batch   -- pictures: the training batch bounds the arena
  local B, D, T = cfg.batch, cfg.D, cfg.T
  local f0 = img and nets.ddaebm_image_energy{channels = img[1]} or nets.ddaebm_energy{}
  local G0 = img and nets.ddaebm_image_generator{channels = img[1]} or nets.ddaebm_generator{}
  local q0 = img and nets.ddaebm_image_encoder{channels = img[1]} or nets.ddaebm_encoder{}
  local f = (cfg.energy or f0).build("energy")
  local G = (cfg.generator or G0).build("generator")
  local q = (cfg.encoder or q0).build("encoder")
  local nz, temb = G.latent, f.temb
  if q.latent ~= nz then error("the encoder's latent must be the generator's", 0) end
  if G.temb ~= temb or q.temb ~= temb then error("energy, generator and encoder must share the time embedding's width", 0) end
  local a = cfg.adam
  local cosine = a.cosine
  if cosine == nil and img then cosine = {to = 1e-5, iters = 50000} end   -- methods.md §8, pictures (false: none)
  local optE = adam{name = "adam_energy", lr = a.lr, betas = a.betas, eps = a.eps, cosine = cosine}
  local optG = adam{name = "adam_generator", lr = a.lr, betas = a.betas, eps = a.eps, cosine = cosine}
  local gq = {}
  for _, p in ipairs(G.params) do table.insert(gq, p) end
  for _, p in ipairs(q.params) do table.insert(gq, p) end
  local function per(fn) return diff.per_step(S, fn) end

  -- the draws both steps share (a node evaluates to the same values in every phase of a step)
  local k = diff.random_k(B, T)
  local emb = nets.time_embedding(diff.level(k), temb)
  local xc, xn = diff.pairs(S, k, ebm.data({B, D}))
  xc, xn = ebm.stop_gradient(xc), ebm.stop_gradient(xn)
  local z, eps3 = ebm.normal({B, nz}), ebm.normal({B, D})
  local c1, c2 = diff.pick(k, per(function(j) return S.c1[j] end)), diff.pick(k, per(function(j) return S.c2[j] end))
  local noise = diff.pick(k, per(function(j) return j > 0 and math.sqrt(S.pvar[j]) or 0 end))
  local a_n, b_n = diff.pick(k, per(function(j) return S.a[j + 1] end)), diff.pick(k, per(function(j) return S.beta[j + 1] end))
  local function fake(mode) return c1 * G(xn, z, emb, mode) + c2 * xn + noise * eps3 end

  phase("energy", function(p)
    local fr = f(xc, emb)
    local ff = f(ebm.stop_gradient(fake("train")), emb)
    local loss = ebm.mean(ff - fr)
    if cfg.r1_gamma > 0 then   -- R1 on real pairs: grad_x [f(x_c, k) + log N(x_n; a x_c, beta I)]
      local g = ebm.grad(ebm.sum(fr), xc) + a_n / b_n * (xn - a_n * xc)
      local r1 = ebm.mean(ebm.sum(g * g, 2))
      loss = loss + ebm.hparam("r1_gamma", cfg.r1_gamma, "R1 penalty weight gamma of (gamma/2) mean |g|^2", "nonneg") / 2 * r1
      p:log("r1", r1)
    end
    p:minimize(loss, f.params, optE)
    p:log("loss_e", loss)
    p:log("f_data", ebm.mean(fr))
    p:log("f_fake", ebm.mean(ff))
  end)

  phase("generator", function(p)
    -- the energy step's fake again: batch statistics, which that step already folded into the running ones
    local xt = fake("batch")
    local EF = ebm.mean(diff.neg_cond_energy(S, f, xt, xn, k, emb))
    local mu, lv = q(xt, xn, emb, "train")
    local nll = 0.5 * ebm.sum(lv, 2) + 0.5 * ebm.sum((z - mu) * (z - mu) / (1e-6 + ebm.exp(lv)), 2)
    local ent = ebm.hparam("w_ent", cfg.w_ent, "weight of the encoder's entropy NLL", "nonneg") * ebm.mean(nll)
    local mp, lp = q(xc, xn, emb, "train")   -- ELBO of the real pair's conditional NLL
    local zpos = mp + ebm.exp(0.5 * lp) * ebm.normal({B, nz})
    local v = diff.pick(k, per(function(j) return math.max(S.pvar[j], cfg.rec_floor) end))
    local rec = -ebm.mean(diff.log_normal(xc, c1 * G(xn, zpos, emb, "train") + c2 * xn, v))
    local kl = ebm.mean(-0.5 * ebm.sum(1 + lp - mp * mp - ebm.exp(lp), 2))
    local loss = -EF + ent + rec + kl
    p:minimize(loss, gq, optG)
    p:log("loss_g", loss)
    p:log("f_gen", EF)
    p:log("ent_nll", ent)
    p:log("rec", rec)
    p:log("kl", kl)
  end)

  -- §5.5: EMA of theta and of (phi, psi) after both steps, used by every entry
  local avg = nil
  if cfg.ema > 0 then
    local all = {}
    for _, net in ipairs{f, G, q} do for _, p in ipairs(net.params) do table.insert(all, p) end end
    avg = ema.track(all, cfg.ema)
  end
  entries_diff.declare{S = S, f = f, G = G, q = q, kind = "b", D = D, nz = nz, temb = temb, mode = "eval",
                       sample_mode = "batch", noise = true, sample_batch = cfg.sample_batch, M_eval = cfg.M_eval,
                       avg = avg}
end

return M
