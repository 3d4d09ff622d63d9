-- Hostile: ebm.slice with an empty axis list looped forever.
-- expect: slice takes exactly one axis
local x = ebm.const(1, {4, 4})
local y = ebm.slice(x, {}, 1, 1) --< error
