"""JAX reference of the Fashion-MNIST trainers for the image peers benchmark
(bench/peers_image.sh): bb-sv-gp (models/fmnist_bb.lua, fmnist_bb_narrow.lua),
ebm-0gp (fmnist_0gp_narrow.lua) and mle-langevin (fmnist_mle.lua,
fmnist_mle_narrow.lua), each training step (both phases, LOBPCG sigma_min,
the bound's Jacobian terms and double backward, the Langevin loop, unrolled) compiled
whole by one jax.jit, float32.

A port of bench/torch_fmnist.py and bench/torch_sv.py (the PyTorch reference
of the same models): the nets of generator/lua/nets_image.lua (image energy:
3x3 s1 and 4x4 s2 convs, LeakyReLU 0.1 or SiLU, Linear(128 base, 1), no
spectral norm as the models ship; DCGAN generator: Linear(128, 16 * 8 base),
three ConvT4x4 s2 -BN-ReLU, Conv3x3, Tanh), batch 64, PyTorch's default
initialisation, Adam (PyTorch's formula, helpers of bench/jax_toy.py), the
same losses and derivative structure, the same number of JVPs and VJPs in
LOBPCG. JAX's own random numbers; the data batch (shuffled epochs of the
training set padded to 32x32 with -1) is gathered on the host, as torch does.

  out/peers-venv/bin/python bench/jax_fmnist.py --method bb-sv-gp --base 8 --iters 10 [--seconds S]
      [--warmup W] [--K 15] [--seed S] [--ckpt CKPT.safetensors]

Timing as bench/jax_toy.py: the step is compiled ahead of time
(trace_lower_s, compile_s apart), --warmup steps run untimed, then the timed
loop; one JSON object with steps_per_s, timed_cpu_s (process CPU time of the
timed loop) and xla_flops (XLA's cost analysis of the compiled step).
--ckpt starts from our trainer's checkpoint (`train-cpu train --iters 0`)
instead of a fresh initialisation (bench/image_peers_check.py compares the
nets on it).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jax_toy import adam_init, adam_step, sg, sg_tree  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
B, D, LATENT, S = 64, 1024, 128, 32
ADAM = {"mle-langevin": dict(lr=1e-4, betas=(0.0, 0.999), eps=1e-8),
        "minimax": dict(lr=5e-5, betas=(0.0, 0.999), eps=1e-6)}
LAM, W_H, N_IT = 1e-3, 1e-4, 2   # bound weight lambda, w_H, LOBPCG iterations (ssv_iter)


def load_fmnist(path=FMNIST):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    x = np.frombuffer(raw[16:], np.uint8).reshape(n, 28, 28).astype(np.float32)
    return np.pad(2 * (x / 255) - 1, ((0, 0), (2, 2), (2, 2)), constant_values=-1.0).reshape(n, D)


# ---- layers: PyTorch's layouts (NCHW, OIHW; ConvTranspose [in, out, k, k]) and default init ----
def _uniform(key, shape, fan_in):
    bd = 1 / math.sqrt(fan_in)
    return jax.random.uniform(key, shape, jnp.float32, -bd, bd)


def conv_init(key, cin, cout, k, transpose=False):
    kw, kb = jax.random.split(key)
    shape = (cin, cout, k, k) if transpose else (cout, cin, k, k)
    fan_in = shape[1] * k * k   # torch's fan-in: weight dim 1 (ConvTranspose: out channels)
    return {"weight": _uniform(kw, shape, fan_in), "bias": _uniform(kb, (cout,), fan_in)}


def conv(p, x, stride, pad=1):
    y = jax.lax.conv_general_dilated(x, p["weight"], (stride, stride), [(pad, pad)] * 2,
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + p["bias"].reshape(1, -1, 1, 1)


def conv_transpose(p, x, k=4, stride=2, pad=1):
    """torch.nn.ConvTranspose2d: a stride-1 conv of the stride-dilated input with the flipped kernel"""
    w = jnp.flip(p["weight"], (2, 3)).transpose(1, 0, 2, 3)
    y = jax.lax.conv_general_dilated(x, w, (1, 1), [(k - 1 - pad, k - 1 - pad)] * 2, lhs_dilation=(stride, stride),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + p["bias"].reshape(1, -1, 1, 1)


def bn2d(p, st, x, train, eps=1e-5, mom=0.1):
    """BatchNorm2d: train: biased batch variance, running var updated with the unbiased one; eval: running stats"""
    if train:
        mu = x.mean((0, 2, 3))
        var = ((x - mu.reshape(1, -1, 1, 1)) ** 2).mean((0, 2, 3))
        n = x.size // x.shape[1]
        st = {"running_mean": (1 - mom) * st["running_mean"] + mom * sg(mu),
              "running_var": (1 - mom) * st["running_var"] + mom * sg(var) * n / (n - 1)}
    else:
        mu, var = st["running_mean"], st["running_var"]
    c = lambda a: a.reshape(1, -1, 1, 1)
    return (x - c(mu)) / jnp.sqrt(c(var) + eps) * c(p["weight"]) + c(p["bias"]), st


# ---- nets (nets_image.lua; the names of our checkpoints) ----------------------
PLAN = lambda b: [(1, b, 3, 1), (b, b, 4, 2), (b, 2 * b, 3, 1), (2 * b, 2 * b, 4, 2), (2 * b, 4 * b, 3, 1),
                  (4 * b, 4 * b, 4, 2), (4 * b, 8 * b, 3, 1)]


def energy_init(key, b):
    ks = jax.random.split(key, 8)
    p = {"conv%d" % (i + 1): conv_init(ks[i], cin, cout, k) for i, (cin, cout, k, _) in enumerate(PLAN(b))}
    kw, kb = jax.random.split(ks[7])
    p["fc"] = {"weight": _uniform(kw, (1, 128 * b), 128 * b), "bias": _uniform(kb, (1,), 128 * b)}
    return p


def energy(p, x, act):
    """E(x) [n] of rows [n, 1024]"""
    f = jax.nn.silu if act == "silu" else (lambda h: jnp.where(h >= 0, h, 0.1 * h))
    h = x.reshape(-1, 1, S, S)
    for i, (_, _, _, s) in enumerate(PLAN(p["conv1"]["weight"].shape[0])):
        h = f(conv(p["conv%d" % (i + 1)], h, s))
    return (h.reshape(h.shape[0], -1) @ p["fc"]["weight"].T + p["fc"]["bias"]).reshape(-1)


def generator_init(key, b):
    ks = jax.random.split(key, 5)
    kw, kb = jax.random.split(ks[0])
    p = {"fc": {"weight": _uniform(kw, (16 * 8 * b, LATENT), LATENT), "bias": _uniform(kb, (16 * 8 * b,), LATENT)}}
    st = {}
    for i, cin in enumerate((8 * b, 4 * b, 2 * b)):
        p["up%d" % (i + 1)] = conv_init(ks[i + 1], cin, cin // 2, 4, transpose=True)
        p["bn%d" % (i + 1)] = {"weight": jnp.ones(cin // 2), "bias": jnp.zeros(cin // 2)}
        st["bn%d" % (i + 1)] = {"running_mean": jnp.zeros(cin // 2), "running_var": jnp.ones(cin // 2)}
    p["out"] = conv_init(ks[4], b, 1, 3)
    return p, st


def generator(p, st, z, train):
    """x = G(z) rows [n, 1024] and the new BN running stats (unchanged in eval mode)"""
    h = (z @ p["fc"]["weight"].T + p["fc"]["bias"]).reshape(z.shape[0], -1, 4, 4)
    new = {}
    for i in (1, 2, 3):
        h, new["bn%d" % i] = bn2d(p["bn%d" % i], st["bn%d" % i], conv_transpose(p["up%d" % i], h), train)
        h = jax.nn.relu(h)
    return jnp.tanh(conv(p["out"], h, 1)).reshape(z.shape[0], D), new


# ---- sigma_min by block-1 LOBPCG (bench/torch_sv.py, generator/lua/sv.lua) ---------------
def _norm(a):
    return jnp.sqrt(jnp.sum(a * a, 1, keepdims=True))


def _gram_schmidt(cols, key):
    out = []

    def project(x):
        for q in out:
            x = x - jnp.sum(q * x, 1, keepdims=True) * q
        return x
    for i, x in enumerate(cols):
        y = project(x)
        y = jnp.where(_norm(y) > 1e-6 * _norm(x), y, project(jax.random.normal(jax.random.fold_in(key, i), x.shape)))
        out.append(y / _norm(y))
    return out


def lobpcg(Gev, z, key):
    """v* and the start vector v0 [B, d], constants: N_IT iterations on J^T J at every z (J of G^ev)"""
    kv, kp, kg = jax.random.split(key, 3)
    z = sg(z)
    v, p = jax.random.normal(kv, z.shape), jax.random.normal(kp, z.shape)
    v0 = v
    jvp = lambda t: jax.jvp(Gev, (z,), (t,))[1]
    _, vjp = jax.vjp(Gev, z)
    u = jvp(v)
    mu = _norm(u) / _norm(v)
    for it in range(N_IT):
        jtu, = vjp(u)
        r = jtu - mu * mu * v
        U = _gram_schmidt([v / _norm(v), r / _norm(r), p], jax.random.fold_in(kg, it))
        M = jnp.stack([jvp(Ui) for Ui in U], 1)              # (J U)^T [B, 3, D]
        A = M @ M.transpose(0, 2, 1)
        A = A / jnp.maximum(jnp.abs(jnp.trace(A, axis1=1, axis2=2)), 1e-30).reshape(-1, 1, 1)
        c = jnp.linalg.eigh(A)[1][:, :, 0]                    # ascending: column 0 is the smallest
        pn = U[1] * c[:, 1:2] + U[2] * c[:, 2:3]
        vn = U[0] * c[:, 0:1] + pn
        bad = ~jnp.all(jnp.abs(jnp.concatenate([vn, pn], 1)) < 1e30, 1, keepdims=True)
        v, p = jnp.where(bad, v, vn), jnp.where(bad, p, pn)
        if it + 1 < N_IT:
            u = jvp(v)
            mu = _norm(u)
    return sg(v), sg(v0)


def log_mu(G, bn, z, v):
    """log |J^ev(z) v| [B] for a constant v, differentiable in z and G's parameters"""
    mu = _norm(jax.jvp(lambda zz: generator(G, bn, zz, False)[0], (z,), (v,))[1]).reshape(-1)
    return jnp.log(jnp.maximum(mu, 1e-30))


