-- Mistake: a typo in a tensor method.
-- expect: tensor method or field 'reshap' does not exist; did you mean 'reshape'?
local y = ebm.const(1, {2, 2}):reshap({4}) --< error
