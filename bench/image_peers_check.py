"""That the peers of bench/peers_image.sh time the same nets as ours: our
trainer's initial checkpoint (`train-cpu train --iters 0`) loaded into the
JAX nets (bench/jax_fmnist.py, if jax imports) and the PyTorch nets
(bench/torch_fmnist.py) gives the energies ours computes
(`train-cpu energy --input X.npy`) on a fixed batch, and the JAX generator
gives PyTorch's pictures on fixed latents (train-mode BatchNorm and eval
mode), to float roundoff. Runs where both import (out/peers-venv). Prints one JSON object of the largest relative
differences (|a - b| / max|b| over the batch); exits 1 above --tol.

  out/peers-venv/bin/python bench/image_peers_check.py CKPT.safetensors X.npy OURS_E.npy [--act silu] [--tol 1e-4]
"""
import argparse
import json
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jax_fmnist as jf  # noqa: E402
import torch_fmnist  # noqa: E402
from image_ood_trace import safetensors_energy  # noqa: E402


def torch_nets(t, path, act, base):
    E = torch_fmnist.image_energy(act, b=base)
    E.load_state_dict(safetensors_energy(path))
    if "generator.fc.weight" not in t:
        return E, None
    G = torch_fmnist.image_generator(b=base)
    idx = {"fc": 0, "up1": 2, "bn1": 3, "up2": 5, "bn2": 6, "up3": 8, "bn3": 9, "out": 11}
    sd = {}
    for k, v in t.items():
        parts = k.split(".")
        if parts[0] == "generator" and len(parts) == 3:
            sd["%d.%s" % (idx[parts[1]], parts[2])] = torch.from_numpy(v.copy())
    G.load_state_dict(sd, strict=False)   # BatchNorm's num_batches_tracked: not ours
    return E, G


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ckpt")
    ap.add_argument("x", help="float32 [N, 1024] pictures")
    ap.add_argument("ours", help="float32 [N] energies ours computed at them")
    ap.add_argument("--act", default="leaky_relu", choices=["leaky_relu", "silu"])
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    t = jf.read_safetensors(a.ckpt)
    base = t["energy.conv1.weight"].shape[0]
    x, ours = np.load(a.x), np.load(a.ours)
    E, G = torch_nets(t, a.ckpt, a.act, base)
    with torch.no_grad():
        et = E(torch.from_numpy(x)).numpy()
    res = {"base": base, "n": len(x), "torch": torch.__version__, "energy_torch_vs_ours": rel(et, ours)}
    fresh = {"E": jf.energy_init(jax.random.PRNGKey(0), base)}   # shapes only: from_ckpt overwrites them
    if G is not None:
        fresh["G"], fresh["bn"] = jf.generator_init(jax.random.PRNGKey(1), base)
    st = jf.from_ckpt(fresh, a.ckpt)
    ej = np.asarray(jax.jit(lambda p, xx: jf.energy(p, xx, a.act))(st["E"], jnp.asarray(x)))
    res["jax"] = jax.__version__
    res["energy_jax_vs_ours"] = rel(ej, ours)
    if G is not None:
        z = np.random.default_rng(0).standard_normal((64, jf.LATENT)).astype(np.float32)
        for mode in ("eval", "train"):   # eval first: a train-mode call moves torch's running stats
            G.train(mode == "train")
            with torch.no_grad():
                gt = G(torch.from_numpy(z)).numpy()
            gj = np.asarray(jf.generator(st["G"], st["bn"], jnp.asarray(z), mode == "train")[0])
            res["generator_%s_jax_vs_torch" % mode] = rel(gj, gt)
    worst = max(v for k, v in res.items() if k.endswith(("_ours", "_torch")))
    res["ok"] = worst <= a.tol
    print(json.dumps(res))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
