-- Maximum-likelihood EBM training with a short-run sampler (methods.md §4):
-- mle-langevin (x <- x - alpha grad E + eta xi) and mle-gd (eta = 0).
local entries = require "entries"
local opts = require "opts"
local M = {}

M.default_iters = 50000
-- defaults (methods.md §4, §8) differ between toy data and images; unset options take them
M.options = {
  energy = {type = "net", desc = "the energy network (default nets.toy_energy or nets.image_energy)"},
  K = opts.count(1, 1000000, {desc = "sampler steps per iteration (toy 20, pictures 60); run-time: train --set K=..."}),
  K_max = opts.count(1, 1000000, {desc = "the largest K a run may set (default K): the loop is built for K_max steps"}),
  alpha = opts.positive{desc = "Langevin step size alpha: x <- x - alpha grad E + eta xi (toy 0.1, pictures 1)"},
  eta = opts.nonneg{desc = "Langevin noise scale (toy 0.01, pictures 0.005; mle-gd 0)"},
  init_range = opts.positive{desc = "the sampler starts from U[-r, r]^D (toy 4, pictures 1); run-time"},
  clamp = {type = "boolean", desc = "clamp samples to [-1, 1] after each step (toy false, pictures true)"},
  rho = opts.nonneg{default = 0, desc = "weight of the energy-magnitude penalty"},
  adam = {type = "table", desc = "Adam options {lr, betas, eps, cosine} (toy lr 2e-4, betas {0, 0.9}, eps 1e-6; pictures lr 1e-4, betas {0, 0.999})"},
}
local defaults = {
  toy = {K = 20, alpha = 0.1, eta = 0.01, init_range = 4, clamp = false, adam = {lr = 2e-4, betas = {0, 0.9}, eps = 1e-6}},
  image = {K = 60, alpha = 1.0, eta = 0.005, init_range = 1, clamp = true, adam = {lr = 1e-4, betas = {0, 0.999}, eps = 1e-8}},
}

function M.build(cfg)
  local B, D = cfg.batch, cfg.D
  local def = defaults[cfg.image and "image" or "toy"]
  local eta = cfg.eta or (cfg.method == "mle-gd" and 0 or def.eta)
  if cfg.method == "mle-gd" and eta ~= 0 then error("mle-gd is the deterministic sampler: eta must be 0", 0) end
  for k, v in pairs(def) do if cfg[k] == nil then cfg[k] = v end end
  local E = (cfg.energy or (cfg.image and nets.image_energy{act = "silu", channels = cfg.image[1]}
                            or nets.toy_energy{act = "silu", input = D})).build("energy")
  local opt = adam(cfg.adam)
  -- run-time values (train --set): the sampler's step and noise, the energy-magnitude weight
  local alpha = ebm.hparam("alpha", cfg.alpha, "Langevin step size: x <- x - alpha grad E(x) + eta xi", "nonneg")
  local eta_t = eta > 0 and ebm.hparam("eta", eta, "Langevin noise scale eta", "nonneg")
  local K = ebm.count("K", cfg.K, cfg.K_max, "Langevin steps per iteration")
  local r = ebm.hparam("init_range", cfg.init_range, "the sampler starts from U[-r, r]^D", "pos")
  local x = ebm.state("sampler.x", {B, D}, 0)
  local x0 = ebm.state("sampler.x0", {B, D}, 0)

  -- the K-step sampler from p0 = U[-r, r]^D, fresh every iteration (short-run),
  -- clamped to [-1, 1] after every step on images; x0 (optional) keeps the starting points
  local function sampler(x, x0)
    phase("sampler_init", function(p)
      local u = ebm.uniform({B, D}) * (2 * r) - r
      p:set(x, u)
      if x0 then p:set(x0, u) end
    end)
    loop(K, function()
      phase("sampler_step", function(p)
        local g = ebm.grad(ebm.sum(E(x)), x)
        local nx = x - alpha * g
        if eta_t then nx = nx + eta_t * ebm.normal({B, D}) end
        if cfg.clamp then nx = ebm.minimum(ebm.maximum(nx, -1), 1) end
        p:set(x, nx)
      end)
    end)
  end

  sampler(x, x0)
  phase("energy", function(p)
    local ed = entries.check_energy(E(ebm.data({B, D})), "the energy network")
    local es = E(ebm.stop_gradient(x))
    local loss = ebm.mean(ed) - ebm.mean(es)
    if cfg.rho > 0 then
      local rho = ebm.hparam("rho", cfg.rho, "weight of the energy-magnitude term rho (E(x)^2 + E(x~)^2)", "nonneg")
      loss = loss + rho * (ebm.mean(ed * ed) + ebm.mean(es * es))
    end
    p:minimize(loss, E.params, opt)
    p:log("loss", loss)
    p:log("e_data", ebm.mean(ed))
    p:log("e_sample", ebm.mean(es))
    -- how far the energy separates data from the sampler's starting noise
    p:log("e_gap", ebm.mean(E(x0)) - ebm.mean(ed))
  end)
  entries.sample(B, D, function(xs) sampler(xs) end)
  entries.energy(E, D)
  if eta == 0 then M.induced_entry(K, r, E, B, D, alpha) end
end

-- The density the deterministic sampler induces (methods.md §4): the change
-- of variables through x <- x - alpha grad E(x), with the 2x2 Hessian from
-- two Hessian-vector products (JVPs of the input gradient). Output rows:
-- x (D columns), log q(x), and 1 if any step folded (det(I - alpha H) <= 0).
function M.induced_entry(K, r, E, B, D, alpha)
  if D ~= 2 then return end
  local out = ebm.state("induced.out", {B, 4}, 0)
  local x = ebm.state("induced.x", {B, 2}, 0)
  local lq = ebm.state("induced.logq", {B}, 0)
  local fold = ebm.state("induced.fold", {B}, 0)
  local a = alpha
  entry("induced", {output = out}, function()
    phase("induced_init", function(p)
      p:set(x, ebm.uniform({B, 2}) * (2 * r) - r)
      p:set(lq, ebm.broadcast(-2 * ebm.log(2 * r), {B}))   -- log of the uniform density
      p:set(fold, ebm.broadcast(ebm.const(0), {B}))
    end)
    loop(K, function()
      phase("induced_step", function(p)
        local g = ebm.grad(ebm.sum(E(x)), x)
        local h1 = ebm.jvp(x, ebm.broadcast(ebm.const({1, 0}, {1, 2}), {B, 2}), g)
        local h2 = ebm.jvp(x, ebm.broadcast(ebm.const({0, 1}, {1, 2}), {B, 2}), g)
        local function col(h, k) return ebm.reshape(ebm.slice(h, 2, k, 1), {B}) end
        local det = (1 - a * col(h1, 1)) * (1 - a * col(h2, 2)) - a * a * col(h2, 1) * col(h1, 2)
        p:set(lq, lq - ebm.log(ebm.abs(det)))
        p:set(fold, ebm.maximum(fold, ebm.le(det, 0)))
        p:set(x, x - a * g)
      end)
    end)
    phase("induced_out", function(p)
      p:set(out, ebm.concat({x, ebm.reshape(lq, {B, 1}), ebm.reshape(fold, {B, 1})}, 2))
    end)
  end)
end

return M
