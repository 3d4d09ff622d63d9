"""JAX reference of six toy trainers for the peers benchmark (bench/peers.sh):
ebm-0gp, bb-sv-gp, bb-mi-gp, mle-langevin, ddaebm and bb-mi-diff, each
training step (both phases, gradient penalties, Jacobian terms, the Langevin
loop) compiled whole by one jax.jit, float32.

Written from shared/spec/methods.md (§2, §3a-§3e, §4, §5, §6, §8, the
`paper` preset of the minimax methods, the toy code defaults of ddaebm) and
the model files models/toy_{ebm0gp,bb,bb_mi,mle,ddaebm,bb_mi_diff}.lua:
the same nets and initialisation scheme (PyTorch defaults), batch 200,
hyper-parameters, Adam (PyTorch's update formula), losses and derivative
structure as bench/torch_toy.py and generator/lua/method_*.lua, with JAX's
own random numbers (same distributions; data: the 25gaussians / 8gaussians
samplers of §6). Spectral norm: one power iteration per train-mode call of
the energy, persistent u, v, as torch.nn.utils.spectral_norm and nn.lua.

  out/peers-venv/bin/python bench/jax_toy.py --method ebm-0gp --iters N [--seconds S]
      [--warmup W] [--seed S] [--data 25gaussians|8gaussians|unequal3] [--out DIR]

Timing: the step is compiled ahead of time (trace_lower_s: tracing and
lowering to HLO; compile_s: XLA compilation; both reported apart), then
--warmup steps run untimed, then the timed loop (--iters steps, or --seconds of them), each step one call of the
compiled executable with the state donated; steps_per_s and the median rate
over 10-step windows are printed as one JSON object, like torch_toy.py,
with timed_cpu_s (the process's CPU time in the timed loop).
Threads: pin with taskset and XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
(bench/peers.sh does).
With --out, also DIR/samples.npy (2000 samples, float32 [2000, 2]) and
DIR/energy_grid.npy (float32 [256, 256] energies at the cell centres of
[-4, 4]^2, row = y, column = x; ddaebm and bb-mi-diff: -f(x, 0)), the layout
of torch_toy.py --out, for `train-cpu eval --from DIR`.
"""
import argparse
import json
import math
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

B, D = 200, 2
LOG_2PI = math.log(2 * math.pi)
sg = jax.lax.stop_gradient


# ---- data (methods.md §6) -----------------------------------------------------
_MODES = jnp.array([[2.0 * i, 2.0 * j] for i in range(-2, 3) for j in range(-2, 3)], jnp.float32)


