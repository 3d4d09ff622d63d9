#!/usr/bin/python3
"""The probes, the PyTorch side and the JSON of bench/image_ood_trace.sh.

usage: image_ood_trace.py probes SETS_DIR PROBES.npy
       image_ood_trace.py torch SEED ITERS EVERY PROBES.npy OUT_DIR [BASE [METHOD]]
       image_ood_trace.py summary WORK RESULT.json COMMIT [MODEL]

probes: one float32 [N, 1024] array of the pictures every checkpoint's energy
  is evaluated on, slices named in PROBES.json: the Fashion-MNIST test split,
  uniform noise and constant pictures exactly as `train-cpu eval --ood-sets`
  wrote them (so the AUROCs are those of bench/image_narrow.sh), noise confined
  to [-1, 0] and to [0, 1] (darker / brighter than U[-1, 1], same frame), and
  the path x(t) = (1 - t) x_test + t x_noise for 256 pairs, t = 0, 0.1, ..., 1.
torch: bench/torch_fmnist.py's METHOD trainer (ebm-0gp or bb-sv-gp; same seed handling, no
  warm-up: the run of bench/image_narrow.sh step for step), stopping every
  EVERY iterations (and at 0) to write OUT_DIR/it_<t>/: E on the probes,
  1,000 samples of the averaged generator in eval mode (samples.npy, as
  `sample` draws them) and their energies, and 1,024 draws of the current
  generator in train mode, 64 at a time, as the energy step sees them
  (gtrain.npy, E_gtrain.npy). The torch RNG state and the nets are restored
  after each stop, so the training trajectory is that of an uninterrupted run.
  log.jsonl: e_data, e_fake and the penalty (ebm-0gp) or bound (c) P (bb-sv-gp) every 10 steps.
summary: for every run in WORK ({ours,torch,ours_CORE}_s<SEED>/it_<N>/), per stop: AUROC of -E, test against noise, constant,
  the dark and bright noise and the generator's samples; mean and sd of E on
  each set; mean E along the path; the mean pixel of the samples; the
  correlation of E with the mean pixel over the test split; and the training
  log's e_data / e_fake at that stop. For ours at 0, 1,000 and the last stop
  also forward_parity: our checkpoint's energy weights loaded into PyTorch's
  net, max |E_ours - E_PyTorch| over test and noise / sd of E on test (the
  two sides evaluate the same function of the same weights).
"""
import copy
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PATH_T = [round(0.1 * i, 1) for i in range(11)]
N_PATH = 256


def frame_mask():
    """True inside the 28x28 picture of the 32x32 frame (the 2-pixel border is -1 in every set)"""
    m = np.zeros((32, 32), bool)
    m[2:30, 2:30] = True
    return m.reshape(1024)


def probes(sets, out):
    ld = lambda n: np.load(os.path.join(sets, n + ".npy")).astype(np.float32)
    test, noise, const = ld("test"), ld("uniform_noise"), ld("constant")
    inner = frame_mask()
    dark, bright = noise[:1000].copy(), noise[:1000].copy()
    dark[:, inner] = (dark[:, inner] - 1) / 2      # U[-1, 0]: the data's mean pixel is -0.56
    bright[:, inner] = (bright[:, inner] + 1) / 2  # U[0, 1]
    path = np.concatenate([(1 - t) * test[:N_PATH] + t * noise[:N_PATH] for t in PATH_T])
    parts = [("test", test), ("noise", noise), ("constant", const), ("noise_dark", dark), ("noise_bright", bright),
             ("path", path)]
    sl, at = {}, 0
    for k, a in parts:
        sl[k] = [at, at + len(a)]
        at += len(a)
    np.save(out, np.concatenate([a for _, a in parts]).astype(np.float32))
    with open(out[:-4] + ".json", "w") as f:
        json.dump({"slices": sl, "path_t": PATH_T, "n_path": N_PATH}, f)


