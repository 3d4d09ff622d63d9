-- The DSL prelude: the globals every model file sees (model, phase, loop,
-- adam, nn, nets) and tensor helpers built from the primitives of `ebm`.
-- Errors are raised with level 0: the host prefixes the model file's line.
local ebm = ebm

---------------------------------------------------------------------------
-- Tensor helpers (also callable as methods: x:relu(), x:logsumexp(2))
function ebm.relu(x) return ebm.select(ebm.gt(x, 0), x, 0) end
function ebm.leaky_relu(x, slope) return ebm.select(ebm.gt(x, 0), x, x * slope) end
function ebm.silu(x) return x * ebm.sigmoid(x) end
-- softplus(x) = max(x, 0) + log1p(exp(-|x|)): never overflows, exact in the tails
function ebm.softplus(x) return ebm.relu(x) + ebm.log1p(ebm.exp(-ebm.abs(x))) end
function ebm.maximum(a, b) return ebm.select(ebm.gt(a, b), a, b) end
function ebm.minimum(a, b) return ebm.select(ebm.gt(a, b), b, a) end
function ebm.clamp(x, lo, hi) return ebm.minimum(ebm.maximum(x, lo), hi) end
function ebm.square(x) return x * x end
-- log(sum(exp(x))) with the maximum subtracted first (its gradient is exact: m cancels)
function ebm.logsumexp(x, axes, keepdims)
  local m = ebm.stop_gradient(ebm.max(x, axes, true))
  local r = ebm.log(ebm.sum(ebm.exp(x - m), axes, true)) + m
  if keepdims then return r end
  return ebm.sum(r, axes)   -- drops the size-1 axes
end

---------------------------------------------------------------------------
-- Run-time hyper-parameters (docs/parameters.md): a scalar tensor leaf the
-- trainer reads from its parameter block, so `train --set NAME=VALUE` changes
-- it without a rebuild. The default is the model file's value; range names
-- the valid values: "any", "nonneg" [0, inf), "pos" (0, inf), "unit" [0, 1),
-- "open_unit" (0, 1), or {lo, hi} (closed).
local ranges = {
  any = {-math.huge, math.huge, false, false}, nonneg = {0, math.huge, false, false},
  pos = {0, math.huge, true, false}, unit = {0, 1, false, true}, open_unit = {0, 1, true, true},
}
local function hparam(name, default, desc, range, soft)
  if type(name) ~= "string" or not name:match("^[%a_][%w_.]*$") then
    error("a hyper-parameter's name must be an identifier (letters, digits, '_', '.'), got " .. tostring(name), 0)
  end
  if type(default) ~= "number" or default ~= default or math.abs(default) == math.huge then
    error(("hyper-parameter '%s' needs a finite number as its default"):format(name), 0)
  end
  local r = ranges[range or "any"]
  if type(range) == "table" then
    if type(range[1]) ~= "number" or type(range[2]) ~= "number" or range[1] > range[2] then
      error(("hyper-parameter '%s': the range must be {lo, hi} with lo <= hi"):format(name), 0)
    end
    r = {range[1], range[2], false, false}
  end
  if not r then error(("hyper-parameter '%s': unknown range '%s'"):format(name, tostring(range)), 0) end
  if default < r[1] or default > r[2] or (r[3] and default == r[1]) or (r[4] and default == r[2]) then
    error(("%s = %s is outside its valid range %s%s, %s%s"):format(name, tostring(default), r[3] and "(" or "[",
          tostring(r[1]), tostring(r[2]), r[4] and ")" or "]"), 0)
  end
  return ebm._hparam(name, default, desc or "", r[1], r[2], r[3], r[4], soft)
end
function ebm.hparam(name, default, desc, range) return (hparam(name, default, desc, range)) end

