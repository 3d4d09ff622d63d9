-- Hostile: a file that never ends.
-- expect: Lua instructions
local n = 0
while true do n = n + 1 end --< error
