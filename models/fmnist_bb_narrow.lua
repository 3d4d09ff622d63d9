-- fmnist_bb at an eighth of the width, for a result on one CPU core (issue 31):
-- bb-sv-gp (methods.md §3a, §3c) with the same recipe as models/fmnist_bb.lua
-- (batch 64, Adam lr 5e-5 betas (0, 0.999), w_H = 1e-4, LOBPCG sigma_min,
-- EMA 0.999) but both nets at base 8 instead of 64 (222,314 parameters).
-- Budget: 3,000 iterations, about 0.5 s of CPU each at one thread (Xeon, 2026):
-- some 25 minutes on a quiet core (base 16: ~1.4 s, base 32: ~5 s per iteration).
-- bench/image_narrow.sh trains it beside PyTorch and scores both.
model {
  name = "fmnist_bb_narrow",
  method = "bb-sv-gp",
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
