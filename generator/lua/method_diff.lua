-- Bidirectional bounds per diffusion step (methods.md §3d, §3e; our formulation):
--   bb-sv-diff: (a) per step, the exact 2x2 sigma_min entropy (n_z = D = 2),
--               upper bound (d) with the exact log|det J_z|;
--   bb-mi-diff: (b) per step, encoder q(z | y, x_n, k), upper bound (d).
-- B pairs (x_c, x_n) with k ~ U{0..T-1}, M proposal draws per pair:
--   A_b = mean_m lambda_lo,  C_b = 1/2 [logsumexp_m 2 lambda_up - log M];
--   energy (theta):  mean_b -f(x_c, k) + mean_b C_b, every phi/psi quantity detached;
--   generator (phi[, psi], theta frozen, y reparameterised):
--     -mean[f(y) + log N(x_n; a y, beta I)] - w_H mean ent, ent = log q (b) or D log sigma_min (a).
-- Both steps use the same draws. Networks: DDAEBM's toy nets without BatchNorm.
local diff = require "diffusion"
local bd = require "bound_diff"
local opts = require "opts"
local entries_diff = require "entries_diff"
local M = {}

M.default_iters = 100000
M.options = {
  energy = {type = "net"}, generator = {type = "net"}, encoder = {type = "net"},
  T = opts.count(1, 1000, {default = 4, desc = "diffusion steps"}),
  beta_min = opts.positive{default = 0.1, desc = "noise schedule: beta at t = 0"},
  beta_max = opts.positive{default = 20, desc = "noise schedule: beta at t = 1"},
  M = opts.count(1, 100000, {default = 8, desc = "inner draws per pair in training"}),
  w_H = opts.positive{default = 1, desc = "weight of the entropy in the generator's loss (0 is meaningless)"},
  r1_gamma = opts.nonneg{default = 0, desc = "gamma of the optional R1 penalty on real pairs"},
  adam = {type = "table", default = {lr = 1e-4, betas = {0, 0.9}, eps = 1e-8}, desc = "Adam options {lr, betas, eps, cosine}"},
  sample_batch = opts.count(1, opts.MAX_BATCH, {default = 1000, desc = "rows per `sample` call"}),
  M_eval = opts.count(1, 1000000, {default = 1024, desc = "inner draws of the chain_bounds entry"}),
}

function M.build(cfg)
  local kind = cfg.method == "bb-sv-diff" and "a" or "b"
  local S = diff.schedule(cfg.T, cfg.beta_min, cfg.beta_max)
  local B, D, T, m = cfg.batch, 2, cfg.T, cfg.M
  if m < 1 or m ~= math.floor(m) then error("M must be a positive integer, got " .. tostring(m), 0) end
  local f = (cfg.energy or nets.ddaebm_energy{}).build("energy")
  local G = (cfg.generator or nets.ddaebm_generator{bn = false}).build("generator")
  local q = kind == "b" and (cfg.encoder or nets.ddaebm_encoder{bn = false}).build("encoder") or nil
  if cfg.encoder and kind == "a" then error("bb-sv-diff has no encoder", 0) end
  if G.bn or (q and q.bn) then error(cfg.method .. " needs nets without BatchNorm (bn = false): the bounds are per-sample densities", 0) end
  local nz = G.latent
  if q and q.latent ~= nz then error("the encoder's latent must be the generator's", 0) end
  local a = cfg.adam
  local optE = adam{name = "adam_energy", lr = a.lr, betas = a.betas, eps = a.eps, cosine = a.cosine}
  local optG = adam{name = "adam_generator", lr = a.lr, betas = a.betas, eps = a.eps, cosine = a.cosine}
  local gq = {table.unpack(G.params)}
  for _, p in ipairs(q and q.params or {}) do table.insert(gq, p) end

  -- the draws both steps share (a node evaluates to the same values in every phase of a step)
  local k = diff.random_k(B, T)
  local emb = nets.time_embedding(diff.level(k), 16)
  local xc, xn = diff.pairs(S, k, ebm.data({B, D}))
  xc, xn = ebm.stop_gradient(xc), ebm.stop_gradient(xn)
  local kr, embr, xnr = diff.repeat_rows(k, m), diff.repeat_rows(emb, m), diff.repeat_rows(xn, m)
  local z, eps = ebm.normal({B * m, nz}), ebm.normal({B * m, D})
  local y, w_lo, w_up, ent = bd.proposal(kind, S, G, q, xnr, kr, embr, z, eps, "eval")

  phase("energy", function(p)
    local fr = f(xc, emb)
    local ys = ebm.stop_gradient(y)
    local ne = diff.neg_cond_energy(S, f, ys, xnr, kr, embr)
    local A, C = bd.estimates(ne + ebm.stop_gradient(w_lo), ne + ebm.stop_gradient(w_up), m)
    local loss = ebm.mean(C) - ebm.mean(fr)
    if cfg.r1_gamma > 0 then
      local an = diff.pick(k, diff.per_step(S, function(j) return S.a[j + 1] end))
      local bn = diff.pick(k, diff.per_step(S, function(j) return S.beta[j + 1] end))
      local g = ebm.grad(ebm.sum(fr), xc) + an / bn * (xn - an * xc)
      local r1 = ebm.mean(ebm.sum(g * g, 2))
      loss = loss + ebm.hparam("r1_gamma", cfg.r1_gamma, "R1 penalty weight gamma of (gamma/2) mean |g|^2", "nonneg") / 2 * r1
      p:log("r1", r1)
    end
    p:minimize(loss, f.params, optE)
    -- per-step bounds on the conditional NLL: E~(x_c) + A <= l_k <= E~(x_c) + C (averaged over k)
    local e_data = -ebm.mean(diff.neg_cond_energy(S, f, xc, xn, k, emb))
    p:log("loss_e", loss)
    p:log("l_lo", e_data + ebm.mean(A))
    p:log("l_up", e_data + ebm.mean(C))
    p:log("gap", ebm.mean(C - A))
  end)

  phase("generator", function(p)
    local adv = ebm.mean(diff.neg_cond_energy(S, f, y, xnr, kr, embr))
    local H = ebm.mean(ent)
    local loss = -adv - ebm.hparam("w_H", cfg.w_H, "weight w_H of the entropy in the generator's loss", "nonneg") * H
    p:minimize(loss, gq, optG)
    p:log("loss_g", loss)
    p:log("entropy", H)
  end)

  entries_diff.declare{S = S, f = f, G = G, q = q, kind = kind, D = D, nz = nz, temb = 16, mode = "eval",
                       sample_mode = "eval", noise = kind == "b", sample_batch = cfg.sample_batch, M_eval = cfg.M_eval}
end

return M
