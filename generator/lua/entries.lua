-- Entry points every toy method provides to its trainer: `sample` (a batch
-- from the method's sampler) and `energy` (E on a fixed-size chunk of
-- points; the trainer walks grids and files through it).
local ema = require "ema"
local M = {}

M.EVAL_BATCH = 1024

-- An energy is one number per row: [B]. A network ending in Linear(w, 1)
-- gives [B, 1], which would broadcast silently against [B] tensors.
function M.check_energy(v, what)
  local s = v.shape
  if #s == 2 and s[2] == 1 then
    error(("%s must return shape [B]; got [B,1] ([%d,1]): end it with a reshape, e.g. "
           .. "return ebm.reshape(y, {y.shape[1]})"):format(what or "the energy", s[1]), 0)
  end
  if #s ~= 1 then
    error(("%s must return shape [B]; got [%s]"):format(what or "the energy", table.concat(s, ",")), 0)
  end
  return v
end

-- energy(E, D): input state energy.x [1024, D], output energy.e [1024].
-- `score` turns the network's output into the energy (default: itself);
-- `avg`: {parameter, EMA} pairs (ema.lua) evaluated in place of E's parameters.
function M.energy(E, D, score, avg)
  local x = ebm.state("energy.x", {M.EVAL_BATCH, D}, 0)
  local e = ebm.state("energy.e", {M.EVAL_BATCH}, 0)
  entry("energy", {input = x, output = e}, function()
    ema.swapped(avg, "energy", function()
      phase("energy", function(p)
        local v = E(x, "eval")
        if not score then M.check_energy(v) end
        p:set(e, score and score(v) or v)
      end)
    end)
  end)
end

-- sample(B, D, build): output state sample.x [B, D]; build(x) declares the
-- phases that leave a fresh batch of samples in x.
function M.sample(B, D, build)
  local x = ebm.state("sample.x", {B, D}, 0)
  entry("sample", {output = x}, function() build(x) end)
end

return M
