-- Singular values of the generator Jacobian (methods.md §3a), from JVPs.
local sv = {}

-- The 2x2 Jacobian J = [[a, b], [c, e]] of G^ev at every z in the batch:
-- two JVPs along e1 and e2 give its columns (samples do not interact in eval mode).
function sv.jacobian_2x2(G, z)
  local B = z.shape[1]
  local y = G(z, "eval")
  local e1 = ebm.broadcast(ebm.const({1, 0}, {1, 2}), {B, 2})
  local e2 = ebm.broadcast(ebm.const({0, 1}, {1, 2}), {B, 2})
  local c1, c2 = ebm.jvp(z, e1, y), ebm.jvp(z, e2, y)
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

-- Per-sample log sigma_min(J(z)) of a generator with a 2-D latent and output.
function sv.log_sigma_min(G, z)
  if z.shape[2] ~= 2 then error("the exact sigma_min needs a 2-D latent; wider latents need LOBPCG", 0) end
  return sv.log_sigma_min_2x2(sv.jacobian_2x2(G, z))
end

return sv
