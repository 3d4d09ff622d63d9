-- Lower bound (a) (methods.md §3a): H[p_g] >= H[gamma_d] + d E log sigma_min(J(z)).
-- A lower-bound module gives method_bb.lua the generator's samples, the
-- entropy estimate its generator step maximises, the score q_b = grad_z of
-- -log p^_g that bound (c) needs, and the per-draw log-weights of the sandwich.
local sv = require "sv"
local M = {}

M.options = {
  sigma_min = {type = "string", default = "auto", one_of = sv.algorithms,
               desc = "how sigma_min(dG/dz) is found: auto = closed form at d = 2, jacobi for d <= 8, else lobpcg"},
  ssv_iter = {type = "number", default = 2, integer = true, min = 1, max = 1000, desc = "LOBPCG / power iterations"},
  mins = {type = "boolean", default = true, desc = "bound (c)'s score from z + d grad log sigma_min; false: z alone"},
  entropy = {type = "string", default = "sigma_min", one_of = {"sigma_min", "logdet"},
             desc = "the generator's entropy: d log sigma_min (the bound (a)); logdet: the exact log|det J| (d = D = 2 only)"},
}

function M.setup(s) s.gen_params = s.G.params end

local function log_sigma_min(s, z)
  return sv.log_sigma_min(s.G, z, {algorithm = s.cfg.sigma_min, iters = s.cfg.ssv_iter})
end

-- Images under bound (c) (methods.md §3a "Where H^ is evaluated", §3c "Probe"):
-- one LOBPCG call per iteration, in the energy step at the fakes' z. Its start
-- vector v0 is (c)'s probe, its v* gives (c)'s score, and (z, v*) are kept for
-- the generator step, whose H^ = d mean log||J(z) v*|| is then the energy
-- step's H^ with its graph (phi has not changed in between). Elsewhere (toy
-- data, ebm-0gp, ebm-lb) H^ is taken at the generator step's fresh z'.
function M.share_with_c(s)
  if not s.image or sv.resolve(s.cfg.sigma_min, s.d, s.D) ~= "lobpcg" then return end
  s.kept = {z = ebm.state("entropy.z", {s.B, s.d}, 0), v = ebm.state("entropy.v", {s.B, s.d}, 0)}
end

-- (c)'s probe for a draw of the energy step: v0 of the shared LOBPCG call, or nil (a fresh one)
function M.probe(s, rec)
  if not s.kept then return nil end
  local v, v0 = sv.min_vector_lobpcg(s.G, rec.z, s.cfg.ssv_iter)
  rec.v = v
  ebm.assign(s.kept.z, rec.z)
  ebm.assign(s.kept.v, v)
  return v0
end

-- H^ of the energy step's LOBPCG call, or nil; called before the generator
-- step's draw, so eval-mode BN sees the statistics the energy step saw.
function M.kept_entropy(s)
  if not s.kept then return nil end
  return s.d * ebm.mean(sv.log_mu(s.G, s.kept.z, s.kept.v))
end

-- x = G(z) in the given BN mode
function M.draw(s, mode)
  local z = ebm.normal({s.B, s.d})
  return {z = z, x = s.G(z, mode)}
end

-- H^_a without the constant H[gamma_d]: d mean_b log sigma_min(J^ev(z_b)).
-- entropy = "logdet" takes the exact entropy, mean_b log|det J^ev(z_b)|, instead
-- (an injective G): it removes the gap log sigma_max - log sigma_min that
-- sets the depths of the energy's wells (docs/results.md, "Mode weights").
function M.entropy(s, rec)
  if s.cfg.entropy == "logdet" then
    if s.d ~= 2 or s.D ~= 2 then error(("entropy = 'logdet' needs a 2-D latent and 2-D data, got %d and %d"):format(s.d, s.D), 0) end
    return ebm.mean(sv.log_abs_det_2x2(sv.jacobian_2x2(s.G, rec.z)))
  end
  return s.d * ebm.mean(log_sigma_min(s, rec.z))
end

-- q_b = grad_z[-log p^_g] = z + d grad_z log sigma_min (second order); the caller detaches
function M.score(s, rec)
  if not s.cfg.mins then return rec.z end
  local log_mu = rec.v and sv.log_mu(s.G, rec.z, rec.v) or log_sigma_min(s, rec.z)
  return rec.z + s.d * ebm.grad(ebm.sum(log_mu), rec.z)
end

function M.sample(s) return s.G(ebm.normal({s.B, s.d}), "eval") end

-- The sandwich's per-draw log-weights (methods.md §7.3), G in eval mode:
--   lo = -E(G(z)) - log N(z; 0, I) + 2 log sigma_min(J(z))   (Jensen: E[lo] <= log Z)
--   up = -E(G(z)) - log N(z; 0, I) + log|det J(z)|           (chi^2: log Z <= 1/2 log E[exp(2 up)])
-- and sign(det J) to check injectivity, and x = G(z). Only for d = D = 2 (det J needs a square J).
function M.has_log_weights(s) return s.d == 2 and s.D == 2 end
function M.log_weights(s)
  local z = ebm.normal({s.B, 2})
  local a, b, c, e = sv.jacobian_2x2(s.G, z)
  local log_n = -math.log(2 * math.pi) - 0.5 * ebm.sum(z * z, 2)
  local x = s.G(z, "eval")
  local base = -s.E(x, "eval") - log_n
  return base + 2 * sv.log_sigma_min_2x2(a, b, c, e), base + sv.log_abs_det_2x2(a, b, c, e), ebm.sign(a * e - b * c), x
end

return M