def gaussians25(key, n, std=0.05):
    """ceil(n/25) rounds over the 25 modes, first n, + std N(0, 1), shuffled, / 2.828."""
    k1, k2 = jax.random.split(key)
    rounds = -(-n // 25)
    x = jnp.tile(_MODES, (rounds, 1))[:n] + std * jax.random.normal(k1, (n, 2))
    return jax.random.permutation(k2, x) / 2.828


def gaussians8(key, n, radius=4.0, std=0.5):
    s = 1 / math.sqrt(2)
    u = jnp.array([[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]], jnp.float32)
    k1, k2 = jax.random.split(key)
    idx = jax.random.randint(k1, (n,), 0, 8)
    return (radius * u[idx] + std * jax.random.normal(k2, (n, 2))) / 1.414


_U3_C = jnp.array([[0.0, 2.0], [-math.sqrt(3), -1.0], [math.sqrt(3), -1.0]], jnp.float32)


def unequal3(key, n):
    """weights 0.6 / 0.3 / 0.1, centres at radius 2, std 0.3 (runtime/toy_data.c)"""
    k1, k2 = jax.random.split(key)
    idx = jax.random.choice(k1, 3, (n,), p=jnp.array([0.6, 0.3, 0.1]))
    return _U3_C[idx] + 0.3 * jax.random.normal(k2, (n, 2))


DATASETS = {"25gaussians": gaussians25, "8gaussians": gaussians8, "unequal3": unequal3}
data = gaussians25


# ---- layers (PyTorch default initialisation, methods.md §8) --------------------
def linear_init(key, nin, nout):
    kw, kb = jax.random.split(key)
    bd = 1 / math.sqrt(nin)
    return {"w": jax.random.uniform(kw, (nout, nin), jnp.float32, -bd, bd),
            "b": jax.random.uniform(kb, (nout,), jnp.float32, -bd, bd)}


def linear(p, x, w=None):
    return x @ (p["w"] if w is None else w).T + p["b"]


def prelu(a, x):
    return jnp.where(x >= 0, x, a * x)


def bn_init(n):
    return ({"g": jnp.ones(n), "b": jnp.zeros(n)}, {"mean": jnp.zeros(n), "var": jnp.ones(n)})


def batchnorm(p, st, x, train, eps=1e-5, mom=0.1):
    """Train: biased batch variance, running var updated with the unbiased one; eval: running stats.
    Returns (y, new running stats)."""
    if train:
        mu = x.mean(0)
        var = ((x - mu) ** 2).mean(0)
        n = x.shape[0]
        new = {"mean": (1 - mom) * st["mean"] + mom * sg(mu), "var": (1 - mom) * st["var"] + mom * sg(var) * n / (n - 1)}
        return (x - mu) / jnp.sqrt(var + eps) * p["g"] + p["b"], new
    return (x - st["mean"]) / jnp.sqrt(st["var"] + eps) * p["g"] + p["b"], st


def normalize(v):
    return v / jnp.maximum(jnp.sqrt(jnp.sum(v * v)), 1e-12)


def sn_weight(w, uv, train):
    """W / sigma with one power iteration on persistent u, v in train mode (u, v constants)."""
    u, v = uv
    if train:
        ws = sg(w)
        v = normalize(u @ ws)
        u = normalize(v @ ws.T)
    sigma = jnp.sum(sg(u) * (sg(v) @ w.T))
    return w / sigma, (u, v)


# ---- toy energy and generator (EBM-BB, §8) -------------------------------------
def toy_energy_init(key, act, sn, width=100):
    ks = jax.random.split(key, 7)
    p = {"fc1": linear_init(ks[0], 2, width), "fc2": linear_init(ks[1], width, width), "fc3": linear_init(ks[2], width, 1),
         "gain": jax.random.uniform(ks[3], (), jnp.float32, -1, 1)}
    if act == "prelu":
        p["a1"], p["a2"] = jnp.float32(0.25), jnp.float32(0.25)
    buf = None
    if sn:   # persistent u [rows], v [cols] per Linear, N(0, 1) as nn.lua
        dims = [(width, 2), (width, width), (1, width)]
        buf = [(jax.random.normal(jax.random.fold_in(ks[4], i), (r,)), jax.random.normal(jax.random.fold_in(ks[5], i), (c,)))
               for i, (r, c) in enumerate(dims)]
    return p, buf


def toy_energy(p, buf, x, act, train=True):
    """E(x) = g h(x) [n]; returns (E, new spectral-norm buffers)."""
    new = buf
    ws = [p["fc1"]["w"], p["fc2"]["w"], p["fc3"]["w"]]
    if buf is not None:
        outs = [sn_weight(w, uv, train) for w, uv in zip(ws, buf)]
        ws, new = [o[0] for o in outs], [o[1] for o in outs]
    f = (lambda h, a: prelu(a, h)) if act == "prelu" else (lambda h, a: jax.nn.silu(h))
    h = f(linear(p["fc1"], x, ws[0]), p.get("a1"))
    h = f(linear(p["fc2"], h, ws[1]), p.get("a2"))
    return (linear(p["fc3"], h, ws[2]) * p["gain"]).reshape(-1), new


def toy_generator_init(key, width=100, latent=2, out=2):
    ks = jax.random.split(key, 3)
    (g1, s1), (g2, s2) = bn_init(width), bn_init(width)
    p = {"fc1": linear_init(ks[0], latent, width), "fc2": linear_init(ks[1], width, width), "fc3": linear_init(ks[2], width, out),
         "a1": jnp.float32(0.25), "a2": jnp.float32(0.25), "bn1": g1, "bn2": g2}
    return p, {"bn1": s1, "bn2": s2}


def toy_generator(p, st, z, train):
    """Linear-PReLU-BN-Linear-PReLU-BN-Linear; returns (x, new BN running stats)."""
    h, s1 = batchnorm(p["bn1"], st["bn1"], prelu(p["a1"], linear(p["fc1"], z)), train)
    h, s2 = batchnorm(p["bn2"], st["bn2"], prelu(p["a2"], linear(p["fc2"], h)), train)
    return linear(p["fc3"], h), {"bn1": s1, "bn2": s2}


def toy_encoder_init(key, width=100, latent=2):
    ks = jax.random.split(key, 3)
    return {"fc1": linear_init(ks[0], 2, width), "fc2": linear_init(ks[1], width, width),
            "fc3": linear_init(ks[2], width, 2 * latent), "a1": jnp.float32(0.25), "a2": jnp.float32(0.25)}


def toy_encoder_log_q(p, z, x):
    """log q_psi(z | x) per row, l clamped to [-16, 4] (§3b)."""
    h = prelu(p["a1"], linear(p["fc1"], x))
    h = prelu(p["a2"], linear(p["fc2"], h))
    h = linear(p["fc3"], h)
    d = z.shape[1]
    mu, l = h[:, :d], jnp.clip(h[:, d:], -16, 4)
    return -0.5 * jnp.sum(LOG_2PI + l + (z - mu) ** 2 * jnp.exp(-l), 1)


# ---- Adam (PyTorch's formula) --------------------------------------------------
def adam_init(params):
    return {"m": jax.tree.map(jnp.zeros_like, params), "v": jax.tree.map(jnp.zeros_like, params), "t": jnp.int32(0)}


def adam_step(params, grads, st, lr, betas, eps):
    b1, b2 = betas
    t = st["t"] + 1
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, st["m"], grads)
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, st["v"], grads)
    tf = t.astype(jnp.float32)
    bc1, bc2 = 1 - b1 ** tf, 1 - b2 ** tf
    new = jax.tree.map(lambda p, m, v: p - (lr / bc1) * m / (jnp.sqrt(v) / jnp.sqrt(bc2) + eps), params, m, v)
    return new, {"m": m, "v": v, "t": t}


