#!/usr/bin/python3
"""Verdicts and the table of bench/toy_stability.sh.

  stability_verdict.py record RUN_DIR METHOD DATA SEED ITERS EXIT SECONDS COMMIT
                                                  -> one JSON line: the run, its eval
                                                     and its sample spread
  stability_verdict.py table [RESULTS_DIR]        -> markdown table on stdout and
                                                     RESULTS_DIR/toy_stability.json, then ours
                                                     beside PyTorch (every toy_quality_*.json)
  stability_verdict.py overview [RESULTS_DIR [DATA...]]
                                                  -> out/figures/overview_<data>.png: per data
                                                     set (those named, or every one), each
                                                     method's finished seed-1 run with the most
                                                     iterations found under the runs directory
                                                     (`ebmforge overview`, scores from each
                                                     run's record), and overview_<data>_log.png
                                                     (its --log); figures are not committed

A run is counted as
- diverged:  the trainer stopped on NaN/Inf (exit 3) or another error, or its
             samples are not finite;
- collapsed: its 2,000 samples span less than a quarter of the data's variance
             (trace of the covariance), or, on the Gaussian mixtures, cover
             fewer than half of the modes (methods.md 7.2);
- unfit:     its grid test NLL is worse than the uniform density on the
             [-4, 4]^2 box (log 64 = 4.159 nats): the energy has learned nothing
             usable (short budgets leave slow methods here).
These thresholds are ours; methods.md defines the metrics, not the verdicts.
"""
import glob
import json
import math
import os
import sys

import numpy as np

COLLAPSE_VAR_RATIO = 0.25
UNIFORM_BOX_NLL = math.log(64.0)
MODES = {"25gaussians": 25, "25gaussians-ddaebm": 25, "8gaussians": 8, "8gaussians-meg": 8}


def spread(samples_path, data):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from torch_toy import DATASETS
    torch.manual_seed(12345)
    x = np.load(samples_path).astype(np.float64)
    y = DATASETS[data](20000).double().numpy()
    finite = bool(np.isfinite(x).all())
    sv = float(np.trace(np.cov(x.T))) if finite else None
    dv = float(np.trace(np.cov(y.T)))
    return {"finite": finite, "sample_var": sv, "data_var": dv, "var_ratio": sv / dv if finite else None}


def verdict(r):
    if r["exit"] != 0 or r["eval"] is None or r["spread"] is None or not r["spread"]["finite"]:
        return "diverged"
    ev, sp = r["eval"], r["spread"]
    if sp["var_ratio"] < COLLAPSE_VAR_RATIO:
        return "collapsed"
    if r["data"] in MODES and ev.get("modes_covered", MODES[r["data"]]) < MODES[r["data"]] / 2:
        return "collapsed"
    if ev["test_nll"] > UNIFORM_BOX_NLL:
        return "unfit"
    return "ok"


def mean_sd(v):
    v = [a for a in v if a is not None and math.isfinite(a)]
    if not v:
        return "-"
    m = sum(v) / len(v)
    sd = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return f"{m:.3g} ± {sd:.2g}"


def table(results):
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "toy_stability_*.jsonl"))):
        for line in open(path):
            r = json.loads(line)
            runs[(r["method"], r["data"], r["seed"], r["iters"])] = r   # the last line of each run wins
    cells = {}
    for r in runs.values():
        r["verdict"] = verdict(r)
        cells.setdefault((r["method"], r["data"], r["iters"]), []).append(r)
    rows = []
    print("| method | data | iters | seeds | diverged | collapsed | unfit | grid NLL | KL | MMD^2 | modes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (m, d, it), rs in sorted(cells.items()):
        ok = [r["eval"] for r in rs if r["verdict"] != "diverged"]
        count = {v: sum(r["verdict"] == v for r in rs) for v in ("diverged", "collapsed", "unfit", "ok")}
        modes = mean_sd([e.get("modes_covered") for e in ok]) if d in MODES else "-"
        row = {"method": m, "data": d, "iters": it, "seeds": sorted(r["seed"] for r in rs), **count,
               "test_nll": mean_sd([e["test_nll"] for e in ok]), "kl": mean_sd([e["kl"] for e in ok]),
               "mmd2": mean_sd([e["mmd2"] for e in ok]), "modes": modes,
               "runs": [{k: r[k] for k in ("seed", "exit", "verdict", "train_s")} for r in rs]}
        rows.append(row)
        print(f"| {m} | {d} | {it} | {len(rs)} | {count['diverged']} | {count['collapsed']} | {count['unfit']} | "
              f"{row['test_nll']} | {row['kl']} | {row['mmd2']} | {modes} |")
    ref = reference_table(results)
    with open(os.path.join(results, "toy_stability.json"), "w") as f:
        json.dump({"verdicts": __doc__.split("A run is counted as")[1].strip(), "cells": rows,
                   "pytorch_reference": ref}, f, indent=1)


def mean_se(v):
    v = [a for a in v if a is not None and math.isfinite(a)]
    if not v:
        return "-"
    m = sum(v) / len(v)
    se = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1) / len(v)) if len(v) > 1 else 0.0
    return f"{m:.3g} ± {se:.2g}" if len(v) > 1 else f"{m:.3g}"


