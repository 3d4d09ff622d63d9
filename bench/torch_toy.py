"""PyTorch eager reference of the toy trainers, for the speed benchmark and
quality comparisons: mle-langevin, mle-gd, ebm-0gp, bb-sv-gp, bb-mi-gp, ddaebm,
bb-sv-diff and bb-mi-diff.

Faithful to shared/spec/methods.md (§2, §3a, §3c, §3e, §4, §5, §6, §8, the
`paper` preset for the minimax methods, the toy code defaults for ddaebm)
and to generator/lua/method_mle.lua, method_bb.lua (with bound_sv.lua,
bound_gp.lua, minimax.lua) and method_ddaebm.lua (with diffusion.lua,
nets_diff.lua): same nets (PyTorch default initialisation), same batch, K,
hyperparameters, losses and the same derivative structure (gradient
penalties and R1 with create_graph=True, the 2x2 Jacobian of G in eval
mode by two autograd.grad calls with create_graph=True, closed-form
log sigma_min, bound (c)'s score q_b = z + d grad_z log sigma_min by a
third differentiation). bb-sv-diff and bb-mi-diff (§3d, our formulation)
are written from the spec alone, as an independent check of
generator/lua/method_diff.lua and bound_diff.lua (bench/dynamics_parity.sh).

  /usr/bin/python3 bench/torch_toy.py --method mle-langevin|mle-gd|ebm-0gp|bb-sv-gp|bb-mi-gp|ddaebm|bb-sv-diff|bb-mi-diff \
      --iters N --threads T --seed S [--seconds S] [--warmup W] [--out DIR] \
      [--device cuda] [--compile]

--device cuda runs on the GPU (TF32 off, as our train-cuda); --compile wraps
the training step in torch.compile (its compilation happens in the warm-up).

Timing: --warmup iterations first (not timed), then the timed loop runs
--iters iterations, or, with --seconds, as many iterations as fit in that
many seconds (checked after every iteration). Prints one JSON object with
steps_per_s = timed iterations / timed seconds (time.perf_counter), and
window_steps_per_s_median, the median rate over windows of 10 iterations
(robust to short interference from other processes), and timed_cpu_s, the
process's CPU time in the timed loop (at one thread, timed_cpu_s / timed_s
is the share of a CPU the run got on a loaded machine).
With --out it also writes DIR/samples.npy (2000 sampler/generator samples,
ddaebm: its generator chain; float32 [2000, 2]) and DIR/energy_grid.npy
(float32 [256, 256] energies at the cell centres of [-4, 4]^2, row index = y,
column index = x, methods.md §7.1; ddaebm: -f(x, 0)), and DIR/log.jsonl
(losses every --log-every timed iterations, as training goes).

Use /usr/bin/python3 (Debian's python3-torch); pin the BLAS threads with
OPENBLAS_NUM_THREADS in the environment: torch.set_num_threads sets only
torch's own (OpenMP) intra-op threads, not OpenBLAS's.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

B, D = 200, 2
randn = torch.randn   # the minimax methods' noise; --replay swaps in our trainers' draws
uniform = torch.rand  # U[0, 1), likewise
ADAM = dict(lr=2e-4, betas=(0.0, 0.9), eps=1e-6)

# ---- data: the toy sets of methods.md §6 (torch's RNG; same distributions) ---
_modes = torch.tensor([[2.0 * i, 2.0 * j] for i in range(-2, 3) for j in range(-2, 3)])


def gaussians25(n, std=0.05):
    """R = ceil(n/25) rounds over the 25 modes (i outer, j inner), first n
    points, + std * N(0, 1) per coordinate, shuffled, divided by 2.828."""
    rounds = -(-n // 25)
    x = _modes.repeat(rounds, 1)[:n] + std * torch.randn(n, 2)
    return x[torch.randperm(n)] / 2.828


def gaussians8(n, radius=4.0, std=0.5):
    s = 1 / math.sqrt(2)
    u = torch.tensor([[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]])
    idx = torch.randint(0, 8, (n,))
    return (radius * u[idx] + std * torch.randn(n, 2)) / 1.414


_U3_W = (0.6, 0.3, 0.1)   # unequal3: weights, centres at radius 2, std 0.3 (runtime/toy_data.c)
_U3_C = torch.tensor([[0.0, 2.0], [-math.sqrt(3), -1.0], [math.sqrt(3), -1.0]])


def unequal3(n):
    idx = torch.multinomial(torch.tensor(_U3_W), n, replacement=True)
    return _U3_C[idx] + 0.3 * torch.randn(n, 2)


def swissroll(n):
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n))
    return torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) / 5 + torch.randn(n, 2) / 5


def _arc(count, start, stop, endpoint):
    """Angles of make_moons / make_circles; a count of 1 gives angle 0."""
    if count == 1:
        return torch.zeros(1)
    if endpoint:
        return torch.arange(count) * ((stop - start) / (count - 1)) + start
    return torch.arange(count) * ((stop - start) / count) + start


def moons(n):
    n_out = n // 2
    n_in = n - n_out
    a, b = _arc(n_out, 0, math.pi, True), _arc(n_in, 0, math.pi, True)
    x = torch.cat([torch.stack([torch.cos(a), torch.sin(a)], 1),
                   torch.stack([1 - torch.cos(b), 1 - torch.sin(b) - 0.5], 1)])
    return x[torch.randperm(n)] + 0.1 * torch.randn(n, 2)


def circles(n):
    n_out = n // 2
    n_in = n - n_out
    a, b = _arc(n_out, 0, 2 * math.pi, False), _arc(n_in, 0, 2 * math.pi, False)
    x = torch.cat([torch.stack([torch.cos(a), torch.sin(a)], 1), 0.5 * torch.stack([torch.cos(b), torch.sin(b)], 1)])
    return 3 * (x[torch.randperm(n)] + 0.08 * torch.randn(n, 2))


def rings(n):
    """The ring drawn uniformly (weights 1/4 each up to rounding), the angle from U[0, 2pi)."""
    r = 0.25 * (1 + torch.randint(0, 4, (n,)))
    a = 2 * math.pi * torch.rand(n)
    return 3 * torch.stack([r * torch.cos(a), r * torch.sin(a)], 1) + 0.08 * torch.randn(n, 2)


def pinwheel(n):
    m = -(-n // 5)
    c = torch.arange(5).repeat_interleave(m).float()
    f1, f2 = 1 + 0.3 * torch.randn(5 * m), 0.1 * torch.randn(5 * m)
    a = 2 * math.pi * c / 5 + 0.25 * torch.exp(f1)
    x = 2 * torch.stack([f1 * torch.cos(a) + f2 * torch.sin(a), -f1 * torch.sin(a) + f2 * torch.cos(a)], 1)
    return x[torch.randperm(5 * m)][:n]


def spirals2(n):
    m = -(-n // 2)
    u = torch.rand(m)
    s = torch.sqrt(u) * 3 * math.pi
    p = torch.stack([-s * torch.cos(s) + 0.5 * torch.rand(m), s * torch.sin(s) + 0.5 * torch.rand(m)], 1)
    return torch.cat([p, -p])[:n] / 3 + 0.1 * torch.randn(n, 2)


def checkerboard(n):
    x1 = 4 * torch.rand(n) - 2
    x2 = torch.rand(n) - 2 * torch.randint(0, 2, (n,)).float() + torch.remainder(torch.floor(x1), 2)
    return 2 * torch.stack([x1, x2], 1)


DATASETS = {"25gaussians": gaussians25, "25gaussians-ddaebm": lambda n: gaussians25(n, 0.1), "8gaussians": gaussians8,
            "8gaussians-meg": lambda n: gaussians8(n, 2.0, 0.02), "unequal3": unequal3, "swissroll": swissroll, "moons": moons,
            "circles": circles, "rings": rings, "pinwheel": pinwheel, "2spirals": spirals2,
            "checkerboard": checkerboard}
data = gaussians25     # set by --data


# ---- networks (methods.md §8) ----------------------------------------------
class ToyEnergy(nn.Module):
    """Linear(2,w)-act-Linear(w,w)-act-Linear(w,1), times a learnable gain
    g ~ U(-1, 1) (not spectrally normed). E is a [B] vector."""

    def __init__(self, act, sn, width=100):
        super().__init__()
        lin = (lambda m: nn.utils.spectral_norm(m)) if sn else (lambda m: m)
        mk = (lambda: nn.PReLU()) if act == "prelu" else (lambda: nn.SiLU())
        self.h = nn.Sequential(lin(nn.Linear(2, width)), mk(), lin(nn.Linear(width, width)), mk(),
                               lin(nn.Linear(width, 1)))
        self.gain = nn.Parameter(torch.empty(1, 1).uniform_(-1, 1))

    def forward(self, x):
        return (self.h(x) @ self.gain.t()).reshape(-1)

    def named_state(self, p):
        """Our trainers' variable names (generator/lua/nets.lua) -> tensors."""
        d = {p + ".gain": self.gain}
        for i in range(3):
            lin = self.h[2 * i]
            n = "%s.fc%d." % (p, i + 1)
            d[n + "bias"] = lin.bias
            if hasattr(lin, "weight_orig"):  # spectral norm: W, persistent u, v
                d.update({n + "weight": lin.weight_orig, n + "sn_u": lin.weight_u, n + "sn_v": lin.weight_v})
            else:
                d[n + "weight"] = lin.weight
            if i < 2 and isinstance(self.h[2 * i + 1], nn.PReLU):
                d["%s.act%d.weight" % (p, i + 1)] = self.h[2 * i + 1].weight
        return d


