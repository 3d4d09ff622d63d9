-- Layers. A layer is a callable table: layer(x, mode) with mode "train"
-- (default), "eval" or "batch" (BatchNorm with batch statistics that leaves
-- the running ones alone); layer.params lists its trainable parameters.
-- Initialisation follows PyTorch's defaults (methods.md §8).
local opts = require "opts"
local nn = {}

local Module = {}
Module.__index = Module
Module.__call = function(self, x, mode)
  mode = mode or "train"
  if mode ~= "train" and mode ~= "eval" and mode ~= "batch" then
    error("layer mode must be 'train', 'eval' or 'batch', got " .. tostring(mode), 0)
  end
  return self.forward(x, mode)
end

local function module(params, forward) return setmetatable({params = params, forward = forward}, Module) end
nn.module = module

-- "path:line" of the model-file line that is creating a layer, so a shape
-- error found when the layer runs points at where it was written.
local function where()
  for level = 2, 50 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source:sub(1, 1) == "@" and info.currentline > 0 then
      return info.source:sub(2) .. ":" .. info.currentline
    end
  end
  return nil
end

local function check_input(at, what, x, axis, n)
  local s = x.shape
  if s[axis] ~= n then
    local msg = ("%s expects %d input features, got a tensor of shape [%s]"):format(what, n, table.concat(s, ","))
    error(at and (at .. ": " .. msg) or msg, 0)
  end
end

local counters = {}
local function auto_name(kind, name)
  if name then return name end
  counters[kind] = (counters[kind] or 0) + 1
  return kind .. counters[kind]
end

local function normalize(v) -- v / max(||v||, 1e-12), as torch.nn.functional.normalize
  return v / ebm.maximum(ebm.sqrt(ebm.sum(v * v)), 1e-12)
end

-- Linear(nin, nout): y = x W^T + b with W [nout, nin] (PyTorch layout).
-- sn = true: spectral norm, one power iteration per train-mode call, persistent u, v.
function nn.linear(nin, nout, o)
  o = opts.check(o or {}, {bias = {type = "boolean", default = true}, sn = {type = "boolean", default = false},
                           name = {type = "string"}}, "nn.linear")
  local name = auto_name("linear", o.name)
  local at = where()
  local bound = 1 / math.sqrt(nin)
  local W = ebm.param(name .. ".weight", {nout, nin}, {"uniform", -bound, bound})
  local b = o.bias and ebm.param(name .. ".bias", {nout}, {"uniform", -bound, bound}) or nil
  local params = {W, b}
  local u_buf, v_buf
  if o.sn then
    u_buf = ebm.buffer(name .. ".sn_u", {1, nout}, {"normal", 0, 1})
    v_buf = ebm.buffer(name .. ".sn_v", {1, nin}, {"normal", 0, 1})
  end
  return module(params, function(x, mode)
    check_input(at, ("nn.linear(%d, %d)"):format(nin, nout), x, 2, nin)
    local w = W
    if o.sn then
      local u, v = ebm.current(u_buf), ebm.current(v_buf)
      if mode == "train" then
        local Ws = ebm.stop_gradient(W)
        v = normalize(ebm.matmul(u, Ws))
        u = normalize(ebm.matmul(v, Ws, false, true))
        ebm.assign(u_buf, u)
        ebm.assign(v_buf, v)
      end
      local sigma = ebm.sum(ebm.stop_gradient(u) * ebm.matmul(ebm.stop_gradient(v), W, false, true))
      w = W / sigma
    end
    local y = ebm.matmul(x, w, false, true)
    if b then y = y + b end
    return y
  end)
end

-- PReLU with one learnable slope, initialised 0.25.
function nn.prelu(o)
  o = opts.check(o or {}, {init = {type = "number", default = 0.25}, name = {type = "string"}}, "nn.prelu")
  local a = ebm.param(auto_name("prelu", o.name) .. ".weight", {1}, o.init)
  return module({a}, function(x) return ebm.select(ebm.gt(x, 0), x, x * a) end)
end

local function activation(kind, fn)
  return function(o)
    o = opts.check(o or {}, {slope = {type = "number", default = 0.01}}, "nn." .. kind)
    return module({}, function(x) return fn(x, o) end)
  end
end
nn.relu = activation("relu", function(x) return ebm.relu(x) end)
nn.leaky_relu = activation("leaky_relu", function(x, o) return ebm.leaky_relu(x, o.slope) end)
nn.tanh = activation("tanh", function(x) return ebm.tanh(x) end)
nn.sigmoid = activation("sigmoid", function(x) return ebm.sigmoid(x) end)
nn.softplus = activation("softplus", function(x) return ebm.softplus(x) end)
nn.silu = activation("silu", function(x) return ebm.silu(x) end)

-- BatchNorm over the batch axis of [B, n]. Train mode normalises with the
-- biased batch variance and updates the running statistics (unbiased
-- variance); eval mode is the fixed affine map of the running statistics;
-- batch mode normalises as train mode without updating them.
function nn.batchnorm(n, o)
  o = opts.check(o or {}, {eps = {type = "number", default = 1e-5}, momentum = {type = "number", default = 0.1},
                           name = {type = "string"}}, "nn.batchnorm")
  local name = auto_name("batchnorm", o.name)
  local at = where()
  local gamma = ebm.param(name .. ".weight", {n}, 1)
  local beta = ebm.param(name .. ".bias", {n}, 0)
  local rmean = ebm.buffer(name .. ".running_mean", {n}, 0)
  local rvar = ebm.buffer(name .. ".running_var", {n}, 1)
  return module({gamma, beta}, function(x, mode)
    check_input(at, ("nn.batchnorm(%d)"):format(n), x, 2, n)
    local mean, var
    if mode ~= "eval" then
      local B = x.shape[1]
      mean = ebm.mean(x, 1)
      local c = x - mean
      var = ebm.mean(c * c, 1)
      local m = o.momentum
      if mode == "train" then
        ebm.assign(rmean, ebm.current(rmean) * (1 - m) + mean * m)
        ebm.assign(rvar, ebm.current(rvar) * (1 - m) + var * (m * B / (B - 1)))
      end
    else
      mean, var = ebm.current(rmean), ebm.current(rvar)
    end
    return (x - mean) / ebm.sqrt(var + o.eps) * gamma + beta
  end)
end

function nn.reshape(shape)
  return module({}, function(x)
    local s = {}
    for i, d in ipairs(shape) do s[i] = d == -1 and x.shape[1] or d end  -- -1: keep the batch size
    return ebm.reshape(x, s)
  end)
end

-- Runs layers in order; its params are theirs.
function nn.seq(layers)
  local params = {}
  for _, l in ipairs(layers) do
    if getmetatable(l) ~= Module then error("nn.seq: every entry must be a layer", 0) end
    for _, p in ipairs(l.params) do table.insert(params, p) end
  end
  return module(params, function(x, mode)
    for _, l in ipairs(layers) do x = l(x, mode) end
    return x
  end)
end

-- Activation layer by name (used by the nets).
function nn.act(kind, o)
  local ctor = ({prelu = nn.prelu, relu = nn.relu, leaky_relu = nn.leaky_relu, tanh = nn.tanh,
                 sigmoid = nn.sigmoid, softplus = nn.softplus, silu = nn.silu})[kind]
  if not ctor then error("unknown activation '" .. tostring(kind) .. "'", 0) end
  return ctor(o)
end

return nn
