-- Hostile: a sweep over string values that make '..' in the combination name.
-- expect: the combination name
local s = sweep { tag = {"a..b"} }
model { name = "sweep_name", method = "mle-langevin", data = "25gaussians" } --< error
