-- toy_mle's learning rate from the start U[-1.5, 1.5]^2 over three seeds,
-- scored at 20k and 50k iterations: which rate resolves the modes of
-- 25gaussians without the energy running away (docs/results.md, "MLE
-- sampler settings"). About 20 minutes on 2 cores:
--   ebmforge study studies/mle_defaults.lua -j 2
study {
  name = "mle_defaults",
  models = { "../models/toy_mle.lua" },
  data = { "25gaussians" },
  seeds = { 1, 2, 3 },
  budgets = { 20000, 50000 },
  params = { lr = { 3e-4, 5e-4, 1e-3 }, init_range = { 1.5 } },
  ckpt_every = 5000,
  log_every = 500,
}
