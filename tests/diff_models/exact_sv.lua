-- A bb-sv-diff model whose per-step proposal is exact (tests/diff_chain.sh):
-- f(y, k) = -|y|^2 / (2 s2), so p(y | x_n, k) is Gaussian with variance
-- v = 1 / (1/s2 + a^2/beta) and mean (a/beta) v x_n, and the generator
-- G(x_n, z, k) = alpha_k x_n + gamma_k z puts y = c1 G + c2 x_n exactly there.
-- Every log-weight is then log Z(x_n, k): A_k = C_k = the grid's log Z.
local diff = require "diffusion"
local S = diff.schedule(4, 0.1, 20)
local s2 = 0.49
local alpha, gamma = {}, {}
for k = 0, 3 do
  local a, b = S.a[k + 1], S.beta[k + 1]
  local v = 1 / (1 / s2 + a * a / b)
  alpha[k + 1] = (a / b * v - S.c2[k]) / S.c1[k]
  gamma[k + 1] = math.sqrt(v) / S.c1[k]
end
-- the step k of each row from its time embedding: column 8 is sin(k 1e-4)
local function onehot(emb)
  local v = ebm.slice(emb, 2, 8, 1) * 1e4
  return ebm.ge(v, ebm.const({-0.5, 0.5, 1.5, 2.5}, {1, 4})) - ebm.ge(v, ebm.const({0.5, 1.5, 2.5, 3.5}, {1, 4}))
end
local function net(make)
  return {kind = "net", build = function(p)
    local w = ebm.param(p .. ".w", {1}, 0)   -- a parameter for the optimiser; it never moves
    return setmetatable({params = {w}, latent = 2}, {__call = function(_, ...) return make(w, ...) end})
  end}
end
model {
  name = "exact_sv", method = "bb-sv-diff", data = "25gaussians", batch = 16, iters = 1, M = 2, M_eval = 16,
  T = 4, beta_min = 0.1, beta_max = 20,
  energy = net(function(w, y) return -ebm.sum(y * y, 2) / (2 * s2) + 0 * w end),
  generator = net(function(w, xn, z, emb)
    local oh = onehot(emb)
    return diff.pick(oh, alpha) * xn + diff.pick(oh, gamma) * z + 0 * w
  end),
}
