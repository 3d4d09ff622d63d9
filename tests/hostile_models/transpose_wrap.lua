-- Nonsense: a permutation entry that wrapped to a valid axis when narrowed to int.
-- expect: transpose: a permutation entry must be in [1, 2]
local x = ebm.const(1, {2, 3})
local y = ebm.transpose(x, {(1 << 32) + 2, 1}) --< error
