-- Hostile: a model of 2.8e9 parameters (each tensor within the per-tensor limit).
-- expect: a model may have at most 2000000000
local a = ebm.param("a", {40000, 35000}, 0)
local b = ebm.param("b", {40000, 35000}, 0) --< error
