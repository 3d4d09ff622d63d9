-- Hostile: a variable name that closes a C comment in the generated trainer.
-- expect: variable name
local a = ebm.param("w */ int evil; /*", {2}, 0) --< error