def generator_state(G, p):
    d = {}
    for i in range(3):
        n = "%s.fc%d." % (p, i + 1)
        d.update({n + "weight": G[3 * i].weight, n + "bias": G[3 * i].bias})
        if i < 2:
            d["%s.act%d.weight" % (p, i + 1)] = G[3 * i + 1].weight
            bn, n = G[3 * i + 2], "%s.bn%d." % (p, i + 1)
            d.update({n + "weight": bn.weight, n + "bias": bn.bias, n + "running_mean": bn.running_mean,
                      n + "running_var": bn.running_var})
    return d


def toy_generator(width=100, latent=2):
    """Linear(d,w)-PReLU-BN(w)-Linear(w,w)-PReLU-BN(w)-Linear(w,2); BN after the activation."""
    return nn.Sequential(nn.Linear(latent, width), nn.PReLU(), nn.BatchNorm1d(width),
                         nn.Linear(width, width), nn.PReLU(), nn.BatchNorm1d(width),
                         nn.Linear(width, 2))


# ---- mle-langevin (methods.md §4) --------------------------------------------
class MLE:
    K, alpha, eta, init_range = 20, 0.1, 0.01, 4.0

    def __init__(self):
        self.E = ToyEnergy("silu", sn=False)
        self.params = list(self.E.parameters())
        self.opt = torch.optim.Adam(self.params, **ADAM)

    def sample(self, n):
        """Short-run Langevin from U[-4, 4]^2: x <- x - alpha grad_x E(x) + eta xi.
        No gradient to theta through the chain (every x_i is a constant)."""
        r = self.init_range
        x0 = torch.rand(n, D) * (2 * r) - r
        x = x0
        for _ in range(self.K):
            x = x.detach().requires_grad_(True)
            g, = torch.autograd.grad(self.E(x).sum(), x)
            x = x.detach() - self.alpha * g
            if self.eta:
                x = x + self.eta * torch.randn(n, D)
        return x0, x.detach()

    def step(self, t):
        x0, xs = self.sample(B)
        ed = self.E(data(B))
        es = self.E(xs)
        loss = ed.mean() - es.mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        # the logged values of our trainer (it computes them every step too)
        with torch.no_grad():
            e_gap = self.E(x0).mean() - ed.mean()
        return {"loss": loss, "e_data": ed.mean(), "e_sample": es.mean(), "e_gap": e_gap}

    def samples(self, n):
        return self.sample(n)[1]

    def named_state(self):
        return self.E.named_state("energy")

    def energy(self, x):
        with torch.no_grad():
            return self.E(x)


class MLEGD(MLE):
    """mle-gd (methods.md §4): the deterministic sampler, eta = 0."""
    eta = 0.0


