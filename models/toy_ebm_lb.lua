-- EBM-LB on 25gaussians (methods.md §3e): the baseline that trains the
-- energy against the generator with no upper-bound term (one-sided): the
-- generator maximises the sigma_min entropy bound (a); R_theta = 0.
-- Preset `paper` (spectral norm). The baseline of the sandwich test.
model {
  name = "toy_ebm_lb",
  method = "ebm-lb",
  data = "25gaussians",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = 100, sn = true },
  generator = nets.toy_generator { width = 100, latent = 2 },
  w_H = 1,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
