-- Hostile: the vjp argument-count error leaked the lists it had read.
-- expect: vjp: 1 outputs but 2 cotangents
local x = ebm.param("x", {2}, 0)
local y = x * x
local g = ebm.vjp({y}, {x}, {y, y}) --< error
