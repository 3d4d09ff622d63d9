-- Hostile: a string pattern that backtracks for hours inside one C call.
-- expect: stuck in a library call
local s = ("a"):rep(100000)
for i = 1, 5000 do end local r = s:find(".-.-.-.-.-.-b") --< error
