-- Nonsense: a negative learning rate.
-- expect: option 'lr' of adam must be a number > 0, got -0.001
model { --< error
  name = "lr_negative",
  method = "bb-sv-gp",
  data = "25gaussians",
  adam = { lr = -1e-3, betas = {0, 0.9}, eps = 1e-6 },
}
