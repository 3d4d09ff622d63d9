-- Nonsense: an iteration count of 1e300.
-- expect: option 'iters' of model (method mle-langevin) must be an integer in [1, 1000000000]
model { --< error
  name = "huge_iters",
  method = "mle-langevin",
  data = "25gaussians",
  iters = 1e300,
}