ADAM_BB = dict(lr=2e-4, betas=(0.0, 0.9), eps=1e-6)
ADAM_DIFF = dict(lr=1e-4, betas=(0.0, 0.9), eps=1e-8)


def log_sigma_min_2x2(a, b, c, e):
    """log 2 + log|ae - bc| - log(P + Q), P, Q guarded by 1e-24 (§3a, §10.1)."""
    P = jnp.sqrt((a + e) ** 2 + (c - b) ** 2 + 1e-24)
    Q = jnp.sqrt((a - e) ** 2 + (b + c) ** 2 + 1e-24)
    return math.log(2.0) + jnp.log(jnp.abs(a * e - b * c)) - jnp.log(P + Q)


def jacobian_2x2(g, z):
    """J = [[a, b], [c, e]] = dg/dz per row of a row-independent map g [n, 2] -> [n, 2] (two JVPs: columns)."""
    c1 = jax.jvp(g, (z,), (jnp.broadcast_to(jnp.array([1.0, 0.0]), z.shape),))[1]
    c2 = jax.jvp(g, (z,), (jnp.broadcast_to(jnp.array([0.0, 1.0]), z.shape),))[1]
    return c1[:, 0], c2[:, 0], c1[:, 1], c2[:, 1]


def paper_weight(t):
    return 0.7 * (2307.0 + t) ** -0.55


