#!/usr/bin/env bash
# GPU speed of the compiled CUDA trainers against PyTorch eager and
# torch.compile on the same GPU, side by side: toy mle-langevin and ebm-0gp
# (`paper` preset), the same models as bench/toy_cpu.sh. Needs an NVIDIA GPU,
# nvcc and torch >= 2.0 built with CUDA (PY=...); writes
# bench/results/toy_cuda.json and prints a table. A few minutes.
#
#   bash bench/toy_cuda.sh
#   SECONDS_PER_RUN=10 RESULT=path.json bash bench/toy_cuda.sh
#
# What is measured (all sides alike): steps/s over >= SECONDS_PER_RUN seconds
# after a warm-up (ours: the first 100 iterations, which include the CUDA Graph
# capture; torch: 20 iterations, which include torch.compile's compilation).
# Ours: iterations / the summed log windows of train-cuda's log.jsonl after the
# warm-up (start-up, checkpoint and plots are outside). Torch:
# bench/torch_toy.py --device cuda [--compile], synchronised before each
# clock reading. TF32 is off everywhere (cuBLAS pedantic math; torch
# allow_tf32 = False). FLOPs/step: `train-cuda info`, for both sides.
# torch >= 2.0 with CUDA (Debian's python3-torch is 1.13, CPU only): set PY to
# its python. Not a test: not part of ctest. A configuration that fails is recorded
# with its error and the others still run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
RESULT=${RESULT:-bench/results/toy_cuda.json}
PY=${PY:-/usr/bin/python3}   # a python whose torch (>= 2.0) has CUDA
W=out/bench_cuda
mkdir -p "$W" "$(dirname "$RESULT")"

nvidia-smi -L >/dev/null 2>&1 || { echo "toy_cuda.sh: no GPU (nvidia-smi -L fails)"; exit 1; }
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
  { echo "toy_cuda.sh: $PY's torch cannot use the GPU"; exit 1; }
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d ' .')
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
if [ ! -f out/host/build.ninja ]; then cmake -S . -B out/host -G Ninja >/dev/null; fi
ninja -C out/host >/dev/null

declare -A MODEL=([mle-langevin]=toy_mle [ebm-0gp]=toy_ebm0gp)
rows=()
for method in mle-langevin ebm-0gp; do
  m=${MODEL[$method]}
  out/host/ebmforge build "models/$m.lua" -o "$W/$m" --cuda-arch "$arch" >/dev/null
  ninja -C "$W/$m" train-cuda >/dev/null
  exe="$W/$m/$method/train-cuda"
  flops=$("$exe" info | awk '/^flops\/step/ {print $2}')
  # calibrate: iterations that last about SECONDS_PER_RUN after the warm-up
  "$exe" train --iters 300 --log-every 10 --out "$W/cal_$m" >/dev/null 2>&1
  rate=$("$PY" -c 'import json,sys; r=[r["steps_per_s"] for r in map(json.loads, open(sys.argv[1])) if "steps_per_s" in r][10:]; print(sorted(r)[len(r)//2])' "$W/cal_$m/log.jsonl")
  iters=$("$PY" -c "print(100 + max(200, int($rate * $SECONDS_PER_RUN) // 10 * 10))")
  "$exe" train --iters "$iters" --log-every 10 --out "$W/run_$m" >/dev/null 2>&1
  ours=$("$PY" -c 'import json,sys
r=[r["steps_per_s"] for r in map(json.loads, open(sys.argv[1])) if "steps_per_s" in r][10:]
print(json.dumps({"impl": "ebmforge train-cuda", "steps_per_s": len(r) * 10 / sum(10 / x for x in r),
                  "window_steps_per_s_median": sorted(r)[len(r) // 2], "timed_iters": len(r) * 10}))' "$W/run_$m/log.jsonl")
  rows+=("{\"method\": \"$method\", \"flops_per_step\": $flops, \"result\": $ours}")
  for mode in eager compile; do
    flag=; [ "$mode" = compile ] && flag=--compile
    if res=$("$PY" bench/torch_toy.py --method "$method" --device cuda $flag --seconds "$SECONDS_PER_RUN" --warmup 20 2>"$W/torch_${m}_$mode.err" | tail -n 1); then
      rows+=("{\"method\": \"$method\", \"flops_per_step\": $flops, \"result\": {\"impl\": \"torch $mode\", \"torch\": $res}}")
    else
      err=$(tail -n 1 "$W/torch_${m}_$mode.err" | tr '"\\' "''")
      rows+=("{\"method\": \"$method\", \"result\": {\"impl\": \"torch $mode\", \"error\": \"$err\"}}")
    fi
  done
done

{
  echo "{\"gpu\": \"$gpu\", \"arch\": \"sm_$arch\", \"seconds_per_run\": $SECONDS_PER_RUN, \"date\": \"$(date -u +%FT%TZ)\", \"runs\": ["
  for i in "${!rows[@]}"; do echo "  ${rows[$i]}$([ "$i" -lt $((${#rows[@]} - 1)) ] && echo ,)"; done
  echo "]}"
} >"$RESULT"
"$PY" - "$RESULT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("%s (%s)" % (d["gpu"], d["arch"]))
print("%-14s %-22s %12s %12s" % ("method", "implementation", "steps/s", "GFLOP/s"))
for r in d["runs"]:
    res = r["result"]
    sps = res.get("steps_per_s") or (res.get("torch") or {}).get("steps_per_s")
    if sps is None:
        print("%-14s %-22s %s" % (r["method"], res["impl"], "error: " + res.get("error", "?")))
        continue
    print("%-14s %-22s %12.1f %12.2f" % (r["method"], res["impl"], sps, sps * r.get("flops_per_step", 0) / 1e9))
print("written to", sys.argv[1])
PY
