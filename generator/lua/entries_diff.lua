-- Entry points of the diffusion methods (ddaebm, bb-*-diff):
--   sample        the generator chain of methods.md §5.5;
--   energy        -f(x, 0): the reported toy density is exp(f(., 0)) (§3d, §7.1);
--   energy_k      -f(x, k) for rows (x1, x2, k): eval's grid quadrature of log Z(x_n, k);
--   chain_bounds  per test point x_0 a forward trajectory and, per step k, the
--                 data term E~(x_k; x_{k+1}, k) and the estimates A_k <= log Z <= C_k
--                 of (d) with M_eval inner draws (§3d "Bounds", §7.3).
local entries = require "entries"
local diff = require "diffusion"
local bd = require "bound_diff"
local ema = require "ema"
local M = {}

-- s: {S = schedule, f, G, q (or nil), kind = "a" | "b", D, nz, mode = BN mode of
-- G/q in the bounds, sample_mode = their mode when sampling, noise = whether
-- the chain adds posterior noise at k > 0, sample_batch, M_eval, avg = nil or
-- the {parameter, EMA} pairs (ema.lua) every entry evaluates in place of the
-- parameters}. Pictures (D > 2) get sample and energy only: energy_k and
-- chain_bounds serve the toy grid quadrature of eval.
function M.declare(s)
  local S, D, T = s.S, s.D, s.S.T
  local function emb_of(onehot) return nets.time_embedding(diff.level(onehot), s.temb) end
  local function avg(...)   -- the averages of the named nets' parameters
    local ps = {}
    for _, net in ipairs{...} do for _, p in ipairs(net.params) do table.insert(ps, p) end end
    return ema.subset(s.avg, ps)
  end

  -- x_T ~ N(0, I), then T steps k = T-1..0; the step is a one-hot state shifted down each iteration
  entries.sample(s.sample_batch, D, function(xs) ema.swapped(avg(s.G), "sample", function()
    local n = s.sample_batch
    local kst = ebm.state("sample.k", {1, T}, 0)
    local top, shift = {}, {}
    for i = 1, T do
      top[i] = i == T and 1 or 0
      for j = 1, T do shift[(i - 1) * T + j] = j == i - 1 and 1 or 0 end   -- e_i -> e_{i-1}
    end
    local sd = diff.per_step(S, function(k) return (s.noise and k > 0) and math.sqrt(S.pvar[k]) or 0 end)
    phase("sample_init", function(p)
      p:set(xs, ebm.normal({n, D}))
      p:set(kst, ebm.const(top, {1, T}))
    end)
    loop(T, function()
      phase("sample_step", function(p)
        local oh = ebm.broadcast(kst, {n, T})
        local x0 = s.G(xs, ebm.normal({n, s.nz}), emb_of(oh), s.sample_mode)
        local c1 = diff.pick(oh, diff.per_step(S, function(k) return S.c1[k] end))
        local c2 = diff.pick(oh, diff.per_step(S, function(k) return S.c2[k] end))
        p:set(xs, c1 * x0 + c2 * xs + diff.pick(oh, sd) * ebm.normal({n, D}))
        p:set(kst, ebm.matmul(kst, ebm.const(shift, {T, T})))
      end)
    end)
  end) end)

  local n = entries.EVAL_BATCH
  local emb0 = emb_of(diff.fixed_k(n, T, 0))
  entries.energy(function(x) return s.f(x, emb0) end, D, function(v) return -v end, avg(s.f))
  if D > 2 then return end

  local xk = ebm.state("energy_k.x", {n, D + 1}, 0)
  local ek = ebm.state("energy_k.e", {n}, 0)
  entry("energy_k", {input = xk, output = ek}, function() ema.swapped(avg(s.f), "energy_k", function()
    phase("energy_k", function(p)
      local oh = diff.onehot(ebm.slice(xk, 2, D + 1, 1), T)
      p:set(ek, -s.f(ebm.slice(xk, 2, 1, D), emb_of(oh)))
    end)
  end) end)

  M.chain_bounds(s, emb_of, avg(s.f, s.G, s.q))
end

-- Output row per x_0 [P, 1 + 9T]: -log N(x_T; 0, I), then per step k:
-- E~(x_k; x_{k+1}, k), A_k, se(A_k), C_k, se(C_k), x_{k+1} (2 columns), a_{k+1}, beta_{k+1}.
-- Proposals with G, q in mode s.mode; (b)-type weights keep the noise at k = 0.
function M.chain_bounds(s, emb_of, avg)
  local S, D, T, m = s.S, s.D, s.S.T, s.M_eval
  local P = math.max(1, 4096 // m)   -- T * P * m rows per run
  local x0 = ebm.state("chain_bounds.x0", {P, D}, 0)
  local out = ebm.state("chain_bounds.out", {P, 1 + 9 * T}, 0)
  entry("chain_bounds", {input = x0, output = out}, function() ema.swapped(avg, "chain_bounds", function()
    phase("chain_bounds", function(p)
      -- one trajectory per x_0; all steps batched, rows k-major: row k*P + i
      local x = math.sqrt(S.abar[0]) * x0 + S.sigma_cum[0] * ebm.normal({P, D})
      local xs, xns = {}, {}
      for k = 0, T - 1 do
        xs[k + 1] = x
        x = S.a[k + 1] * x + math.sqrt(S.beta[k + 1]) * ebm.normal({P, D})
        xns[k + 1] = x
      end
      local xc, xn = ebm.concat(xs, 1), ebm.concat(xns, 1)
      local eye = {}
      for i = 1, T * T do eye[i] = (i - 1) % (T + 1) == 0 and 1 or 0 end
      local oh = ebm.reshape(ebm.broadcast(ebm.reshape(ebm.const(eye, {T, T}), {T, 1, T}), {T, P, T}), {T * P, T})
      local e_data = -diff.neg_cond_energy(S, s.f, xc, xn, oh, emb_of(oh))
      local ohr, xnr = diff.repeat_rows(oh, m), diff.repeat_rows(xn, m)
      local embr = emb_of(ohr)
      local y, w_lo, w_up = bd.proposal(s.kind, S, s.G, s.q, xnr, ohr, embr, ebm.normal({T * P * m, s.nz}),
                                        ebm.normal({T * P * m, D}), s.mode)
      local ne = diff.neg_cond_energy(S, s.f, y, xnr, ohr, embr)
      local lo, up = ne + w_lo, ne + w_up
      local A, C = bd.estimates(lo, up, m)
      local se_a, se_c = bd.standard_errors(lo, up, m)
      local col = function(t) return ebm.reshape(t, {T * P, 1}) end
      local a = diff.pick(oh, diff.per_step(S, function(k) return S.a[k + 1] end))
      local b = diff.pick(oh, diff.per_step(S, function(k) return S.beta[k + 1] end))
      local steps = ebm.concat({col(e_data), col(A), col(se_a), col(C), col(se_c), xn, a, b}, 2)   -- [T*P, 9]
      steps = ebm.reshape(ebm.transpose(ebm.reshape(steps, {T, P, 9}), {2, 1, 3}), {P, 9 * T})
      p:set(out, ebm.concat({ebm.reshape(-diff.log_std_normal(x), {P, 1}), steps}, 2))
    end)
  end) end)
end

return M
