-- Mistake: betas with one value.
-- expect: option 'betas' of adam must be a list of 2 values, got 1
local opt = adam { lr = 1e-3, betas = {0.9} } --< error
