-- Mistake: a typo in a primitive's name.
-- expect: ebm.sofplus does not exist; did you mean ebm.softplus?
local y = ebm.sofplus(ebm.const(1, {2})) --< error
