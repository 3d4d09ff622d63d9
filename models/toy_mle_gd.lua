-- Maximum-likelihood EBM with the deterministic sampler of [XYA21]
-- (methods.md §4): K gradient-descent steps from U[-4, 4]^2, no noise. The
-- sampler is then an invertible map whose density the trainer's `eval`
-- reports exactly (2-D), beside the EBM's own normalised density.
model {
  name = "toy_mle_gd",
  method = "mle-gd",
  data = "25gaussians",
  batch = 200,
  iters = 50000,
  energy = nets.toy_energy { width = 100, act = "silu" },
  K = 20, alpha = 0.1, init_range = 4,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
