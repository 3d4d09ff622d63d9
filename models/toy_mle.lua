-- Maximum-likelihood EBM on 25gaussians with short-run Langevin sampling
-- (methods.md §4): the energy is trained on data against K-step sampler
-- output started from U[-1.5, 1.5]^2. Copy and edit: every option is listed.
-- lr 1e-3, the start range 1.5 and rho 0.1 are what studies/mle_sampler.lua
-- and mle_defaults.lua found (docs/results.md, "MLE sampler settings"): the
-- samples resolve the 25 modes by 20k iterations; at methods.md's lr 2e-4 and
-- U[-4, 4]^2 they stay uniform over the data's square, and without rho's
-- energy-magnitude penalty lr 1e-3 can run away.
model {
  name = "toy_mle",
  method = "mle-langevin",        -- or "mle-gd" (deterministic sampler, eta = 0)
  data = "25gaussians",
  batch = 200,
  iters = 50000,
  energy = nets.toy_energy { width = 100, act = "silu" },  -- smooth, so Hessians mean something
  K = 20, K_max = 100, alpha = 0.1, eta = 0.01, init_range = 1.5,   -- run-time: --set K=50 (up to K_max), alpha, eta, init_range
  rho = 0.1,                      -- rho (E(x)^2 + E(x~)^2) keeps the energy from running away at lr 1e-3
  adam = { lr = 1e-3, betas = {0, 0.9}, eps = 1e-6 },
}