# ---- single-EBM minimax methods, preset `paper` (§2, §3a-§3c, §3e) -------------
class Minimax:
    """ebm-0gp, bb-sv-gp, bb-mi-gp: SN toy energy (PReLU), BN generator, one Adam each
    (bb-mi-gp: one Adam over generator and encoder). State: a dict of pytrees."""
    d, w_H, sigma = 2, 1.0, 0.01

    def __init__(self, method):
        self.method = method
        self.mi = method == "bb-mi-gp"

    def init(self, key):
        kE, kG, kQ = jax.random.split(key, 3)
        E, sn = toy_energy_init(kE, "prelu", sn=True)
        G, bn = toy_generator_init(kG)
        gen = {"G": G, "Q": toy_encoder_init(kQ)} if self.mi else {"G": G}
        return {"E": E, "sn": sn, "gen": gen, "bn": bn, "optE": adam_init(E), "optG": adam_init(gen)}

    def E(self, p, sn, x, train=True):
        return toy_energy(p, sn, x, "prelu", train)

    def draw(self, gen, bn, key, train):
        """x = G(z) [+ sigma eps] in the given BN mode; returns z, eps, x, new BN stats."""
        kz, ke = jax.random.split(key)
        z = jax.random.normal(kz, (B, self.d))
        x, bn = toy_generator(gen["G"], bn, z, train)
        eps = None
        if self.mi:
            eps = jax.random.normal(ke, (B, D))
            x = x + self.sigma * eps
        return z, eps, x, bn

    def entropy(self, gen, bn, z, x):
        """H^ without constants: (a) d mean log sigma_min(J^ev(z)); (b) mean log q(z | x)."""
        if self.mi:
            return jnp.mean(toy_encoder_log_q(gen["Q"], z, x))
        Gev = lambda zz: toy_generator(gen["G"], bn, zz, False)[0]
        return self.d * jnp.mean(log_sigma_min_2x2(*jacobian_2x2(Gev, z)))

    def energy_phase(self, s, key, t):
        kx, kd, kv = jax.random.split(key, 3)
        x = data(kx, B)
        z, eps, fake, bn = self.draw(s["gen"], s["bn"], kd, True)    # G^tr: updates the BN statistics
        fake = sg(fake)
        if self.method == "ebm-0gp":
            def loss_fn(pE):
                ex, vjp_x, sn = jax.vjp(lambda xx: self.E(pE, s["sn"], xx), x, has_aux=True)
                ef, sn = self.E(pE, sn, fake)
                gx = vjp_x(jnp.ones_like(ex))[0]          # per-sample grad_x E; its theta-gradient is a VJP of a VJP (D3)
                pen = jnp.mean(jnp.sum(gx * gx, 1))
                loss = jnp.mean(ex) - jnp.mean(ef) + paper_weight(t) * pen
                return loss, (sn, {"loss_e": loss, "e_data": jnp.mean(ex), "e_fake": jnp.mean(ef), "penalty": pen})
        else:
            # bound (c): w = sg(J^ev v), q = sg(z + grad_z[-log p^_g - log N(z)]) -- constants for theta
            G = s["gen"]["G"]
            Gev = lambda zz: toy_generator(G, bn, zz, False)[0]
            v = jax.random.normal(kv, (B, self.d))
            w = sg(jax.jvp(Gev, (z,), (v,))[1])
            if self.mi:   # q = z + grad_z log q_psi(z | G^ev(z) + sigma eps), total derivative
                dz = jax.grad(lambda zz: jnp.sum(toy_encoder_log_q(s["gen"]["Q"], zz, Gev(zz) + self.sigma * eps)))(z)
                q = z + dz
            else:         # `mins`: q = z + d grad_z log sigma_min (second order)
                dz = jax.grad(lambda zz: jnp.sum(log_sigma_min_2x2(*jacobian_2x2(Gev, zz))))(z)
                q = z + self.d * dz
            g = jnp.sum(sg(q) * v, 1)

            def loss_fn(pE):
                ex, sn = self.E(pE, s["sn"], x)
                ef, vjp_f, sn = jax.vjp(lambda xx: self.E(pE, sn, xx), fake, has_aux=True)
                sb = vjp_f(jnp.ones_like(ef))[0]          # s_b = grad_x E at the fakes, differentiable in theta (D4)
                r = jnp.sum(sb * w, 1) - g
                P = jnp.sum(r * r) / (2 * B)
                R = jax.nn.relu(paper_weight(t) * P - 0.0)
                loss = jnp.mean(ex) - jnp.mean(ef) + R
                return loss, (sn, {"loss_e": loss, "e_data": jnp.mean(ex), "e_fake": jnp.mean(ef), "P": P, "R": R})
        (_, (sn, logs)), gE = jax.value_and_grad(loss_fn, has_aux=True)(s["E"])
        E, optE = adam_step(s["E"], gE, s["optE"], **ADAM_BB)
        return {**s, "E": E, "sn": sn, "bn": bn, "optE": optE}, logs

    def generator_phase(self, s, key):
        def loss_fn(gen):
            z, eps, x, bn = self.draw(gen, s["bn"], key, True)       # G^tr
            adv, sn = self.E(s["E"], s["sn"], x)
            H = self.entropy(gen, sg_tree(bn), z, x)                  # G^ev with the updated running stats
            loss = jnp.mean(adv) - self.w_H * H
            return loss, (bn, sn, {"loss_g": loss, "entropy": H})
        (_, (bn, sn, logs)), gG = jax.value_and_grad(loss_fn, has_aux=True)(s["gen"])
        gen, optG = adam_step(s["gen"], gG, s["optG"], **ADAM_BB)
        return {**s, "gen": gen, "bn": bn, "sn": sn, "optG": optG}, logs

    def step(self, s, key, t):
        k1, k2 = jax.random.split(key)
        s, l1 = self.energy_phase(s, k1, t)
        s, l2 = self.generator_phase(s, k2)
        return s, {**l1, **l2}

    def samples(self, s, key, n):
        kz, ke = jax.random.split(key)
        x = toy_generator(s["gen"]["G"], s["bn"], jax.random.normal(kz, (n, self.d)), False)[0]
        return x + self.sigma * jax.random.normal(ke, (n, D)) if self.mi else x

    def energy(self, s, x):
        return self.E(s["E"], s["sn"], x, train=False)[0]


def sg_tree(t):
    return jax.tree.map(sg, t)


# ---- mle-langevin (§4) ----------------------------------------------------------
class MLE:
    K, alpha, eta, r = 20, 0.1, 0.01, 4.0

    def init(self, key):
        E, _ = toy_energy_init(key, "silu", sn=False)
        return {"E": E, "opt": adam_init(E)}

    def E(self, p, x):
        return toy_energy(p, None, x, "silu")[0]

    def sample(self, p, key, n):
        """Short-run Langevin from U[-4, 4]^2, K steps in a lax.fori_loop; no gradient through the chain."""
        k0, kn = jax.random.split(key)
        x0 = jax.random.uniform(k0, (n, D), jnp.float32, -self.r, self.r)
        gradE = jax.grad(lambda xx: jnp.sum(self.E(p, xx)))

        def body(i, x):
            return x - self.alpha * gradE(x) + self.eta * jax.random.normal(jax.random.fold_in(kn, i), (n, D))
        return x0, sg(jax.lax.fori_loop(0, self.K, body, x0))

    def step(self, s, key, t):
        ks, kx = jax.random.split(key)
        x0, xs = self.sample(s["E"], ks, B)
        xd = data(kx, B)

        def loss_fn(p):
            ed, es = self.E(p, xd), self.E(p, xs)
            loss = jnp.mean(ed) - jnp.mean(es)
            return loss, (ed, es)
        (loss, (ed, es)), g = jax.value_and_grad(loss_fn, has_aux=True)(s["E"])
        E, opt = adam_step(s["E"], g, s["opt"], **ADAM_BB)
        e_gap = jnp.mean(self.E(s["E"], x0)) - jnp.mean(ed)   # logged every step by our trainer too
        return {"E": E, "opt": opt}, {"loss": loss, "e_data": jnp.mean(ed), "e_sample": jnp.mean(es), "e_gap": e_gap}

    def samples(self, s, key, n):
        return self.sample(s["E"], key, n)[1]

    def energy(self, s, x):
        return self.E(s["E"], x)


