-- Bound (d), the diffusion upper bound (methods.md §3d, our formulation):
-- per step k the conditional EBM p(y | x_n, k) ∝ exp(f(y, k)) N(x_n; a y, beta I)
-- and the per-step generator as proposal. Per draw, the log-weights
--   (b) lambda = -E~(y) + log q(z | y, x_n, k) - log N(z; 0, I) - log N(y; m, pvar I),
--       y = m + sqrt(pvar) eps, m = c1 G(x_n, z, k) + c2 x_n (noise at every k);
--   (a) lambda_up = -E~(y) - log N(z; 0, I) + D log c1 + log|det J_z|,
--       lambda_lo = same with D log sigma_min(J_z), y = m (D = n_z = 2, exact 2x2 via JVPs),
-- with A = mean_m lambda_lo <= log Z(x_n, k) <= C = 1/2 log mean_m exp(2 lambda_up).
-- Built from jvp / stop_gradient only.
local diff = require "diffusion"
local sv = require "sv"
local M = {}

-- A proposal draw for rows (x_n, onehot, emb), latents z [R, n_z], noise eps [R, D]
-- ((b) only). Returns y, and the phi/psi-dependent parts of the log-weights
-- beyond -E~(y): w_lo, w_up, and `ent`, the generator's entropy term
-- ((b): log q(z | y, ...), (a): D log sigma_min). kind "a" or "b"; mode is the
-- networks' BN mode. q's log-variance is clamped to [-16, 4] (§10.9).
function M.proposal(kind, s, G, q, xn, onehot, emb, z, eps, mode)
  local D = xn.shape[2]
  local c1 = diff.pick(onehot, diff.per_step(s, function(k) return s.c1[k] end))
  local c2 = diff.pick(onehot, diff.per_step(s, function(k) return s.c2[k] end))
  local log_nz = diff.log_std_normal(z)
  if kind == "b" then
    local pv = diff.per_step(s, function(k) return s.pvar[k] end)
    local sd = diff.pick(onehot, diff.per_step(s, function(k) return math.sqrt(s.pvar[k]) end))
    local y = c1 * G(xn, z, emb, mode) + c2 * xn + sd * eps
    local mu, lv = q(y, xn, emb, mode)
    lv = ebm.clamp(lv, -16, 4)
    local dz = z - mu
    local log_q = -0.5 * ebm.sum(math.log(2 * math.pi) + lv + dz * dz * ebm.exp(-lv), 2)
    local log_ny = -0.5 * D * diff.pick(onehot, diff.per_step(s, function(k) return math.log(2 * math.pi * pv[k + 1]) end))
    log_ny = ebm.reshape(log_ny, {y.shape[1]}) - 0.5 * ebm.sum(eps * eps, 2)
    local w = log_q - log_nz - log_ny
    return y, w, w, log_q
  end
  if z.shape[2] ~= D then error("bb-sv-diff needs a latent of the data's dimension (n_z = D)", 0) end
  local function Gz(zz) return G(xn, zz, emb, mode) end
  local a, b, c, e = sv.jacobian_2x2(Gz, z)
  local log_c1 = ebm.reshape(D * ebm.log(c1), {z.shape[1]})
  local log_smin = sv.log_sigma_min_2x2(a, b, c, e)
  local y = c1 * Gz(z) + c2 * xn
  return y, log_c1 - log_nz + D * log_smin, log_c1 - log_nz + sv.log_abs_det_2x2(a, b, c, e), D * log_smin
end

-- Per pair of a [P*m] column (rows b-major): [P, m].
local function per_pair(x, m) return ebm.reshape(x, {x.shape[1] // m, m}) end

-- A = mean_m lambda_lo and C = 1/2 (logsumexp_m 2 lambda_up - log m), per pair [P].
function M.estimates(lam_lo, lam_up, m)
  local A = ebm.mean(per_pair(lam_lo, m), 2)
  local C = 0.5 * (ebm.logsumexp(2 * per_pair(lam_up, m), 2) - math.log(m))
  return A, C
end

-- Standard errors of A (sd/sqrt m) and of C (delta method:
-- 1/2 sd(w) / (sqrt m mean w), w = exp(2 lambda_up - max)), per pair [P].
function M.standard_errors(lam_lo, lam_up, m)
  local lo = per_pair(lam_lo, m)
  local d = lo - ebm.mean(lo, 2, true)
  local se_a = ebm.sqrt(ebm.sum(d * d, 2) / ((m - 1) * m))
  local t = 2 * per_pair(lam_up, m)
  local w = ebm.exp(t - ebm.max(t, 2, true))
  local mw = ebm.mean(w, 2, true)
  local dw = w - mw
  local sdw = ebm.sqrt(ebm.sum(dw * dw, 2) / (m - 1))
  return se_a, 0.5 * sdw / (math.sqrt(m) * ebm.reshape(mw, {mw.shape[1]}))
end

return M
