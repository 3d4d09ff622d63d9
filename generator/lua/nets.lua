-- Network recipes of methods.md §8. Each returns a spec {kind = "net",
-- build = function(prefix) -> layer}: options are checked where the model
-- file writes them, parameters are created when the method builds.
local opts = require "opts"
local nn = require "nn"
local nets = {}

local spec = opts.net_spec

-- Toy energy (EBM-BB): Linear(2,w)-act-Linear(w,w)-act-Linear(w,1), times a
-- learnable gain g ~ U(-1, 1). Returns E as a [B] vector.
function nets.toy_energy(o)
  o = opts.check(o or {}, {
    width = opts.count(1, opts.MAX_WIDTH, {default = 100, desc = "hidden width"}),
    act = {type = "string", default = "prelu", one_of = {"prelu", "silu", "leaky_relu", "tanh", "softplus"}, desc = "activation"},
    sn = {type = "boolean", default = false, desc = "spectral norm on every layer"},
    input = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "input columns"}),
  }, "nets.toy_energy")
  return spec("toy_energy", o, function(p)
    local w = o.width
    local h = nn.seq{
      nn.linear(o.input, w, {sn = o.sn, name = p .. ".fc1"}), nn.act(o.act, o.act == "prelu" and {name = p .. ".act1"} or nil),
      nn.linear(w, w, {sn = o.sn, name = p .. ".fc2"}), nn.act(o.act, o.act == "prelu" and {name = p .. ".act2"} or nil),
      nn.linear(w, 1, {sn = o.sn, name = p .. ".fc3"}),
    }
    local g = ebm.param(p .. ".gain", {1, 1}, {"uniform", -1, 1})
    local params = {table.unpack(h.params)}
    table.insert(params, g)
    return nn.module(params, function(x, mode)
      local y = ebm.matmul(h(x, mode), g, false, true)
      return ebm.reshape(y, {y.shape[1]})
    end)
  end)
end

-- Toy generator (EBM-BB): Linear(d,w)-PReLU-BN-Linear(w,w)-PReLU-BN-Linear(w,2).
function nets.toy_generator(o)
  o = opts.check(o or {}, {
    width = opts.count(1, opts.MAX_WIDTH, {default = 100, desc = "hidden width"}), latent = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "latent size"}), out = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "output columns"}),
  }, "nets.toy_generator")
  return spec("toy_generator", o, function(p)
    local w = o.width
    local net = nn.seq{
      nn.linear(o.latent, w, {name = p .. ".fc1"}), nn.prelu{name = p .. ".act1"}, nn.batchnorm(w, {name = p .. ".bn1"}),
      nn.linear(w, w, {name = p .. ".fc2"}), nn.prelu{name = p .. ".act2"}, nn.batchnorm(w, {name = p .. ".bn2"}),
      nn.linear(w, o.out, {name = p .. ".fc3"}),
    }
    net.latent = o.latent
    return net
  end)
end

-- Toy encoder for bound (b) (methods.md §8, our): Linear(D,w)-PReLU-
-- Linear(w,w)-PReLU-Linear(w,2d) -> (mu, l) of q(z | x), as one [B, 2d] tensor.
function nets.toy_encoder(o)
  o = opts.check(o or {}, {
    width = opts.count(1, opts.MAX_WIDTH, {default = 100, desc = "hidden width"}), latent = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "latent size"}), input = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "input columns"}),
  }, "nets.toy_encoder")
  return spec("toy_encoder", o, function(p)
    local w = o.width
    local net = nn.seq{
      nn.linear(o.input, w, {name = p .. ".fc1"}), nn.prelu{name = p .. ".act1"},
      nn.linear(w, w, {name = p .. ".fc2"}), nn.prelu{name = p .. ".act2"},
      nn.linear(w, 2 * o.latent, {name = p .. ".fc3"}),
    }
    net.latent = o.latent
    return net
  end)
end

-- the image nets live in nets_image.lua
for k, v in pairs(require "nets_image") do nets[k] = v end

return nets
