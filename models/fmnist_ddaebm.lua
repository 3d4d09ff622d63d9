-- DDAEBM on Fashion-MNIST (methods.md §5, §8 "DDAEBM for Fashion-MNIST", our
-- scaled-down NCSN++): a T = 4 step VP diffusion with the matched schedule
-- (beta 0.1 / 20); per step a conditional EBM from one time-conditioned image
-- energy f(x, k) (the SNGAN-style trunk, a per-channel time bias after each
-- conv) against a U-Net generator G(x_n, z, k) (n_z = 100, FiLM from the time
-- and z embeddings) with a convolutional posterior encoder q(z | x_c, x_n, k).
-- EMA 0.999 of all three nets after every step: `sample` (the generator chain
-- from N(0, I)), `energy` and `eval` (OOD AUROC with the score f(x, 0)) use the
-- averages. The recipe's cosine learning-rate decay to 1e-5 is not
-- implemented (constant 1e-4). Heavy on a CPU: use the GPU trainer.
model {
  name = "fmnist_ddaebm",
  method = "ddaebm",
  data = "fashion-mnist",
  batch = 64,
  iters = 50000,
  T = 4, beta_min = 0.1, beta_max = 20,
  energy = nets.ddaebm_image_energy {},
  generator = nets.ddaebm_image_generator { latent = 100 },
  encoder = nets.ddaebm_image_encoder { latent = 100 },
  r1_gamma = 0.02, w_ent = 0.1,              -- reconstruction variance floor: pvar[1] (the image default)
  ema = 0.999,
  adam = { lr = 1e-4, betas = {0, 0.9}, eps = 1e-8 },
}
