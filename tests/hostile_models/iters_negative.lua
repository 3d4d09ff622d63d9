-- Nonsense: a negative iteration count.
-- expect: option 'iters' of model (method mle-langevin) must be an integer in [1, 1000000000], got -5
model { --< error
  name = "neg_iters",
  method = "mle-langevin",
  data = "25gaussians",
  iters = -5,
}
