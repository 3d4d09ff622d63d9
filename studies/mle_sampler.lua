-- The Langevin sampler's settings for mle-langevin on 25gaussians (docs/results.md,
-- "MLE sampler settings"): K steps, step size alpha, noise eta, the start
-- distribution U[-r, r]^2 and, for comparison, the learning rate; all run-time
-- values of one trainer (models/toy_mle.lua, built for K up to 100), scored at
-- 10k, 20k and 50k iterations. About an hour on 2 cores:
--   ebmforge study studies/mle_sampler.lua -j 2
-- Every run states the learning rate, start range and rho it was run with:
-- toy_mle.lua's defaults are what this study and mle_defaults.lua found.
-- (The recorded runs were trained by toy_mle before it had the rho term;
-- rho = 0 is that program with the term multiplied by 0.)
local toy_mle = "../models/toy_mle.lua"
local spec = { lr = { 2e-4 }, init_range = { 4 }, rho = { 0 } }   -- methods.md's toy defaults, no penalty
study {
  name = "mle_sampler",
  models = {
    { file = toy_mle, label = "mle-langevin",
      params = { K = { 20, 50 }, alpha = { 0.1, 0.3, 1 }, eta = { 0.01 }, lr = spec.lr, init_range = spec.init_range, rho = spec.rho } },
    { file = toy_mle, label = "mle-quiet",
      params = { alpha = { 0.1, 1 }, eta = { 0.001 }, lr = spec.lr, init_range = spec.init_range, rho = spec.rho } },
    { file = toy_mle, label = "mle-lr-start", params = { lr = { 2e-4, 1e-3 }, init_range = { 1.5, 4 }, rho = spec.rho } },
  },
  data = { "25gaussians" },
  seeds = { 1 },
  budgets = { 10000, 20000, 50000 },
  ckpt_every = 5000,
  log_every = 500,
}
