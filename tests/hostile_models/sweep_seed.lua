-- Mistake: seeds are chosen when training, not when building.
-- expect: train --seed
local s = sweep { seed = {1, 2, 3} } --< error
model { name = "sweep_seed", method = "mle-langevin", data = "25gaussians" }
