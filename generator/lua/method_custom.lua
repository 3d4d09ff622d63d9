-- A method written in the model file itself: `build(cfg)` declares the
-- networks, optimisers and phases with the DSL (phase, loop, adam, grad,
-- jvp, vjp, ...). This is how a new bound is prototyped without C.
local entries = require "entries"
local M = {}

M.default_iters = 1000
M.options = {
  build = {type = "function", required = true, desc = "function(cfg) declaring nets, optimisers and phases"},
  config = {type = "table", default = {}, desc = "free-form settings for build"},
}

-- build may return {energy = E, sample = function(x) ... end}: E (a layer
-- mapping [N, D] rows to [N] energies) gives the `energy` entry, and the
-- sample function (declaring phases that leave a batch of samples in the
-- state x [batch, D]) the `sample` entry, unless build declared them itself.
function M.build(cfg)
  local r = cfg.build(cfg)
  if r ~= nil and type(r) ~= "table" then
    error("build returns nothing or {energy = E, sample = function(x) ... end}, got a " .. type(r), 0)
  end
  r = r or {}
  for k in pairs(r) do
    if k ~= "energy" and k ~= "sample" then
      error(("build returned an unknown field '%s' (known: energy, sample)"):format(tostring(k)), 0)
    end
  end
  if r.energy and not ebm._has_entry("energy") then entries.energy(r.energy, cfg.D) end
  if r.sample then
    if type(r.sample) ~= "function" then error("build's sample must be a function(x) declaring phases that set x", 0) end
    if not ebm._has_entry("sample") then entries.sample(cfg.batch, cfg.D, r.sample) end
  end
  if not ebm._has_entry("energy") and not ebm._has_entry("sample") then
    ebm._note("this custom model has no `energy` or `sample` entry, so the trainer's sample, energy and eval "
              .. "commands will refuse it; return {energy = E, sample = function(x) ... end} from build to get them")
  end
end

return M
