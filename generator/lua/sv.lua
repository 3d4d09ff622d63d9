-- The smallest singular value of the generator Jacobian J = dG/dz (methods.md
-- §3a), from JVPs and VJPs of G in eval mode; J is never formed beyond d <= 8.
--   d = 2 (and D = 2): the cancellation-free closed form;
--   2 < d <= 8:        v* = smallest eigenvector of J^T J by Jacobi sweeps;
--   larger d:          block-1 LOBPCG on J^T J (the default of §3a), or the
--                      shifted power iteration (option);
-- then mu = ||J v*|| with v* detached: its phi- and z-gradients are those of
-- sigma_min itself at a simple sigma_min (envelope theorem).
local linalg = require "linalg"
local sv = {}

local function unit_rows(B, d, i)
  local v = {}
  for j = 1, d do v[j] = j == i and 1 or 0 end
  return ebm.broadcast(ebm.const(v, {1, d}), {B, d})
end

-- The 2x2 Jacobian J = [[a, b], [c, e]] of G^ev at every z in the batch:
-- two JVPs along e1 and e2 give its columns (samples do not interact in eval mode).
function sv.jacobian_2x2(G, z)
  local B = z.shape[1]
  local y = G(z, "eval")
  local c1, c2 = ebm.jvp(z, unit_rows(B, 2, 1), y), ebm.jvp(z, unit_rows(B, 2, 2), y)
  local a, c = ebm.slice(c1, 2, 1, 1), ebm.slice(c1, 2, 2, 1)
  local b, e = ebm.slice(c2, 2, 1, 1), ebm.slice(c2, 2, 2, 1)
  return ebm.reshape(a, {B}), ebm.reshape(b, {B}), ebm.reshape(c, {B}), ebm.reshape(e, {B})
end

-- log sigma_min = log 2 + log|ae - bc| - log(P + Q), the cancellation-free
-- closed form, with P, Q guarded by 1e-24 (the guard only lowers sigma_min).
function sv.log_sigma_min_2x2(a, b, c, e)
  local P = ebm.sqrt((a + e) * (a + e) + (c - b) * (c - b) + 1e-24)
  local Q = ebm.sqrt((a - e) * (a - e) + (b + c) * (b + c) + 1e-24)
  return math.log(2) + ebm.log(ebm.abs(a * e - b * c)) - ebm.log(P + Q)
end

function sv.log_abs_det_2x2(a, b, c, e) return ebm.log(ebm.abs(a * e - b * c)) end

local function jv(G, z, v) return ebm.jvp(z, v, G(z, "eval")) end
local function jtu(G, z, u) return ebm.vjp(G(z, "eval"), z, u) end
local sg, norm, dot = ebm.stop_gradient, linalg.norm, linalg.dot

-- v* for 2 < d <= 8: J^T J from d JVPs, its smallest eigenvector (Jacobi).
function sv.min_vector_exact(G, z)
  local B, d = z.shape[1], z.shape[2]
  local y = G(z, "eval")
  local D = y.shape[2]
  local rows = {}
  for i = 1, d do rows[i] = ebm.reshape(ebm.jvp(z, unit_rows(B, d, i), y), {B, 1, D}) end
  local Jt = sg(ebm.concat(rows, 2))                      -- [B, d, D]
  local v = linalg.min_eigvec(linalg.bmm(Jt, ebm.transpose(Jt, {1, 3, 2})))
  return sg(v)
end

