-- models/toy_mle.lua at its shipped defaults (lr 1e-3, start U[-1.5, 1.5]^2,
-- rho 0.1) over three seeds, scored at 20k and 50k iterations, beside the
-- same without the energy-magnitude penalty (rho = 0) at 20k (docs/results.md,
-- "MLE sampler settings"). About 20 minutes on 2 cores:
--   ebmforge study studies/mle_defaults.lua -j 2
-- (The recorded rho = 0 runs of seeds 1 and 2 were trained by toy_mle before it
-- had the rho term, seed 3 with the term multiplied by 0.)
local toy_mle = "../models/toy_mle.lua"
study {
  name = "mle_defaults",
  models = {
    { file = toy_mle, label = "mle-langevin" },
    { file = toy_mle, label = "mle-no-rho", params = { rho = { 0 } }, budgets = { 20000 } },
  },
  data = { "25gaussians" },
  seeds = { 1, 2, 3 },
  budgets = { 20000, 50000 },
  ckpt_every = 5000,
  log_every = 500,
}
