-- A classifier trained with cross-entropy (methods.md §7.4: the Fashion-MNIST
-- classifier behind FD-FMNIST). Data rows are pictures followed by their class
-- label (an image set read with one more column than its pictures have).
-- Entries: `logits` and `features` (the net's penultimate layer) on chunks of
-- entries.EVAL_BATCH rows, which the trainer's eval (test accuracy) and fd
-- (Frechet distance of samples) commands walk.
local entries = require "entries"
local opts = require "opts"
local M = {}

M.default_iters = 2343   -- 5 epochs of 60,000 pictures at batch 128
M.options = {
  net = {type = "net", desc = "the classifier network"},
  classes = opts.count(2, opts.MAX_WIDTH, {default = 10, desc = "number of classes"}),
  adam = {type = "table", default = {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8}},
}

function M.build(cfg)
  if not cfg.image then error("the classifier method needs an image data set", 0) end
  local B, K = cfg.batch, cfg.classes
  local net = (cfg.net or nets.fmnist_classifier()).build("classifier")
  local D = 784                                     -- 28x28 pictures, unpadded (methods.md §7.4)
  local opt = adam(cfg.adam)
  local classes = ebm.const((function() local t = {} for k = 1, K do t[k] = k - 1 end return t end)(), {1, K})
  phase("classifier", function(p)
    local rows = ebm.data({B, D + 1})
    local x, y = ebm.slice(rows, 2, 1, D), ebm.slice(rows, 2, D + 1, 1)
    local logits = net(x)
    local onehot = ebm.eq(ebm.broadcast(y, {B, K}), ebm.broadcast(classes, {B, K}))
    local nll = ebm.logsumexp(logits, 2) - ebm.sum(onehot * logits, 2)
    local loss = ebm.mean(nll)
    p:minimize(loss, net.params, opt)
    p:log("loss", loss)
    local correct = ebm.eq(ebm.sum(onehot * logits, 2), ebm.max(logits, 2))
    p:log("accuracy", ebm.mean(correct))
  end)
  local function chunk_entry(name, width, fn)
    local x = ebm.state(name .. ".x", {entries.EVAL_BATCH, D}, 0)
    local out = ebm.state(name .. ".out", {entries.EVAL_BATCH, width}, 0)
    entry(name, {input = x, output = out}, function()
      phase(name, function(p) p:set(out, fn(x)) end)
    end)
  end
  chunk_entry("logits", K, function(x) return net(x, "eval") end)
  chunk_entry("features", 128, function(x) return net.features(x, "eval") end)
end

return M
