-- bb-sv-gp (models/toy_bb.lua) with the generator's exact entropy: the
-- generator maximises -E[E(G(z))] + E log|det J(z)| instead of the lower bound
-- (a)'s 2 E log sigma_min(J(z)). Without the bound's gap log(sigma_max /
-- sigma_min) the energy's wells get the data's weights (docs/results.md,
-- "Mode weights"); the 2-D latent makes det J a square Jacobian's.
model {
  name = "toy_bb_logdet",
  method = "bb-sv-gp",
  data = "unequal3",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = 100, sn = true },
  generator = nets.toy_generator { width = 100, latent = 2 },
  entropy = "logdet",
  w_H = 1,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
