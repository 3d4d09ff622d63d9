-- Hostile: a start that wraps around when narrowed to int.
-- expect: slice: the start must be in [1, 4]
local x = ebm.const(1, {4, 4})
local y = ebm.slice(x, 1, (1 << 32) + 1, 1) --< error
