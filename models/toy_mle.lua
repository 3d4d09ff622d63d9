-- Maximum-likelihood EBM on 25gaussians with short-run Langevin sampling
-- (methods.md §4): the energy is trained on data against K-step sampler
-- output started from U[-4, 4]^2. Copy and edit: every option is listed.
model {
  name = "toy_mle",
  method = "mle-langevin",        -- or "mle-gd" (deterministic sampler, eta = 0)
  data = "25gaussians",
  batch = 200,
  iters = 50000,
  energy = nets.toy_energy { width = 100, act = "silu" },  -- smooth, so Hessians mean something
  K = 20, K_max = 100, alpha = 0.1, eta = 0.01, init_range = 4,   -- run-time: --set K=50 (up to K_max), alpha, eta, init_range
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
