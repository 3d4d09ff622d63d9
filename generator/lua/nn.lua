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
local function where() return ebm._where() end   -- the sandbox has no `debug` library

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

-- Spectral normalisation of a weight seen as the matrix Wm = view(W) [rows, cols]
-- (PyTorch's torch.nn.utils.spectral_norm): one power iteration per
-- train-mode call on persistent u [1, rows], v [1, cols]; returns W / sigma.
local function spectral(name, rows, cols, view)
  local u_buf = ebm.buffer(name .. ".sn_u", {1, rows}, {"normal", 0, 1})
  local v_buf = ebm.buffer(name .. ".sn_v", {1, cols}, {"normal", 0, 1})
  return function(W, mode)
    local Wm = view(W)
    local u, v = ebm.current(u_buf), ebm.current(v_buf)
    if mode == "train" then
      local Ws = ebm.stop_gradient(Wm)
      v = normalize(ebm.matmul(u, Ws))
      u = normalize(ebm.matmul(v, Ws, false, true))
      ebm.assign(u_buf, u)
      ebm.assign(v_buf, v)
    end
    local sigma = ebm.sum(ebm.stop_gradient(u) * ebm.matmul(ebm.stop_gradient(v), Wm, false, true))
    return W / sigma
  end
end

-- Linear(nin, nout): y = x W^T + b with W [nout, nin] (PyTorch layout).
-- sn = true: spectral norm, one power iteration per train-mode call, persistent u, v.
local features = opts.count(1, opts.MAX_FEATURES)

function nn.linear(nin, nout, o)
  opts.arg(nin, features, "nin", "nn.linear"); opts.arg(nout, features, "nout", "nn.linear")
  o = opts.check(o or {}, {bias = {type = "boolean", default = true, desc = "add a bias"},
                           sn = {type = "boolean", default = false, desc = "spectral norm of the weight"},
                           name = {type = "string", desc = "prefix of the parameters' names"}}, "nn.linear")
  local name = auto_name("linear", o.name)
  local at = where()
  local bound = 1 / math.sqrt(nin)
  local W = ebm.param(name .. ".weight", {nout, nin}, {"uniform", -bound, bound})
  local b = o.bias and ebm.param(name .. ".bias", {nout}, {"uniform", -bound, bound}) or nil
  local sn = o.sn and spectral(name, nout, nin, function(w) return w end)
  return module({W, b}, function(x, mode)
    check_input(at, ("nn.linear(%d, %d)"):format(nin, nout), x, 2, nin)
    local w = sn and sn(W, mode) or W
    local y = ebm.matmul(x, w, false, true)
    if b then y = y + b end
    return y
  end)
end

local conv_opts = {stride = opts.count(1, 64, {default = 1, desc = "stride"}),
                   padding = opts.count(0, 64, {default = 0, desc = "zero padding on each side"}),
                   bias = {type = "boolean", default = true, desc = "add a bias"},
                   sn = {type = "boolean", default = false, desc = "spectral norm of the weight"},
                   name = {type = "string", desc = "prefix of the parameters' names"}}
local channels, kernel = opts.count(1, opts.MAX_WIDTH), opts.count(1, 64)
local function conv_args(what, cin, cout, k)
  opts.arg(cin, channels, "cin", what); opts.arg(cout, channels, "cout", what); opts.arg(k, kernel, "k", what)
end

-- The two convolution layers differ in their weight layout, PyTorch's fan-in,
-- the spectral-norm view of the weight and the op; the rest is shared.
local function conv_layer(what, prefix, cin, cout, k, o, layout)
  local name = auto_name(prefix, o.name)
  local at = where()
  local bound = 1 / math.sqrt(layout.fan_in * k * k)
  local W = ebm.param(name .. ".weight", layout.shape, {"uniform", -bound, bound})
  local b = o.bias and ebm.param(name .. ".bias", {cout}, {"uniform", -bound, bound}) or nil
  local sn = o.sn and spectral(name, cout, cin * k * k, layout.view)
  return module({W, b}, function(x, mode)
    check_input(at, ("%s(%d, %d, %d)"):format(what, cin, cout, k), x, 2, cin)
    local y = layout.apply(x, sn and sn(W, mode) or W)
    if b then y = y + ebm.reshape(b, {1, cout, 1, 1}) end
    return y
  end)
end

-- Conv2d(cin, cout, k) on [N, cin, H, W]: weight [cout, cin, k, k], PyTorch's
-- initialisation (bound 1/sqrt(cin k k)); sn: spectral norm of the weight as [cout, cin k k].
function nn.conv2d(cin, cout, k, o)
  conv_args("nn.conv2d", cin, cout, k)
  o = opts.check(o or {}, conv_opts, "nn.conv2d")
  return conv_layer("nn.conv2d", "conv", cin, cout, k, o, {
    shape = {cout, cin, k, k}, fan_in = cin,
    view = function(w) return ebm.reshape(w, {cout, cin * k * k}) end,
    apply = function(x, w) return ebm.conv2d(x, w, o.stride, o.padding) end,
  })
end

-- ConvTranspose2d(cin, cout, k) on [N, cin, H, W]: weight [cin, cout, k, k],
-- output (H-1) stride - 2 padding + k + output_padding; PyTorch's initialisation
-- (its fan-in is cout k k); sn: spectral norm of the weight as [cout, cin k k] (dim 1).
function nn.conv_transpose2d(cin, cout, k, o)
  conv_args("nn.conv_transpose2d", cin, cout, k)
  local spec = {output_padding = opts.count(0, 63, {default = 0, desc = "extra rows and columns of the output"})}
  for key, v in pairs(conv_opts) do spec[key] = v end
  o = opts.check(o or {}, spec, "nn.conv_transpose2d")
  return conv_layer("nn.conv_transpose2d", "convt", cin, cout, k, o, {
    shape = {cin, cout, k, k}, fan_in = cout,
    view = function(w) return ebm.reshape(ebm.transpose(w, {2, 1, 3, 4}), {cout, cin * k * k}) end,
    apply = function(x, w) return ebm.conv_transpose2d(x, w, o.stride, o.padding, o.output_padding) end,
  })
end

-- Average pooling over k x k windows (stride k) of [N, C, H, W], H and W multiples of k:
-- a reshape to [N C H/k, k, W/k, k] and a sum, so no new op is needed.
function nn.avg_pool2d(k)
  opts.arg(k, kernel, "k", "nn.avg_pool2d")
  local at = where()
  return module({}, function(x)
    local N, C, Hh, W = table.unpack(x.shape)
    if #x.shape ~= 4 or Hh % k ~= 0 or W % k ~= 0 then
      error((at and at .. ": " or "") .. ("nn.avg_pool2d(%d) needs [N, C, H, W] with H, W multiples of %d, got [%s]")
            :format(k, k, table.concat(x.shape, ",")), 0)
    end
    local y = ebm.sum(ebm.reshape(x, {N * C * Hh // k, k, W // k, k}), {2, 4})
    return ebm.reshape(y, {N, C, Hh // k, W // k}) / (k * k)
  end)
end

-- PReLU with one learnable slope, initialised 0.25.
function nn.prelu(o)
  o = opts.check(o or {}, {init = {type = "number", default = 0.25, desc = "initial slope"},
                           name = {type = "string", desc = "prefix of the parameter's name"}}, "nn.prelu")
  local a = ebm.param(auto_name("prelu", o.name) .. ".weight", {1}, o.init)
  return module({a}, function(x) return ebm.select(ebm.gt(x, 0), x, x * a) end)
end

local function activation(kind, fn)
  return function(o)
    o = opts.check(o or {}, {slope = {type = "number", default = 0.01, desc = "slope for x < 0 (leaky_relu)"}}, "nn." .. kind)
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
local bn_opts = {eps = opts.positive{default = 1e-5, desc = "added to the variance"},
                 momentum = {type = "number", default = 0.1, min = 0, max = 1, desc = "update rate of the running statistics"},
                 name = {type = "string", desc = "prefix of the parameters' names"}}

function nn.batchnorm(n, o)
  opts.arg(n, features, "n", "nn.batchnorm")
  o = opts.check(o or {}, bn_opts, "nn.batchnorm")
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

-- BatchNorm2d over N, H, W of [N, C, H, W], per channel; statistics as nn.batchnorm.
function nn.batchnorm2d(c, o)
  opts.arg(c, channels, "c", "nn.batchnorm2d")
  o = opts.check(o or {}, bn_opts, "nn.batchnorm2d")
  local name = auto_name("batchnorm", o.name)
  local at = where()
  local gamma = ebm.param(name .. ".weight", {c}, 1)
  local beta = ebm.param(name .. ".bias", {c}, 0)
  local rmean = ebm.buffer(name .. ".running_mean", {c}, 0)
  local rvar = ebm.buffer(name .. ".running_var", {c}, 1)
  local function chan(t) return ebm.reshape(t, {1, c, 1, 1}) end
  return module({gamma, beta}, function(x, mode)
    check_input(at, ("nn.batchnorm2d(%d)"):format(c), x, 2, c)
    local mean, var
    if mode == "train" then
      local n = x.shape[1] * x.shape[3] * x.shape[4]
      mean = ebm.mean(x, {1, 3, 4}, true)
      local d = x - mean
      var = ebm.mean(d * d, {1, 3, 4}, true)
      local m = o.momentum
      ebm.assign(rmean, ebm.current(rmean) * (1 - m) + ebm.reshape(mean, {c}) * m)
      ebm.assign(rvar, ebm.current(rvar) * (1 - m) + ebm.reshape(var, {c}) * (m * n / (n - 1)))
    else
      mean, var = chan(ebm.current(rmean)), chan(ebm.current(rvar))
    end
    return (x - mean) / ebm.sqrt(var + o.eps) * chan(gamma) + chan(beta)
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
