-- Nonsense: w_H = 0 drops the entropy: the generator's objective is no bound.
-- expect: option 'w_H' of model (method bb-sv-gp) must be a number > 0, got 0
model { --< error
  name = "wh_zero",
  method = "bb-sv-gp",
  data = "25gaussians",
  w_H = 0,
}
