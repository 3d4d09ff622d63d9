#!/usr/bin/python3
"""PyTorch eager reference of the Fashion-MNIST trainers, for the image speed benchmark.

--method mle-langevin: models/fmnist_mle.lua. The image energy with SiLU, K
  Langevin steps x <- clamp(x - alpha grad E + eta xi, -1, 1) from U[-1, 1]^D,
  alpha 1, eta 0.005, Adam lr 1e-4 betas (0, 0.999) eps 1e-8; the logged
  e_gap = mean E(x0) - mean E(data) is computed every step, as ours does.
--method bb-sv-gp: models/fmnist_bb.lua (generator/lua/method_bb.lua,
  bound_sv.lua, bound_gp.lua, minimax.lua with the image defaults of
  methods.md §8): the image energy with LeakyReLU(0.1) and the DCGAN generator
  (latent 128, BatchNorm); Adam lr 5e-5 betas (0, 0.999) eps 1e-6 for both.
  Energy step: fakes x~ = G^tr(z); one LOBPCG call at z (bench/torch_sv.py)
  gives v* and its start vector v0; loss = mean E(x) - mean E(x~) + relu(1e-3 P)
  with P = 1/(2B) sum_b (<grad_x E(x~_b), sg(J^ev v0_b)> - <q_b, v0_b>)^2 and
  q = sg(z + d grad_z log |J^ev(z) v*|) (methods.md §3c "Probe").
  Generator step: loss = mean E(G^tr(z')) - 1e-4 d mean log |J^ev(z) v*| at the
  energy step's z and v* (methods.md §3a "Where H^ is evaluated"), taken
  before G^tr(z') so eval-mode BN sees the energy step's running statistics,
  and differentiated before it too: G^tr(z') updates those statistics in
  place, unseen by autograd, and the eval-mode graph reads them in its
  backward (bench/image_dynamics_parity.sh found its gradient 5-16% off
  in the pre-BN biases before this).
--method ebm-0gp: models/fmnist_0gp.lua: the energy step carries 1e-3 mean
  |grad_x E(x)|^2 on real data instead of (c); the generator step takes H^ at
  its fresh z' (LOBPCG there).

Same networks as nets_image.lua (methods.md §8, PyTorch default
initialisation), batch 64, Fashion-MNIST padded to 32x32 with -1 (§6),
shuffled epochs, last incomplete batch dropped. Gradients are taken only for
the parameters a step updates (torch.autograd.grad), as our trainers do.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_fmnist.py --method bb-sv-gp --iters 3 --threads 1

Prints one JSON object: steps_per_s = timed iterations / timed seconds
(time.perf_counter) after --warmup iterations, the rate of every timed
iteration, and timed_cpu_s, the process CPU time of the timed iterations
(time.process_time: the fair measure on a loaded machine). --base sets both
nets' width (nets_image.lua base); --out writes ckpt.pt (step, nets, Adam
states, EMA, the epoch's order, torch's RNG state), from which --resume
continues up to step --iters exactly: 2 steps, then 1 resumed, log the same
losses as 3 in one run (checked for bb-sv-gp and mle-langevin).

A step-by-step comparison with our trainer (bench/image_dynamics_parity.sh;
bb-sv-gp and ebm-0gp): --load starts from one of our checkpoints (`train
--iters 0`), --replay draws the data batches (our shuffled epochs) and all
noise (z, z', LOBPCG's start and fallback vectors) from our Philox streams
(bench/philox_replay.py), --f64 computes in double precision (the roundoff
control), --log FILE writes every step's losses, and --save-state writes the
nets, the EMA and the Adam first moments (with beta1 = 0, the last step's
gradients) under our checkpoint's names.
"""
import argparse
import gzip
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_sv import jvp, lobpcg_eval, log_mu, log_sigma_min  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
B, D, LATENT = 64, 1024, 128
randn = torch.randn   # the minimax methods' noise; --replay swaps in our trainers' draws


def load_fmnist(path=FMNIST):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    x = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).reshape(n, 1, 28, 28).float()
    x = 2 * (x / 255) - 1
    return nn.functional.pad(x, (2, 2, 2, 2), value=-1.0).reshape(n, D)


