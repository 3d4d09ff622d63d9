-- Hostile: allocating without end.
-- expect: MiB of memory
local t = {}
while true do t[#t + 1] = {} end --< error
