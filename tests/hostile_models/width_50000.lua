-- Hostile: width 50000 gave a 2.5e9-element weight: int counts went negative.
-- expect: a tensor may have at most 2147483647
model { --< error
  name = "wide",
  method = "mle-langevin",
  data = "25gaussians",
  energy = nets.toy_energy { width = 50000, act = "silu" },
}