# ---- diffusion methods: ddaebm (§5, toy code defaults), bb-mi-diff (§3d) ---------
def vp_schedule(T, beta_min, beta_max):
    def var(t):
        return 1 - math.exp(-0.5 * t * t * (beta_max - beta_min) - t * beta_min)
    abar_l = [1 - var(j / T * (1 - 1e-3) + 1e-3) for j in range(T + 1)]
    beta = [1 - abar_l[0]] + [1 - abar_l[j] / abar_l[j - 1] for j in range(1, T + 1)]
    abar, prod = [], 1.0
    for j in range(T + 1):
        prod *= 1 - beta[j]
        abar.append(prod)
    col = lambda v: jnp.array(v, jnp.float32).reshape(-1, 1)
    return {"sqrt_abar": col([math.sqrt(abar[k]) for k in range(T)]), "sigma_cum": col([math.sqrt(1 - abar[k]) for k in range(T)]),
            "a_n": col([math.sqrt(1 - b) for b in beta[1:]]), "b_n": col(beta[1:]),
            "c1": col([beta[k + 1] * math.sqrt(abar[k]) / (1 - abar[k + 1]) for k in range(T)]),
            "c2": col([(1 - abar[k]) * math.sqrt(1 - beta[k + 1]) / (1 - abar[k + 1]) for k in range(T)]),
            "pvar_l": [beta[k + 1] * (1 - abar[k]) / (1 - abar[k + 1]) for k in range(T)]}


def time_embedding(T, dim=16):
    half = dim // 2
    w = jnp.exp(-jnp.arange(half, dtype=jnp.float32) * (math.log(1e4) / (half - 1)))
    arg = jnp.arange(T, dtype=jnp.float32).reshape(-1, 1) * w.reshape(1, -1)
    return jnp.concatenate([jnp.sin(arg), jnp.cos(arg)], 1)


def trunk_init(key, nin, nout, bn, width=300, temb=16):
    ks = jax.random.split(key, 7)
    p = {"x1": linear_init(ks[0], nin, 16), "x2": linear_init(ks[1], 16, 32), "t1": linear_init(ks[2], temb, 16),
         "t2": linear_init(ks[3], 16, 32), "h1": linear_init(ks[4], 64, width), "h2": linear_init(ks[5], width, width),
         "h3": linear_init(ks[6], width, nout), "xa": jnp.float32(0.25), "ta": jnp.float32(0.25),
         "ha1": jnp.float32(0.25), "ha2": jnp.float32(0.25)}
    st = {}
    if bn:
        for n, w in (("xbn", 16), ("hbn1", width), ("hbn2", width)):
            p[n], st[n] = bn_init(w)
    return p, st


def trunk(p, st, x, emb, train):
    """x-branch Linear[-BN]-PReLU-Linear; t-branch Linear-PReLU-Linear; concat; Linear[-BN]-PReLU x2, Linear."""
    new = dict(st)

    def norm(name, h):
        if name not in p:
            return h
        h, new[name] = batchnorm(p[name], st[name], h, train)
        return h
    hx = linear(p["x2"], prelu(p["xa"], norm("xbn", linear(p["x1"], x))))
    ht = linear(p["t2"], prelu(p["ta"], linear(p["t1"], emb)))
    h = jnp.concatenate([hx, ht], 1)
    h = prelu(p["ha1"], norm("hbn1", linear(p["h1"], h)))
    h = prelu(p["ha2"], norm("hbn2", linear(p["h2"], h)))
    return linear(p["h3"], h), new


def encoder_init(key, nz, bn):
    k1, k2, k3 = jax.random.split(key, 3)
    p, st = trunk_init(k1, 4, 16, bn)
    return {"trunk": p, "mu": linear_init(k2, 16, nz), "lv": linear_init(k3, 16, nz)}, st


def encoder(p, st, xc, xn, emb, train):
    h, st = trunk(p["trunk"], st, jnp.concatenate([xc, xn], 1), emb, train)
    return linear(p["mu"], h), linear(p["lv"], h), st


def log_normal(x, mu, v):
    d = x - mu
    return -0.5 * x.shape[1] * jnp.log(2 * math.pi * v).reshape(-1) - jnp.sum(d * d, 1) / (2 * v.reshape(-1))


