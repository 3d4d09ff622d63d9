-- Lower bound (b), our formulation (methods.md §3b): the generator has output
-- noise, x = G(z) + sigma eps, and an encoder q_psi(z | x) = N(mu, diag e^l)
-- gives (Barber-Agakov)
--   H[p_g] >= H[gamma_d] + (D/2) log(2 pi e sigma^2) + E log q_psi(z | G(z) + sigma eps),
-- valid for every q_psi (so clamping l to [-16, 4] keeps it valid), every d and D.
-- The generator and the encoder are trained jointly by one Adam.
local M = {}

M.options = {
  encoder = {type = "net", desc = "q(z | x) (default nets.toy_encoder{latent = d})"},
  sigma = {type = "number", default = 0.01, min = 0, min_exclusive = true, desc = "output noise of the generator"},
}

local LOG_2PI = math.log(2 * math.pi)

function M.setup(s)
  s.sigma = ebm.hparam("sigma", s.cfg.sigma, "output noise sigma of the generator, x = G(z) + sigma eps", "pos")
  s.enc = (s.cfg.encoder or nets.toy_encoder{latent = s.d, input = s.D}).build("encoder")
  s.gen_params = {table.unpack(s.G.params)}
  for _, q in ipairs(s.enc.params) do table.insert(s.gen_params, q) end
end

-- log q_psi(z | x) per sample [B]
function M.log_q(s, z, x, mode)
  local h = s.enc(x, mode)
  if h.shape[2] ~= 2 * s.d then
    error(("the encoder must output 2d = %d values (mu, l), got %d"):format(2 * s.d, h.shape[2]), 0)
  end
  local mu = ebm.slice(h, 2, 1, s.d)
  local l = ebm.clamp(ebm.slice(h, 2, s.d + 1, s.d), -16, 4)
  local r = z - mu
  return -0.5 * ebm.sum(LOG_2PI + l + r * r * ebm.exp(-l), 2)
end

-- x = G(z) + sigma eps in the given BN mode
function M.draw(s, mode)
  local z, eps = ebm.normal({s.B, s.d}), ebm.normal({s.B, s.D})
  return {z = z, eps = eps, x = s.G(z, mode) + s.sigma * eps}
end

-- H^_b without its constants: mean_b log q_psi(z_b | x_b)
function M.entropy(s, rec) return ebm.mean(M.log_q(s, rec.z, rec.x)) end

-- q_b = grad_z[-log p^_g] = z + grad_z log q_psi(z | G^ev(z) + sigma eps), the
-- total derivative through both arguments, eps fixed (methods.md §3c); the caller detaches
function M.score(s, rec)
  local z = rec.z
  local lq = M.log_q(s, z, s.G(z, "eval") + s.sigma * rec.eps, "eval")
  return z + ebm.grad(ebm.sum(lq), z)
end

function M.sample(s) return s.G(ebm.normal({s.B, s.d}), "eval") + s.sigma * ebm.normal({s.B, s.D}) end

-- The sandwich's log-weight (methods.md §7.3), lo = up:
--   -E(x) + log q_psi(z | x) - log N(z; 0, I) - log N(x; G(z), sigma^2 I), x = G^ev(z) + sigma eps,
-- with log N(x; G(z), sigma^2 I) = -(D/2) log(2 pi sigma^2) - |eps|^2 / 2 exactly.
-- E[exp(lambda)] = Z for every encoder, so no injectivity is needed (sign = 1); then x.
function M.has_log_weights() return true end
function M.log_weights(s)
  local rec = M.draw(s, "eval")
  local log_nz = -0.5 * s.d * LOG_2PI - 0.5 * ebm.sum(rec.z * rec.z, 2)
  local log_nx = -0.5 * s.D * (LOG_2PI + 2 * ebm.log(s.sigma)) - 0.5 * ebm.sum(rec.eps * rec.eps, 2)
  local lam = -s.E(rec.x, "eval") + M.log_q(s, rec.z, rec.x, "eval") - log_nz - log_nx
  return lam, lam, ebm.const(1, {s.B}), rec.x
end

return M
