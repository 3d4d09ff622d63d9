-- Hostile: an error while ebm.const reads its list leaked the buffer it had allocated.
-- expect: number expected, got string
local c = ebm.const({1, 2, "x", 4}) --< error
