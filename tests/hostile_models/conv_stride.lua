-- Nonsense: a convolution stride that overflowed int.
-- expect: conv2d: the stride must be in [1, 4096]
local x = ebm.const(1, {1, 1, 8, 8})
local w = ebm.const(1, {1, 1, 3, 3})
local y = ebm.conv2d(x, w, 1 << 40) --< error