-- v* by block-1 LOBPCG on J^T J with n_it iterations (methods.md §3a, steps 1-4);
-- also returns the start vector v0 (bound (c)'s probe on images, §3c).
function sv.min_vector_lobpcg(G, z, n_it)
  local B, d, D = z.shape[1], z.shape[2], G(z, "eval").shape[2]
  local v, p = ebm.normal({B, d}), ebm.normal({B, d})
  local v0 = v
  local u = sg(jv(G, z, v))
  local mu = norm(u) / norm(v)
  for _ = 1, n_it do
    local r = sg(jtu(G, z, u)) - mu * mu * v
    local U = linalg.gram_schmidt({v / norm(v), r / norm(r), p})
    local JU = {}
    for i = 1, 3 do JU[i] = ebm.reshape(sg(jv(G, z, U[i])), {B, 1, D}) end
    local M = ebm.concat(JU, 2)                            -- (J U)^T, [B, 3, D]
    local c = linalg.min_eigvec(linalg.bmm(M, ebm.transpose(M, {1, 3, 2})))
    local ci = function(i) return ebm.slice(c, 2, i, 1) end
    local pn = U[2] * ci(2) + U[3] * ci(3)
    local vn = U[1] * ci(1) + pn
    -- a non-finite result keeps the previous v, p of that sample
    local bad = ebm.max(ebm.select(ebm.gt(1e30, ebm.abs(ebm.concat({vn, pn}, 2))), 0, 1), 2, true)
    v, p = sg(ebm.select(bad, v, vn)), sg(ebm.select(bad, p, pn))
    u = sg(jv(G, z, v))
    mu = norm(u)
  end
  return v, v0
end

-- v* by the shifted power iteration on c I - J^T J, c = 1.01 sigma_max^2
-- (sigma_max from 5 power iterations on J^T J), n_it iterations from v0.
function sv.min_vector_power(G, z, n_it)
  local B, d = z.shape[1], z.shape[2]
  local v0 = ebm.normal({B, d})
  local w = v0 / norm(v0)
  for _ = 1, 5 do
    w = sg(jtu(G, z, jv(G, z, w)))
    w = w / norm(w)
  end
  local Jw = sg(jv(G, z, w))
  local shift = 1.01 * dot(Jw, Jw)
  local v = v0 / norm(v0)
  for _ = 1, n_it do
    v = sg(shift * v - jtu(G, z, jv(G, z, v)))
    v = v / norm(v)
  end
  return v
end

-- Per-sample log sigma_min(J^ev(z)) [B]. o.algorithm: "auto" (closed form at
-- d = D = 2, Jacobi up to d = 8, LOBPCG above), "exact" (closed form at 2x2,
-- else Jacobi), "jacobi", "lobpcg", "power"; o.iters: LOBPCG / power iterations.
-- The algorithm "auto" stands for at a latent of d and an output of D dimensions.
function sv.resolve(alg, d, D)
  if alg ~= "auto" then return alg end
  return (d == 2 and D == 2) and "exact" or d <= 8 and "jacobi" or "lobpcg"
end

-- Per-sample log mu = log ||J^ev(z) v|| [B] for a constant v* (its phi- and
-- z-gradients are sigma_min's at a simple sigma_min).
function sv.log_mu(G, z, v)
  local mu = ebm.sqrt(ebm.sum(ebm.square(jv(G, z, v)), 2))
  return ebm.log(ebm.maximum(mu, 1e-30))
end

function sv.log_sigma_min(G, z, o)
  o = o or {}
  local d = z.shape[2]
  local D = G(z, "eval").shape[2]
  if d > D then error(("sigma_min of dG/dz: the latent (%d) is wider than the output (%d), so sigma_min = 0"):format(d, D), 0) end
  local alg = sv.resolve(o.algorithm or "auto", d, D)
  if alg == "exact" then
    if d == 2 and D == 2 then return sv.log_sigma_min_2x2(sv.jacobian_2x2(G, z)) end
    if d > 8 then error(("the exact sigma_min forms J^T J and needs a latent of at most 8 dimensions, got %d (use lobpcg)"):format(d), 0) end
    alg = "jacobi"
  end
  local v
  if alg == "jacobi" then v = sv.min_vector_exact(G, z)
  elseif alg == "lobpcg" then
    if d < 3 then error("LOBPCG needs a latent of at least 3 dimensions (its basis has three columns)", 0) end
    v = sv.min_vector_lobpcg(G, z, o.iters or 2)
  elseif alg == "power" then v = sv.min_vector_power(G, z, o.iters or 2)
  else error("unknown sigma_min algorithm '" .. tostring(alg) .. "'", 0) end
  return sv.log_mu(G, z, v)
end

sv.algorithms = {"auto", "exact", "jacobi", "lobpcg", "power"}

return sv
