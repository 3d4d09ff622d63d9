-- Nonsense: loops nested deeper than the step program allows (nine).
-- expect: loops nest at most 8 deep
local function nest(d)
  if d == 0 then return end
  loop(1, function() nest(d - 1) end) --< error
end
nest(9)
