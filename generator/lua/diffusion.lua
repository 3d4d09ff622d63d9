-- The short VP diffusion shared by ddaebm and bb-*-diff (methods.md §5.1,
-- §5.2): the schedule as Lua constants, a random step k per sample as a
-- one-hot row (shapes stay static), per-sample coefficients picked by it,
-- training pairs and Gaussian log-densities.
local M = {}

-- DDGAN's discretised VP-SDE with levels j = 0..T. Every array is 0-based:
-- beta[j], a[j], abar[j], sigma_cum[j] for levels; c1[k], c2[k], pvar[k]
-- for steps k = 0..T-1 (q(x_c | x_n, x_0) = N(c1 x_0 + c2 x_n, pvar I)).
function M.schedule(T, beta_min, beta_max)
  if T ~= math.floor(T) or T < 1 then error("diffusion: T must be a positive integer, got " .. tostring(T), 0) end
  if not (beta_min > 0 and beta_max >= beta_min) then
    error(("diffusion: need 0 < beta_min <= beta_max, got %g, %g"):format(beta_min, beta_max), 0)
  end
  local function var(t) return 1 - math.exp(-0.5 * t * t * (beta_max - beta_min) - t * beta_min) end
  local s = {T = T, beta = {}, a = {}, abar = {}, sigma_cum = {}, c1 = {}, c2 = {}, pvar = {}}
  local abar_prev
  for j = 0, T do
    local abar = 1 - var(j / T * (1 - 1e-3) + 1e-3)
    s.beta[j] = j == 0 and (1 - abar) or (1 - abar / abar_prev)
    abar_prev = abar
  end
  local prod = 1
  for j = 0, T do
    prod = prod * (1 - s.beta[j])
    s.a[j], s.abar[j], s.sigma_cum[j] = math.sqrt(1 - s.beta[j]), prod, math.sqrt(1 - prod)
  end
  for k = 0, T - 1 do
    local b, ab, abn = s.beta[k + 1], s.abar[k], s.abar[k + 1]
    s.c1[k] = b * math.sqrt(ab) / (1 - abn)
    s.c2[k] = (1 - ab) * math.sqrt(1 - b) / (1 - abn)
    s.pvar[k] = b * (1 - ab) / (1 - abn)
  end
  return s
end

-- {fn(0), ..., fn(T-1)}: a per-step constant as a Lua list for `pick`.
function M.per_step(s, fn)
  local r = {}
  for k = 0, s.T - 1 do r[k + 1] = fn(k) end
  return r
end

-- One-hot rows [B, T] of k ~ U{0..T-1}: u ~ U[0, 1), k = floor(T u) as
-- [T u >= j] - [T u >= j + 1] (the last level has no upper edge).
function M.random_k(B, T)
  local u = ebm.uniform({B, 1}) * T
  local lo, hi = {}, {}
  for j = 0, T - 1 do lo[j + 1], hi[j + 1] = j, j == T - 1 and 1e30 or j + 1 end
  return ebm.ge(u, ebm.const(lo, {1, T})) - ebm.ge(u, ebm.const(hi, {1, T}))
end

-- One-hot rows [B, T] of a fixed k.
function M.fixed_k(B, T, k)
  local r = {}
  for j = 0, T - 1 do r[j + 1] = j == k and 1 or 0 end
  return ebm.broadcast(ebm.const(r, {1, T}), {B, T})
end

-- One-hot rows [B, T] from a column of levels [B, 1] holding 0..T-1.
function M.onehot(kcol, T)
  local l = {}
  for j = 0, T - 1 do l[j + 1] = j end
  return ebm.eq(kcol, ebm.const(l, {1, T}))
end

-- Per-row value [B, 1] of a per-step list (exact: one-hot rows select one entry).
function M.pick(onehot, list)
  return ebm.matmul(onehot, ebm.const(list, {#list, 1}))
end

-- The level k of each row as a float column [B, 1].
function M.level(onehot)
  local l = {}
  for j = 1, onehot.shape[2] do l[j] = j - 1 end
  return M.pick(onehot, l)
end

-- Training pairs (§5.2): x_c = sqrt(abar_k) x_0 + sigma_cum,k eps1, x_n = a_{k+1} x_c + sqrt(beta_{k+1}) eps2.
function M.pairs(s, onehot, x0)
  local shape = x0.shape
  local xc = M.pick(onehot, M.per_step(s, function(k) return math.sqrt(s.abar[k]) end)) * x0
             + M.pick(onehot, M.per_step(s, function(k) return s.sigma_cum[k] end)) * ebm.normal(shape)
  local xn = M.pick(onehot, M.per_step(s, function(k) return s.a[k + 1] end)) * xc
             + M.pick(onehot, M.per_step(s, function(k) return math.sqrt(s.beta[k + 1]) end)) * ebm.normal(shape)
  return xc, xn
end

-- log N(x; mu, v I) per row, v a scalar or a column [B, 1].
function M.log_normal(x, mu, v)
  local n = x.shape[2]
  local d = x - mu
  local lv = type(v) == "number" and math.log(2 * math.pi * v) or ebm.log(2 * math.pi * v)
  local r = -0.5 * n * lv - ebm.sum(d * d, 2, true) / (2 * v)
  return ebm.reshape(r, {x.shape[1]})
end

-- log N(z; 0, I) per row.
function M.log_std_normal(z)
  return -0.5 * z.shape[2] * math.log(2 * math.pi) - 0.5 * ebm.sum(z * z, 2)
end

-- -E~(y; x_n, k) = f(y, k) + log N(x_n; a_{k+1} y, beta_{k+1} I): the conditional EBM's log-density up to log Z.
function M.neg_cond_energy(s, f, y, xn, onehot, emb)
  local a = M.pick(onehot, M.per_step(s, function(k) return s.a[k + 1] end))
  local b = M.pick(onehot, M.per_step(s, function(k) return s.beta[k + 1] end))
  return f(y, emb) + M.log_normal(xn, a * y, b)
end

-- Rows repeated m times: [B, c] -> [B*m, c], row b*m + i = row b.
function M.repeat_rows(x, m)
  local B, c = x.shape[1], x.shape[2]
  return ebm.reshape(ebm.broadcast(ebm.reshape(x, {B, 1, c}), {B, m, c}), {B * m, c})
end

return M
