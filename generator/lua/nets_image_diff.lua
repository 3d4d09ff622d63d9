-- The time-conditioned image networks of DDAEBM on Fashion-MNIST (methods.md
-- §8, "DDAEBM for Fashion-MNIST"), added to `nets`: energy f(x, k), U-Net
-- generator G(x_n, z, k) = x^_0 and posterior encoder q(z | x_c, x_n, k) on
-- 32x32 pictures as flat rows [B, C*32*32]. Called like the toy nets of
-- nets_diff.lua with the sinusoidal embedding `emb` of the rows' steps
-- (width `temb`); each net owns its time MLP
-- t_e = LReLU0.2(Linear(tdim, tdim)(LReLU0.2(Linear(temb, tdim)(emb)))).
-- `base` scales the channel widths (64 in methods.md) for small test nets.
-- No normalisation layers, so the BN mode argument changes nothing.
local opts = require "opts"
local nn = require "nn"
local nets = require "nets"

local spec = opts.net_spec
local SIZE = 32   -- the encoder's 4x4 valid heads see 32 / 8 = 4

local function check(o, what, extra)
  local s = {channels = opts.count(1, opts.MAX_WIDTH, {default = 1, desc = "picture channels"}), base = opts.count(1, opts.MAX_WIDTH, {default = 64, desc = "base channel width"}),
             temb = opts.count(1, opts.MAX_WIDTH, {default = 128, desc = "time-embedding width"}), tdim = opts.count(1, opts.MAX_WIDTH, {default = 256, desc = "time-feature width"})}
  for k, v in pairs(extra or {}) do s[k] = v end
  return opts.check(o or {}, s, what)
end

local function collect(mods)
  local params = {}
  for _, m in ipairs(mods) do for _, q in ipairs(m.params) do table.insert(params, q) end end
  return params
end

local function callable(params, fn, extra)
  local t = extra
  t.params = params
  return setmetatable(t, {__call = function(_, ...) return fn(...) end})
end

local function time_mlp(p, o)
  return nn.seq{nn.linear(o.temb, o.tdim, {name = p .. ".t1"}), nn.leaky_relu{slope = 0.2},
                nn.linear(o.tdim, o.tdim, {name = p .. ".t2"}), nn.leaky_relu{slope = 0.2}}
end

local function check_emb(o, emb)
  if emb.shape[2] ~= o.temb then error(("time embedding of width %d, the net expects %d"):format(emb.shape[2], o.temb), 0) end
end

local function picture(x, c) return ebm.reshape(x, {x.shape[1], c, SIZE, SIZE}) end
local function per_channel(v) return ebm.reshape(v, {v.shape[1], v.shape[2], 1, 1}) end

