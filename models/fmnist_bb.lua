-- Bidirectional bounds (bb-sv-gp, methods.md §3a, §3c) on Fashion-MNIST: the
-- DCGAN generator (latent 128) maximises the lower bound with sigma_min from
-- two LOBPCG iterations on JVPs/VJPs; the SNGAN-style energy minimises the
-- gradient-penalty-like upper bound (tau = 0). Image defaults of methods.md §8:
-- batch 64, Adam lr 5e-5 betas (0, 0.999), w_H = 1e-4, 50,000 iterations.
model {
  name = "fmnist_bb",
  method = "bb-sv-gp",
  data = "fashion-mnist",
  batch = 64,
  iters = 50000,
  energy = nets.image_energy {},
  generator = nets.image_generator { latent = 128 },
  sigma_min = "lobpcg", ssv_iter = 2,
  w_H = 1e-4,
  adam = { lr = 5e-5, betas = {0, 0.999}, eps = 1e-6 },
  ema = 0.999,   -- the generator's average after each step: `sample` (samples.png, fd) draws with it
}
