#!/usr/bin/env bash
# What torch.compile makes of the toy steps (double backward inside): each
# method under PyTorch 2 (out/peers-venv) eager, with torch.compile as it
# comes, and with torch._dynamo.config.trace_autograd_ops = True, one thread,
# back to back; graph breaks and recompilations counted from TORCH_LOGS.
#   bash bench/torch_compile_probe.sh [METHOD...]   (default: ebm-0gp bb-sv-gp mle-langevin)
# Writes bench/results/torch_compile_probe.json. The compiled runs' first
# (warm-up) iterations include the compilation; steps/s is after them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/peers_setup.sh >/dev/null
VPY=out/peers-venv/bin/python
W=out/bench/compile
mkdir -p "$W"
methods=${*:-ebm-0gp bb-sv-gp mle-langevin}
: >"$W/probe.jsonl"
for m in $methods; do
  for v in eager compile compile_tao; do
    flags=()
    [ $v = compile ] && flags=(--compile)
    [ $v = compile_tao ] && flags=(--compile --trace-autograd-ops)
    log=$W/$m-$v.log
    t0=$(date +%s.%N)
    rc=0
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TORCH_LOGS=graph_breaks,recompiles taskset -c 0 timeout 900 \
      "$VPY" bench/torch_toy.py --method "$m" --iters 30 --warmup 3 --threads 1 "${flags[@]}" >"$log" 2>&1 || rc=$?
    "$VPY" - "$log" "$m" "$v" "$rc" "$(echo "$(date +%s.%N) - $t0" | bc)" >>"$W/probe.jsonl" <<'PYEOF'
import collections, json, re, sys
log, m, v, rc, wall = sys.argv[1:]
text = open(log).read().splitlines()
res = next((json.loads(l) for l in reversed(text) if l.startswith("{")), {})
why = collections.Counter(l.split("Explanation: ", 1)[1][:200] for l in text if "Explanation: " in l)
err = next((l for l in reversed(text) if re.match(r"^\w+Error", l)), None)
print(json.dumps({"method": m, "variant": v, "rc": int(rc), "process_wall_s": float(wall),
                  "steps_per_s": res.get("steps_per_s"), "timed_cpu_s": res.get("timed_cpu_s"), "timed_s": res.get("timed_s"),
                  "graph_breaks": sum(1 for l in text if "Graph break" in l),
                  "recompilations": sum(1 for l in text if "Recompiling function" in l),
                  "break_reasons": dict(why.most_common(6)), "error": err}))
PYEOF
    echo "torch_compile_probe: $m $v rc=$rc" >&2
  done
done
/usr/bin/python3 - "$W/probe.jsonl" <<'PYEOF'
import json, sys, time
runs = [json.loads(l) for l in open(sys.argv[1])]
torch_v = __import__("subprocess").run(["out/peers-venv/bin/python", "-c", "import torch; print(torch.__version__)"],
                                       capture_output=True, text=True).stdout.strip()
doc = {"what": "torch.compile on the toy training steps (PyTorch 2, one thread): eager, compile, compile with trace_autograd_ops",
       "torch": torch_v, "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
       "loadavg": open("/proc/loadavg").read().split()[:3], "runs": runs}
json.dump(doc, open("bench/results/torch_compile_probe.json", "w"), indent=1)
for r in runs:
    print("%-13s %-12s rc=%d steps/s=%s breaks=%d recompiles=%d %s" % (r["method"], r["variant"], r["rc"], r["steps_per_s"] and round(r["steps_per_s"], 1),
          r["graph_breaks"], r["recompilations"], r["error"] or ""))
PYEOF
