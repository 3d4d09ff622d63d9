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
local M = {}

-- s: {S = schedule, f, G, q (or nil), kind = "a" | "b", D, nz, mode = BN mode of
-- G/q in the bounds, sample_mode = their mode when sampling, noise = whether
-- the chain adds posterior noise at k > 0, sample_batch, M_eval}
function M.declare(s)
  local S, D, T = s.S, s.D, s.S.T
  local function emb_of(onehot) return nets.time_embedding(diff.level(onehot), s.temb) end

  entries.sample(s.sample_batch, D, function(xs)
    phase("sample", function(p)
      local n = s.sample_batch
      local x = ebm.normal({n, D})
      for k = T - 1, 0, -1 do
        local emb = emb_of(diff.fixed_k(n, T, k))
        local x0 = s.G(x, ebm.normal({n, s.nz}), emb, s.sample_mode)
        local nx = S.c1[k] * x0 + S.c2[k] * x
        if s.noise and k > 0 then nx = nx + math.sqrt(S.pvar[k]) * ebm.normal({n, D}) end
        x = nx
      end
      p:set(xs, x)
    end)
  end)

  local n = entries.EVAL_BATCH
  local emb0 = emb_of(diff.fixed_k(n, T, 0))
  entries.energy(function(x) return s.f(x, emb0) end, D, function(v) return -v end)

  local xk = ebm.state("energy_k.x", {n, D + 1}, 0)
  local ek = ebm.state("energy_k.e", {n}, 0)
  entry("energy_k", {input = xk, output = ek}, function()
    phase("energy_k", function(p)
      local oh = diff.onehot(ebm.slice(xk, 2, D + 1, 1), T)
      p:set(ek, -s.f(ebm.slice(xk, 2, 1, D), emb_of(oh)))
    end)
  end)

  M.chain_bounds(s, emb_of)
end

-- Output row per x_0 [P, 1 + 9T]: -log N(x_T; 0, I), then per step k:
-- E~(x_k; x_{k+1}, k), A_k, se(A_k), C_k, se(C_k), x_{k+1} (2 columns), a_{k+1}, beta_{k+1}.
-- Proposals with G, q in mode s.mode; (b)-type weights keep the noise at k = 0.
function M.chain_bounds(s, emb_of)
  local S, D, T, m = s.S, s.D, s.S.T, s.M_eval
  local P = math.max(1, 4096 // m)
  local x0 = ebm.state("chain_bounds.x0", {P, D}, 0)
  local out = ebm.state("chain_bounds.out", {P, 1 + 9 * T}, 0)
  entry("chain_bounds", {input = x0, output = out}, function()
    phase("chain_bounds", function(p)
      local x = math.sqrt(S.abar[0]) * x0 + S.sigma_cum[0] * ebm.normal({P, D})
      local cols = {}
      for k = 0, T - 1 do
        local xn = S.a[k + 1] * x + math.sqrt(S.beta[k + 1]) * ebm.normal({P, D})
        local oh = diff.fixed_k(P, T, k)
        local e_data = -diff.neg_cond_energy(S, s.f, x, xn, oh, emb_of(oh))
        local ohr = diff.fixed_k(P * m, T, k)
        local embr, xnr = emb_of(ohr), diff.repeat_rows(xn, m)
        local y, w_lo, w_up = bd.proposal(s.kind, S, s.G, s.q, xnr, ohr, embr, ebm.normal({P * m, s.nz}),
                                          ebm.normal({P * m, D}), s.mode)
        local ne = diff.neg_cond_energy(S, s.f, y, xnr, ohr, embr)
        local lo, up = ne + w_lo, ne + w_up
        local A, C = bd.estimates(lo, up, m)
        local se_a, se_c = bd.standard_errors(lo, up, m)
        local col = function(t) return ebm.reshape(t, {P, 1}) end
        for _, c in ipairs{col(e_data), col(A), col(se_a), col(C), col(se_c), xn,
                           ebm.broadcast(ebm.const({S.a[k + 1], S.beta[k + 1]}, {1, 2}), {P, 2})} do
          table.insert(cols, c)
        end
        x = xn
      end
      table.insert(cols, 1, ebm.reshape(-diff.log_std_normal(x), {P, 1}))
      p:set(out, ebm.concat(cols, 2))
    end)
  end)
end

return M
