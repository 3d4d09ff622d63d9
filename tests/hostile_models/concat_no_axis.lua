-- Hostile: ebm.concat with an empty axis list (the same loop as slice).
-- expect: concat takes exactly one axis
local x = ebm.const(1, {4, 4})
local y = ebm.concat({x, x}, {}) --< error
