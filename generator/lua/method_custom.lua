-- A method written in the model file itself: `build(cfg)` declares the
-- networks, optimisers and phases with the DSL (phase, loop, adam, grad,
-- jvp, vjp, ...). This is how a new bound is prototyped without C.
local M = {}

M.default_iters = 1000
M.options = {
  build = {type = "function", required = true, desc = "function(cfg) declaring nets, optimisers, phases and entries"},
  config = {type = "table", default = {}, desc = "free-form settings build reads as cfg.config"},
}

function M.build(cfg) cfg.build(cfg) end

return M
