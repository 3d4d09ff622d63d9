-- Bad input: a misspelt network option (`widht` for `width`).
model {
  name = "bad_net_option",
  method = "mle-langevin",
  data = "25gaussians",
  energy = nets.toy_energy { widht = 100 }, --< error
}