class Diffusion:
    """ddaebm (toy code defaults: T 4, beta 0.01/0.1, width 300, R1 0.02, BN in G and q) and
    bb-mi-diff (T 4, beta 0.1/20, M 8, no BN). Shared: schedule, embedding, training pairs."""
    T, nz = 4, 2

    def __init__(self, method):
        self.method = method
        self.dd = method == "ddaebm"
        bmin, bmax = (0.01, 0.1) if self.dd else (0.1, 20.0)
        self.S = vp_schedule(self.T, bmin, bmax)
        pv = self.S["pvar_l"]
        self.pvar = jnp.array(pv, jnp.float32).reshape(-1, 1)
        self.noise = jnp.array([math.sqrt(p) if k > 0 else 0.0 for k, p in enumerate(pv)], jnp.float32).reshape(-1, 1)
        self.rec_var = jnp.array([max(p, 1e-2) for p in pv], jnp.float32).reshape(-1, 1)
        self.emb = time_embedding(self.T)

    def init(self, key):
        kf, kg, kq = jax.random.split(key, 3)
        f, _ = trunk_init(kf, 2, 1, bn=False)
        G, sG = trunk_init(kg, 2 + self.nz, 2, bn=self.dd)
        Q, sQ = encoder_init(kq, self.nz, bn=self.dd)
        gen = {"G": G, "Q": Q}
        return {"f": f, "gen": gen, "bn": {"G": sG, "Q": sQ}, "optE": adam_init(f), "optG": adam_init(gen)}

    def f(self, p, x, emb):
        return trunk(p, {}, x, emb, False)[0].reshape(-1)

    def pairs(self, key):
        kk, kx, k1, k2 = jax.random.split(key, 4)
        k = jnp.minimum(jnp.floor(jax.random.uniform(kk, (B,)) * self.T).astype(jnp.int32), self.T - 1)
        x0 = data(kx, B)
        S = self.S
        xc = S["sqrt_abar"][k] * x0 + S["sigma_cum"][k] * jax.random.normal(k1, (B, D))
        xn = S["a_n"][k] * xc + jnp.sqrt(S["b_n"][k]) * jax.random.normal(k2, (B, D))
        return k, self.emb[k], xc, xn

    def step(self, s, key, t):
        return self.step_dd(s, key) if self.dd else self.step_mi(s, key)

    def step_dd(self, s, key):
        S = self.S
        kp, kz, ke, kpos = jax.random.split(key, 4)
        k, emb, xc, xn = self.pairs(kp)
        z, eps3 = jax.random.normal(kz, (B, self.nz)), jax.random.normal(ke, (B, D))
        c1, c2, a_n, b_n = S["c1"][k], S["c2"][k], S["a_n"][k], S["b_n"][k]

        def fake_of(G):   # G^tr: batch statistics; the fake is computed once and reused by the generator step
            g, st = trunk(G, s["bn"]["G"], jnp.concatenate([xn, z], 1), emb, True)
            return c1 * g + c2 * xn + self.noise[k] * eps3, st
        fake, fake_vjp, sG = jax.vjp(fake_of, s["gen"]["G"], has_aux=True)

        def loss_e(pf):   # -mean f(x_c) + mean f(sg(x~_c)) + gamma/2 mean |g|^2 (R1 on real pairs)
            fr, ff = self.f(pf, xc, emb), self.f(pf, sg(fake), emb)
            gx = jax.grad(lambda xx: jnp.sum(self.f(pf, xx, emb)))(xc)
            g = gx + a_n / b_n * (xn - a_n * xc)
            r1 = jnp.mean(jnp.sum(g * g, 1))
            loss = jnp.mean(ff - fr) + 0.02 / 2 * r1
            return loss, {"loss_e": loss, "r1": r1, "f_data": jnp.mean(fr), "f_fake": jnp.mean(ff)}
        (_, l1), gf = jax.value_and_grad(loss_e, has_aux=True)(s["f"])
        f, optE = adam_step(s["f"], gf, s["optE"], **ADAM_DIFF)

        def loss_g(fk, gen):   # theta frozen, the fake not detached (its gradient flows back through fake_vjp)
            EF = jnp.mean(self.f(f, fk, emb) + log_normal(xn, a_n * fk, b_n))
            mu, lv, sQ = encoder(gen["Q"], s["bn"]["Q"], fk, xn, emb, True)
            nll = 0.5 * jnp.sum(lv, 1) + 0.5 * jnp.sum((z - mu) ** 2 / (1e-6 + jnp.exp(lv)), 1)
            ent = 0.1 * jnp.mean(nll)
            mp, lp, sQ = encoder(gen["Q"], sQ, xc, xn, emb, True)
            zpos = mp + jnp.exp(0.5 * lp) * jax.random.normal(kpos, (B, self.nz))
            gp, sG2 = trunk(gen["G"], sG, jnp.concatenate([xn, zpos], 1), emb, True)
            rec = -jnp.mean(log_normal(xc, c1 * gp + c2 * xn, self.rec_var[k]))
            kl = jnp.mean(-0.5 * jnp.sum(1 + lp - mp * mp - jnp.exp(lp), 1))
            loss = -EF + ent + rec + kl
            return loss, ({"G": sG2, "Q": sQ}, {"loss_g": loss, "f_gen": EF, "ent_nll": ent, "rec": rec, "kl": kl})
        (_, (bn, l2)), (gfk, ggen) = jax.value_and_grad(loss_g, argnums=(0, 1), has_aux=True)(fake, s["gen"])
        ggen = {"G": jax.tree.map(jnp.add, ggen["G"], fake_vjp(gfk)[0]), "Q": ggen["Q"]}
        gen, optG = adam_step(s["gen"], ggen, s["optG"], **ADAM_DIFF)
        return {"f": f, "gen": gen, "bn": bn, "optE": optE, "optG": optG}, {**l1, **l2}

    def step_mi(self, s, key, M=8):
        """bb-mi-diff: M proposal draws per pair; chi^2 upper bound for f, -A (+ log q) for G and q."""
        S = self.S
        kp, kz, ke = jax.random.split(key, 3)
        k, emb, xc, xn = self.pairs(kp)
        z, eps = jax.random.normal(kz, (B * M, self.nz)), jax.random.normal(ke, (B * M, D))
        kr, embr, xnr = jnp.repeat(k, M), jnp.repeat(emb, M, 0), jnp.repeat(xn, M, 0)
        c1, c2, pv, a_r, b_r = S["c1"][kr], S["c2"][kr], self.pvar[kr], S["a_n"][kr], S["b_n"][kr]
        log_nz = -0.5 * self.nz * LOG_2PI - 0.5 * jnp.sum(z * z, 1)
        log_ny = -0.5 * D * jnp.log(2 * math.pi * pv).reshape(-1) - 0.5 * jnp.sum(eps * eps, 1)

        def proposal(gen):   # y and the proposal's log-weight part w = log q - log N(z) - log N(y; m, pvar)
            g = trunk(gen["G"], {}, jnp.concatenate([xnr, z], 1), embr, False)[0]
            y = c1 * g + c2 * xnr + jnp.sqrt(pv) * eps
            mu, lv, _ = encoder(gen["Q"], {}, y, xnr, embr, False)
            lv = jnp.clip(lv, -16, 4)
            log_q = -0.5 * jnp.sum(LOG_2PI + lv + (z - mu) ** 2 * jnp.exp(-lv), 1)
            return y, log_q - log_nz - log_ny, log_q
        (y, w, log_q), prop_vjp = jax.vjp(proposal, s["gen"])
        neg_cond = lambda pf, yy: self.f(pf, yy, embr) + log_normal(xnr, a_r * yy, b_r)

        def loss_e(pf):
            fr = self.f(pf, xc, emb)
            lam = (neg_cond(pf, sg(y)) + sg(w)).reshape(B, M)
            A = jnp.mean(lam, 1)
            C = 0.5 * (jax.nn.logsumexp(2 * lam, 1) - math.log(M))
            loss = jnp.mean(C) - jnp.mean(fr)
            e_data = -jnp.mean(fr + log_normal(xn, S["a_n"][k] * xc, S["b_n"][k]))
            return loss, {"loss_e": loss, "l_lo": e_data + jnp.mean(A), "l_up": e_data + jnp.mean(C), "gap": jnp.mean(C - A)}
        (_, l1), gf = jax.value_and_grad(loss_e, has_aux=True)(s["f"])
        f, optE = adam_step(s["f"], gf, s["optE"], **ADAM_DIFF)

        def loss_g(yy, lq):   # theta frozen, y reparameterised; pulled back through the proposal's VJP
            adv = jnp.mean(neg_cond(f, yy))
            H = jnp.mean(lq)
            loss = -adv - 1.0 * H
            return loss, {"loss_g": loss, "entropy": H}
        (_, l2), (gy, glq) = jax.value_and_grad(loss_g, argnums=(0, 1), has_aux=True)(y, log_q)
        ggen = prop_vjp((gy, jnp.zeros_like(w), glq))[0]
        gen, optG = adam_step(s["gen"], ggen, s["optG"], **ADAM_DIFF)
        return {**s, "f": f, "gen": gen, "optE": optE, "optG": optG}, {**l1, **l2}

    def samples(self, s, key, n):
        """The generator chain from x_T ~ N(0, I) (batch statistics for ddaebm, running ones untouched;
        posterior noise at k > 0 for ddaebm, at k > 0 for bb-mi-diff as torch_toy.py)."""
        S, out = self.S, []
        for i in range(0, n, 1000):
            m = min(1000, n - i)
            key, k0 = jax.random.split(key)
            x = jax.random.normal(k0, (m, D))
            for k in range(self.T - 1, -1, -1):
                key, kz, ke = jax.random.split(key, 3)
                emb = jnp.broadcast_to(self.emb[k], (m, 16))
                g = trunk(s["gen"]["G"], s["bn"]["G"], jnp.concatenate([x, jax.random.normal(kz, (m, self.nz))], 1), emb, self.dd)[0]
                x = S["c1"][k] * g + S["c2"][k] * x
                if k > 0:
                    x = x + math.sqrt(self.S["pvar_l"][k]) * jax.random.normal(ke, (m, D))
            out.append(x)
        return jnp.concatenate(out)

    def energy(self, s, x):
        return -self.f(s["f"], x, jnp.broadcast_to(self.emb[0], (x.shape[0], 16)))