def image_energy(act, C=1, b=64):
    """nets.image_energy{base = b}: 3x3 s1 p1 and 4x4 s2 p1 convs, each followed by act, then Linear(128 b, 1); rows [B, D] in."""
    plan = [(C, b, 3, 1), (b, b, 4, 2), (b, 2 * b, 3, 1), (2 * b, 2 * b, 4, 2), (2 * b, 4 * b, 3, 1),
            (4 * b, 4 * b, 4, 2), (4 * b, 8 * b, 3, 1)]
    layers = [nn.Unflatten(1, (C, 32, 32))]
    for cin, cout, k, s in plan:
        layers += [nn.Conv2d(cin, cout, k, s, 1), nn.SiLU() if act == "silu" else nn.LeakyReLU(0.1)]
    layers += [nn.Flatten(), nn.Linear(8 * b * 16, 1), nn.Flatten(0)]
    return nn.Sequential(*layers)


def image_generator(C=1, b=64):
    """nets.image_generator{base = b} (DCGAN): Linear(128, 4*4*8b), three ConvT4x4 s2 p1 -BN-ReLU, Conv3x3 - Tanh; rows [B, D] out."""
    layers = [nn.Linear(LATENT, 4 * 4 * 8 * b), nn.Unflatten(1, (8 * b, 4, 4))]
    for cin in (8 * b, 4 * b, 2 * b):
        layers += [nn.ConvTranspose2d(cin, cin // 2, 4, 2, 1), nn.BatchNorm2d(cin // 2), nn.ReLU()]
    layers += [nn.Conv2d(b, C, 3, 1, 1), nn.Tanh(), nn.Flatten()]
    return nn.Sequential(*layers)


def adam_step(opt, params, loss, extra=None):
    """grads of loss for `params` only (no work for the frozen network), plus the gradients
    `extra` where given, then one Adam step"""
    grads = torch.autograd.grad(loss, params)
    for p, g, e in zip(params, grads, extra or [None] * len(params)):
        p.grad = g if e is None else g + e
    opt.step()


class Batches:
    """shuffled epochs of the training set, last incomplete batch dropped"""

    def __init__(self, replay=None):
        self.data = load_fmnist().to(torch.get_default_dtype())
        self.per_epoch = self.data.shape[0] // B
        self.perm = None
        self.replay = replay   # --replay: our trainer's epochs instead (philox_replay.image_batches)

    def state(self):
        return {"perm": self.perm}

    def load(self, st):
        self.perm = st["perm"]

    def __call__(self, t):
        if self.replay:
            return self.replay.data(B)
        if t % self.per_epoch == 0 or self.perm is None:
            self.perm = torch.randperm(self.data.shape[0])
        i = t % self.per_epoch
        return self.data[self.perm[i * B:(i + 1) * B]]


def mle_langevin(a):
    E = image_energy("silu", b=a.base)
    params = list(E.parameters())
    opt = torch.optim.Adam(params, lr=1e-4, betas=(0.0, 0.999), eps=1e-8)
    batches = Batches()

    def step(t):
        x0 = torch.rand(B, D) * 2 - 1
        x = langevin(E, x0, a.K)
        ed = E(batches(t))
        loss = ed.mean() - E(x.detach()).mean()
        adam_step(opt, params, loss)
        with torch.no_grad():
            e_gap = E(x0).mean() - ed.mean()
        return {"loss": loss.item(), "e_gap": e_gap.item()}

    step.nets = {"E": E}
    step.opts = {"E": opt}
    step.batches = batches
    return step


def langevin(E, x0, K):
    """K steps x <- clamp(x - grad E(x) + 0.005 xi, -1, 1) (alpha 1, eta 0.005): the sampler of
    mle-langevin in training and in `sample`"""
    x = x0
    for _ in range(K):
        x = x.detach().requires_grad_(True)
        g, = torch.autograd.grad(E(x).sum(), x)
        x = (x.detach() - 1.0 * g + 0.005 * torch.randn_like(x)).clamp(-1, 1)
    return x.detach()


def minimax(a):
    """bb-sv-gp and ebm-0gp: one energy step, then one generator step (methods.md §2)"""
    E, G = image_energy("leaky_relu", b=a.base), image_generator(b=a.base)
    pE, pG = list(E.parameters()), list(G.parameters())
    optE = torch.optim.Adam(pE, lr=5e-5, betas=(0.0, 0.999), eps=1e-6)
    optG = torch.optim.Adam(pG, lr=5e-5, betas=(0.0, 0.999), eps=1e-6)
    batches = Batches(a.replay)
    lam, w_H, n_it = 1e-3, 1e-4, 2
    ema = [p.detach().clone() for p in pG]  # generator/lua/ema.lua: e <- p at step 0, then 0.999 e + 0.001 p

    def bound_c(z, xf, ef, vstar, v):
        """P of bound (c) (bound_gp.lua): s_b differentiable in theta, w_b and q_b constants"""
        sb, = torch.autograd.grad(ef.sum(), xf, create_graph=True)
        G.eval()
        with torch.no_grad():
            w = jvp(G, z, v)
        G.train()
        zz = z.detach().requires_grad_(True)
        gz, = torch.autograd.grad(log_mu(G, zz, vstar).sum(), zz)
        q = z + LATENT * gz
        r = (sb * w).sum(1) - (q * v).sum(1)
        return (r * r).sum() / (2 * B)

    def step(t):
        log = {}
        # energy step
        x = batches(t)
        z = randn(B, LATENT)
        with torch.no_grad():
            xf = G(z)  # train mode: BatchNorm batch statistics, running statistics updated
        ex = E(x) if a.method == "bb-sv-gp" else E(x.requires_grad_(True))
        if a.method == "bb-sv-gp":
            xf.requires_grad_(True)
            ef = E(xf)
            vstar, v0 = lobpcg_eval(G, z, n_it)
            P = bound_c(z, xf, ef, vstar, v0)
            R = torch.relu(lam * P)
            log.update(P=P.item(), R=R.item())
        else:
            ef = E(xf)
            gx, = torch.autograd.grad(ex.sum(), x, create_graph=True)
            R = lam * (gx * gx).sum(1).mean()
            log["penalty"] = R.item() / lam
        loss_e = ex.mean() - ef.mean() + R
        adam_step(optE, pE, loss_e)
        # generator step (theta frozen: no gradients for E's parameters)
        g_H = None
        if a.method == "bb-sv-gp":
            H = LATENT * log_mu(G, z, vstar).mean()
            # differentiated now: G(z') below updates the BN running statistics in place, and this
            # eval-mode graph reads them in its backward (autograd does not see that update)
            g_H = torch.autograd.grad(-w_H * H, pG)
        z2 = randn(B, LATENT)
        adv = E(G(z2)).mean()
        if a.method != "bb-sv-gp":
            H = LATENT * log_sigma_min(G, z2, n_it).mean()
        if g_H is None:
            loss_g = adv - w_H * H
            adam_step(optG, pG, loss_g)
        else:   # H's gradient was taken above: step on the adversarial term's plus it
            loss_g = adv - w_H * H.detach()
            adam_step(optG, pG, adv, g_H)
        with torch.no_grad():
            w = 0.999 if t > 0 else 0.0
            for e, p in zip(ema, pG):
                e.mul_(w).add_((1 - w) * p)
        log.update(loss_e=loss_e.item(), e_data=ex.mean().item(), e_fake=ef.mean().item(), loss_g=loss_g.item(),
                   entropy=H.item())
        return log

    step.nets = {"E": E, "G": G, "ema": ema}
    step.opts = {"E": optE, "G": optG}
    step.batches = batches
    return step


class OurNames:
    """The minimax nets' parameters, BN buffers and EMA under our checkpoints'
    names (`train-cpu info`), and with moments=True Adam's first moments as
    NAME.adam_m: a model for bench/torch_toy.py's load_ckpt and save_state."""

    def __init__(self, step, moments=False):
        self.step, self.moments = step, moments

    def named_state(self):
        E, G, ema = self.step.nets["E"], self.step.nets["G"], self.step.nets["ema"]
        mods = {**{"energy.conv%d" % (k + 1): E[1 + 2 * k] for k in range(7)}, "energy.fc": E[16],
                "generator.fc": G[0], "generator.up1": G[2], "generator.bn1": G[3], "generator.up2": G[5],
                "generator.bn2": G[6], "generator.up3": G[8], "generator.bn3": G[9], "generator.out": G[11]}
        out, params = {}, {}
        for name, m in mods.items():
            for k, t in m.named_parameters():
                out[name + "." + k] = params[name + "." + k] = t
            for k in ("running_mean", "running_var"):
                if hasattr(m, k):
                    out[name + "." + k] = getattr(m, k)
        assert len(params) == len(list(E.parameters())) + len(list(G.parameters())), "a parameter without our name"
        gen = [k for k in params if k.startswith("generator.")]   # the order of G.parameters(), as the EMA list
        out.update({"ema." + k: e for k, e in zip(gen, ema)})
        if self.moments:
            for opt in self.step.opts.values():
                for k, t in params.items():
                    if t in opt.state and "exp_avg" in opt.state[t]:
                        out[k + ".adam_m"] = opt.state[t]["exp_avg"]
        return out


def save_ckpt(path, step, t):
    """everything a continuation needs: the next step, nets, Adam states, EMA, the epoch's order, the RNG"""
    nets = {k: (v.state_dict() if isinstance(v, nn.Module) else v) for k, v in step.nets.items()}
    torch.save({"t": t, "nets": nets, "opts": {k: o.state_dict() for k, o in step.opts.items()},
                "batches": step.batches.state(), "rng": torch.get_rng_state()}, path)


def load_ckpt(path, step):
    ck = torch.load(path, weights_only=False)
    for k, v in step.nets.items():
        if isinstance(v, nn.Module):
            v.load_state_dict(ck["nets"][k])
        else:
            with torch.no_grad():
                for e, s in zip(v, ck["nets"][k]):
                    e.copy_(s)
    for k, o in step.opts.items():
        o.load_state_dict(ck["opts"][k])
    step.batches.load(ck["batches"])
    torch.set_rng_state(ck["rng"])
    return ck["t"]


def evaluate(nets, a):
    """--out: 2,000 samples, as ours `sample` draws them: of the averaged
    generator in eval mode (BN running statistics of the trained one), or
    mle-langevin's K-step sampler from U[-1, 1]^D; to samples.npy and
    samples.png; -E on the pictures of `eval --ood-sets`, with AUROCs as
    runtime/metrics.c computes them (ties count 1/2)."""
    import numpy as np
    E = nets["E"]
    E.eval()
    os.makedirs(a.out, exist_ok=True)
    if "G" in nets:
        G = nets["G"]
        Ga = image_generator(b=a.base)
        Ga.load_state_dict(G.state_dict())
        with torch.no_grad():
            for pa, e in zip(Ga.parameters(), nets["ema"]):
                pa.copy_(e)
        Ga.eval()
        with torch.no_grad():
            xs = torch.cat([Ga(torch.randn(500, LATENT)) for _ in range(4)]).numpy().astype(np.float32)
    else:
        xs = torch.cat([langevin(E, torch.rand(500, D) * 2 - 1, a.K) for _ in range(4)]).numpy().astype(np.float32)
    np.save(os.path.join(a.out, "samples.npy"), xs)
    write_png_grid(os.path.join(a.out, "samples.png"), xs[:64])
    res = {}
    if a.ood_sets:
        def scores(name):
            x = torch.from_numpy(np.load(os.path.join(a.ood_sets, name + ".npy")))
            with torch.no_grad():
                return -torch.cat([E(x[i:i + 500]) for i in range(0, x.shape[0], 500)]).numpy()
        s_in = scores("test")
        res["n_in"] = len(s_in)
        for name in ("mnist", "uniform_noise", "constant"):
            if os.path.exists(os.path.join(a.ood_sets, name + ".npy")):
                res["auroc_" + name] = round(auroc(s_in, scores(name)), 4)
    return res


def auroc(s_in, s_out):
    """P(score_in > score_out) + 1/2 P(equal), from ranks (Mann-Whitney U)"""
    import numpy as np
    allv = np.concatenate([s_in, s_out]).astype(np.float64)
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):  # average ranks over ties
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n, m = len(s_in), len(s_out)
    return (ranks[:n].sum() - n * (n + 1) / 2) / (n * m)


def write_png_grid(path, x, cols=8):
    """an 8-bit grey PNG of 32x32 pictures in [-1, 1], `cols` a row, 2-pixel gaps"""
    import struct
    import zlib
    import numpy as np
    n, side = len(x), 32
    rows = (n + cols - 1) // cols
    H, W = rows * (side + 2) + 2, cols * (side + 2) + 2
    img = np.zeros((H, W), np.uint8)
    for k in range(n):
        r, c = divmod(k, cols)
        pic = np.clip((x[k].reshape(side, side) + 1) * 127.5 + 0.5, 0, 255).astype(np.uint8)
        img[2 + r * (side + 2):2 + r * (side + 2) + side, 2 + c * (side + 2):2 + c * (side + 2) + side] = pic
    raw = b"".join(b"\0" + img[i].tobytes() for i in range(H))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def replay_draws(seed):
    """--replay: our trainer's batches and normal draws (streams in the order
    the models draw: `ebmforge ir`), wired into this module and torch_sv"""
    import philox_replay
    import torch_sv
    global randn
    draws = philox_replay.Replay("fashion-mnist", seed, philox_replay.image_batches(load_fmnist().numpy()))
    randn = torch_sv.randn = draws.randn
    torch_sv.draw_every_fallback = True
    return draws


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--method", default="mle-langevin", choices=["mle-langevin", "bb-sv-gp", "ebm-0gp"])
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--K", type=int, default=60, help="Langevin steps of mle-langevin (models/fmnist_mle.lua: 60)")
    ap.add_argument("--base", type=int, default=64, help="base channel width of both nets (nets_image.lua base; 64 as shipped)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", help="continue from this --out's ckpt.pt up to step --iters (no warm-up)")
    ap.add_argument("--out", help="after training, write ckpt.pt and samples.npy/.png of the averaged generator "
                    "(mle-langevin: the K-step sampler) here")
    ap.add_argument("--ood-sets", help="with --out: score -E on the pictures `train-cpu eval --ood-sets` wrote here")
    ap.add_argument("--load", metavar="CKPT", help="bb-sv-gp, ebm-0gp: start from one of our trainers' ckpt.safetensors "
                    "(nets, BN buffers, EMA; not Adam's state)")
    ap.add_argument("--replay", action="store_true", help="bb-sv-gp, ebm-0gp: the data batches and noise our trainer draws "
                    "with --seed (bench/philox_replay.py), for a step-by-step comparison")
    ap.add_argument("--f64", action="store_true", help="compute in double precision (a roundoff control for --replay)")
    ap.add_argument("--log", metavar="FILE", help="write every step's losses here, one JSON object a line (as our log.jsonl)")
    ap.add_argument("--save-state", metavar="PATH", help="bb-sv-gp, ebm-0gp: write the nets, BN buffers, EMA and Adam's "
                    "first moments (NAME.adam_m) at the end under our trainers' names (safetensors)")
    a = ap.parse_args()
    if a.method == "mle-langevin" and (a.load or a.replay or a.save_state):
        ap.error("--load, --replay and --save-state support bb-sv-gp and ebm-0gp")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.f64:
        torch.set_default_dtype(torch.float64)
    a.replay = replay_draws(a.seed) if a.replay else None
    step = mle_langevin(a) if a.method == "mle-langevin" else minimax(a)
    if a.load:
        from torch_toy import load_ckpt as load_ours
        load_ours(OurNames(step), a.load)
    start = 0
    if a.resume:
        start = load_ckpt(a.resume, step)
        if a.warmup or a.iters <= start:
            ap.error(f"--resume continues from step {start} to step --iters, without --warmup: got --iters {a.iters}")
    logf = open(a.log, "w", buffering=1) if a.log else None

    def one(t):
        if a.replay:
            a.replay.begin(t)
        log = step(t)
        if logf:
            logf.write(json.dumps({"iter": t + 1, **log}) + "\n")
        return log
    for t in range(a.warmup):
        one(t)
    first = start + a.warmup
    last = a.iters if a.resume else first + a.iters
    rates, t0, c0, log = [], time.perf_counter(), time.process_time(), None
    for t in range(first, last):
        t1 = time.perf_counter()
        log = one(t)
        rates.append(1 / (time.perf_counter() - t1))
    el, cpu = time.perf_counter() - t0, time.process_time() - c0
    if a.save_state:
        from torch_toy import save_state
        save_state(OurNames(step, moments=True), a.save_state)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        save_ckpt(os.path.join(a.out, "ckpt.pt"), step, last)
    evaluation = evaluate(step.nets, a) if a.out else None
    print(json.dumps({"model": {"mle-langevin": "fmnist_mle", "bb-sv-gp": "fmnist_bb", "ebm-0gp": "fmnist_0gp"}[a.method],
                      "method": a.method, "K": a.K if a.method == "mle-langevin" else None, "base": a.base,
                      "step": last, "steps_per_s": (last - first) / el, "timed_iters": last - first, "timed_s": el, "timed_cpu_s": cpu,
                      "iter_steps_per_s": rates,
                      "last": log, "torch_version": torch.__version__, "torch_num_threads": torch.get_num_threads(),
                      "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "mkldnn": torch.backends.mkldnn.is_available(), "evaluation": evaluation}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
