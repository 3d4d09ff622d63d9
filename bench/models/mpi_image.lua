-- The image model of bench/mpi_toy.sh: models/fmnist_mle.lua's method and
-- energy network (SNGAN-style, SiLU) at base width 8 instead of 64 and K = 5
-- Langevin steps instead of 60, so that a CPU step takes milliseconds rather
-- than seconds; global batch 32 (16 rows a rank with --mpi-ranks 2).
model {
  name = "mpi_image",
  method = "mle-langevin",
  data = "fashion-mnist",
  batch = 32,
  iters = 1000,
  energy = nets.image_energy { base = 8, act = "silu" },
  K = 5, alpha = 1.0, eta = 0.005, init_range = 1, clamp = true,
  adam = { lr = 1e-4, betas = {0, 0.999}, eps = 1e-8 },
}
