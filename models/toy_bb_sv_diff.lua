-- Bidirectional bounds per diffusion step, bb-sv-diff, on 25gaussians
-- (methods.md §3d, our formulation): per step k the generator maximises the
-- lower bound with the exact 2x2 sigma_min entropy, the energy minimises the
-- chi^2 upper bound (d) with the exact log|det J_z|, M draws per pair. The
-- nets are DDAEBM's toy nets without BatchNorm; density exp(f(x, 0)).
model {
  name = "toy_bb_sv_diff",
  method = "bb-sv-diff",
  data = "25gaussians",
  batch = 200,
  iters = 100000,
  T = 4, beta_min = 0.1, beta_max = 20,
  M = 8, w_H = 1, r1_gamma = 0,
  energy = nets.ddaebm_energy { width = 300 },
  generator = nets.ddaebm_generator { width = 300, latent = 2, bn = false },
  adam = { lr = 1e-4, betas = {0, 0.9}, eps = 1e-8 },
}