# ---- single-EBM minimax methods, preset `paper` (methods.md §2, §3a, §3c, §3e, §8) ----
def log_sigma_min_2x2(a, b, c, e):
    """log 2 + log|ae - bc| - log(P + Q), P, Q guarded by 1e-24 (§3a, §10.1)."""
    P = torch.sqrt((a + e) ** 2 + (c - b) ** 2 + 1e-24)
    Q = torch.sqrt((a - e) ** 2 + (b + c) ** 2 + 1e-24)
    return math.log(2.0) + torch.log(torch.abs(a * e - b * c)) - torch.log(P + Q)


def paper_weight(t):
    """The `paper` preset's decaying penalty weight 0.7 (2307 + t)^-0.55 (`ada`)."""
    return 0.7 * (2307.0 + t) ** -0.55


class Minimax:
    """What ebm-0gp and bb-sv-gp share (generator/lua/minimax.lua, bound_sv.lua):
    the spectrally normed energy, the BN generator, one Adam each, and the
    generator step mean E(G^tr(z')) - w_H d mean log sigma_min(J^ev(z'))."""
    w_H = 1.0
    d = 2

    def __init__(self):
        self.E = ToyEnergy("prelu", sn=True)       # spectral norm on the 3 Linears (paper)
        self.G = toy_generator()
        self.pE = list(self.E.parameters())
        self.pG = list(self.G.parameters())
        self.optE = torch.optim.Adam(self.pE, **ADAM)
        self.optG = torch.optim.Adam(self.pG, **ADAM)

    def jacobian_2x2(self, z):
        """J = [[a, b], [c, e]] = dG^ev/dz at every z (samples are independent in
        eval mode, so the gradient of the summed output k gives row k per sample),
        differentiable in phi and z. z must require grad."""
        self.G.eval()
        y = self.G(z)
        r1, = torch.autograd.grad(y[:, 0].sum(), z, create_graph=True)
        r2, = torch.autograd.grad(y[:, 1].sum(), z, create_graph=True)
        self.G.train()
        return r1[:, 0], r1[:, 1], r2[:, 0], r2[:, 1]

    def log_sigma_min(self, z):
        return log_sigma_min_2x2(*self.jacobian_2x2(z.detach().requires_grad_(True)))

    def energy_step(self, t):
        raise NotImplementedError

    def step(self, t):
        logs = self.energy_step(t)
        # generator step at a fresh z': adversarial term with G^tr, entropy with G^ev
        z = randn(B, self.d)
        adv = self.E(self.G(z)).mean()
        H = self.d * self.log_sigma_min(z).mean()
        loss_g = adv - self.w_H * H
        self.optG.zero_grad(set_to_none=True)
        loss_g.backward(inputs=self.pG)
        self.optG.step()
        return {**logs, "loss_g": loss_g, "entropy": H}

    def minimize_energy(self, loss):
        self.optE.zero_grad(set_to_none=True)
        loss.backward(inputs=self.pE)
        self.optE.step()

    def named_state(self):
        return {**self.E.named_state("energy"), **generator_state(self.G, "generator")}

    def samples(self, n):
        self.G.eval()
        with torch.no_grad():
            x = self.G(torch.randn(n, self.d))
        self.G.train()
        return x

    def energy(self, x):
        self.E.eval()
        with torch.no_grad():
            e = self.E(x)
        self.E.train()
        return e


class EBM0GP(Minimax):
    """ebm-0gp (method_bb.lua zero_gp): fakes constant for theta, zero-centred
    gradient penalty on real data with the decaying weight."""

    def energy_step(self, t):
        x = data(B).requires_grad_(True)
        with torch.no_grad():
            fake = self.G(randn(B, self.d))   # G^tr forward: updates the BN statistics
        ex, ef = self.E(x), self.E(fake)
        gx, = torch.autograd.grad(ex.sum(), x, create_graph=True)
        penalty = (gx * gx).sum(1).mean()
        loss_e = ex.mean() - ef.mean() + paper_weight(t) * penalty
        self.minimize_energy(loss_e)
        return {"loss_e": loss_e, "e_data": ex.mean(), "e_fake": ef.mean(), "penalty": penalty}


class BBSVGP(Minimax):
    """bb-sv-gp (method_bb.lua with bound_sv.lua and bound_gp.lua, §3c): the
    energy minimises mean E(x) - mean E(sg(x~)) + relu(lambda_t P - tau), tau = 0
    (paper), P = 1/(2B) sum_b (<grad_x E(x~_b), w_b> - g_b)^2 with
    w_b = sg(J^ev(z_b) v_b), g_b = <sg(q_b), v_b>, q_b = z_b + d grad_z log sigma_min
    (`mins`, second order; zero a.e. for this piecewise-linear G, computed anyway)."""
    tau = 0.0

    def energy_step(self, t):
        x = data(B)
        z = randn(B, self.d)
        with torch.no_grad():
            fake = self.G(z)                         # G^tr forward: updates the BN statistics
        ex = self.E(x)
        xt = fake.requires_grad_(True)
        ef = self.E(xt)
        sb, = torch.autograd.grad(ef.sum(), xt, create_graph=True)   # differentiable in theta
        v = randn(B, self.d)
        zq = z.detach().requires_grad_(True)
        a, b, c, e = self.jacobian_2x2(zq)
        lsm = log_sigma_min_2x2(a, b, c, e)
        dz, = torch.autograd.grad(lsm.sum(), zq, allow_unused=True)
        q = z + self.d * (dz if dz is not None else torch.zeros_like(z))
        w = torch.stack([a * v[:, 0] + b * v[:, 1], c * v[:, 0] + e * v[:, 1]], 1).detach()   # J^ev v
        g = (q.detach() * v).sum(1)
        r = (sb * w).sum(1) - g
        P = (r * r).sum() / (2 * B)
        R = torch.relu(paper_weight(t) * P - self.tau)
        loss_e = ex.mean() - ef.mean() + R
        self.minimize_energy(loss_e)
        return {"loss_e": loss_e, "e_data": ex.mean(), "e_fake": ef.mean(), "P": P, "R": R}


