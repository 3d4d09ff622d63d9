-- Exponential moving averages of parameters (methods.md §5.5, §8 "EMA of phi
-- for evaluation"): a phase after each step's optimiser phases keeps
-- e <- decay e + (1 - decay) p in a buffer "ema.<name>" (so checkpoints and
-- resumes carry it), and entries that should use the averages run between
-- two swaps of parameters and averages.
local M = {}

-- Declares the "ema" phase for `params` (e <- p at step 0). Returns the
-- {parameter, average} pairs for `swapped`.
function M.track(params, decay)
  if not (decay > 0 and decay < 1) then error(("ema: the decay must lie in (0, 1), got %g"):format(decay), 0) end
  decay = ebm.hparam("ema", decay, "EMA decay of the averaged parameters the entries use", "open_unit")
  local pairs_ = {}
  for _, p in ipairs(params) do
    local name = ebm.var_info(p)
    table.insert(pairs_, {p, ebm.buffer("ema." .. name, p.shape, 0)})
  end
  phase("ema", function(ph)
    local w = decay * (1 - ebm.eq(ebm.step(), 0))
    for _, pe in ipairs(pairs_) do ph:set(pe[2], w * pe[2] + (1 - w) * pe[1]) end
  end)
  return pairs_
end

-- Runs build() (which declares an entry's phases) with the averages swapped
-- in and, after it, back out; pairs_ = nil runs build() alone. The swap is one
-- phase: its assignments land together at the phase's end.
function M.swapped(pairs_, name, build)
  local function swap()
    if pairs_ then phase(name .. "_swap", function(p) for _, pe in ipairs(pairs_) do p:set(pe[1], pe[2]); p:set(pe[2], pe[1]) end end) end
  end
  swap()
  build()
  swap()
end

-- The pairs of `params` among pairs_ (nil when there are none).
function M.subset(pairs_, params)
  if not pairs_ then return nil end
  local want, r = {}, {}
  for _, p in ipairs(params) do want[ebm.id(p)] = true end
  for _, pe in ipairs(pairs_) do if want[ebm.id(pe[1])] then table.insert(r, pe) end end
  return #r > 0 and r or nil
end

return M
