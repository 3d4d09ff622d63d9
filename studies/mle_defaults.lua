-- models/toy_mle.lua at its shipped defaults (lr 1e-3, start U[-1.5, 1.5]^2,
-- K = 20, alpha 0.1, eta 0.01) over three seeds, scored at 20k and 50k
-- iterations (docs/results.md, "MLE sampler settings"). About 10 minutes on 2 cores:
--   ebmforge study studies/mle_defaults.lua -j 2
study {
  name = "mle_defaults",
  models = { "../models/toy_mle.lua" },
  data = { "25gaussians" },
  seeds = { 1, 2, 3 },
  budgets = { 20000, 50000 },
  ckpt_every = 5000,
  log_every = 500,
}
