-- Every single-EBM minimax method of methods.md §3e on 25gaussians, at two
-- network widths: `ebmforge build` writes one trainer per combination
-- (out/toy_bounds/bb-sv-gp-width64/train-cpu, ...) under one build.ninja.
-- The `paper` preset throughout; the encoder is used by bb-mi-gp only.
local s = sweep {
  method = {"bb-sv-gp", "bb-mi-gp", "ebm-0gp", "ebm-lb"},
  width = {64, 128},
}
model {
  name = "toy_bounds",
  method = s.method,
  data = "25gaussians",
  batch = 200,
  iters = 150000,
  preset = "paper",
  energy = nets.toy_energy { width = s.width, sn = true },
  generator = nets.toy_generator { width = s.width, latent = 2 },
  encoder = s.method == "bb-mi-gp" and nets.toy_encoder { width = s.width, latent = 2 } or nil,
  adam = { lr = 2e-4, betas = {0, 0.9}, eps = 1e-6 },
}
