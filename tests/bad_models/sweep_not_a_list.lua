-- Bad input: a sweep axis must be a list of values.
local s = sweep { width = 64 } --< error
model {
  name = "sweep_not_a_list",
  method = "ebm-lb",
  data = "25gaussians",
  energy = nets.toy_energy { width = s.width },
}
