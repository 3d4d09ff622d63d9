-- Bad input: an option value outside its allowed set (no `gelu` activation).
model {
  name = "bad_option_value",
  method = "mle-langevin",
  data = "25gaussians",
  energy = nets.toy_energy { width = 32, act = "gelu" }, --< error
}
