-- EBM-0GP on Fashion-MNIST (methods.md §3e): the DCGAN generator maximises
-- the lower bound (a) (sigma_min by LOBPCG), the energy carries the
-- zero-centred gradient penalty 1e-3 mean |grad_x E|^2 on real pictures.
-- Image defaults of methods.md §8.
model {
  name = "fmnist_0gp",
  method = "ebm-0gp",
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
