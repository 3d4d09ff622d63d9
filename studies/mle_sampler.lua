-- The Langevin sampler's settings for mle-langevin on 25gaussians (docs/results.md,
-- "MLE sampler settings"): K steps, step size alpha and noise eta, all run-time
-- values of one trainer (models/toy_mle.lua, built for K up to 100), scored at
-- 10k, 20k and 50k iterations. About an hour on 2 cores:
--   ebmforge study studies/mle_sampler.lua -j 2
study {
  name = "mle_sampler",
  models = { "../models/toy_mle.lua" },
  data = { "25gaussians" },
  seeds = { 1 },
  budgets = { 10000, 20000, 50000 },
  params = { K = { 20, 50 }, alpha = { 0.1, 0.3, 1 }, eta = { 0.01, 0.1 } },
  ckpt_every = 5000,
  log_every = 500,
}