-- f(x, emb) -> [B]: the image energy trunk of nets.image_energy (3x3 s1 p1 and
-- 4x4 s2 p1 convs, LeakyReLU 0.1) with Linear(tdim -> C_out)(t_e) added per
-- channel after each conv, before the activation; head Linear(8b*4*4, 1).
function nets.ddaebm_image_energy(o)
  o = check(o, "nets.ddaebm_image_energy")
  return spec("ddaebm_image_energy", o, function(p)
    local c, b = o.channels, o.base
    local plan = {{c, b, 3, 1}, {b, b, 4, 2}, {b, 2 * b, 3, 1}, {2 * b, 2 * b, 4, 2}, {2 * b, 4 * b, 3, 1},
                  {4 * b, 4 * b, 4, 2}, {4 * b, 8 * b, 3, 1}}
    local tm = time_mlp(p, o)
    local convs, tproj = {}, {}
    for i, l in ipairs(plan) do
      convs[i] = nn.conv2d(l[1], l[2], l[3], {stride = l[4], padding = 1, name = p .. ".conv" .. i})
      tproj[i] = nn.linear(o.tdim, l[2], {name = p .. ".tproj" .. i})
    end
    local flat = 8 * b * (SIZE // 8) * (SIZE // 8)
    local fc = nn.linear(flat, 1, {name = p .. ".fc"})
    local mods = {tm, fc}
    for i = 1, #plan do table.insert(mods, convs[i]); table.insert(mods, tproj[i]) end
    return callable(collect(mods), function(x, emb)
      check_emb(o, emb)
      local te = tm(emb)
      local h = picture(x, c)
      for i = 1, #plan do h = ebm.leaky_relu(convs[i](h) + per_channel(tproj[i](te)), 0.1) end
      local y = fc(ebm.reshape(h, {h.shape[1], flat}))
      return ebm.reshape(y, {y.shape[1]})
    end, {temb = o.temb})
  end)
end

-- G(x_n, z, emb, mode) -> x^_0 [B, C*32*32]: a U-Net on x_n conditioned on
-- c_e = [t_e, MLP(z)], MLP = PixelNorm-Linear(latent, tdim)-SiLU-Linear(tdim, tdim)-SiLU.
-- e1 = Conv3x3(C->b) at 32, e2 = Conv4x4 s2(b->2b) at 16, e3 = Conv4x4 s2(2b->4b) at 8,
-- m = Conv3x3(4b->4b), u2 = ConvT4x4 s2(4b->2b), [u2, e2] -> Conv3x3(4b->2b),
-- u1 = ConvT4x4 s2(2b->b), [u1, e1] -> Conv3x3(2b->b), out Conv3x3(b->C)-Tanh.
-- Every conv but the output is followed by FiLM h <- (1 + gamma) h + beta,
-- [gamma, beta] = Linear(2 tdim -> 2 C_out)(c_e) initialised to 0, and SiLU.
function nets.ddaebm_image_generator(o)
  o = check(o, "nets.ddaebm_image_generator", {latent = opts.count(1, opts.MAX_WIDTH, {default = 100, desc = "latent size"})})
  return spec("ddaebm_image_generator", o, function(p)
    local c, b, td = o.channels, o.base, o.tdim
    local tm = time_mlp(p, o)
    local zm = nn.seq{nn.linear(o.latent, td, {name = p .. ".z1"}), nn.silu(), nn.linear(td, td, {name = p .. ".z2"}), nn.silu()}
    local mods, film = {tm, zm}, {}
    local function block(name, layer, cout)   -- layer, then FiLM from c_e, then SiLU
      local W = ebm.param(p .. "." .. name .. ".film.weight", {2 * cout, 2 * td}, 0)
      local bias = ebm.param(p .. "." .. name .. ".film.bias", {2 * cout}, 0)
      table.insert(mods, layer)
      table.insert(film, W)
      table.insert(film, bias)
      return function(h, ce)
        local gb = ebm.matmul(ce, W, false, true) + bias
        local gamma, beta = ebm.slice(gb, 2, 1, cout), ebm.slice(gb, 2, cout + 1, cout)
        return ebm.silu((1 + per_channel(gamma)) * layer(h) + per_channel(beta))
      end
    end
    local conv = function(name, cin, cout, k, stride)
      return nn.conv2d(cin, cout, k, {stride = stride, padding = 1, name = p .. "." .. name})
    end
    local up = function(name, cin, cout)
      return nn.conv_transpose2d(cin, cout, 4, {stride = 2, padding = 1, name = p .. "." .. name})
    end
    local e1 = block("e1", conv("e1", c, b, 3, 1), b)
    local e2 = block("e2", conv("e2", b, 2 * b, 4, 2), 2 * b)
    local e3 = block("e3", conv("e3", 2 * b, 4 * b, 4, 2), 4 * b)
    local mid = block("mid", conv("mid", 4 * b, 4 * b, 3, 1), 4 * b)
    local u2 = block("u2", up("u2", 4 * b, 2 * b), 2 * b)
    local d2 = block("d2", conv("d2", 4 * b, 2 * b, 3, 1), 2 * b)
    local u1 = block("u1", up("u1", 2 * b, b), b)
    local d1 = block("d1", conv("d1", 2 * b, b, 3, 1), b)
    local out = conv("out", b, c, 3, 1)
    table.insert(mods, out)
    local params = collect(mods)
    for _, q in ipairs(film) do table.insert(params, q) end
    return callable(params, function(xn, z, emb)
      check_emb(o, emb)
      local pn = z / ebm.sqrt(ebm.mean(z * z, 2, true) + 1e-8)   -- PixelNorm
      local ce = ebm.concat({tm(emb), zm(pn)}, 2)
      local h1 = e1(picture(xn, c), ce)
      local h2 = e2(h1, ce)
      local h = mid(e3(h2, ce), ce)
      h = d2(ebm.concat({u2(h, ce), h2}, 2), ce)
      h = d1(ebm.concat({u1(h, ce), h1}, 2), ce)
      local x0 = ebm.tanh(out(h))
      return ebm.reshape(x0, {x0.shape[1], c * SIZE * SIZE})
    end, {latent = o.latent, temb = o.temb, bn = false})
  end)
end

-- q(x_c, x_n, emb, mode) -> mu, logvar [B, latent]: [x_c, x_n] as 2C channels;
-- Conv3x3 s1 p1 (2C->b, no bias), Conv4x4 s2 p1 (b->2b, 2b->4b, 4b->8b), each
-- followed by LeakyReLU 0.2 and + Linear(tdim -> C_out)(t_e); heads Conv4x4
-- valid (8b -> latent) for mu and for logvar.
function nets.ddaebm_image_encoder(o)
  o = check(o, "nets.ddaebm_image_encoder", {latent = opts.count(1, opts.MAX_WIDTH, {default = 100, desc = "latent size"})})
  return spec("ddaebm_image_encoder", o, function(p)
    local c, b = o.channels, o.base
    local plan = {{2 * c, b, 3, 1, false}, {b, 2 * b, 4, 2, true}, {2 * b, 4 * b, 4, 2, true}, {4 * b, 8 * b, 4, 2, true}}
    local tm = time_mlp(p, o)
    local convs, tproj, mods = {}, {}, {tm}
    for i, l in ipairs(plan) do
      convs[i] = nn.conv2d(l[1], l[2], l[3], {stride = l[4], padding = 1, bias = l[5], name = p .. ".conv" .. i})
      tproj[i] = nn.linear(o.tdim, l[2], {name = p .. ".tproj" .. i})
      table.insert(mods, convs[i])
      table.insert(mods, tproj[i])
    end
    local mu = nn.conv2d(8 * b, o.latent, 4, {name = p .. ".mu"})
    local lv = nn.conv2d(8 * b, o.latent, 4, {name = p .. ".logvar"})
    table.insert(mods, mu)
    table.insert(mods, lv)
    return callable(collect(mods), function(xc, xn, emb)
      check_emb(o, emb)
      local te = tm(emb)
      local h = ebm.concat({picture(xc, c), picture(xn, c)}, 2)
      for i = 1, #plan do h = ebm.leaky_relu(convs[i](h), 0.2) + per_channel(tproj[i](te)) end
      local B = h.shape[1]
      return ebm.reshape(mu(h), {B, o.latent}), ebm.reshape(lv(h), {B, o.latent})
    end, {latent = o.latent, temb = o.temb, bn = false})
  end)
end

return nets