class BBMIGP(Minimax):
    """bb-mi-gp (method_bb.lua with bound_mi.lua and bound_gp.lua, §3b, §3c): the
    generator has output noise x = G(z) + sigma eps and, jointly with the encoder
    q(z | x) (one Adam over both), maximises mean log q(z' | x~'); the energy
    minimises bound (c) with the score q_b = z + grad_z log q(z | G^ev(z) + sigma eps)
    (total derivative, eps fixed), probe v_b ~ N(0, I), w_b = sg(J^ev v_b)."""
    sigma, tau = 0.01, 0.0

    def __init__(self, width=100):
        super().__init__()
        self.Q = nn.Sequential(nn.Linear(D, width), nn.PReLU(), nn.Linear(width, width), nn.PReLU(),
                               nn.Linear(width, 2 * self.d))
        self.pG = self.pG + list(self.Q.parameters())
        self.optG = torch.optim.Adam(self.pG, **ADAM)

    def log_q(self, z, x):
        h = self.Q(x)
        mu, l = h[:, :self.d], h[:, self.d:].clamp(-16, 4)
        return -0.5 * (math.log(2 * math.pi) + l + (z - mu) ** 2 * torch.exp(-l)).sum(1)

    def energy_step(self, t):
        x = data(B)
        z, eps = randn(B, self.d), randn(B, D)
        with torch.no_grad():
            fake = self.G(z) + self.sigma * eps      # G^tr forward: updates the BN statistics
        ex = self.E(x)
        xt = fake.requires_grad_(True)
        ef = self.E(xt)
        sb, = torch.autograd.grad(ef.sum(), xt, create_graph=True)   # differentiable in theta
        v = randn(B, self.d)
        zq = z.detach().requires_grad_(True)
        a, b, c, e = self.jacobian_2x2(zq)
        w = torch.stack([a * v[:, 0] + b * v[:, 1], c * v[:, 0] + e * v[:, 1]], 1).detach()   # J^ev v
        self.G.eval()
        lq = self.log_q(zq, self.G(zq) + self.sigma * eps)
        self.G.train()
        dz, = torch.autograd.grad(lq.sum(), zq)
        g = ((z + dz).detach() * v).sum(1)
        r = (sb * w).sum(1) - g
        P = (r * r).sum() / (2 * B)
        R = torch.relu(paper_weight(t) * P - self.tau)
        loss_e = ex.mean() - ef.mean() + R
        self.minimize_energy(loss_e)
        return {"loss_e": loss_e, "e_data": ex.mean(), "e_fake": ef.mean(), "P": P, "R": R}

    def step(self, t):
        logs = self.energy_step(t)
        z, eps = randn(B, self.d), randn(B, D)
        x = self.G(z) + self.sigma * eps              # G^tr
        adv = self.E(x).mean()
        H = self.log_q(z, x).mean()
        loss_g = adv - self.w_H * H
        self.optG.zero_grad(set_to_none=True)
        loss_g.backward(inputs=self.pG)
        self.optG.step()
        return {**logs, "loss_g": loss_g, "entropy": H}

    def samples(self, n):
        return super().samples(n) + self.sigma * torch.randn(n, D)

    def named_state(self):
        d = super().named_state()
        for i in range(3):
            n = "encoder.fc%d." % (i + 1)
            d.update({n + "weight": self.Q[2 * i].weight, n + "bias": self.Q[2 * i].bias})
            if i < 2:
                d["encoder.act%d.weight" % (i + 1)] = self.Q[2 * i + 1].weight
        return d


# ---- ddaebm, toy code defaults (methods.md §5, §8; generator/lua/method_ddaebm.lua) ----
def vp_schedule(T, beta_min, beta_max):
    """DDGAN's discretised VP-SDE (§5.1, generator/lua/diffusion.lua): per level
    j = 0..T beta, a, abar, sigma_cum; per step k = 0..T-1 c1, c2, pvar."""
    def var(t):
        return 1 - math.exp(-0.5 * t * t * (beta_max - beta_min) - t * beta_min)
    abar_l = [1 - var(j / T * (1 - 1e-3) + 1e-3) for j in range(T + 1)]
    beta = [1 - abar_l[0]] + [1 - abar_l[j] / abar_l[j - 1] for j in range(1, T + 1)]
    abar, prod = [], 1.0
    for j in range(T + 1):
        prod *= 1 - beta[j]
        abar.append(prod)
    s = {"T": T, "beta": beta, "a": [math.sqrt(1 - b) for b in beta], "abar": abar,
         "sigma_cum": [math.sqrt(1 - ab) for ab in abar]}
    s["c1"] = [beta[k + 1] * math.sqrt(abar[k]) / (1 - abar[k + 1]) for k in range(T)]
    s["c2"] = [(1 - abar[k]) * math.sqrt(1 - beta[k + 1]) / (1 - abar[k + 1]) for k in range(T)]
    s["pvar"] = [beta[k + 1] * (1 - abar[k]) / (1 - abar[k + 1]) for k in range(T)]
    return s


def time_embedding(k, dim=16):
    """[sin(k w), cos(k w)], w_j = exp(-j ln(1e4) / (half - 1)), for integer steps k [n]."""
    half = dim // 2
    w = torch.exp(-torch.arange(half, dtype=torch.get_default_dtype()) * (math.log(1e4) / (half - 1)))
    arg = k.to(w.dtype).reshape(-1, 1) * w.reshape(1, -1)
    return torch.cat([torch.sin(arg), torch.cos(arg)], 1)


def layer_state(layers, p):
    """Our trainers' names (generator/lua/nets_diff.lua) of named Linear / PReLU / BN layers."""
    d = {}
    for name, m in layers:
        n = "%s.%s." % (p, name)
        if isinstance(m, nn.BatchNorm1d):
            d.update({n + "weight": m.weight, n + "bias": m.bias, n + "running_mean": m.running_mean,
                      n + "running_var": m.running_var})
        elif isinstance(m, nn.Linear):
            d.update({n + "weight": m.weight, n + "bias": m.bias})
        else:
            d[n + "weight"] = m.weight
    return d


