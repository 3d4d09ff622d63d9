-- Hostile: unbounded recursion (the instruction hook used to walk the whole stack on every call).
-- expect: stack overflow
local function f() f() end --< error
f()
