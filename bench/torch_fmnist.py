#!/usr/bin/python3
"""PyTorch eager reference of models/fmnist_mle.lua, for the image speed benchmark.

Same network (methods.md §8 image energy with SiLU, PyTorch default
initialisation), batch 64, K = 60 Langevin steps x <- clamp(x - alpha grad E +
eta xi, -1, 1) from U[-1, 1]^D, alpha 1, eta 0.005, Adam lr 1e-4 betas (0, 0.999)
eps 1e-8, Fashion-MNIST padded to 32x32 with -1 (methods.md §6), shuffled epochs.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_fmnist.py --iters 3 --threads 1

Prints one JSON object: steps_per_s over the timed iterations (after --warmup).
"""
import argparse
import gzip
import json
import os
import sys
import time

import torch
import torch.nn as nn

FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def load_fmnist(path=FMNIST):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    x = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).reshape(n, 1, 28, 28).float()
    x = 2 * (x / 255) - 1
    return nn.functional.pad(x, (2, 2, 2, 2), value=-1.0)


def image_energy(C=1, b=64):
    plan = [(C, b, 3, 1), (b, b, 4, 2), (b, 2 * b, 3, 1), (2 * b, 2 * b, 4, 2), (2 * b, 4 * b, 3, 1),
            (4 * b, 4 * b, 4, 2), (4 * b, 8 * b, 3, 1)]
    layers = []
    for cin, cout, k, s in plan:
        layers += [nn.Conv2d(cin, cout, k, s, 1), nn.SiLU()]
    layers += [nn.Flatten(), nn.Linear(8 * b * 16, 1)]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--K", type=int, default=60)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = load_fmnist()
    E = image_energy()
    opt = torch.optim.Adam(E.parameters(), lr=1e-4, betas=(0.0, 0.999), eps=1e-8)
    B, per_epoch = a.batch, data.shape[0] // a.batch
    perm = torch.randperm(data.shape[0])

    def step(t):
        nonlocal perm
        if t % per_epoch == 0 and t:
            perm = torch.randperm(data.shape[0])
        xd = data[perm[(t % per_epoch) * B:(t % per_epoch + 1) * B]]
        x = torch.rand(B, 1, 32, 32) * 2 - 1
        for _ in range(a.K):
            x = x.detach().requires_grad_(True)
            g, = torch.autograd.grad(E(x).sum(), x)
            x = (x.detach() - 1.0 * g + 0.005 * torch.randn_like(x)).clamp(-1, 1)
        loss = E(xd).mean() - E(x.detach()).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for t in range(a.warmup):
        step(t)
    t0 = time.perf_counter()
    for t in range(a.warmup, a.warmup + a.iters):
        loss = step(t)
    el = time.perf_counter() - t0
    print(json.dumps({"model": "fmnist_mle", "steps_per_s": a.iters / el, "timed_iters": a.iters, "timed_s": el,
                      "last_loss": loss, "torch_version": torch.__version__, "torch_num_threads": torch.get_num_threads(),
                      "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "mkldnn": torch.backends.mkldnn.is_available()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
