#!/usr/bin/python3
"""The JSON and Markdown table of bench/image_narrow.sh from its work folder.

usage: image_narrow_table.py WORK RESULT.json MODEL METHOD BASE K "B1 B2" "SEEDS" COMMIT PROCESSOR CLF_ITERS
       image_narrow_table.py --docs RESULT.json...   (the table of docs/results.md from several models' JSON)

Per seed and budget, each side: fd_fmnist, auroc_{mnist,uniform_noise,constant},
steps_per_s (in-process: ours from log.jsonl's wall clock, PyTorch from
perf_counter, over the iterations of that leg only), cpu_s_per_iter (ours:
the train process's user+sys CPU time, start-up and checkpoint included;
PyTorch: time.process_time of its timed iterations) and the 1-minute load
average before and after. Then the mean and spread over seeds per budget.
"""
import json
import os
import statistics
import sys

KEYS = ("fd_fmnist", "auroc_mnist", "auroc_uniform_noise", "auroc_constant", "steps_per_s", "cpu_s_per_iter")


def rd(path):
    with open(path) as f:
        return json.load(f)


def ours_rate(log_path, start):
    """iterations of this leg / the wall clock of its last logged iteration (seconds since training began)"""
    last = None
    with open(log_path) as f:
        for line in f:
            o = json.loads(line)
            if "wall" in o and "iter" in o and "event" not in o:
                last = o
    return (last["iter"] - start) / last["wall"] if last and last["wall"] > 0 else None


def cpu_s(path):
    u, s, _ = open(path).read().split()
    return float(u) + float(s)


def leg(W, side, seed, n, start):
    d = f"{W}/{side}_s{seed}_{n}"
    r = {"fd_fmnist": rd(f"{d}/fd.json").get("fd_fmnist")}
    if side == "ours":
        r.update({k: v for k, v in rd(f"{d}/ood.json").items() if k.startswith("auroc_")})
        r["steps_per_s"] = ours_rate(f"{d}/log.jsonl", start)
        r["cpu_s_per_iter"] = cpu_s(f"{W}/time_ours_s{seed}_{n}") / (n - start)
    else:
        t = rd(f"{W}/torch_s{seed}_{n}.json")
        r.update({k: v for k, v in (t["evaluation"] or {}).items() if k.startswith("auroc_")})
        r["steps_per_s"] = t["steps_per_s"]
        r["cpu_s_per_iter"] = t["timed_cpu_s"] / t["timed_iters"]
    r["load_1min_before_after"] = [float(l.split()[0]) for l in open(f"{W}/load_{side}_s{seed}_{n}")]
    r["grid"] = f"{W}/grids/{side}_s{seed}_{n}.png"
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}


def summary(rows):
    out = {}
    for k in KEYS:
        v = [r[k] for r in rows if r.get(k) is not None]
        if v:
            out[k] = {"mean": round(statistics.mean(v), 4), "min": min(v), "max": max(v), "n": len(v)}
    return out


def docs_table(paths):
    """One row per model, budget and side: mean (min-max over seeds)."""
    cols = ("fd_fmnist", "auroc_mnist", "auroc_uniform_noise", "auroc_constant", "cpu_s_per_iter")
    print("| model (method) | iters | side | FD-FMNIST | AUROC MNIST | AUROC noise | AUROC constant | CPU s/iter |")
    print("|---|---|---|---|---|---|---|---|")
    for p in paths:
        r = rd(p)
        name = os.path.basename(p)[len("image_narrow_"):-len(".json")]
        for n in r["budgets"]:
            for side in ("ours", "torch"):
                sm = r["summary"][str(n)][side]
                fmt = lambda k: "-" if k not in sm else (
                    f"{sm[k]['mean']:.3g}" if sm[k]["n"] == 1 or sm[k]["min"] == sm[k]["max"]
                    else f"{sm[k]['mean']:.3g} ({sm[k]['min']:.3g}-{sm[k]['max']:.3g})")
                print(f"| {name} ({r['method']}) | {n} | {'PyTorch' if side == 'torch' else side} | "
                      + " | ".join(fmt(k) for k in cols) + " |")
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--docs":
        return docs_table(sys.argv[2:])
    W, result, model, method, base, K, budgets, seeds, commit, cpu, clf_iters = sys.argv[1:12]
    budgets, seeds = [int(b) for b in budgets.split()], [int(s) for s in seeds.split()]
    runs = []
    for s in seeds:
        start = 0
        for n in budgets:
            runs.append({"seed": s, "iters": n, "ours": leg(W, "ours", s, n, start), "torch": leg(W, "torch", s, n, start)})
            start = n
    res = {
        "model": model, "method": method, "base": int(base), "K": int(K) if K else None,
        "budgets": budgets, "seeds": seeds, "threads": 1, "commit": commit, "processor": cpu, "nproc": os.cpu_count(),
        "openblas_core": os.environ.get("OPENBLAS_CORE"),
        "classifier": {"iterations": clf_iters, "test_accuracy": rd(f"{W}/clf_eval.json").get("test_accuracy"),
                       "fd_fmnist_training_pictures": rd(f"{W}/fd_floor.json").get("fd_fmnist")},
        "runs": runs,
        "summary": {str(n): {side: summary([r[side] for r in runs if r["iters"] == n]) for side in ("ours", "torch")}
                    for n in budgets},
        "note": "The second budget resumes the first (ours train --resume, PyTorch --resume ckpt.pt). Same seed "
                "numbers and hyper-parameters on both sides, different random streams (data order, initialisation, "
                "noise). FD-FMNIST: Frechet distance in the ebmforge-trained classifier's features (not FID), 2,000 "
                "samples against the test split. AUROC: score -E(x), Fashion-MNIST test against each OOD set, "
                "PyTorch scored on the same pictures. steps_per_s: in-process over that budget's own iterations; "
                "cpu_s_per_iter: ours the whole train process, PyTorch its timed iterations.",
    }
    with open(result, "w") as f:
        json.dump(res, f, indent=1)
    print(f"| iters | side | {' | '.join(KEYS)} |")
    print("|---|---|" + "---|" * len(KEYS))
    for n in budgets:
        for side in ("ours", "torch"):
            sm = res["summary"][str(n)][side]
            cells = [f"{sm[k]['mean']:.4g}" + (f" ({sm[k]['min']:.4g}-{sm[k]['max']:.4g})" if sm[k]["n"] > 1 else "")
                     if k in sm else "-" for k in KEYS]
            print(f"| {n} | {side} | {' | '.join(cells)} |")
    print(f"wrote {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
