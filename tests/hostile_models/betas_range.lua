-- Nonsense: beta2 = 1 (the second moment never moves).
-- expect: option 'betas[2]' of adam must be a number in [0, 1), got 1
local opt = adam { lr = 1e-3, betas = {0.9, 1} } --< error