class DiffTrunk(nn.Module):
    """x-branch Linear(nin,16)[-BN]-PReLU-Linear(16,32); t-branch Linear(16,16)-PReLU-Linear(16,32);
    concat(64)-Linear(64,w)[-BN]-PReLU-Linear(w,w)[-BN]-PReLU-Linear(w,nout) (§8 DDAEBM toy)."""

    def __init__(self, nin, nout, bn, width=300, temb=16):
        super().__init__()
        def seq(spec):
            spec = [(n, m) for n, m in spec if m is not None]
            self.layers.extend(spec)
            return nn.Sequential(*[m for _, m in spec])
        self.layers = []
        norm = (lambda n: nn.BatchNorm1d(n)) if bn else (lambda n: None)
        self.xb = seq([("x1", nn.Linear(nin, 16)), ("xbn1", norm(16)), ("xact1", nn.PReLU()), ("x2", nn.Linear(16, 32))])
        self.tb = seq([("t1", nn.Linear(temb, 16)), ("tact1", nn.PReLU()), ("t2", nn.Linear(16, 32))])
        self.head = seq([("h1", nn.Linear(64, width)), ("hbn1", norm(width)), ("hact1", nn.PReLU()),
                         ("h2", nn.Linear(width, width)), ("hbn2", norm(width)), ("hact2", nn.PReLU()),
                         ("h3", nn.Linear(width, nout))])

    def forward(self, x, emb):
        return self.head(torch.cat([self.xb(x), self.tb(emb)], 1))


class DiffEncoder(nn.Module):
    """q(z | x_c, x_n, k): the trunk ending in Linear(w, 16), then mu, logvar = Linear(16, nz) each."""

    def __init__(self, nz=2, bn=True):
        super().__init__()
        self.trunk = DiffTrunk(4, 16, bn=bn)
        self.mu, self.logvar = nn.Linear(16, nz), nn.Linear(16, nz)

    def forward(self, xc, xn, emb):
        h = self.trunk(torch.cat([xc, xn], 1), emb)
        return self.mu(h), self.logvar(h)


class batch_statistics:
    """BN `batch` mode of our nets: normalise with batch statistics without
    touching the running ones (momentum 0 leaves them exactly as they are)."""

    def __init__(self, net):
        self.bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm1d)]

    def __enter__(self):
        self.saved = [m.momentum for m in self.bns]
        for m in self.bns:
            m.momentum = 0.0

    def __exit__(self, *exc):
        for m, s in zip(self.bns, self.saved):
            m.momentum = s


def uniform_k(T):
    """k ~ U{0..T-1} per row, from one uniform each (generator/lua/diffusion.lua random_k)."""
    return torch.clamp((uniform(B, 1) * T).floor().long().reshape(-1), max=T - 1)


def log_normal(x, mu, v):
    """log N(x; mu, v I) per row, v a column [n, 1]."""
    d = x - mu
    return -0.5 * x.shape[1] * torch.log(2 * math.pi * v).reshape(-1) - (d * d).sum(1) / (2 * v.reshape(-1))


class DiffusionPairs:
    """What ddaebm and the bb-*-diff methods share: the schedule's per-step
    constants (columns indexed by k, §5.1-5.3) and the training pairs (§5.2)
    drawn in our trainers' order: k, the data batch, eps1, eps2."""

    def __init__(self, T, beta_min, beta_max):
        S = self.S = vp_schedule(T, beta_min, beta_max)
        col = lambda v: torch.tensor(v, dtype=torch.get_default_dtype()).reshape(-1, 1)
        self.col = col
        self.sqrt_abar, self.sigma_cum = col([math.sqrt(S["abar"][k]) for k in range(T)]), col(S["sigma_cum"][:T])
        self.a_n, self.b_n = col(S["a"][1:]), col(S["beta"][1:])
        self.c1, self.c2, self.pvar = col(S["c1"]), col(S["c2"]), col(S["pvar"])
        self.emb = time_embedding(torch.arange(T))

    def pairs(self):
        """k [B], its time embedding, x_c and x_n."""
        k = uniform_k(self.T)
        x0 = data(B)
        xc = self.sqrt_abar[k] * x0 + self.sigma_cum[k] * randn(B, D)
        xn = self.a_n[k] * xc + self.b_n[k].sqrt() * randn(B, D)
        return k, self.emb[k], xc, xn