# ---- methods -------------------------------------------------------------------
class Minimax:
    """bb-sv-gp and ebm-0gp (torch_fmnist.py minimax): one energy step, then one generator step, EMA"""
    def __init__(self, method, base):
        self.method, self.base = method, base

    def init(self, key):
        kE, kG = jax.random.split(key)
        G, bn = generator_init(kG, self.base)
        E = energy_init(kE, self.base)
        return {"E": E, "G": G, "bn": bn, "ema": jax.tree.map(jnp.copy, G), "optE": adam_init(E), "optG": adam_init(G)}

    def E(self, p, x):
        return energy(p, x, "leaky_relu")

    def step(self, s, key, t, x):
        kz, kl, kz2, kl2 = jax.random.split(key, 4)
        z = jax.random.normal(kz, (B, LATENT))
        xf, bn = generator(s["G"], s["bn"], z, True)          # G^tr: batch stats, running stats updated
        xf = sg(xf)
        Gev = lambda zz: generator(s["G"], bn, zz, False)[0]
        if self.method == "bb-sv-gp":
            vstar, v0 = lobpcg(Gev, z, kl)
            w = sg(jax.jvp(Gev, (z,), (v0,))[1])
            q = z + LATENT * jax.grad(lambda zz: jnp.sum(log_mu(s["G"], bn, zz, vstar)))(z)
            g = jnp.sum(sg(q) * v0, 1)

            def loss_e(pE):
                ex = self.E(pE, x)
                ef, vjp_f = jax.vjp(lambda xx: self.E(pE, xx), xf)
                sb, = vjp_f(jnp.ones_like(ef))                # grad_x E at the fakes, differentiable in theta
                r = jnp.sum(sb * w, 1) - g
                P = jnp.sum(r * r) / (2 * B)
                R = jax.nn.relu(LAM * P)
                loss = jnp.mean(ex) - jnp.mean(ef) + R
                return loss, {"P": P, "R": R, "loss_e": loss, "e_data": jnp.mean(ex), "e_fake": jnp.mean(ef)}
        else:
            def loss_e(pE):
                ex, vjp_x = jax.vjp(lambda xx: self.E(pE, xx), x)
                gx, = vjp_x(jnp.ones_like(ex))
                pen = jnp.mean(jnp.sum(gx * gx, 1))
                ef = self.E(pE, xf)
                loss = jnp.mean(ex) - jnp.mean(ef) + LAM * pen
                return loss, {"penalty": pen, "loss_e": loss, "e_data": jnp.mean(ex), "e_fake": jnp.mean(ef)}
        (_, l1), gE = jax.value_and_grad(loss_e, has_aux=True)(s["E"])
        E, optE = adam_step(s["E"], gE, s["optE"], **ADAM["minimax"])
        z2 = jax.random.normal(kz2, (B, LATENT))

        def loss_g(G):   # theta frozen
            if self.method == "bb-sv-gp":   # H at the energy step's z, v*, before G^tr(z') moves the running stats
                H = LATENT * jnp.mean(log_mu(G, bn, z, vstar))
            x2, bn2 = generator(G, bn, z2, True)
            adv = jnp.mean(self.E(E, x2))
            if self.method != "bb-sv-gp":   # LOBPCG at z' with the running stats G^tr(z') left
                v2, _ = lobpcg(lambda zz: generator(sg_tree(G), bn2, zz, False)[0], z2, kl2)
                H = LATENT * jnp.mean(log_mu(G, bn2, z2, v2))
            loss = adv - W_H * H
            return loss, (bn2, {"loss_g": loss, "entropy": H})
        (_, (bn, l2)), gG = jax.value_and_grad(loss_g, has_aux=True)(s["G"])
        G, optG = adam_step(s["G"], gG, s["optG"], **ADAM["minimax"])
        w = jnp.where(t > 0, 0.999, 0.0)
        ema = jax.tree.map(lambda e, p: w * e + (1 - w) * p, s["ema"], G)
        return {"E": E, "G": G, "bn": bn, "ema": ema, "optE": optE, "optG": optG}, {**l1, **l2}


