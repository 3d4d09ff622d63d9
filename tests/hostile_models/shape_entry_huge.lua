-- Hostile: a shape entry that does not fit an int.
-- expect: shape entry 4294967297 is too large
local a = ebm.param("a", {1 << 32 | 1}, 0) --< error