class DDAEBM(DiffusionPairs):
    """One iteration: the energy step (§5.3, R1 on real pairs), then the generator +
    encoder step (§5.4) on the same draws (k, pairs, z, the fake x~_c). The fake is
    computed once in train mode (our trainer recomputes it in its generator phase
    with batch statistics: the same values)."""
    T, beta_min, beta_max, nz = 4, 0.01, 0.1, 2
    r1_gamma, w_ent, rec_floor = 0.02, 0.1, 1e-2
    adam = dict(lr=1e-4, betas=(0.0, 0.9), eps=1e-8)
    sample_batch = 1000

    def __init__(self):
        super().__init__(self.T, self.beta_min, self.beta_max)
        S, T, col = self.S, self.T, self.col
        self.noise = col([math.sqrt(S["pvar"][k]) if k > 0 else 0.0 for k in range(T)])
        self.rec_var = col([max(p, self.rec_floor) for p in S["pvar"]])
        self.f = DiffTrunk(2, 1, bn=False)
        self.G = DiffTrunk(2 + self.nz, 2, bn=True)
        self.q = DiffEncoder(self.nz)
        self.pf = list(self.f.parameters())
        self.pg = list(self.G.parameters()) + list(self.q.parameters())
        self.optE = torch.optim.Adam(self.pf, **self.adam)
        self.optG = torch.optim.Adam(self.pg, **self.adam)

    def energy_of(self, x, emb):
        return self.f(x, emb).reshape(-1)

    def gen(self, xn, z, emb):
        return self.G(torch.cat([xn, z], 1), emb)

    def step(self, t):
        k, emb, xc, xn = self.pairs()
        z, eps3 = randn(B, self.nz), randn(B, D)
        c1, c2, a_n, b_n = self.c1[k], self.c2[k], self.a_n[k], self.b_n[k]
        fake = c1 * self.gen(xn, z, emb) + c2 * xn + self.noise[k] * eps3   # G^tr: updates the BN statistics
        # energy step: -mean f(x_c) + mean f(sg(x~_c)) + gamma/2 mean |g|^2, g = grad of the real pair's log-density
        xr = xc.detach().requires_grad_(True)
        fr, ff = self.energy_of(xr, emb), self.energy_of(fake.detach(), emb)
        loss_e = (ff - fr).mean()
        gx, = torch.autograd.grad(fr.sum(), xr, create_graph=True)
        g = gx + a_n / b_n * (xn - a_n * xc)
        r1 = (g * g).sum(1).mean()
        loss_e = loss_e + self.r1_gamma / 2 * r1
        self.optE.zero_grad(set_to_none=True)
        loss_e.backward(inputs=self.pf)
        self.optE.step()
        # generator + encoder step (theta frozen, the fake not detached)
        EF = (self.energy_of(fake, emb) + log_normal(xn, a_n * fake, b_n)).mean()
        mu, lv = self.q(fake, xn, emb)
        nll = 0.5 * lv.sum(1) + 0.5 * ((z - mu) ** 2 / (1e-6 + torch.exp(lv))).sum(1)
        ent = self.w_ent * nll.mean()
        mp, lp = self.q(xc, xn, emb)              # ELBO of the real pair's conditional NLL
        zpos = mp + torch.exp(0.5 * lp) * randn(B, self.nz)
        rec = -log_normal(xc, c1 * self.gen(xn, zpos, emb) + c2 * xn, self.rec_var[k]).mean()
        kl = (-0.5 * (1 + lp - mp * mp - torch.exp(lp)).sum(1)).mean()
        loss_g = -EF + ent + rec + kl
        self.optG.zero_grad(set_to_none=True)
        loss_g.backward(inputs=self.pg)
        self.optG.step()
        return {"loss_e": loss_e, "r1": r1, "f_data": fr.mean(), "f_fake": ff.mean(), "loss_g": loss_g,
                "f_gen": EF, "ent_nll": ent, "rec": rec, "kl": kl}

    def samples(self, n):
        """The generator chain of §5.5 from x_T ~ N(0, I), posterior noise at k > 0,
        batches of 1000 with batch statistics (running ones untouched)."""
        out = []
        with torch.no_grad(), batch_statistics(self.G):
            for i in range(0, n, self.sample_batch):
                m = min(self.sample_batch, n - i)
                x = torch.randn(m, D)
                for k in range(self.T - 1, -1, -1):
                    kk = torch.full((m,), k, dtype=torch.long)
                    x0 = self.gen(x, torch.randn(m, self.nz), self.emb[kk])
                    x = self.c1[k] * x0 + self.c2[k] * x + self.noise[k] * torch.randn(m, D)
                out.append(x)
        return torch.cat(out)

    def energy(self, x):
        """-f(x, 0): the reported density is exp(f(., 0)) (§3d, §7.1)."""
        with torch.no_grad():
            return -self.energy_of(x, self.emb[torch.zeros(x.shape[0], dtype=torch.long)])

    def named_state(self):
        return {**layer_state(self.f.layers, "energy"), **layer_state(self.G.layers, "generator"),
                **layer_state(self.q.trunk.layers + [("mu", self.q.mu), ("logvar", self.q.logvar)], "encoder")}


