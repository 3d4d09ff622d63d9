-- Nonsense: Adam's eps of 0 (a division by zero at the first step).
-- expect: option 'eps' of adam must be a number > 0, got 0
local opt = adam { lr = 1e-3, eps = 0 } --< error
