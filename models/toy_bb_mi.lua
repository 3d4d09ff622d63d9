-- Bidirectional bounds, bb-mi-gp, on 25gaussians (methods.md §3b, §3c): the
-- generator has output noise (x = G(z) + sigma eps) and maximises the
-- mutual-information entropy lower bound (b) jointly with its encoder
-- q(z | x); the energy minimises the gradient-penalty-like upper bound (c),
-- whose score comes from (b). The `paper` preset is the default.
model {
  name = "toy_bb_mi",
  method = "bb-mi-gp",
  data = "25gaussians",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = 100, sn = true },
  generator = nets.toy_generator { width = 100, latent = 2 },
  encoder = nets.toy_encoder { width = 100, latent = 2 },
  sigma = 0.01,
  w_H = 1,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
