-- Bad input: only one combination of a sweep is wrong (`thre` is an option of
-- the gp upper bound, which ebm-lb does not have); every command loads every
-- combination, so the error is reported at the `model {` line.
local s = sweep {
  method = {"bb-sv-gp", "ebm-lb"},
}
model { --< error
  name = "sweep_bad_combination",
  method = s.method,
  data = "25gaussians",
  thre = 1,
}
