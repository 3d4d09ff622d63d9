"""sigma_min of the generator Jacobian by block-1 LOBPCG (methods.md §3a), in
PyTorch, as generator/lua/sv.lua and linalg.lua build it: JVPs (forward-mode
AD) and VJPs of G in eval mode, never forming J; two iterations; modified
Gram-Schmidt of [v, r/|r|, p] with a fresh draw for a collapsed column; the
eigenvector of the smallest eigenvalue of the 3x3 (JU)^T(JU) (torch.linalg.eigh
where ours runs Jacobi sweeps: the same vector up to sign, which changes
neither the span nor mu); a non-finite update keeps the previous v, p.
mu = |J v*| with v* detached carries the gradient (envelope theorem).

A module for bench/torch_fmnist.py, not a script. Its --replay sets `randn`
to our trainers' Philox draws and `draw_every_fallback`, since ours draws a
fallback column for every Gram-Schmidt column, used or not, each on its own
stream.
"""
import torch
import torch.autograd.forward_ad as fwAD

randn = torch.randn
draw_every_fallback = False


def jvp(G, z, v):
    """J(z) v for G in its current mode; differentiable when z or G's parameters are."""
    with fwAD.dual_level():
        return fwAD.unpack_dual(G(fwAD.make_dual(z, v))).tangent


def _norm(a):
    return a.norm(dim=1, keepdim=True)


def _gram_schmidt(cols):
    out = []

    def project(x):
        for q in out:
            x = x - (q * x).sum(1, keepdim=True) * q
        return x

    for x in cols:
        y = project(x)
        ok = _norm(y) > 1e-6 * _norm(x)
        fresh = randn(*x.shape) if draw_every_fallback else None
        if not bool(ok.all()):
            y = torch.where(ok, y, project(randn(*x.shape) if fresh is None else fresh))
        out.append(y / _norm(y))
    return out


def min_vector_lobpcg(G, z, n_it=2):
    """v* [B, d], detached, and the start vector v0: LOBPCG on J^T J at every z
    (G is put in eval mode by the caller)."""
    B, d = z.shape
    with torch.no_grad():
        v, p = randn(B, d), randn(B, d)
        v0 = v
        u = jvp(G, z, v)
        mu = _norm(u) / _norm(v)
    for it in range(n_it):
        with torch.enable_grad():  # J^T u: one VJP through G^ev at z
            zz = z.detach().requires_grad_(True)
            jtu, = torch.autograd.grad(G(zz), zz, u)
        with torch.no_grad():
            r = jtu - mu * mu * v
            U = _gram_schmidt([v / _norm(v), r / _norm(r), p])
            M = torch.stack([jvp(G, z, Ui) for Ui in U], 1)  # (J U)^T [B, 3, D]
            A = M @ M.transpose(1, 2)
            A = A / A.diagonal(dim1=1, dim2=2).sum(1).abs().view(B, 1, 1).clamp_min(1e-30)
            c = torch.linalg.eigh(A)[1][:, :, 0]  # ascending eigenvalues: column 0 is the smallest
            pn = U[1] * c[:, 1:2] + U[2] * c[:, 2:3]
            vn = U[0] * c[:, 0:1] + pn
            bad = ~(torch.cat([vn, pn], 1).abs() < 1e30).all(1, keepdim=True)
            v, p = torch.where(bad, v, vn), torch.where(bad, p, pn)
            if it + 1 < n_it:  # the last iteration's u would be unused (ours drops it as dead code)
                u = jvp(G, z, v)
                mu = _norm(u)
    return v, v0


def log_mu(G, z, v):
    """Per-sample log |J^ev(z) v| [B] for a constant v, differentiable in z and G's parameters."""
    was = G.training
    G.eval()
    mu = jvp(G, z, v).norm(dim=1)
    G.train(was)
    return torch.log(mu.clamp_min(1e-30))


def lobpcg_eval(G, z, n_it=2):
    """v* and v0 of LOBPCG with G in eval mode"""
    was = G.training
    G.eval()
    v, v0 = min_vector_lobpcg(G, z.detach(), n_it)
    G.train(was)
    return v, v0


def log_sigma_min(G, z, n_it=2):
    """Per-sample log mu = log |J^ev(z) v*| [B], differentiable in z and G's parameters."""
    return log_mu(G, z, lobpcg_eval(G, z, n_it)[0])