-- ebm.param(name, default [, desc [, {lo, hi}]]) is a hyper-parameter;
-- ebm.param(name, shape, init) a trainable variable.
local var_param = ebm.param
function ebm.param(name, a, b, c)
  if type(a) == "number" and (b == nil or type(b) == "string") then return ebm.hparam(name, a, b, c) end
  return var_param(name, a, b, c)
end

---------------------------------------------------------------------------
-- Phases, loops and optimisers: the step program.
local current_phase = nil

-- The latest value of a variable within the running phase (BN statistics,
-- spectral-norm vectors and sampler states are updated several times a step).
function ebm.current(v)
  if current_phase and current_phase.values[ebm.id(v)] then return current_phase.values[ebm.id(v)] end
  return v
end

-- Schedules `v <- value` at the end of the running phase. The new value is
-- a state, not a differentiable function of this phase's parameters.
function ebm.assign(v, value)
  if not current_phase then error("variables can only be assigned inside a phase", 0) end
  if not ebm.var_info(v) then error("assign: the target is not a variable", 0) end
  local id = ebm.id(v)
  if not current_phase.values[id] then table.insert(current_phase.order, v) end
  current_phase.values[id] = ebm.stop_gradient(value)
end

local Phase = {}
Phase.__index = Phase
function Phase:set(v, value) ebm.assign(v, value) end
function Phase:log(name, x)
  if type(name) ~= "string" then error("log: the first argument is the term's name", 0) end
  if not ebm.is_tensor(x) or ebm.numel(x) ~= 1 then error(("log '%s' must be a scalar tensor"):format(name), 0) end
  table.insert(self.logs, {name, x})
end
function Phase:minimize(loss, params, opt)
  if self.loss then error("a phase minimises one loss with one optimiser", 0) end
  if type(opt) ~= "number" then error("minimize: the third argument must be an optimiser from adam{...}", 0) end
  self.loss, self.params, self.opt = loss, params, opt
end

function phase(name, fn)
  if current_phase then error("phases cannot be nested", 0) end
  local p = setmetatable({name = name, values = {}, order = {}, logs = {}}, Phase)
  current_phase = p
  fn(p)
  current_phase = nil
  local assigns = {}
  for _, v in ipairs(p.order) do table.insert(assigns, {v, p.values[ebm.id(v)]}) end
  ebm._phase{name = name, assigns = assigns, logs = p.logs, loss = p.loss, params = p.params, opt = p.opt}
end

-- ebm.count(name, default[, max[, desc]]): a trip count the run chooses
-- (`train --set name=K`, a whole number in [1, max]) for loop(); the loop is
-- built for max (default: default) iterations, its Philox stride.
function ebm.count(name, default, max, desc)
  max = max or default
  for _, v in ipairs({default, max}) do
    if type(v) ~= "number" or v ~= math.floor(v) or v < 1 or v > 1e9 then
      error(("count '%s': default and max must be whole numbers in [1, 1e9], got %s"):format(tostring(name), tostring(v)), 0)
    end
  end
  if default > max then error(("count '%s': the default %d is above max %d"):format(name, default, max), 0) end
  local _, id = ebm._hparam(name, default, desc or "", 1, max, false, false, false, true)
  return {count_param = id, max = max}
end

-- loop(n, fn): fn's phases repeat n times; n a positive integer or an ebm.count
function loop(n, fn)
  local hp
  if type(n) == "table" and n.count_param then hp, n = n.count_param, n.max end
  if type(n) ~= "number" or n ~= math.floor(n) or n < 1 then
    error("loop: the trip count must be a positive integer or an ebm.count, got " .. tostring(n), 0)
  end
  ebm._loop_begin(n, hp)
  fn()
  ebm._loop_end()
end

