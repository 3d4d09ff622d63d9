-- Bad input: a misspelt method name. model{...} checks its fields when it is
-- called, so the error is reported at the `model {` line (the message names
-- the bad value and lists the known methods).
model { --< error
  name = "bad_method",
  method = "mle-langevn",
  data = "25gaussians",
}