def torch_side(seed, iters, every, probes_path, out, base=8, method="ebm-0gp"):
    import argparse
    import torch
    sys.path.insert(0, HERE)
    import torch_fmnist as tf
    a = argparse.Namespace(method=method, base=base, replay=False)   # torch_fmnist.minimax reads these
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    step = tf.minimax(a)   # as torch_fmnist.main: seed, nets, then steps 0, 1, ... (--warmup 0)
    P = torch.from_numpy(np.load(probes_path))
    E, G = step.nets["E"], step.nets["G"]
    os.makedirs(out, exist_ok=True)
    log = open(os.path.join(out, "log.jsonl"), "w")

    def energies(x):
        with torch.no_grad():
            return torch.cat([E(x[i:i + 500]) for i in range(0, x.shape[0], 500)]).numpy()

    def stop(t):
        d = os.path.join(out, f"it_{t}")
        os.makedirs(d, exist_ok=True)
        rng = torch.get_rng_state()
        np.save(os.path.join(d, "E_probes.npy"), energies(P))
        Ga = tf.image_generator(b=base)    # the averaged generator, eval mode (torch_fmnist.evaluate)
        Ga.load_state_dict(G.state_dict())
        Gt = copy.deepcopy(G)              # the current one in train mode; a copy keeps G's BN statistics
        with torch.no_grad():
            for pa, e in zip(Ga.parameters(), step.nets["ema"]):
                pa.copy_(e)
            Ga.eval()
            xs = torch.cat([Ga(torch.randn(500, tf.LATENT)) for _ in range(2)])
            Gt.train()
            xg = torch.cat([Gt(torch.randn(64, tf.LATENT)) for _ in range(16)])
        torch.set_rng_state(rng)
        for name, x in (("samples", xs), ("gtrain", xg)):
            np.save(os.path.join(d, name + ".npy"), x.numpy().astype(np.float32))
            np.save(os.path.join(d, "E_" + name + ".npy"), energies(x))

    for t in range(iters + 1):
        if t % every == 0:
            stop(t)
        if t == iters:
            break
        lg = step(t)
        if (t + 1) % 10 == 0:
            log.write(json.dumps({"iter": t + 1, **{k: lg[k] for k in ("e_data", "e_fake", "penalty", "P") if k in lg}})
                      + "\n")
            log.flush()


def auroc(s_in, s_out):
    sys.path.insert(0, HERE)
    from torch_fmnist import auroc as au   # runtime/metrics.c's definition (ties 1/2)
    return round(float(au(s_in, s_out)), 4)


def read_log(path):
    rows = {}
    if os.path.exists(path):
        for line in open(path):
            o = json.loads(line)
            if "event" not in o and "e_data" in o:
                rows[o["iter"]] = o
    return rows


def stats(e):
    return [float(f"{np.mean(e):.4g}"), float(f"{np.std(e):.4g}")]


def one_stop(d, meta, probes_arr):
    sl = meta["slices"]
    Ep = np.load(os.path.join(d, "E_probes.npy")).astype(np.float64)
    part = {k: Ep[a:b] for k, (a, b) in sl.items()}
    s_in = -part["test"]
    r = {"auroc_noise": auroc(s_in, -part["noise"]), "auroc_constant": auroc(s_in, -part["constant"]),
         "auroc_noise_dark": auroc(s_in, -part["noise_dark"]), "auroc_noise_bright": auroc(s_in, -part["noise_bright"])}
    for k in ("test", "noise", "constant", "noise_dark", "noise_bright"):
        r["E_" + k] = stats(part[k])
    path = part["path"].reshape(len(meta["path_t"]), meta["n_path"])
    r["E_path_mean"] = [float(f"{v:.4g}") for v in path.mean(1)]
    a, b = sl["test"]
    r["corr_E_meanpixel_test"] = round(float(np.corrcoef(part["test"], probes_arr[a:b].mean(1))[0, 1]), 3)
    for name in ("samples", "gtrain"):
        f = os.path.join(d, "E_" + name + ".npy")
        if os.path.exists(f):
            e = np.load(f).astype(np.float64)
            x = np.load(os.path.join(d, name + ".npy"))
            r["E_" + name] = stats(e)
            r["auroc_" + name] = auroc(s_in, -e)
            r["meanpixel_" + name] = round(float(x.mean()), 4)
    return r


def safetensors_energy(path):
    """our checkpoint's energy weights as PyTorch's image_energy (torch_fmnist.py) state dict"""
    import struct
    import torch
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
        raw = f.read()
    sd = {}
    for k, v in head.items():
        m = k.split(".")
        if k == "__metadata__" or m[0] != "energy" or len(m) != 3:
            continue
        a, b = v["data_offsets"]
        t = torch.from_numpy(np.frombuffer(raw[a:b], np.float32).reshape(v["shape"]).copy())
        idx = 16 if m[1] == "fc" else 2 * int(m[1][4:]) - 1   # Sequential: Unflatten, (conv, act) x 7, Flatten, Linear
        sd[f"{idx}.{m[2]}"] = t
    return sd


def parity(d, meta):
    """max |E_ours - E_torch| / sd(E on the test split) over test and noise, with our weights in PyTorch's net"""
    import torch
    sys.path.insert(0, HERE)
    import torch_fmnist as tf
    sd = safetensors_energy(os.path.join(d, "ckpt.safetensors"))
    E = tf.image_energy("leaky_relu", b=sd["1.weight"].shape[0])
    E.load_state_dict(sd)
    P = np.load(os.path.join(os.path.dirname(os.path.dirname(d)), "probes.npy"), mmap_mode="r")
    a, b = meta["slices"]["test"][0], meta["slices"]["noise"][1]
    with torch.no_grad():
        et = torch.cat([E(torch.from_numpy(np.array(P[i:min(i + 500, b)]))) for i in range(a, b, 500)]).double().numpy()
    eo = np.load(os.path.join(d, "E_probes.npy"))[a:b].astype(np.float64)
    n_test = meta["slices"]["test"][1] - a
    return float(f"{np.abs(eo - et).max() / max(eo[:n_test].std(), 1e-30):.3g}")


