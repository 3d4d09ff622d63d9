-- Bad input: an option of the wrong type (`sn` is a boolean, not a number).
model {
  name = "bad_option_type",
  method = "mle-langevin",
  data = "25gaussians",
  energy = nets.toy_energy { width = 32, act = "silu", sn = 1 }, --< error
}
