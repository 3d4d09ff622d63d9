-- Nonsense: a learning rate of NaN.
-- expect: option 'lr' of adam must be a number > 0
model { --< error
  name = "lr_nan",
  method = "mle-langevin",
  data = "25gaussians",
  adam = { lr = 0 / 0 },
}