def reference_table(results):
    """ours beside bench/torch_toy.py, same method, data, seeds and iterations
    (every bench/toy_quality.sh file: RESULTS_DIR/toy_quality_<method>_<data>_<iters>.json
    and the short runs under RESULTS_DIR/nine/), scored by the same eval;
    mean ± standard error over seeds"""
    paths = sorted(glob.glob(os.path.join(results, "toy_quality_*_*_*.json")) +
                   glob.glob(os.path.join(results, "nine", "toy_quality_*.json")))
    cells = {}
    for path in paths:
        if os.path.basename(path).startswith("toy_quality_replay-"):
            continue   # PyTorch on our random draws: a diagnosis, not the reference
        q = json.load(open(path))
        if "runs" in q:
            cells.setdefault((q["method"], q["data"], q["iters"]), []).extend(q["runs"])
    if not cells:
        return []
    print()
    print("Beside the PyTorch reference (bench/torch_toy.py), ours / torch, mean ± standard error over seeds:")
    print()
    print("| method | data | iters | seeds | grid NLL | KL | MMD^2 | modes |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for (m, d, it), runs in sorted(cells.items()):
        pair = lambda k: f"{mean_se([r['ours'].get(k) for r in runs])} / {mean_se([r['torch'].get(k) for r in runs])}"
        modes = pair("modes_covered") if "modes_covered" in runs[0]["ours"] else "-"
        rows.append({"method": m, "data": d, "iters": it, "runs": runs})
        print(f"| {m} | {d} | {it} | {len(runs)} | {pair('test_nll_grid')} | {pair('kl')} | {pair('mmd2')} | {modes} |")
    return rows


def record(run, method, data, seed, iters, rc, secs, commit):
    def load(name, read):
        try:
            return read(os.path.join(run, name))
        except (OSError, ValueError):
            return None
    ev = load("eval.json", lambda p: json.load(open(p)))
    sp = load("samples.npy", lambda p: spread(p, data)) if ev is not None else None
    tail = load("train.txt", lambda p: open(p, errors="replace").read()[-300:]) or ""
    return {"method": method, "data": data, "seed": int(seed), "iters": int(iters), "commit": commit,
            "exit": int(rc), "train_s": round(float(secs), 2), "eval": ev, "spread": sp, "last_output": tail}


METHODS = ["ebm-0gp", "ebm-lb", "bb-sv-gp", "bb-mi-gp", "bb-sv-diff", "bb-mi-diff", "ddaebm"]


def overview(results, only=(), runs_dir="out/bench/stability/runs", figures="out/figures"):
    import subprocess
    os.makedirs(figures, exist_ok=True)
    best = {}
    for path in glob.glob(os.path.join(results, "toy_stability_*.jsonl")):
        for line in open(path):
            r = json.loads(line)
            key = (r["method"], r["data"])
            run = os.path.join(runs_dir, f"{r['method']}-{r['data']}-{r['iters']}-{r['seed']}")
            if r["seed"] == 1 and r["exit"] == 0 and os.path.exists(os.path.join(run, "energy_grid.npy")):
                if key not in best or r["iters"] > best[key][0]:
                    best[key] = (r["iters"], run)
                    if r.get("eval"):   # the overview titles each column with the run's scores
                        with open(os.path.join(run, "eval.json"), "w") as f:
                            json.dump(r["eval"], f)
    for data in sorted({d for _, d in best if not only or d in only}):
        cols = [f"{m} {best[(m, data)][0]}={best[(m, data)][1]}" for m in METHODS if (m, data) in best]
        for suffix, flags in (("", []), ("_log", ["--log"])):   # density, and log-density over 15 nats
            out = os.path.join(figures, f"overview_{data}{suffix}.png")
            subprocess.run(["out/host/ebmforge", "overview", "-o", out, "--data", data, "--title",
                            f"{data}, seed 1 (label: method iterations)"] + flags + cols, check=True)


if __name__ == "__main__":
    if sys.argv[1] == "record":
        print(json.dumps(record(*sys.argv[2:10])))
    elif sys.argv[1] == "overview":
        overview(sys.argv[2] if len(sys.argv) > 2 else "bench/results", sys.argv[3:])
    elif sys.argv[1] == "table":
        table(sys.argv[2] if len(sys.argv) > 2 else "bench/results")
    else:
        sys.exit(__doc__)
