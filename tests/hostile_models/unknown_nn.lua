-- Mistake: a typo in a layer's name.
-- expect: nn.lienar does not exist; did you mean nn.linear?
local layer = nn.lienar(2, 8) --< error