class BBDiff(DiffusionPairs):
    """bb-sv-diff (kind "a") and bb-mi-diff ("b"), methods.md §3d, written from
    the spec, not from generator/lua/method_diff.lua. Per step k the conditional
    EBM exp(f(y, k)) N(x_n; a_{k+1} y, beta_{k+1} I) and the per-step generator
    as its proposal, M draws per pair (x_c, x_n):
      A_b = mean_m lambda_lo,  C_b = 1/2 [logsumexp_m 2 lambda_up - log M];
      energy:    mean_b -f(x_c, k) + mean_b C_b, the proposal detached;
      generator: -mean [f(y) + log N(x_n; a y, beta I)] - w_H mean ent,
                 ent = log q(z | y, x_n, k) (b) or D log sigma_min(J_z) (a).
    Both steps use the same draws; the nets are DDAEBM's without BatchNorm."""
    T, beta_min, beta_max, nz, M, w_H = 4, 0.1, 20.0, 2, 8, 1.0
    adam = dict(lr=1e-4, betas=(0.0, 0.9), eps=1e-8)
    sample_batch = 1000

    def __init__(self, kind):
        super().__init__(self.T, self.beta_min, self.beta_max)
        self.kind = kind
        self.f = DiffTrunk(2, 1, bn=False)
        self.G = DiffTrunk(2 + self.nz, 2, bn=False)
        self.q = DiffEncoder(self.nz, bn=False) if kind == "b" else None
        self.pf = list(self.f.parameters())
        self.pg = list(self.G.parameters()) + (list(self.q.parameters()) if self.q else [])
        self.optE = torch.optim.Adam(self.pf, **self.adam)
        self.optG = torch.optim.Adam(self.pg, **self.adam)

    def neg_cond_energy(self, y, xn, k, emb):
        """-E~(y; x_n, k) = f(y, k) + log N(x_n; a_{k+1} y, beta_{k+1} I)."""
        return self.f(y, emb).reshape(-1) + log_normal(xn, self.a_n[k] * y, self.b_n[k])

    def proposal(self, xn, k, emb, z, eps):
        """y and the proposal's parts of the log-weights: lambda = -E~(y) + w."""
        c1, c2 = self.c1[k], self.c2[k]
        log_nz = -0.5 * self.nz * math.log(2 * math.pi) - 0.5 * (z * z).sum(1)
        if self.kind == "b":
            y = c1 * self.G(torch.cat([xn, z], 1), emb) + c2 * xn + self.pvar[k].sqrt() * eps
            mu, lv = self.q(y, xn, emb)
            lv = lv.clamp(-16, 4)                                    # §10.9
            log_q = -0.5 * (math.log(2 * math.pi) + lv + (z - mu) ** 2 * torch.exp(-lv)).sum(1)
            log_ny = -0.5 * D * torch.log(2 * math.pi * self.pvar[k]).reshape(-1) - 0.5 * (eps * eps).sum(1)
            w = log_q - log_nz - log_ny
            return y, w, w, log_q
        z = z.detach().requires_grad_(True)
        g = self.G(torch.cat([xn, z], 1), emb)                       # no BN: rows are independent
        r1, = torch.autograd.grad(g[:, 0].sum(), z, create_graph=True)
        r2, = torch.autograd.grad(g[:, 1].sum(), z, create_graph=True)
        a, b, c, e = r1[:, 0], r1[:, 1], r2[:, 0], r2[:, 1]
        log_c1 = D * torch.log(c1).reshape(-1)
        log_smin = log_sigma_min_2x2(a, b, c, e)
        log_det = torch.log(torch.abs(a * e - b * c))
        return c1 * g + c2 * xn, log_c1 - log_nz + D * log_smin, log_c1 - log_nz + log_det, D * log_smin

    def step(self, t):
        m = self.M
        k, emb, xc, xn = self.pairs()
        z, eps = randn(B * m, self.nz), randn(B * m, D)
        kr, embr, xnr = k.repeat_interleave(m), emb.repeat_interleave(m, 0), xn.repeat_interleave(m, 0)
        y, w_lo, w_up, ent = self.proposal(xnr, kr, embr, z, eps)
        # energy step (theta): the proposal and its weights are constants
        fr = self.f(xc, emb).reshape(-1)
        ne = self.neg_cond_energy(y.detach(), xnr, kr, embr)
        A = (ne + w_lo.detach()).reshape(B, m).mean(1)
        C = 0.5 * (torch.logsumexp(2 * (ne + w_up.detach()).reshape(B, m), 1) - math.log(m))
        loss_e = C.mean() - fr.mean()
        e_data = -(fr + log_normal(xn, self.a_n[k] * xc, self.b_n[k])).mean()
        self.optE.zero_grad(set_to_none=True)
        loss_e.backward(inputs=self.pf)
        self.optE.step()
        # generator step (phi, psi; theta frozen, y reparameterised), the same draws
        adv = self.neg_cond_energy(y, xnr, kr, embr).mean()
        H = ent.mean()
        loss_g = -adv - self.w_H * H
        self.optG.zero_grad(set_to_none=True)
        loss_g.backward(inputs=self.pg)
        self.optG.step()
        return {"loss_e": loss_e, "l_lo": e_data + A.mean(), "l_up": e_data + C.mean(), "gap": (C - A).mean(),
                "loss_g": loss_g, "entropy": H}

    def samples(self, n):
        """The generator chain from x_T ~ N(0, I); (b) adds posterior noise at k > 0."""
        out = []
        with torch.no_grad():
            for i in range(0, n, self.sample_batch):
                m = min(self.sample_batch, n - i)
                x = torch.randn(m, D)
                for k in range(self.T - 1, -1, -1):
                    kk = torch.full((m,), k, dtype=torch.long)
                    x = self.c1[k] * self.G(torch.cat([x, torch.randn(m, self.nz)], 1), self.emb[kk]) + self.c2[k] * x
                    if self.kind == "b" and k > 0:
                        x = x + self.pvar[k].sqrt() * torch.randn(m, D)
                out.append(x)
        return torch.cat(out)

    def energy(self, x):
        """-f(x, 0): the reported density is exp(f(., 0))."""
        with torch.no_grad():
            return -self.f(x, self.emb[torch.zeros(x.shape[0], dtype=torch.long)]).reshape(-1)

    def named_state(self):
        d = {**layer_state(self.f.layers, "energy"), **layer_state(self.G.layers, "generator")}
        if self.q:
            d.update(layer_state(self.q.trunk.layers + [("mu", self.q.mu), ("logvar", self.q.logvar)], "encoder"))
        return d


METHODS = {"mle-langevin": lambda: MLE(), "mle-gd": lambda: MLEGD(), "ebm-0gp": lambda: EBM0GP(), "bb-sv-gp": lambda: BBSVGP(),
           "bb-mi-gp": lambda: BBMIGP(), "ddaebm": lambda: DDAEBM(), "bb-sv-diff": lambda: BBDiff("a"), "bb-mi-diff": lambda: BBDiff("b")}


REPLAYS = ("ebm-0gp", "bb-sv-gp", "ddaebm", "bb-sv-diff", "bb-mi-diff")   # methods whose draws --replay reproduces


# ---- our checkpoints (safetensors) ------------------------------------------
def read_safetensors(path):
    """The float32 tensors of a safetensors file (our checkpoints, save_state's files): name -> flat torch tensor."""
    import json as _json
    import struct
    with open(path, "rb") as f:
        n, = struct.unpack("<Q", f.read(8))
        header = _json.loads(f.read(n))
        blob = f.read()
    out = {}
    for k, h in header.items():
        if k != "__metadata__" and h["dtype"] == "F32":
            b, e = h["data_offsets"]
            out[k] = torch.frombuffer(bytearray(blob[b:e]), dtype=torch.float32)
    return out


def load_ckpt(model, path, perturb=0.0):
    """Sets the model's parameters and buffers from one of our trainers'
    ckpt.safetensors (same names as `train-cpu info`); optimiser state is not loaded."""
    tensors = read_safetensors(path)
    state = model.named_state()
    missing = [k for k in state if k not in tensors]
    if missing:
        raise SystemExit("%s: no float32 %s" % (path, ", ".join(missing)))
    with torch.no_grad():
        for k, t in state.items():
            v = tensors[k]
            if v.numel() != t.numel():
                raise SystemExit("%s: %s has %d values, the torch model %d" % (path, k, v.numel(), t.numel()))
            t.copy_(v.reshape(t.shape).to(t.dtype) * (1 + perturb))


def save_state(model, path):
    """The model's parameters and buffers as float32 safetensors, under our names."""
    import json as _json
    import struct
    header, blobs, off = {}, [], 0
    for k, t in sorted(model.named_state().items()):
        b = t.detach().to(torch.float32).cpu().contiguous().numpy().tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = _json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---- .npy without numpy ------------------------------------------------------