-- entry(name, {input = state, output = state}, fn): phases that run on
-- demand instead of every step (the trainers' `sample` and `energy`).
function entry(name, io, fn)
  if type(name) ~= "string" or type(io) ~= "table" or type(fn) ~= "function" then
    error("entry(name, {input = ..., output = ...}, function() ... end)", 0)
  end
  ebm._entry(name, io.input, io.output)
  fn()
  ebm._entry_end()
end

local opts = require "opts"

local optimizer_count = 0
-- adam{name, lr, betas, eps, cosine = {to = LR_MIN, iters = N}}: with `cosine`
-- the rate decays from lr to LR_MIN along a half cosine over the first N
-- steps of this optimiser, then stays at LR_MIN (runtime/adam.h adam_lr).
local adam_spec = opts.register("adam", {
  name = {type = "string", desc = "the optimiser's name in logs and checkpoints"},
  lr = opts.positive{default = 1e-3, desc = "learning rate (the start of the cosine schedule, if any)"},
  betas = {type = "table", default = {0.9, 0.999}, len = 2, items = opts.fraction(),
           desc = "Adam's moment decays {beta1, beta2}, each in [0, 1)"},
  eps = opts.positive{default = 1e-8, desc = "Adam's epsilon, added to the root of the second moment"},
  cosine = {type = "table", desc = "{to = LR_MIN, iters = N}: half-cosine decay of lr to LR_MIN over N steps",
            fields = {to = opts.nonneg{required = true, desc = "the final learning rate"},
                      iters = opts.count(1, opts.MAX_ITERS, {required = true, desc = "steps of the decay"})}},
})

function adam(o)
  if o and o.cosine == false then o.cosine = nil end   -- false: no schedule (overrides a method's default)
  o = opts.check(o or {}, adam_spec, "adam")
  local lr_min, horizon
  if o.cosine then lr_min, horizon = o.cosine.to, o.cosine.iters end
  optimizer_count = optimizer_count + 1
  local name = o.name or ("adam" .. optimizer_count)
  -- run-time values, shared by the optimisers that agree on them (lr names
  -- every one's rate); an optimiser with a value of its own gets NAME.lr
  local function hp(key, v, desc, range)
    local _, id = hparam(key, v, desc, range, true)
    if not id then _, id = hparam(name .. "." .. key, v, desc, range) end
    return id
  end
  local ids = {hp("lr", o.lr, "Adam learning rate", "pos"), hp("beta1", o.betas[1], "Adam beta1 (first-moment decay)", "unit"),
               hp("beta2", o.betas[2], "Adam beta2 (second-moment decay)", "unit"), hp("eps", o.eps, "Adam epsilon", "pos")}
  if lr_min then ids[5] = hp("lr_min", lr_min, "learning rate at the end of the cosine decay", "nonneg") end
  return ebm._optimizer(name, o.lr, o.betas[1], o.betas[2], o.eps, lr_min, horizon, ids[1], ids[2], ids[3], ids[4], ids[5])
end

nn = require "nn"
nets = require "nets"
require "nets_diff"   -- adds DDAEBM's time-conditioned nets to `nets`

---------------------------------------------------------------------------
-- sweep{axis = {v1, v2, ...}, ...}: lists to train every combination of
-- (DESIGN.md §2.6). It returns the current combination as a table; the
-- host runs the file once per combination (`ebmforge build` writes one
-- trainer per combination, `check` loads them all). Axes are ordered
-- `method` first, then by name; a combination's name is its method
-- followed by -<axis><value> for the other axes, e.g. bb-sv-gp-width64.
local function sweep_value_ok(v) return type(v) == "number" or type(v) == "string" or type(v) == "boolean" end

function sweep(axes)
  if __sweep then error("sweep{...} may be declared only once per file", 0) end
  if __model then error("declare sweep{...} before model{...}", 0) end
  if type(axes) ~= "table" or next(axes) == nil then error("sweep expects a table of lists: sweep{ width = {64, 128} }", 0) end
  local keys = {}
  for k, vs in pairs(axes) do
    if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") then error("sweep: axis names must be identifiers, got " .. tostring(k), 0) end
    if k == "seed" then
      error("sweep: seeds are chosen when training, not when building: train one trainer with "
            .. "`train --seed N` for each seed (every combination trains with any seed)", 0)
    end
    if type(vs) ~= "table" or #vs == 0 then error(("sweep: axis '%s' must be a non-empty list"):format(k), 0) end
    local seen = {}
    for i, v in ipairs(vs) do
      if seen[tostring(v)] then error(("sweep: axis '%s' lists %s twice"):format(k, tostring(v)), 0) end
      seen[tostring(v)] = true
      if not sweep_value_ok(v) then error(("sweep: value %d of axis '%s' must be a number, string or boolean, got %s"):format(i, k, type(v)), 0) end
      if type(v) == "string" and not v:match("^[%w._-]+$") then
        error(("sweep: value '%s' of axis '%s' must be letters, digits, '.', '_' or '-' (it names a directory)"):format(v, k), 0)
      end
    end
    table.insert(keys, k)
  end
  table.sort(keys, function(a, b) if (a == "method") ~= (b == "method") then return a == "method" end return a < b end)
  local combos = {{values = {}, suffix = ""}}
  for _, k in ipairs(keys) do
    local grown = {}
    for _, c in ipairs(combos) do
      for _, v in ipairs(axes[k]) do
        local n = {values = {}, suffix = c.suffix}
        for kk, vv in pairs(c.values) do n.values[kk] = vv end
        n.values[k] = v
        if k ~= "method" then n.suffix = n.suffix .. "-" .. k .. tostring(v) end
        table.insert(grown, n)
      end
    end
    combos = grown
  end
  local i = __sweep_index or 1
  __sweep = {n = #combos, suffix = combos[i].suffix}
  return combos[i].values
end

---------------------------------------------------------------------------
-- model{...}: the one declaration of a model file. Common fields here, the
-- rest belongs to the method, which validates its own options.
local methods = {
  ["mle-langevin"] = "method_mle", ["mle-gd"] = "method_mle",
  ["ebm-0gp"] = "method_bb", ["ebm-lb"] = "method_bb",
  ["bb-sv-gp"] = "method_bb", ["bb-mi-gp"] = "method_bb",
  classifier = "method_classifier",
  custom = "method_custom",
  ddaebm = "method_ddaebm", ["bb-sv-diff"] = "method_diff", ["bb-mi-diff"] = "method_diff",
}

local common = opts.register("model", {
  name = {type = "string", safe_name = true, desc = "the model's name: out/<name> and the trainers' name"},
  method = {type = "string", required = true, desc = "the training method"},
  data = {type = "string", required = true, desc = "the data set"},
  batch = opts.count(2, opts.MAX_BATCH, {default = 200, desc = "rows of each training batch"}),
  iters = opts.count(1, opts.MAX_ITERS, {desc = "training iterations (default: the method's)"}),
  log_every = opts.count(1, opts.MAX_ITERS, {default = 10, desc = "iterations between log lines"}),
})
opts.methods = methods   -- for `ebmforge doc`

-- Columns D of a data set's rows and, for image sets, {C, H, W} (pictures
-- padded to 32x32, methods.md §6). Image sets are read when training starts.
-- A .npy file (relative to the model file) gives D from its header; its
-- absolute path comes third.
function data_geometry(name)
  for _, n in ipairs(ebm.datasets()) do
    if n == name then return 2, nil end
  end
  if name:sub(-4) == ".npy" then
    local path, D = ebm.npy_data(name)
    if not path then error(D, 0) end
    return D, nil, path
  end
  local set = name:match("^([%w%-]+)")
  local has_dir = set and name:sub(#set + 1, #set + 1) == ":"
  if name == "fashion-mnist" or (has_dir and (set == "fashion-mnist" or set == "mnist")) then return 1024, {1, 32, 32} end
  if has_dir and set == "cifar10" then return 3072, {3, 32, 32} end
  error(("unknown data set '%s' (toy sets: %s; image sets: fashion-mnist[:DIR], mnist:DIR, cifar10:DIR; or points.npy)")
        :format(name, table.concat(ebm.datasets(), ", ")), 0)
end

-- `ebmforge build --mpi-ranks R` traces the model for one of R data-parallel
-- ranks: the method sees batch B/R. Methods whose loss couples batch rows
-- (train-mode BatchNorm in the minimax generators) cannot be split exactly.
local shardable = {["mle-langevin"] = true, ["mle-gd"] = true, custom = true}

local function shard(resolved)
  local R = __shards or 1
  if R == 1 then return resolved end
  if not shardable[resolved.method] then
    error(("method '%s' cannot be trained data-parallel (its loss couples the rows of a batch); "
           .. "--mpi-ranks supports mle-langevin, mle-gd and custom"):format(resolved.method), 0)
  end
  if resolved.batch % R ~= 0 then
    error(("batch %d cannot be split evenly over %d ranks"):format(resolved.batch, R), 0)
  end
  local cfg = {}
  for k, v in pairs(resolved) do cfg[k] = v end
  cfg.batch = resolved.batch // R
  return cfg
end

function model(cfg)
  if __model then error("model{...} may be declared only once per file", 0) end
  if type(cfg) ~= "table" then error("model expects a table: model{ method = ..., data = ... }", 0) end
  if cfg.method == nil then error("missing required field 'method' in model", 0) end
  local modname = methods[cfg.method]
  if not modname then
    local known = {}
    for k in pairs(methods) do table.insert(known, k) end
    table.sort(known)
    error(("unknown method '%s' (known: %s)"):format(tostring(cfg.method), table.concat(known, ", ")), 0)
  end
  local method = require(modname)
  local spec = {}
  for k, v in pairs(common) do spec[k] = v end
  for k, v in pairs(method.options_for and method.options_for(cfg.method) or method.options) do spec[k] = v end
  local resolved = opts.check(cfg, spec, "model (method " .. cfg.method .. ")")
  if __sweep then   -- the combination's name is a directory and a build.ninja token too
    local combo = cfg.method .. __sweep.suffix
    local why = opts.name_problem(combo)
    if why then error(("sweep: the combination name '%s' %s; use shorter or simpler values"):format(combo, why), 0) end
  end
  if resolved.iters == nil then resolved.iters = method.default_iters end
  local path
  resolved.D, resolved.image, path = data_geometry(resolved.data)
  ebm.set_data(path or resolved.data)
  __data_D = resolved.D   -- nets.lua: the toy nets' width follows the data
  method.build(shard(resolved))
  __model = resolved
  return resolved
end

---------------------------------------------------------------------------
-- Unknown names in ebm, nn and nets are errors that suggest the nearest
-- known name (a typo otherwise surfaces as "attempt to call a nil value").
local function distance(a, b)   -- Levenshtein
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function nearest(t, key)
  local best, bd
  for k in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then
      local d = distance(key:lower(), k:lower())
      if not bd or d < bd or (d == bd and k < best) then best, bd = k, d end
    end
  end
  if best and bd <= math.max(2, #key // 2) then return best end
  return nil
end

-- raises "<what> '<key>' does not exist[; did you mean '<near>'?]"
function ebm._unknown(what, t, key)
  local near = nearest(t, key)
  error(("%s '%s' does not exist%s"):format(what, key, near and ("; did you mean '%s'?"):format(near) or ""), 0)
end

for name, t in pairs({ebm = ebm, nn = nn, nets = nets}) do
  setmetatable(t, {__index = function(tbl, k)
    if type(k) ~= "string" then return nil end
    local near = nearest(tbl, k)
    error(("%s.%s does not exist%s"):format(name, k, near and ("; did you mean %s.%s?"):format(name, near) or ""), 0)
  end})
end
