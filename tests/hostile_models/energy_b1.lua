-- Mistake: an energy network ending in Linear(w, 1) returns [B,1], not [B].
-- expect: must return shape [B]; got [B,1]
local function energy()
  return {kind = "net", build = function(p)
    return nn.seq { nn.linear(2, 16, {name = p .. ".fc1"}), nn.silu(), nn.linear(16, 1, {name = p .. ".fc2"}) }
  end}
end
model { --< error
  name = "energy_b1",
  method = "mle-langevin",
  data = "25gaussians",
  energy = energy(),
}
