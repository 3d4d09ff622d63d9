#!/usr/bin/env python3
"""An upper bound on each toy trainer's one-thread speed, beside issue 30's
targets of twice JAX jit (every toy method) and ten times PyTorch 2 eager
(the gradient-penalty methods): no step can be faster than its products at this
core's measured FMA peak (bench/sgemm.c's independent chains; in a peers
run without it, the sgemm 1024^3 rate) plus its costly elementwise evaluations (sigmoid,
exp, log, sin, cos, tanh, division, square root) at their measured
vectorised cost, with every other elementwise pass, the optimiser and the
random numbers taken as free. The trainers must evaluate these as the
interpreter does (the same IEEE operations, for bit-identical results), so
the bound holds for any schedule or fusion of the same step.

usage: physical_limits.py PEERS_JSON COSTS_JSON EBMFORGE OUT_JSON
  PEERS_JSON: bench/results/peers.json (models, flops/step, sgemm, JAX rates)
  COSTS_JSON: bench/vmath_cost.c's output (ns per element of each op)
Prints a Markdown table; writes OUT_JSON."""
import json
import re
import subprocess
import sys

COSTLY = ("SIGMOID", "EXP", "LOG", "LOG1P", "TANH", "SIN", "COS", "SQRT", "DIV")


def numel(shape):
    n = 1
    for d in filter(None, shape.split(",")):
        n *= int(d)
    return n


def train_evaluations(ebmforge, model):
    """Elements of each costly op one training iteration evaluates (`ebmforge ir`,
    entry train; a loop's body counted at its default trip count)."""
    text = subprocess.run([ebmforge, "ir", model], check=True, capture_output=True, text=True).stdout
    defaults = {m[1]: float(m[2]) for m in re.finditer(r"^hparam \$(\w+) = (\S+)", text, re.M)}
    counts, mult, stack, inside = {op: 0 for op in COSTLY}, 1, [], False
    for line in text.splitlines():
        if line.startswith("entry "):
            inside = line.split()[1] == "train"
            continue
        if not inside:
            continue
        loop = re.match(r"\s*loop (?:\$(\w+)|(\d+)) times", line)
        if loop:
            stack.append(mult)
            mult *= defaults[loop[1]] if loop[1] else int(loop[2])
        elif line.strip() == "end":
            mult = stack.pop()
        node = re.match(r"\s*%\d+\s+= (\w+)\s.*: f32\[([\d,]*)\]", line)
        if node and node[1] in counts:
            counts[node[1]] += mult * numel(node[2])
    return counts


def main():
    peers_path, costs_path, ebmforge, out_path = sys.argv[1:5]
    peers, costs = json.load(open(peers_path)), json.load(open(costs_path))
    ns = costs["ns_per_element"]
    sgemm = peers["peak"]["sgemm_1024_gflops"]["1"]
    fma = peers["peak"]["fma_gflops"]["1"].get("measured_gflops")
    rate, rate_name = (fma, "the measured FMA peak") if fma else (sgemm, "sgemm 1024^3")
    rows = []
    for method, tr in peers["trainers"].items():
        row = next(r for r in peers["results"] if r["method"] == method and r["threads"] == 1)
        c = row["contenders"]
        evals = train_evaluations(ebmforge, tr["model"])
        t_products = tr["flops_per_step"] / (rate * 1e9)
        t_costly = sum(evals[op] * ns[op] for op in COSTLY) * 1e-9
        bound = 1 / (t_products + t_costly)
        jax, ours = c["jax"]["steps_per_cpu_s_median"], c["ours"]["steps_per_cpu_s_median"]
        torch2 = c.get("torch2", {}).get("steps_per_cpu_s_median")
        rows.append({
            "method": method, "model": tr["model"], "flops_per_step": tr["flops_per_step"],
            "costly_evaluations_per_step": evals,
            "products_ms": round(t_products * 1e3, 4), "costly_ms": round(t_costly * 1e3, 4),
            "bound_steps_per_s": round(bound, 1), "jax_steps_per_cpu_s": jax, "target_2x_jax": round(2 * jax, 1),
            "ours_steps_per_cpu_s": ours, "target_within_bound": bound >= 2 * jax,
            "target_share_of_bound": round(2 * jax / bound, 3), "ours_share_of_bound": round(ours / bound, 3),
            "torch2_steps_per_cpu_s": torch2, "target_10x_torch2": round(10 * torch2, 1) if torch2 else None,
            "target_10x_torch2_share_of_bound": round(10 * torch2 / bound, 3) if torch2 else None,
        })
    out = {"bench": "bench/physical_limits.sh", "peers": peers_path, "peers_run": peers["date_utc"],
           "sgemm_1024_gflops_1thread": sgemm, "fma_peak_measured_gflops_1thread": fma,
           "products_at": rate_name, "products_gflops": rate, "costs": costs, "rows": rows,
           "notes": __doc__.split("\n\nusage")[0].replace("\n", " ")}
    json.dump(out, open(out_path, "w"), indent=1)
    print(f"One thread: sgemm 1024^3 {sgemm} GFLOP/s, FMA peak measured {fma} GFLOP/s; products at {rate_name} "
          f"(peers run of {peers['date_utc']})\n")
    print("| method | products, ms | costly elementwise, ms | bound, steps/s | 2x JAX | "
          "2x JAX / bound | 10x PyTorch 2 / bound | ours / bound |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        t2 = r["target_10x_torch2_share_of_bound"]
        print(f"| {r['method']} | {r['products_ms']:.3f} | {r['costly_ms']:.3f} | "
              f"{r['bound_steps_per_s']:.0f} | {r['target_2x_jax']:.0f} | {r['target_share_of_bound']:.2f} | "
              f"{'-' if t2 is None else f'{t2:.2f}'} | {r['ours_share_of_bound']:.2f} |")


if __name__ == "__main__":
    main()
