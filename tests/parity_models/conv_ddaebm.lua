-- A small image DDAEBM for parity tests: the nets of models/fmnist_ddaebm.lua
-- at base width 4 (time embedding 16, time MLP 16, latent 8), EMA of all three
-- nets (decay 0.9 so 20 steps move the averages), sampled in batches of 4;
-- Adam's cosine decay over 10 steps, so the 20 parity steps pass its end.
model {
  name = "conv_ddaebm",
  method = "ddaebm",
  data = "fashion-mnist",
  batch = 4,
  iters = 100,
  energy = nets.ddaebm_image_energy { base = 4, temb = 16, tdim = 16 },
  generator = nets.ddaebm_image_generator { base = 4, temb = 16, tdim = 16, latent = 8 },
  encoder = nets.ddaebm_image_encoder { base = 4, temb = 16, tdim = 16, latent = 8 },
  ema = 0.9,
  adam = {lr = 1e-4, betas = {0, 0.9}, eps = 1e-8, cosine = {to = 1e-5, iters = 10}},
}
