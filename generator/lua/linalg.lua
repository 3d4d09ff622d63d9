-- Small per-sample linear algebra on [B, k, k] tensors, written with IR ops
-- so that it runs inside the generated trainer (methods.md §3a, §9 D13):
-- batched products, cyclic Jacobi eigen-solves with a static sweep count,
-- modified Gram-Schmidt. Results are used detached (forward only).
local M = {}

local function const_matrix(k, f)
  local v = {}
  for i = 1, k do for j = 1, k do v[(i - 1) * k + j] = f(i, j) end end
  return ebm.const(v, {1, k, k})
end

-- [B, k, m] x [B, m, n] -> [B, k, n], as a broadcast multiply and a sum
function M.bmm(X, Y)
  local B, k, m, n = X.shape[1], X.shape[2], X.shape[3], Y.shape[3]
  return ebm.sum(ebm.reshape(X, {B, k, m, 1}) * ebm.reshape(Y, {B, 1, m, n}), 3)
end

local function entry(A, i, j)  -- [B, 1, 1]
  return ebm.slice(ebm.slice(A, 2, i, 1), 3, j, 1)
end

-- Eigen-decomposition of symmetric [B, k, k] matrices by cyclic Jacobi
-- rotations, `sweeps` sweeps over all pairs (p, q). A is first divided by
-- its trace, so tiny and huge matrices rotate alike (eigenvectors do not
-- change; the returned eigenvalues are those of A / trace(A)).
-- Returns the eigenvalues [B, k] and the eigenvectors as columns of V [B, k, k].
function M.eigh_jacobi(A, sweeps)
  local B, k = A.shape[1], A.shape[2]
  local I = const_matrix(k, function(i, j) return i == j and 1 or 0 end)
  local trace = ebm.sum(A * I, {2, 3}, true)
  A = A / (ebm.abs(trace) + 1e-30)
  local V = ebm.broadcast(I, {B, k, k})
  for _ = 1, sweeps do
    for p = 1, k - 1 do
      for q = p + 1, k do
        -- the rotation that zeroes a_pq (Golub & Van Loan, sym.schur2), written
        -- without dividing by a_pq: t = sgn(D) 2 a_pq / (|D| + sqrt(D^2 + 4 a_pq^2))
        local app, aqq, apq = entry(A, p, p), entry(A, q, q), entry(A, p, q)
        local dlt = aqq - app
        local sgn = ebm.select(ebm.ge(dlt, 0), 1, -1)
        local t = 2 * apq * sgn / (ebm.abs(dlt) + ebm.sqrt(dlt * dlt + 4 * apq * apq) + 1e-30)
        local c = 1 / ebm.sqrt(t * t + 1)
        local s = t * c
        local R = I + (c - 1) * const_matrix(k, function(i, j) return (i == j and (i == p or i == q)) and 1 or 0 end)
                    + s * const_matrix(k, function(i, j) return (i == p and j == q) and 1 or (i == q and j == p) and -1 or 0 end)
        A = M.bmm(ebm.transpose(R, {1, 3, 2}), M.bmm(A, R))
        V = M.bmm(V, R)
      end
    end
  end
  return ebm.sum(A * I, 3), V
end

-- Jacobi sweeps enough for float accuracy at size k (quadratic convergence)
function M.sweeps(k) return k <= 3 and 5 or 6 end

-- Unit eigenvector [B, k] of the smallest eigenvalue of symmetric A [B, k, k]
-- (on a tie, a unit vector of the tied eigenspace), and the eigenvalues.
function M.min_eigvec(A, sweeps)
  local B, k = A.shape[1], A.shape[2]
  local w, V = M.eigh_jacobi(A, sweeps or M.sweeps(k))
  local wmin = -ebm.max(-w, 2, true)
  local pick = ebm.select(ebm.ge(wmin, w), 1, 0)
  local v = ebm.sum(V * ebm.reshape(pick, {B, 1, k}), 3)
  return v / ebm.sqrt(ebm.sum(v * v, 2, true)), w
end

local function dot(a, b) return ebm.sum(a * b, 2, true) end
local function norm(a) return ebm.sqrt(dot(a, a)) end
M.dot, M.norm = dot, norm

-- Modified Gram-Schmidt of a list of [B, n] columns, in order. A column whose
-- norm after projection is below 1e-6 of its norm before (per sample) is
-- replaced by a fresh N(0, I) draw, orthogonalised the same way.
function M.gram_schmidt(cols)
  local out = {}
  local function project(x)
    for _, q in ipairs(out) do x = x - dot(q, x) * q end
    return x
  end
  for _, x in ipairs(cols) do
    local y = project(x)
    local ok = ebm.gt(norm(y), 1e-6 * norm(x))
    y = ebm.select(ok, y, project(ebm.normal(x.shape)))
    table.insert(out, y / norm(y))
  end
  return out
end

return M