class MLE:
    """mle-langevin (torch_fmnist.py mle_langevin): K steps x <- clamp(x - grad E + 0.005 xi, -1, 1) from U[-1, 1]^D"""
    def __init__(self, base, K):
        self.base, self.K = base, K

    def init(self, key):
        E = energy_init(key, self.base)
        return {"E": E, "opt": adam_init(E)}

    def E(self, p, x):
        return energy(p, x, "silu")

    def step(self, s, key, t, xd):
        k0, kn = jax.random.split(key)
        x0 = jax.random.uniform(k0, (B, D), jnp.float32, -1, 1)
        gradE = jax.grad(lambda xx: jnp.sum(self.E(s["E"], xx)))

        def body(i, x):
            return jnp.clip(x - gradE(x) + 0.005 * jax.random.normal(jax.random.fold_in(kn, i), (B, D)), -1, 1)
        # unrolled: as a rolled lax.fori_loop XLA:CPU (jax 0.10.2) ran these K steps about 6x slower
        # (fmnist_mle_narrow: 2.1 against 0.35 CPU s for 15 steps)
        xs = sg(jax.lax.fori_loop(0, self.K, body, x0, unroll=True))

        def loss_fn(p):
            ed = self.E(p, xd)
            return jnp.mean(ed) - jnp.mean(self.E(p, xs)), ed
        (loss, ed), g = jax.value_and_grad(loss_fn, has_aux=True)(s["E"])
        E, opt = adam_step(s["E"], g, s["opt"], **ADAM["mle-langevin"])
        e_gap = jnp.mean(self.E(E, x0)) - jnp.mean(ed)      # torch_fmnist.py: with the updated energy
        return {"E": E, "opt": opt}, {"loss": loss, "e_gap": e_gap}


