-- fmnist_0gp at an eighth of the width, for a result on one CPU core (issue 31):
-- EBM-0GP (methods.md §3e) with the same recipe as models/fmnist_0gp.lua
-- (zero-centred gradient penalty 1e-3 on real pictures, LOBPCG sigma_min,
-- batch 64, Adam lr 5e-5 betas (0, 0.999), w_H = 1e-4, EMA 0.999) but both
-- nets at base 8 instead of 64.
-- Budget: 3,000 iterations, about 0.5 s of CPU each at one thread (Xeon, 2026):
-- some 25 minutes on a quiet core. bench/image_narrow.sh trains it beside
-- PyTorch and scores both.
model {
  name = "fmnist_0gp_narrow",
  method = "ebm-0gp",
  data = "fashion-mnist",
  batch = 64,
  iters = 3000,
  energy = nets.image_energy { base = 8 },
  generator = nets.image_generator { latent = 128, base = 8 },
  sigma_min = "lobpcg", ssv_iter = 2,
  w_H = 1e-4,
  adam = { lr = 5e-5, betas = {0, 0.999}, eps = 1e-6 },
  ema = 0.999,   -- the generator's average after each step: `sample` (samples.png, fd) draws with it
}