def summary(work, result, commit, model="models/fmnist_0gp_narrow.lua"):
    probes_arr = np.load(os.path.join(work, "probes.npy"))
    meta = json.load(open(os.path.join(work, "probes.json")))
    test = probes_arr[slice(*meta["slices"]["test"])]
    out = {"bench": "bench/image_ood_trace.sh", "model": model, "commit": commit,
           "meanpixel_test": round(float(test.mean()), 4), "path_t": meta["path_t"],
           "notes": "AUROC of -E(x), Fashion-MNIST test against each set (1 = the set gets higher energy than "
                    "every test picture). samples: 1,000 of the averaged generator (eval mode, what `sample` "
                    "draws); gtrain (PyTorch only): 1,024 of the current generator in train mode, the energy "
                    "step's negatives. E_*: [mean, sd]. log_e_data/log_e_fake: the training log at that step "
                    "(batch means; ours the current generator too).", "runs": {}}
    runs = sorted((n for n in os.listdir(work) if n.startswith(("ours_", "torch_")) and os.path.isdir(
        os.path.join(work, n))), key=lambda n: (int(n.rsplit("_s", 1)[1]), n))   # every run traced so far
    for name in runs:
        d = os.path.join(work, name)
        log = read_log(os.path.join(d, "log.jsonl"))
        rows = []
        stops = sorted(int(n[3:]) for n in os.listdir(d) if n.startswith("it_")
                       and os.path.exists(os.path.join(d, n, "E_probes.npy")))
        for t in stops:
            r = {"iter": t, **one_stop(os.path.join(d, f"it_{t}"), meta, probes_arr)}
            if t in log:
                r["log_e_data"], r["log_e_fake"] = round(log[t]["e_data"], 3), round(log[t]["e_fake"], 3)
            if name.startswith("ours") and (t == 0 or t == 1000 or t == stops[-1]):
                r["forward_parity"] = parity(os.path.join(d, f"it_{t}"), meta)
            rows.append(r)
        out["runs"][name] = rows
        a = [r["auroc_noise"] for r in rows if r["iter"] > 0]
        out.setdefault("overview", {})[name] = {   # how often, after iteration 0, noise ranks below the data
            "stops": len(a), "auroc_noise_below_0.5": sum(v < 0.5 for v in a),
            "auroc_noise_below_0.1": sum(v < 0.1 for v in a), "auroc_noise_above_0.9": sum(v > 0.9 for v in a),
            "crossings_of_0.5": sum((u < 0.5) != (v < 0.5) for u, v in zip(a, a[1:]))}
    init = {}
    for side in ("ours", "torch"):
        for s in range(1, 100):
            d = os.path.join(work, "init", f"{side}_s{s}", "it_0")
            if os.path.exists(os.path.join(d, "E_probes.npy")):
                r = one_stop(d, meta, probes_arr)
                init[f"{side}_s{s}"] = {k: r[k] for k in ("auroc_noise", "auroc_constant", "E_test", "E_noise")}
    out["init"] = init
    with open(result, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for name, rows in out["runs"].items():
        print(name)
        print("  iter  AUROCnoise  AUROCsamples  E_test  E_noise  E_samples  pix_samples  E_path(0,.5,1)")
        for r in rows:
            print(f"  {r['iter']:5d}  {r['auroc_noise']:.3f}  {r.get('auroc_samples', float('nan')):.3f}"
                  f"  {r['E_test'][0]:9.2f}  {r['E_noise'][0]:9.2f}  {r.get('E_samples', [float('nan')])[0]:9.2f}"
                  f"  {r.get('meanpixel_samples', float('nan')):.3f}"
                  f"  {r['E_path_mean'][0]:.1f} {r['E_path_mean'][5]:.1f} {r['E_path_mean'][10]:.1f}")
    for k, v in out.get("overview", {}).items():
        print("overview", k, v)
    for k, v in init.items():
        print("init", k, v)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "probes" and len(sys.argv) == 4:
        probes(sys.argv[2], sys.argv[3])
    elif cmd == "torch" and len(sys.argv) in (7, 8, 9):
        torch_side(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6],
                   int(sys.argv[7]) if len(sys.argv) >= 8 else 8, sys.argv[8] if len(sys.argv) == 9 else "ebm-0gp")
    elif cmd == "summary" and len(sys.argv) in (5, 6):
        summary(*sys.argv[2:])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