METHODS = {"ebm-0gp": lambda: Minimax("ebm-0gp"), "bb-sv-gp": lambda: Minimax("bb-sv-gp"),
           "bb-mi-gp": lambda: Minimax("bb-mi-gp"), "mle-langevin": lambda: MLE(),
           "ddaebm": lambda: Diffusion("ddaebm"), "bb-mi-diff": lambda: Diffusion("bb-mi-diff")}


def energy_grid(model, s, R=256, r=4.0):
    h = 2 * r / R
    c = -r + (np.arange(R, dtype=np.float64) + 0.5) * h
    yy, xx = np.meshgrid(c, c, indexing="ij")           # row = y, column = x
    pts = jnp.asarray(np.stack([xx.reshape(-1), yy.reshape(-1)], 1).astype(np.float32))
    f = jax.jit(lambda p: model.energy(s, p))
    return np.concatenate([np.asarray(f(pts[i:i + 4096])) for i in range(0, R * R, 4096)]).reshape(R, R)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", required=True, choices=sorted(METHODS))
    ap.add_argument("--iters", type=int, default=1000, help="timed iterations (without --seconds)")
    ap.add_argument("--seconds", type=float, default=0, help="time the loop for this long instead of --iters")
    ap.add_argument("--warmup", type=int, default=20, help="untimed iterations first (after compilation)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default="25gaussians", choices=sorted(DATASETS))
    ap.add_argument("--out", default=None, help="write DIR/samples.npy, DIR/energy_grid.npy, DIR/log.jsonl")
    ap.add_argument("--log-every", type=int, default=1000, help="with --out: log every K timed iterations")
    a = ap.parse_args()
    global data
    data = DATASETS[a.data]
    model = METHODS[a.method]()
    key = jax.random.PRNGKey(a.seed)
    kinit, key = jax.random.split(key)
    state = model.init(kinit)
    # the whole step, the per-step key included, in one program; the state is donated (updated in place)
    step = jax.jit(lambda s, k, t: model.step(s, jax.random.fold_in(k, t), t.astype(jnp.float32)), donate_argnums=0)
    t0 = time.perf_counter()
    lowered = step.lower(state, key, jnp.int32(0))     # tracing (autodiff included) and lowering to HLO
    t1 = time.perf_counter()
    compiled = lowered.compile()                        # XLA compilation (or a load from a persistent cache)
    trace_s, compile_s = t1 - t0, time.perf_counter() - t1
    if a.out:
        os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "log.jsonl"), "w", buffering=1) if a.out else None
    t = 0
    for _ in range(a.warmup):
        state, logs = compiled(state, key, jnp.int32(t))
        t += 1
    jax.block_until_ready(state)
    n, logs = 0, {}
    t0, c0 = time.perf_counter(), time.process_time()
    marks = [t0]
    while a.seconds > 0 or n < a.iters:
        state, logs = compiled(state, key, jnp.int32(t))
        t += 1
        n += 1
        if n % 10 == 0:
            jax.block_until_ready(logs)
            marks.append(time.perf_counter())
        if log and n % a.log_every == 0:
            log.write(json.dumps({"iter": t, **{k: float(v) for k, v in logs.items()}}) + "\n")
        if a.seconds > 0 and time.perf_counter() - t0 >= a.seconds:
            break
    jax.block_until_ready(state)
    el, cpu = time.perf_counter() - t0, time.process_time() - c0
    last = {k: float(v) for k, v in logs.items()}
    if not all(math.isfinite(v) for v in last.values()):
        print(json.dumps({"error": "non-finite loss at step %d" % t, **last}))
        return 3
    win = sorted(10 / (q - p) for p, q in zip(marks, marks[1:]))
    res = {"method": a.method, "data": a.data, "steps_per_s": n / el if n else None,
           "window_steps_per_s_median": win[len(win) // 2] if win else None, "timed_iters": n, "timed_s": el, "timed_cpu_s": cpu,
           "warmup_iters": a.warmup, "trace_lower_s": trace_s, "compile_s": compile_s, "jax_version": jax.__version__,
           "XLA_FLAGS": os.environ.get("XLA_FLAGS"), "cpus_allowed": len(os.sched_getaffinity(0)), "last": last}
    if a.out:
        log.close()
        np.save(os.path.join(a.out, "samples.npy"), np.asarray(model.samples(state, jax.random.PRNGKey(a.seed + 1), 2000), np.float32))
        np.save(os.path.join(a.out, "energy_grid.npy"), energy_grid(model, state).astype(np.float32))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
