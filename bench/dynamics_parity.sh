#!/usr/bin/env bash
# Do our trainer and the PyTorch reference (bench/torch_toy.py) train the same
# way, step for step? Both start from our trainer's initial checkpoint and see
# the same data and noise (torch_toy.py --replay draws our Philox numbers,
# bench/philox_replay.py). After N steps the parameters are compared, as
# median |difference| / median |movement since the start|, beside the same
# measure between PyTorch in float32 and in float64: that pair differs only
# by roundoff, which these chaotic min-max dynamics amplify. If ours is no
# farther from PyTorch-f32 than PyTorch-f64 is, the two implementations agree
# up to roundoff; a difference in the method would show from the first steps.
# Second, in double precision: our reference interpreter (`ebmforge run --f64`,
# the oracle the compiled trainers match) against PyTorch in float64, both
# from the same float initial values and draws: the relative difference of
# every logged loss at each of the first 20 steps, which is roundoff amplified by the
# same dynamics (~1e-16 to start with instead of float's ~6e-8), beside the
# same measure between two PyTorch f64 runs whose initial values differ by a
# factor 1 + 1e-15.
# usage: bash bench/dynamics_parity.sh METHOD DATA SEED
#   METHOD: ebm-0gp | bb-sv-gp | ddaebm | bb-sv-diff | bb-mi-diff (the diffusion bounds
#   of methods.md §3d, whose PyTorch side is written from the spec alone)
# Writes bench/results/dynamics_parity_<METHOD>_<DATA>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
method=$1 data=$2 seed=$3
case $method in
  ebm-0gp) model=models/toy_ebm0gp.lua ;;
  bb-sv-gp) model=models/toy_bb.lua ;;
  ddaebm) model=models/toy_ddaebm.lua ;;
  bb-sv-diff) model=models/toy_bb_sv_diff.lua ;;
  bb-mi-diff) model=models/toy_bb_mi_diff.lua ;;
  *) echo "unknown method $method (ebm-0gp, bb-sv-gp, ddaebm, bb-sv-diff, bb-mi-diff)" >&2; exit 2 ;;
esac
dir=out/bench/dynamics/$method-$data
out/host/ebmforge build "$model" -o "$dir/build" >/dev/null && ninja -C "$dir/build" train-cpu >/dev/null
T=$dir/build/$method/train-cpu
export OPENBLAS_NUM_THREADS=1
$T train --iters 0 --seed "$seed" --data "$data" --out "$dir/init" >/dev/null 2>&1
rows=()
for n in 1 5 10 20 50 100; do
  $T train --iters "$n" --seed "$seed" --data "$data" --out "$dir/ours-$n" >/dev/null 2>&1
  for p in f32 f64; do
    /usr/bin/python3 bench/torch_toy.py --method "$method" --iters "$n" --warmup 0 --threads 1 --seed "$seed" \
      --data "$data" --load "$dir/init/ckpt.safetensors" --replay --save-state "$dir/torch-$p-$n.safetensors" \
      $([ $p = f64 ] && echo --f64) >/dev/null
  done
  rows+=("$n $dir/ours-$n/ckpt.safetensors $dir/torch-f32-$n.safetensors $dir/torch-f64-$n.safetensors")
done
out/host/ebmforge run "$model" --f64 --iters 20 --seed "$seed" --data "$data" --log-every 1 --out "$dir/interp-f64" \
  >/dev/null 2>&1
/usr/bin/python3 bench/torch_toy.py --method "$method" --iters 20 --warmup 0 --threads 1 --seed "$seed" --data "$data" \
  --load "$dir/init/ckpt.safetensors" --replay --f64 --log-every 1 --out "$dir/torch-f64-log" >/dev/null
/usr/bin/python3 bench/torch_toy.py --method "$method" --iters 20 --warmup 0 --threads 1 --seed "$seed" --data "$data" \
  --load "$dir/init/ckpt.safetensors" --replay --f64 --perturb 1e-15 --log-every 1 --out "$dir/torch-f64-perturbed-log" >/dev/null
LOGS="$dir/interp-f64/log.jsonl $dir/torch-f64-log/log.jsonl $dir/torch-f64-perturbed-log/log.jsonl" \
/usr/bin/python3 - "$method" "$data" "$seed" "$dir/init/ckpt.safetensors" "${rows[@]}" \
  >"bench/results/dynamics_parity_${method}_${data}.json" <<'EOF'
import json, sys
sys.path.insert(0, "bench")
from parity_measure import load, read_log, relative, spread

def f64_logs(which):
    """Relative difference of every logged loss against PyTorch f64, per logged step:
    which = 0 our interpreter in f64, 2 PyTorch f64 from initial values times 1 + 1e-15."""
    import os
    logs = [read_log(p) for p in os.environ["LOGS"].split()]
    other, ref = logs[which], logs[1]
    return [{"steps": it, **relative(other[it], ref[it], [k for k in ref[it] if k != "iter"])}
            for it in sorted(ref) if it in other]

method, data, seed, init = sys.argv[1], sys.argv[2], int(sys.argv[3]), load(sys.argv[4])
steps = []
for row in sys.argv[5:]:
    n, ours, t32, t64 = row.split()
    ours, t32, t64 = load(ours), load(t32), load(t64)
    o, c = spread(ours, t32, init), spread(t64, t32, init)
    steps.append({"steps": int(n), "ours_vs_torch_f32": {"median": o[0], "max": o[1]},
                  "torch_f64_vs_torch_f32": {"median": c[0], "max": c[1]}})
print(json.dumps({"method": method, "data": data, "seed": seed,
                  "measure": "per weight tensor: median |difference| / median |movement since the initial checkpoint|; "
                             "median and max over the weight tensors",
                  "steps": steps,
                  "relative_loss_difference_f64": {"interpreter_vs_torch": f64_logs(0),
                                                   "torch_perturbed_1e-15_vs_torch": f64_logs(2)}}, indent=1))
EOF
cat "bench/results/dynamics_parity_${method}_${data}.json"
