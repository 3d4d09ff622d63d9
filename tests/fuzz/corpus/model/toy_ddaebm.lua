-- DDAEBM on 25gaussians (methods.md §5, toy code defaults): a T = 4 step VP
-- diffusion, per step a conditional EBM from one time-conditioned f(x, k)
-- against a generator G(x_n, z, k) with a posterior encoder. The reported
-- density is exp(f(x, 0)); samples come from the generator chain.
model {
  name = "toy_ddaebm",
  method = "ddaebm",
  data = "25gaussians",
  batch = 200,
  iters = 100000,
  T = 4, beta_min = 0.01, beta_max = 0.1,   -- the code's schedule; 0.1 / 20 matches q(x_T) to N(0, I)
  energy = nets.ddaebm_energy { width = 300 },
  generator = nets.ddaebm_generator { width = 300, latent = 2 },
  encoder = nets.ddaebm_encoder { width = 300, latent = 2 },
  r1_gamma = 0.02, w_ent = 0.1, rec_floor = 1e-2,
  adam = { lr = 1e-4, betas = {0, 0.9}, eps = 1e-8 },
}
