-- Nonsense: an EMA decay of 1.5.
-- expect: option 'ema' of model (method ddaebm) must be a number in [0, 1)
model { --< error
  name = "ema_range",
  method = "ddaebm",
  data = "25gaussians",
  ema = 1.5,
}
