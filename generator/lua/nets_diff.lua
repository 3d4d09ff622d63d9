-- The time-conditioned toy networks of DDAEBM (methods.md §8), added to
-- `nets`: energy f(x, k), generator G(x_n, z, k) = x^_0 and posterior
-- encoder q(z | x_c, x_n, k). Each takes the time embedding `emb` of its
-- rows' steps (nets.time_embedding). `bn = false` drops every BatchNorm
-- (the bb-*-diff bounds need per-sample densities).
local opts = require "opts"
local nn = require "nn"
local nets = require "nets"

-- Sinusoidal embedding of the level column k [B, 1]: [sin(k w), cos(k w)],
-- w_j = exp(-j ln(10^4) / (half - 1)), j = 0..half-1.
function nets.time_embedding(k, dim)
  dim = dim or 16
  local half = dim // 2
  local w = {}
  for j = 0, half - 1 do w[j + 1] = math.exp(-j * math.log(1e4) / (half - 1)) end
  local arg = k * ebm.const(w, {1, half})
  return ebm.concat({ebm.sin(arg), ebm.cos(arg)}, 2)
end

local spec = opts.net_spec

local function check(o, what, defaults)
  return opts.check(o or {}, {
    width = opts.count(1, opts.MAX_WIDTH, {default = 300, desc = "hidden width"}), temb = opts.count(1, opts.MAX_WIDTH, {default = 16, desc = "time-embedding width"}),
    bn = {type = "boolean", default = defaults.bn, desc = "batch norm in the trunk"}, latent = opts.count(1, opts.MAX_WIDTH, {default = 2, desc = "latent size"}),
  }, what)
end

-- x-branch Linear(nin,16)[-BN]-PReLU-Linear(16,32); t-branch Linear(temb,16)-PReLU-Linear(16,32);
-- concat(64)-Linear(64,w)[-BN]-PReLU-Linear(w,w)[-BN]-PReLU-Linear(w,nout).
local function trunk(p, o, nin, nout)
  local function bn(list, n, name) if o.bn then table.insert(list, nn.batchnorm(n, {name = p .. "." .. name})) end end
  local xl = {nn.linear(nin, 16, {name = p .. ".x1"})}
  bn(xl, 16, "xbn1")
  table.insert(xl, nn.prelu{name = p .. ".xact1"})
  table.insert(xl, nn.linear(16, 32, {name = p .. ".x2"}))
  local xb = nn.seq(xl)
  local tb = nn.seq{nn.linear(o.temb, 16, {name = p .. ".t1"}), nn.prelu{name = p .. ".tact1"},
                    nn.linear(16, 32, {name = p .. ".t2"})}
  local hl = {nn.linear(64, o.width, {name = p .. ".h1"})}
  bn(hl, o.width, "hbn1")
  table.insert(hl, nn.prelu{name = p .. ".hact1"})
  table.insert(hl, nn.linear(o.width, o.width, {name = p .. ".h2"}))
  bn(hl, o.width, "hbn2")
  table.insert(hl, nn.prelu{name = p .. ".hact2"})
  table.insert(hl, nn.linear(o.width, nout, {name = p .. ".h3"}))
  local head = nn.seq(hl)
  local params = {}
  for _, m in ipairs{xb, tb, head} do for _, q in ipairs(m.params) do table.insert(params, q) end end
  return params, function(x, emb, mode)
    if emb.shape[2] ~= o.temb then error(("time embedding of width %d, the net expects %d"):format(emb.shape[2], o.temb), 0) end
    return head(ebm.concat({xb(x, mode), tb(emb, mode)}, 2), mode)
  end
end

-- A net called as net(inputs..., emb, mode); `params` lists its parameters.
local function callable(params, fn, extra)
  local t = extra or {}
  t.params = params
  return setmetatable(t, {__call = function(_, ...) return fn(...) end})
end

-- f(x, emb) -> [B] (the negative energy; larger = more probable). No BN.
function nets.ddaebm_energy(o)
  o = check(o, "nets.ddaebm_energy", {bn = false})
  if o.bn then error("nets.ddaebm_energy has no BatchNorm", 0) end
  return spec("ddaebm_energy", o, function(p)
    local params, fwd = trunk(p, o, 2, 1)
    return callable(params, function(x, emb) local y = fwd(x, emb, "eval"); return ebm.reshape(y, {y.shape[1]}) end,
                    {temb = o.temb})
  end)
end

-- G(x_n, z, emb, mode) -> x^_0 [B, 2], input [x_n, z].
function nets.ddaebm_generator(o)
  o = check(o, "nets.ddaebm_generator", {bn = true})
  return spec("ddaebm_generator", o, function(p)
    local params, fwd = trunk(p, o, 2 + o.latent, 2)
    return callable(params, function(xn, z, emb, mode) return fwd(ebm.concat({xn, z}, 2), emb, mode) end,
                    {latent = o.latent, bn = o.bn, temb = o.temb})
  end)
end

-- q(x_c, x_n, emb, mode) -> mu, logvar [B, latent]: the trunk ends in
-- Linear(w, 16), then mu = Linear(16, latent), logvar = Linear(16, latent).
function nets.ddaebm_encoder(o)
  o = check(o, "nets.ddaebm_encoder", {bn = true})
  return spec("ddaebm_encoder", o, function(p)
    local params, fwd = trunk(p, o, 4, 16)
    local mu, lv = nn.linear(16, o.latent, {name = p .. ".mu"}), nn.linear(16, o.latent, {name = p .. ".logvar"})
    for _, q in ipairs(mu.params) do table.insert(params, q) end
    for _, q in ipairs(lv.params) do table.insert(params, q) end
    return callable(params, function(xc, xn, emb, mode)
      local h = fwd(ebm.concat({xc, xn}, 2), emb, mode)
      return mu(h, mode), lv(h, mode)
    end, {latent = o.latent, bn = o.bn, temb = o.temb})
  end)
end

require "nets_image_diff"   -- their image variants (Fashion-MNIST)

return nets
