#!/usr/bin/python3
"""PyTorch eager reference of the two toy trainers, for the speed benchmark.

Faithful to shared/spec/methods.md (§2, §3a, §3e, §4, §6, §8 `paper` preset)
and to generator/lua/method_mle.lua / method_ebm0gp.lua: same nets (PyTorch
default initialisation), same batch, same K, same hyperparameters, same
losses and the same derivative structure (gradient penalty with
create_graph=True, the 2x2 Jacobian of G in eval mode by two autograd.grad
calls with create_graph=True, closed-form log sigma_min).

  /usr/bin/python3 bench/torch_toy.py --method mle-langevin|ebm-0gp \
      --iters N --threads T --seed S [--seconds S] [--warmup W] [--out DIR] \
      [--device cuda] [--compile]

--device cuda runs on the GPU (TF32 off, as our train-cuda); --compile wraps
the training step in torch.compile (its compilation happens in the warm-up).

Timing: --warmup iterations first (not timed), then the timed loop runs
--iters iterations, or, with --seconds, as many iterations as fit in that
many seconds (checked after every iteration). Prints one JSON object with
steps_per_s = timed iterations / timed seconds (time.perf_counter), and
window_steps_per_s_median, the median rate over windows of 10 iterations
(robust to short interference from other processes).
With --out it also writes DIR/samples.npy (2000 sampler/generator samples,
float32 [2000, 2]) and DIR/energy_grid.npy (float32 [256, 256] energies at
the cell centres of [-4, 4]^2, row index = y, column index = x, methods.md
§7.1), and DIR/log.jsonl (losses every --log-every timed iterations, as
training goes).

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
            "8gaussians-meg": lambda n: gaussians8(n, 2.0, 0.02), "swissroll": swissroll, "moons": moons,
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
            x = x.detach() - self.alpha * g + self.eta * torch.randn(n, D)
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


# ---- ebm-0gp, preset `paper` (methods.md §3a, §3e, §8) ----------------------
def log_sigma_min_2x2(a, b, c, e):
    """log 2 + log|ae - bc| - log(P + Q), P, Q guarded by 1e-24 (§3a, §10.1)."""
    P = torch.sqrt((a + e) ** 2 + (c - b) ** 2 + 1e-24)
    Q = torch.sqrt((a - e) ** 2 + (b + c) ** 2 + 1e-24)
    return math.log(2.0) + torch.log(torch.abs(a * e - b * c)) - torch.log(P + Q)


class EBM0GP:
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
        """Rows of J = dG^ev/dz at every z (samples are independent in eval
        mode, so the gradient of the summed output k gives row k per sample)."""
        self.G.eval()
        z = z.detach().requires_grad_(True)
        y = self.G(z)
        r1, = torch.autograd.grad(y[:, 0].sum(), z, create_graph=True)
        r2, = torch.autograd.grad(y[:, 1].sum(), z, create_graph=True)
        self.G.train()
        return r1[:, 0], r1[:, 1], r2[:, 0], r2[:, 1]

    def step(self, t):
        # energy step: fakes are constants for theta (G^tr forward updates BN stats)
        lam = 0.7 * (2307.0 + t) ** -0.55
        x = data(B).requires_grad_(True)
        with torch.no_grad():
            fake = self.G(torch.randn(B, self.d))
        ex, ef = self.E(x), self.E(fake)
        gx, = torch.autograd.grad(ex.sum(), x, create_graph=True)
        penalty = (gx * gx).sum(1).mean()
        loss_e = ex.mean() - ef.mean() + lam * penalty
        self.optE.zero_grad(set_to_none=True)
        loss_e.backward(inputs=self.pE)
        self.optE.step()
        # generator step at a fresh z': adversarial term with G^tr, entropy with G^ev
        z = torch.randn(B, self.d)
        adv = self.E(self.G(z)).mean()
        H = self.d * log_sigma_min_2x2(*self.jacobian_2x2(z)).mean()
        loss_g = adv - self.w_H * H
        self.optG.zero_grad(set_to_none=True)
        loss_g.backward(inputs=self.pG)
        self.optG.step()
        return {"loss_e": loss_e, "e_data": ex.mean(), "e_fake": ef.mean(), "penalty": penalty,
                "loss_g": loss_g, "entropy": H}

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


# ---- our checkpoints (safetensors) ------------------------------------------
def load_ckpt(model, path):
    """Sets the model's parameters and buffers from one of our trainers'
    ckpt.safetensors (same names as `train-cpu info`); optimiser state is not loaded."""
    import json as _json
    import struct
    with open(path, "rb") as f:
        n, = struct.unpack("<Q", f.read(8))
        header = _json.loads(f.read(n))
        blob = f.read()
    state = model.named_state()
    missing = [k for k in state if k not in header]
    if missing:
        raise SystemExit("%s: no %s" % (path, ", ".join(missing)))
    with torch.no_grad():
        for k, t in state.items():
            h = header[k]
            if h["dtype"] != "F32":
                raise SystemExit("%s: %s is %s, expected F32" % (path, k, h["dtype"]))
            b, e = h["data_offsets"]
            v = torch.frombuffer(bytearray(blob[b:e]), dtype=torch.float32)
            if v.numel() != t.numel():
                raise SystemExit("%s: %s has %d values, the torch model %d" % (path, k, v.numel(), t.numel()))
            t.copy_(v.reshape(t.shape))


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
    pts = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1).float()
    return torch.cat([model.energy(p) for p in pts.split(4096)]).reshape(R, R)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", required=True, choices=["mle-langevin", "ebm-0gp"])
    ap.add_argument("--iters", type=int, default=1000, help="timed iterations (without --seconds)")
    ap.add_argument("--seconds", type=float, default=0, help="time the loop for this long instead of --iters")
    ap.add_argument("--warmup", type=int, default=20, help="untimed iterations first")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (intra-op, OpenMP)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default="25gaussians", choices=sorted(DATASETS), help="toy data set (methods.md §6)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--log-every", type=int, default=10, help="with --out: log every K timed iterations (a multiple of 10)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--compile", action="store_true", help="torch.compile the training step")
    ap.add_argument("--load", metavar="CKPT", default=None,
                    help="start from one of our trainers' ckpt.safetensors (parameters and buffers)")
    a = ap.parse_args()
    if a.log_every <= 0 or a.log_every % 10:
        ap.error("--log-every must be a positive multiple of 10")

    global data
    data = DATASETS[a.data]
    torch.set_num_threads(a.threads)
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
    model = MLE() if a.method == "mle-langevin" else EBM0GP()
    if a.compile:
        model.step = torch.compile(model.step)
    if a.load:
        load_ckpt(model, a.load)
    log = None
    if a.out:  # written as training goes, like our trainers' log.jsonl
        os.makedirs(a.out, exist_ok=True)
        log = open(os.path.join(a.out, "log.jsonl"), "w", buffering=1)
    t = 0
    for _ in range(a.warmup):
        model.step(t)
        t += 1
    sync()
    n = 0
    t0 = time.perf_counter()
    marks = [t0]                       # wall clock every 10 timed iterations, as our trainers' log windows
    logs = {}
    while a.seconds > 0 or n < a.iters:
        logs = model.step(t)
        t += 1
        n += 1
        if n % 10 == 0:
            sync()
            marks.append(time.perf_counter())
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
    el = time.perf_counter() - t0
    win = sorted(10 / (q - p) for p, q in zip(marks, marks[1:]))
    res = {
        "method": a.method, "data": a.data, "steps_per_s": n / el if n else None,
        "window_steps_per_s_median": win[len(win) // 2] if win else None, "timed_iters": n, "timed_s": el, "warmup_iters": a.warmup,
        "device": a.device, "compiled": a.compile, "torch_version": torch.__version__, "torch_num_threads": torch.get_num_threads(),
        "torch_num_interop_threads": torch.get_num_interop_threads(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "last": {k: v.item() for k, v in logs.items()},
    }
    if a.out:
        log.close()
        write_npy(os.path.join(a.out, "samples.npy"), model.samples(2000))
        write_npy(os.path.join(a.out, "energy_grid.npy"), energy_grid(model))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
