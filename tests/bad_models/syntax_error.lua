-- Bad input: a missing comma between two fields of model{...}. Lua's parser
-- notices it at the next field, so that is the line it reports.
model {
  name = "bad_syntax",
  method = "mle-langevin"
  data = "25gaussians", --< error
  energy = nets.toy_energy { width = 32, act = "silu" },
}
