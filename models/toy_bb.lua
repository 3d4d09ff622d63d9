-- Bidirectional bounds, bb-sv-gp, on 25gaussians (methods.md §3a, §3c): the
-- generator maximises the lower bound with the exact 2x2 sigma_min entropy,
-- the energy minimises the gradient-penalty-like upper bound. The `paper`
-- preset (spectral norm, decaying weight, tau = 0) is the default.
model {
  name = "toy_bb",
  method = "bb-sv-gp",
  data = "25gaussians",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = 100, sn = true },
  generator = nets.toy_generator { width = 100, latent = 2 },
  w_H = 1,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
