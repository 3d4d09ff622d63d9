-- EBM-0GP on 25gaussians (methods.md §3e): an energy net against a generator
-- whose entropy comes from the exact 2x2 sigma_min of dG/dz, with the
-- zero-centred gradient penalty on real data. Preset `paper` (spectral norm,
-- decaying penalty weight) is the default; `code` is the released code's.
model {
  name = "toy_ebm0gp",
  method = "ebm-0gp",
  data = "25gaussians",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = 100, sn = true },
  generator = nets.toy_generator { width = 100, latent = 2 },
  w_H = 1,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
