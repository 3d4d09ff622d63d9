-- Nonsense: a negative Langevin step and noise.
-- expect: option 'alpha' of model (method mle-langevin) must be a number > 0
model { --< error
  name = "langevin_step",
  method = "mle-langevin",
  data = "25gaussians",
  alpha = -0.1,
}
