-- Hostile: a newline in the name injected build.ninja statements.
-- expect: may contain only letters, digits
model { --< error
  name = "x\nbuild evil: phony",
  method = "mle-langevin",
  data = "25gaussians",
}
