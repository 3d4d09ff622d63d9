-- Bad input: model{...} without the required `data` field.
model { --< error
  name = "bad_missing_data",
  method = "mle-langevin",
  energy = nets.toy_energy { width = 32, act = "silu" },
}
