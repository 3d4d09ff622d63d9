-- A small convolutional bb-sv-gp for parity tests: the DCGAN generator and
-- SNGAN-style energy of the image models at base width 4 (latent 16, so
-- sigma_min goes through LOBPCG on JVPs and VJPs of conv_transpose2d), with
-- the generator's EMA (decay 0.9 so 20 steps move it) that `sample` uses.
model {
  name = "conv_bb",
  method = "bb-sv-gp",
  data = "fashion-mnist",
  batch = 4,
  iters = 100,
  energy = nets.image_energy { base = 4 },
  generator = nets.image_generator { base = 4, latent = 16 },
  sigma_min = "lobpcg",
  ema = 0.9,
}
