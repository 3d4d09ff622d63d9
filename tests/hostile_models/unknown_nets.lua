-- Mistake: a typo in a network's name.
-- expect: nets.toy_enrgy does not exist; did you mean nets.toy_energy?
local net = nets.toy_enrgy { width = 32 } --< error
