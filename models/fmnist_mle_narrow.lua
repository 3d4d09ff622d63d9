-- fmnist_mle at an eighth of the width and a quarter of the sampler steps, for
-- a result on one CPU core (issue 31): maximum likelihood (methods.md §4, §8)
-- with the SiLU image energy at base 8 instead of 64 (46,969 parameters) and
-- short-run Langevin of K = 15 steps instead of 60 (alpha 1, eta 0.005, from
-- U[-1, 1]^D, clamped); batch 64, Adam lr 1e-4 betas (0, 0.999) as fmnist_mle.
-- Budget: 3,000 iterations, about 0.6 s of CPU each at one thread (Xeon, 2026;
-- K = 60 would be ~2.6 s): some 30 minutes on a quiet core.
-- bench/image_narrow.sh trains it beside PyTorch and scores both.
model {
  name = "fmnist_mle_narrow",
  method = "mle-langevin",
  data = "fashion-mnist",
  batch = 64,
  iters = 3000,
  energy = nets.image_energy { act = "silu", base = 8 },
  K = 15, alpha = 1.0, eta = 0.005, init_range = 1, clamp = true,
  adam = { lr = 1e-4, betas = {0, 0.999}, eps = 1e-8 },
}
