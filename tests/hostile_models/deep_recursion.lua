-- Hostile: unbounded recursion (the instruction hook used to walk the whole stack on every call).
-- (stops with "stack overflow", or the memory limit when it is lower; either way at once)
-- expect: deep_recursion.lua:4: 
local function f() f() end --< error
f()
