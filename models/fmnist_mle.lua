-- Maximum-likelihood EBM on Fashion-MNIST (methods.md §4, §8): the SNGAN-style
-- image energy with SiLU, short-run Langevin from U[-1, 1]^D, clamped to
-- [-1, 1], on pictures padded to 32x32. The data come from the Debian package
-- dataset-fashion-mnist (or fashion-mnist:DIR with the four IDX files).
-- Heavy on a CPU (about 2.5 TFLOP per iteration at K = 60): use the GPU
-- trainer for the paper's 50,000 iterations.
model {
  name = "fmnist_mle",
  method = "mle-langevin",
  data = "fashion-mnist",
  batch = 64,
  iters = 50000,
  energy = nets.image_energy { act = "silu" },
  K = 60, alpha = 1.0, eta = 0.005, init_range = 1, clamp = true,
  adam = { lr = 1e-4, betas = {0, 0.999}, eps = 1e-8 },
}
