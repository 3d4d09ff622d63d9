-- Hostile: catching the instruction limit's error and going on.
-- expect: Lua instructions
while true do pcall(function() while true do end end) end --< error