def write_npy(path, t):
    t = t.detach().to(torch.float32).cpu().contiguous()
    shape = tuple(t.shape)
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (
        "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(str(s) for s in shape) + ")")
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    try:
        import numpy  # noqa: F401  (python3-torch depends on python3-numpy)
        data = t.numpy().astype("<f4").tobytes()
    except ImportError:
        import array
        a = array.array("f", t.flatten().tolist())
        if sys.byteorder != "little":
            a.byteswap()
        data = a.tobytes()
    with open(path + ".tmp", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1"))
        f.write(data)
    os.replace(path + ".tmp", path)


def energy_grid(model, R=256, r=4.0):
    h = 2 * r / R
    c = -r + (torch.arange(R, dtype=torch.float64) + 0.5) * h
    yy, xx = torch.meshgrid(c, c, indexing="ij")           # row = y, column = x
    pts = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1).float().to(torch.get_default_dtype())
    return torch.cat([model.energy(p) for p in pts.split(4096)]).reshape(R, R)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", required=True, choices=sorted(METHODS))
    ap.add_argument("--iters", type=int, default=1000, help="timed iterations (without --seconds)")
    ap.add_argument("--seconds", type=float, default=0, help="time the loop for this long instead of --iters")
    ap.add_argument("--warmup", type=int, default=20, help="untimed iterations first")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (intra-op, OpenMP)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default="25gaussians", choices=sorted(DATASETS), help="toy data set (methods.md §6)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--log-every", type=int, default=10, help="with --out: log every K timed iterations")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--compile", action="store_true", help="torch.compile the training step")
    ap.add_argument("--trace-autograd-ops", action="store_true",
                    help="with --compile: torch._dynamo.config.trace_autograd_ops = True (torch >= 2.10), so that "
                         "dynamo traces torch.autograd.grad instead of breaking the graph there")
    ap.add_argument("--load", metavar="CKPT", default=None,
                    help="start from one of our trainers' ckpt.safetensors (parameters and buffers)")
    ap.add_argument("--replay", action="store_true",
                    help="ebm-0gp, bb-sv-gp, ddaebm, bb-sv-diff, bb-mi-diff: draw the data and noise our trainer draws with --seed "
                         "(bench/philox_replay.py), for a step-by-step comparison")
    ap.add_argument("--perturb", type=float, default=0.0, metavar="EPS",
                    help="with --load: scale every loaded value by 1 + EPS (a roundoff-sized control for --replay)")
    ap.add_argument("--f64", action="store_true", help="compute in double precision (a roundoff control for --replay)")
    ap.add_argument("--save-state", metavar="PATH", default=None,
                    help="write the final parameters and buffers under our trainers' names (safetensors)")
    a = ap.parse_args()
    if a.log_every <= 0:
        ap.error("--log-every must be positive")

    global data, randn, uniform
    data = DATASETS[a.data]
    replay = None
    if a.replay:
        if a.method not in REPLAYS:
            ap.error("--replay supports " + ", ".join(REPLAYS))
        import philox_replay
        replay = philox_replay.Replay(a.data, a.seed)
        data, randn, uniform = replay.data, replay.randn, replay.uniform
    torch.set_num_threads(a.threads)
    if a.f64:
        torch.set_default_dtype(torch.float64)
    torch.manual_seed(a.seed)
    global _modes
    if (a.compile and not hasattr(torch, "compile")) or (a.device != "cpu" and not hasattr(torch, "set_default_device")):
        ap.error("--device and --compile need torch >= 2.0 (this is %s)" % torch.__version__)
    if a.device != "cpu":
        torch.set_default_device(a.device)   # every tensor below, modules included, on the GPU
        _modes = _modes.to(a.device)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)
    model = METHODS[a.method]()
    if a.compile:
        if a.trace_autograd_ops:
            if not hasattr(torch._dynamo.config, "trace_autograd_ops"):
                ap.error("--trace-autograd-ops: this torch (%s) has no torch._dynamo.config.trace_autograd_ops" % torch.__version__)
            torch._dynamo.config.trace_autograd_ops = True
        model.step = torch.compile(model.step)
    if a.load:
        load_ckpt(model, a.load, a.perturb)
    log = None
    if a.out:  # written as training goes, like our trainers' log.jsonl
        os.makedirs(a.out, exist_ok=True)
        log = open(os.path.join(a.out, "log.jsonl"), "w", buffering=1)
    t = 0
    for _ in range(a.warmup):
        if replay:
            replay.begin(t)
        model.step(t)
        t += 1
    sync()
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    marks = [t0]                       # wall clock every 10 timed iterations, as our trainers' log windows
    logs = {}
    while a.seconds > 0 or n < a.iters:
        if replay:
            replay.begin(t)
        logs = model.step(t)
        t += 1
        n += 1
        if n % 10 == 0:
            sync()
            marks.append(time.perf_counter())
        if n % 10 == 0 or (log and n % a.log_every == 0):
            vals = {k: v.item() for k, v in logs.items()}
            if not all(math.isfinite(v) for v in vals.values()):
                print(json.dumps({"error": "non-finite loss at step %d" % t, **vals}))
                return 3
            if log and n % a.log_every == 0:
                log.write(json.dumps({"iter": t, **vals}) + "\n")
        el = time.perf_counter() - t0
        if (a.seconds > 0 and el >= a.seconds) or (a.seconds <= 0 and n >= a.iters):
            break
    sync()
    el, cpu = time.perf_counter() - t0, time.process_time() - c0
    win = sorted(10 / (q - p) for p, q in zip(marks, marks[1:]))
    res = {
        "method": a.method, "data": a.data, "steps_per_s": n / el if n else None,
        "window_steps_per_s_median": win[len(win) // 2] if win else None, "timed_iters": n, "timed_s": el, "timed_cpu_s": cpu, "warmup_iters": a.warmup,
        "device": a.device, "compiled": a.compile, "torch_version": torch.__version__, "torch_num_threads": torch.get_num_threads(),
        "torch_num_interop_threads": torch.get_num_interop_threads(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "last": {k: v.item() for k, v in logs.items()},
    }
    if a.save_state:
        save_state(model, a.save_state)
    if a.out:
        log.close()
        write_npy(os.path.join(a.out, "samples.npy"), model.samples(2000))
        write_npy(os.path.join(a.out, "energy_grid.npy"), energy_grid(model))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