def read_safetensors(path):
    """{name: float32 array} of a safetensors file (our checkpoints: F32 tensors only)"""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        head = json.loads(f.read(n))
        body = f.read()
    return {k: np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], np.float32).reshape(v["shape"])
            for k, v in head.items() if k != "__metadata__" and v["dtype"] == "F32"}


def from_ckpt(state, path):
    """our checkpoint's nets (energy.*, generator.*: the same names and layouts) into a fresh state"""
    t = read_safetensors(path)
    put = lambda tree, prefix: {k: put(v, prefix + k + ".") if isinstance(v, dict) else jnp.asarray(t[prefix + k])
                                for k, v in tree.items()}
    state = {**state, "E": put(state["E"], "energy.")}
    if "G" in state:
        state.update(G=put(state["G"], "generator."), bn=put(state["bn"], "generator."), ema=put(state["G"], "generator."))
    return state


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", required=True, choices=["bb-sv-gp", "ebm-0gp", "mle-langevin"])
    ap.add_argument("--base", type=int, default=64, help="base channel width of both nets (64 as fmnist_bb.lua, 8 narrow)")
    ap.add_argument("--K", type=int, default=60, help="Langevin steps of mle-langevin")
    ap.add_argument("--iters", type=int, default=3, help="timed iterations (without --seconds)")
    ap.add_argument("--seconds", type=float, default=0, help="time the loop for this long instead of --iters")
    ap.add_argument("--warmup", type=int, default=1, help="untimed iterations first (after compilation)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ckpt", help="start from our trainer's checkpoint instead of a fresh initialisation")
    a = ap.parse_args()
    model = MLE(a.base, a.K) if a.method == "mle-langevin" else Minimax(a.method, a.base)
    key = jax.random.PRNGKey(a.seed)
    kinit, key = jax.random.split(key)
    state = model.init(kinit)
    if a.ckpt:
        state = from_ckpt(state, a.ckpt)
    data = load_fmnist()
    rng = np.random.default_rng(a.seed)
    per_epoch, perm = data.shape[0] // B, None

    def batch(t):   # shuffled epochs, last incomplete batch dropped
        nonlocal perm
        if t % per_epoch == 0 or perm is None:
            perm = rng.permutation(data.shape[0])
        i = t % per_epoch
        return jnp.asarray(data[perm[i * B:(i + 1) * B]])
    step = jax.jit(lambda s, k, t, x: model.step(s, jax.random.fold_in(k, t), t, x), donate_argnums=0)
    t0 = time.perf_counter()
    lowered = step.lower(state, key, jnp.int32(0), batch(0))
    t1 = time.perf_counter()
    compiled = lowered.compile()
    trace_s, compile_s = t1 - t0, time.perf_counter() - t1
    try:
        ca = compiled.cost_analysis()
        flops = float((ca[0] if isinstance(ca, list) else ca).get("flops", float("nan")))
    except Exception:   # cost analysis is best-effort in XLA
        flops = None
    t = 0
    for _ in range(a.warmup):
        state, logs = compiled(state, key, jnp.int32(t), batch(t))
        t += 1
    jax.block_until_ready(state)
    n, logs, rates = 0, {}, []
    t0, c0 = time.perf_counter(), time.process_time()
    while a.seconds > 0 or n < a.iters:
        t1 = time.perf_counter()
        state, logs = compiled(state, key, jnp.int32(t), batch(t))
        jax.block_until_ready(logs)
        rates.append(1 / (time.perf_counter() - t1))
        t += 1
        n += 1
        if a.seconds > 0 and time.perf_counter() - t0 >= a.seconds:
            break
    jax.block_until_ready(state)
    el, cpu = time.perf_counter() - t0, time.process_time() - c0
    last = {k: float(v) for k, v in logs.items()}
    if not all(math.isfinite(v) for v in last.values()):
        print(json.dumps({"error": "non-finite loss at step %d" % t, **last}))
        return 3
    rates.sort()
    print(json.dumps({"method": a.method, "base": a.base, "K": a.K if a.method == "mle-langevin" else None,
                      "steps_per_s": n / el if n else None, "window_steps_per_s_median": rates[len(rates) // 2] if rates else None,
                      "timed_iters": n, "timed_s": el, "timed_cpu_s": cpu, "warmup_iters": a.warmup,
                      "trace_lower_s": trace_s, "compile_s": compile_s, "xla_flops": flops, "jax_version": jax.__version__,
                      "XLA_FLAGS": os.environ.get("XLA_FLAGS"), "cpus_allowed": len(os.sched_getaffinity(0)), "last": last}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
