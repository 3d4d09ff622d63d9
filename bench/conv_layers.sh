#!/usr/bin/env bash
# runtime/conv.c against PyTorch CPU eager per layer shape of the
# Fashion-MNIST nets, one thread (bench/conv_layers.c, torch_conv_layers.py):
# ms (process CPU time, best of REPS) and GFLOP/s of conv, conv_tx (input gradient / transposed convolution)
# and conv_tw (weight gradient). Prints a table; RESULT=path.json also keeps
# the rows with the load average. About a minute.
#
#   bash bench/conv_layers.sh            REPS=5 (best of), BASE=64 (8: the narrow models' layers)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5} BASE=${BASE:-64}
W=out/bench
mkdir -p "$W"
cc -O3 -march=native -ffp-contract=off -Iruntime -I/usr/include/x86_64-linux-gnu/openblas-pthread \
   bench/conv_layers.c runtime/conv.c runtime/conv_rows.c runtime/sgemm_small.c runtime/sgemm_small_avx2.c \
   runtime/sgemm_small_avx512.c runtime/transpose.c runtime/workers.c -o "$W/conv_layers" -lopenblas -lpthread
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
"$W/conv_layers" "$REPS" "$BASE" >"$W/conv_layers.ours.jsonl"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_conv_layers.py "$REPS" "$BASE" >"$W/conv_layers.torch.jsonl"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$W/conv_layers.ours.jsonl" "$W/conv_layers.torch.jsonl" "$LOAD0" "$LOAD1" "${RESULT:-}" <<'EOF'
import json, sys
ours, torch, load0, load1, result = sys.argv[1:]
rows = {}
for side, path in (("ours", ours), ("torch", torch)):
    for l in open(path):
        r = json.loads(l)
        rows.setdefault((r["layer"], r["op"]), dict(r, ms=None, gflops=None))[side] = {"ms": r["ms"], "gflops": r["gflops"]}
print("%-5s %-8s %-22s %9s %9s %7s %7s %6s" % ("layer", "op", "x, w", "ours ms", "torch ms", "GF ours", "GF trch", "ratio"))
tot = {"ours": 0.0, "torch": 0.0}
for (layer, op), r in rows.items():
    o, t = r["ours"], r["torch"]
    tot["ours"] += o["ms"]; tot["torch"] += t["ms"]
    shape = "[%d,%d,%d] %dx%d/%d->%d" % (r["N"], r["C"], r["H"], r["k"], r["k"], r["stride"], r["O"])
    print("%-5s %-8s %-22s %9.2f %9.2f %7.1f %7.1f %5.2fx" % (layer, op, shape, o["ms"], t["ms"], o["gflops"], t["gflops"], t["ms"] / o["ms"]))
print("total %40s %9.1f %9.1f %23.2fx   (ratio = torch ms / ours ms; load average %s -> %s)"
      % ("", tot["ours"], tot["torch"], tot["torch"] / tot["ours"], load0, load1))
if result:
    json.dump({"loadavg_start": load0, "loadavg_end": load1, "rows": [dict(r, layer=k[0], op=k[1]) for k, r in rows.items()]},
              open(result, "w"), indent=1)
EOF
