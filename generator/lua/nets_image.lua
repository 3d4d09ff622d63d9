-- Image network recipes of methods.md §8 (and §7.4's classifier). Every net
-- takes flat rows [B, C*S*S] (how data batches arrive) and reshapes them to
-- [B, C, S, S] itself, so methods stay shape-agnostic.
local opts = require "opts"
local nn = require "nn"
local M = {}

local spec = opts.net_spec

local function image_in(C, S)
  return nn.module({}, function(x) return ebm.reshape(x, {x.shape[1], C, S, S}) end)
end

-- 2x2 max pooling (stride 2) of [N, C, H, W] by a reshape and a max, as nn.avg_pool2d.
local function max_pool2(x)
  local N, C, H, W = table.unpack(x.shape)
  return ebm.reshape(ebm.max(ebm.reshape(x, {N * C * H // 2, 2, W // 2, 2}), {2, 4}), {N, C, H // 2, W // 2})
end

-- Image energy (EBM-BB, SNGAN-style): 3x3 convs stride 1 pad 1 and 4x4 convs
-- stride 2 pad 1, (C->64, 64->64 s2, 64->128, 128->128 s2, 128->256, 256->256 s2,
-- 256->512), each followed by the activation (LeakyReLU 0.1; SiLU for MLE), then
-- Linear(512*(S/8)^2, 1). `out` > 1 gives an encoder head of that width instead.
-- `base` scales the channel widths (64 in the paper) for smaller test nets.
function M.image_energy(o)
  o = opts.check(o or {}, {
    channels = opts.count(1, opts.MAX_WIDTH, {default = 1, desc = "picture channels"}), size = opts.count(8, 4096, {default = 32, desc = "picture side"}),
    base = opts.count(1, opts.MAX_WIDTH, {default = 64, desc = "base channel width"}), act = {type = "string", default = "leaky_relu", one_of = {"leaky_relu", "silu"}, desc = "activation"},
    sn = {type = "boolean", default = false, desc = "spectral norm on every layer"}, out = opts.count(1, opts.MAX_WIDTH, {default = 1, desc = "output width (> 1: an encoder head)"}),
  }, "nets.image_energy")
  return spec("image_energy", o, function(p)
    local c, S, b = o.channels, o.size, o.base
    local plan = {{c, b, 3, 1}, {b, b, 4, 2}, {b, 2 * b, 3, 1}, {2 * b, 2 * b, 4, 2}, {2 * b, 4 * b, 3, 1},
                  {4 * b, 4 * b, 4, 2}, {4 * b, 8 * b, 3, 1}}
    local layers = {image_in(c, S)}
    for i, l in ipairs(plan) do
      table.insert(layers, nn.conv2d(l[1], l[2], l[3], {stride = l[4], padding = 1, sn = o.sn, name = p .. ".conv" .. i}))
      table.insert(layers, o.act == "silu" and nn.silu() or nn.leaky_relu{slope = 0.1})
    end
    local flat = 8 * b * (S // 8) * (S // 8)
    table.insert(layers, nn.reshape{-1, flat})
    table.insert(layers, nn.linear(flat, o.out, {sn = o.sn, name = p .. ".fc"}))
    local net = nn.seq(layers)
    if o.out > 1 then return net end
    return nn.module(net.params, function(x, mode)
      local y = net(x, mode)
      return ebm.reshape(y, {y.shape[1]})
    end)
  end)
end

-- Image generator (EBM-BB DCGAN): Linear(d, 4*4*8b) -> [8b, 4, 4] -> three
-- ConvT4x4 s2 p1 halving the channels, each -BN-ReLU -> Conv3x3 (b -> C) - Tanh.
-- Output rows [B, C*32*32]. b = 64 in the paper.
function M.image_generator(o)
  o = opts.check(o or {}, {
    latent = opts.count(1, opts.MAX_WIDTH, {default = 128, desc = "latent size"}), channels = opts.count(1, opts.MAX_WIDTH, {default = 1, desc = "picture channels"}),
    base = opts.count(1, opts.MAX_WIDTH, {default = 64, desc = "base channel width"}),
  }, "nets.image_generator")
  return spec("image_generator", o, function(p)
    local b, c = o.base, o.channels
    local net = nn.seq{
      nn.linear(o.latent, 4 * 4 * 8 * b, {name = p .. ".fc"}), nn.reshape{-1, 8 * b, 4, 4},
      nn.conv_transpose2d(8 * b, 4 * b, 4, {stride = 2, padding = 1, name = p .. ".up1"}),
      nn.batchnorm2d(4 * b, {name = p .. ".bn1"}), nn.relu(),
      nn.conv_transpose2d(4 * b, 2 * b, 4, {stride = 2, padding = 1, name = p .. ".up2"}),
      nn.batchnorm2d(2 * b, {name = p .. ".bn2"}), nn.relu(),
      nn.conv_transpose2d(2 * b, b, 4, {stride = 2, padding = 1, name = p .. ".up3"}),
      nn.batchnorm2d(b, {name = p .. ".bn3"}), nn.relu(),
      nn.conv2d(b, c, 3, {padding = 1, name = p .. ".out"}), nn.tanh(), nn.reshape{-1, c * 32 * 32},
    }
    net.latent = o.latent
    return net
  end)
end

-- The Fashion-MNIST classifier of FD-FMNIST (methods.md §7.4), on 28x28 rows
-- [B, 784]: Conv3x3(1->32, p1)-ReLU-MaxPool2-Conv3x3(32->64, p1)-ReLU-MaxPool2-
-- Linear(3136, 128)-ReLU-Linear(128, 10). Returns logits; net.features(x) gives
-- the 128-d post-ReLU features.
function M.fmnist_classifier(o)
  o = opts.check(o or {}, {}, "nets.fmnist_classifier")
  return spec("fmnist_classifier", o, function(p)
    local trunk = nn.seq{
      image_in(1, 28), nn.conv2d(1, 32, 3, {padding = 1, name = p .. ".conv1"}), nn.relu(),
      nn.module({}, max_pool2), nn.conv2d(32, 64, 3, {padding = 1, name = p .. ".conv2"}), nn.relu(),
      nn.module({}, max_pool2), nn.reshape{-1, 3136}, nn.linear(3136, 128, {name = p .. ".fc1"}), nn.relu(),
    }
    local head = nn.linear(128, 10, {name = p .. ".fc2"})
    local params = {table.unpack(trunk.params)}
    for _, q in ipairs(head.params) do table.insert(params, q) end
    local net = nn.module(params, function(x, mode) return head(trunk(x, mode), mode) end)
    net.features = function(x, mode) return trunk(x, mode) end
    return net
  end)
end

return M
