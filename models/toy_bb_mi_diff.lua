-- Bidirectional bounds per diffusion step, bb-mi-diff, on 25gaussians
-- (methods.md §3d, our formulation): the per-step proposal y = c1 G + c2 x_n
-- + sqrt(pvar) eps with the mutual-information entropy bound from the
-- encoder q(z | y, x_n, k); the energy minimises the chi^2 upper bound (d).
-- DDAEBM's toy nets without BatchNorm; density exp(f(x, 0)).
model {
  name = "toy_bb_mi_diff",
  method = "bb-mi-diff",
  data = "25gaussians",
  batch = 200,
  iters = 100000,
  T = 4, beta_min = 0.1, beta_max = 20,
  M = 8, w_H = 1, r1_gamma = 0,
  energy = nets.ddaebm_energy { width = 300 },
  generator = nets.ddaebm_generator { width = 300, latent = 2, bn = false },
  encoder = nets.ddaebm_encoder { width = 300, latent = 2, bn = false },
  adam = { lr = 1e-4, betas = {0, 0.9}, eps = 1e-8 },
}
