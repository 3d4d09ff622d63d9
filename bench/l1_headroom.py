#!/usr/bin/env python3
"""What row blocking could bring the gradient-penalty toy steps at most.

Each model was built at several batches and profiled on one pinned thread
(bench/l1_headroom.sh). A step's CPU time splits into its products (our
kernel, OpenBLAS, the transposes they pack), its elementwise phases (the
train entry's phase functions), the optimiser, and the rest (random numbers,
data, bookkeeping). The phases' cost per row at the two smallest batches,
where every buffer of the step fits the L1 cache, is the least a row-blocked
schedule of the same loops could cost per row at batch 200; the projection
keeps everything else as measured at 200. It is set beside twice JAX jit's
one-thread steps per CPU second (bench/results/peers.json).

usage: l1_headroom.py PEERS_JSON WORK_DIR "BATCHES" LOAD_BEFORE LOAD_AFTER OUT_JSON
Prints a Markdown table; writes OUT_JSON."""
import glob
import json
import os
import re
import sys

METHODS = {"toy_ebm0gp": "ebm-0gp", "toy_bb": "bb-sv-gp", "toy_bb_mi": "bb-mi-gp"}
PRODUCT = re.compile(r"^(dispatch|product|sgemm.*|ebm_sgemm|cblas_.*|.*_SKYLAKEX|.*_HASWELL|tile\d+_.*|transpose_f32)$")


def train_phases(model_c):
    """The phase functions the train entry (entry_0) calls."""
    src = open(model_c).read()
    body = re.search(r"static int entry_0\(.*?\n}\n", src, re.S)[0]
    return set(re.findall(r"\b(phase_\d+)\(s\)", body))


def profile(d):
    """CPU microseconds per iteration: in all, and by category."""
    stat = open(os.path.join(d, "stat.csv")).read()
    cpu_ms = float(next(l.split(",")[0] for l in stat.splitlines() if "task-clock" in l))
    run = json.load(open(os.path.join(d, "run1", "run.json")))
    iters = run.get("iters") or run.get("iterations")
    model_c = glob.glob(os.path.join(d, "build", "*", "model.c"))[0]
    phases = train_phases(model_c)
    share = {"products": 0.0, "elementwise": 0.0, "optimiser": 0.0, "other": 0.0}
    for line in open(os.path.join(d, "symbols.txt")):
        m = re.match(r"\s*([\d.]+)%\s+\[.\]\s+(\S+)", line)
        if not m:
            continue
        pct, sym = float(m[1]), m[2].split(".")[0]
        if PRODUCT.match(sym):
            share["products"] += pct
        elif sym in phases:
            share["elementwise"] += pct
        elif sym.startswith("adam_"):
            share["optimiser"] += pct
        else:
            share["other"] += pct
    total = sum(share.values())
    us = cpu_ms * 1e3 / iters
    return {"iters": iters, "us_per_step": round(us, 2),
            **{f"{k}_us": round(us * v / total, 2) for k, v in share.items()}}


def main():
    peers_path, work, batches, load_before, load_after, out_path = sys.argv[1:7]
    batches = sorted(int(b) for b in batches.split())
    if 200 not in batches or len(batches) < 3:
        sys.exit("l1_headroom.py: the batches must include 200 and two smaller ones")
    peers = json.load(open(peers_path))
    rows = []
    for model, method in METHODS.items():
        prof = {b: profile(os.path.join(work, f"{model}_b{b}")) for b in batches}
        b1, b2 = batches[0], batches[1]
        e = {b: prof[b]["elementwise_us"] for b in batches}
        per_row_l1 = (e[b2] - e[b1]) / (b2 - b1)
        big = [b for b in batches if b >= 100]
        per_row_l2 = (e[200] - e[big[0]]) / (200 - big[0]) if big[0] < 200 else None
        elementwise_blocked = e[b2] + (200 - b2) * per_row_l1
        projected = prof[200]["us_per_step"] - e[200] + elementwise_blocked
        res = next(r for r in peers["results"] if r["method"] == method and r["threads"] == 1)
        jax = res["contenders"]["jax"]["steps_per_cpu_s_median"]
        rows.append({
            "method": method, "model": f"models/{model}.lua", "by_batch": prof,
            "elementwise_us_per_row_l1": round(per_row_l1, 3),
            "elementwise_us_per_row_l2": round(per_row_l2, 3) if per_row_l2 is not None else None,
            "elementwise_us_at_200": e[200], "elementwise_us_at_200_blocked": round(elementwise_blocked, 1),
            "ours_steps_per_cpu_s": round(1e6 / prof[200]["us_per_step"], 1),
            "projected_steps_per_cpu_s": round(1e6 / projected, 1),
            "jax_steps_per_cpu_s": jax, "target_2x_jax": round(2 * jax, 1),
            "projected_over_jax": round(1e6 / projected / jax, 3),
            "elementwise_us_allowed_by_target": round(1e6 / (2 * jax) - (prof[200]["us_per_step"] - e[200]), 1),
        })
    out = {"bench": "bench/l1_headroom.sh", "peers": peers_path, "peers_run": peers["date_utc"],
           "cpu": next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "batches": batches,
           "load_average_before": float(load_before), "load_average_after": float(load_after),
           "rows": rows, "notes": __doc__.split("\n\nusage")[0].replace("\n", " ")}
    json.dump(out, open(out_path, "w"), indent=1)
    print(f"{out['cpu']}, one thread, load average {load_before} before and {load_after} after; "
          f"JAX from the peers run of {peers['date_utc']}.\n")
    print("| method | ours, µs/step | products | elementwise | optimiser | other | elementwise µs/row, batch "
          f"{batches[0]}-{batches[1]} | µs/row, batch {[b for b in batches if b >= 100][0]}-200 | "
          "elementwise row-blocked, µs | projected steps/s | projected / JAX | elementwise µs 2x JAX allows |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p = r["by_batch"][200]
        print(f"| {r['method']} | {p['us_per_step']:.0f} | {p['products_us']:.0f} | {p['elementwise_us']:.0f} | "
              f"{p['optimiser_us']:.0f} | {p['other_us']:.0f} | {r['elementwise_us_per_row_l1']:.2f} | "
              f"{r['elementwise_us_per_row_l2']:.2f} | {r['elementwise_us_at_200_blocked']:.0f} | "
              f"{r['projected_steps_per_cpu_s']:.0f} | {r['projected_over_jax']:.2f}x | "
              f"{r['elementwise_us_allowed_by_target']:.0f} |")


if __name__ == "__main__":
    main()
