#!/usr/bin/env bash
# Do our narrow image trainer and the PyTorch reference (bench/torch_fmnist.py)
# take the same training step? The picture counterpart of
# bench/dynamics_parity.sh. Both start from our trainer's initial checkpoint
# (`train --iters 0`) and see the same batches and noise: torch_fmnist.py
# --replay walks our shuffled epochs and draws our Philox numbers
# (bench/philox_replay.py) for every stream the step draws (`ebmforge ir`:
# the batch, z, z', LOBPCG's start vectors v0 and p0 and its Gram-Schmidt
# fallback columns). One thread each. Measured:
# - after each of STEPS steps, per weight tensor of both nets,
#   median |ours - PyTorch f32| / median |movement since the start|, beside
#   the same measure between PyTorch f64 and f32 (roundoff only, amplified
#   by the min-max dynamics); median and max over the tensors; and the
#   same with means for medians within each tensor (after 1-2 steps most
#   entries agree exactly: Adam's first step is lr g / (|g| + eps));
# - at step 1, each tensor's gradient (Adam's first moment: beta1 = 0), as
#   median |ours - f32| / median |f32|, beside the same for f64;
# - the logged losses at each of STEPS (of the longest runs), |ours - f32| /
#   |f32| beside |f64 - f32| / |f32|;
# - our reference interpreter in f64 (`ebmforge run --f64`, the oracle the
#   compiled trainers match; 2 steps, some 15 s each) against PyTorch f64:
#   the relative difference of each logged loss at steps 1 and 2 (our logs
#   print 9 significant digits, so 1e-9 is its floor).
# If ours is no farther from PyTorch f32 than f64 is, the two take the same
# step up to roundoff.
#
# usage: bash bench/image_dynamics_parity.sh [METHOD (ebm-0gp)] [SEED (1)]
#   METHOD: ebm-0gp (models/fmnist_0gp_narrow.lua) or bb-sv-gp
#   (models/fmnist_bb_narrow.lua); STEPS="1 2 5 10 20 50" (must hold 1).
#   OPENBLAS_CORETYPE=SkylakeX (for example) reaches both sides' OpenBLAS,
#   as in bench/image_narrow.sh; the JSON records it.
# Writes bench/results/image_dynamics_parity_<METHOD>.json; some 6 minutes
# (the PyTorch f64 runs take most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
method=${1:-ebm-0gp} seed=${2:-1} steps_env=${STEPS:-} STEPS=${STEPS:-1 2 5 10 20 50}
case $method in
  ebm-0gp) model=models/fmnist_0gp_narrow.lua ;;
  bb-sv-gp) model=models/fmnist_bb_narrow.lua ;;
  *) echo "image_dynamics_parity.sh: unknown method '$method' (ebm-0gp, bb-sv-gp)" >&2; exit 2 ;;
esac
case "$seed" in ''|*[!0-9]*) echo "image_dynamics_parity.sh: SEED must be a non-negative integer, got '$seed'" >&2; exit 2 ;; esac
for n in $STEPS; do case "$n" in ''|*[!0-9]*|0*) echo "image_dynamics_parity.sh: STEPS must be positive integers, got '$n'" >&2; exit 2 ;; esac; done
[[ " $STEPS " == *" 1 "* ]] || { echo "image_dynamics_parity.sh: STEPS must hold 1 (the gradients are compared at step 1)" >&2; exit 2; }
base=$(sed -n 's/.*image_energy *{[^}]*base = \([0-9]*\).*/\1/p' "$model")
dir=out/bench/image_dynamics/$method
PY=/usr/bin/python3   # Debian's python3 with python3-torch, as bench/image_narrow.sh
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
out/host/ebmforge build "$model" -o "$dir/build" --no-cuda >/dev/null
nice -n 10 ninja -j2 -C "$dir/build" train-cpu >/dev/null
T=$dir/build/$method/train-cpu
nice -n 10 $T train --iters 0 --seed "$seed" --out "$dir/init" >/dev/null 2>&1
for n in $STEPS; do
  nice -n 10 $T train --iters "$n" --seed "$seed" --log-every 1 --out "$dir/ours-$n" >/dev/null 2>&1
  for p in f32 f64; do
    nice -n 10 $PY bench/torch_fmnist.py --method "$method" --base "$base" --iters "$n" --warmup 0 --threads 1 \
      --seed "$seed" --load "$dir/init/ckpt.safetensors" --replay $([ $p = f64 ] && echo --f64) \
      --log "$dir/torch-$p-$n.jsonl" --save-state "$dir/torch-$p-$n.safetensors" >/dev/null
  done
done
nice -n 10 out/host/ebmforge run "$model" --f64 --iters 2 --seed "$seed" --log-every 1 --out "$dir/interp-f64" \
  >/dev/null 2>&1
result=bench/results/image_dynamics_parity_$method.json
cmd="${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE }${steps_env:+STEPS=\"$steps_env\" }bash bench/image_dynamics_parity.sh $method $seed"
$PY - "$method" "$seed" "$dir" "$model" "$(git rev-parse --short HEAD)" "$cmd" "${OPENBLAS_CORETYPE:-}" $STEPS \
  >"$result" <<'EOF'
import json, sys
import numpy as np
import torch
sys.path.insert(0, "bench")
from parity_measure import load, read_log, relative, spread

method, seed, d, model, commit, cmd, core = sys.argv[1:8]
seed = int(seed)
steps = [int(n) for n in sys.argv[8:]]
init = load(d + "/init/ckpt.safetensors")
nets = sorted(k for k in init if k.startswith(("energy.", "generator.")) and k.endswith(".weight"))
rows = []
for n in steps:
    ours, t32, t64 = (load(f"{d}/{w}-{n}" + ("/ckpt.safetensors" if w == "ours" else ".safetensors"))
                      for w in ("ours", "torch-f32", "torch-f64"))
    o, c = spread(ours, t32, init, nets), spread(t64, t32, init, nets)
    om, cm = spread(ours, t32, init, nets, np.mean), spread(t64, t32, init, nets, np.mean)
    rows.append({"steps": n, "ours_vs_torch_f32": {"median": o[0], "max": o[1]},
                 "torch_f64_vs_torch_f32": {"median": c[0], "max": c[1]},
                 "with_means": {"ours_vs_torch_f32": {"median": om[0], "max": om[1]},
                                "torch_f64_vs_torch_f32": {"median": cm[0], "max": cm[1]}}})
ours, t32, t64 = load(d + "/ours-1/ckpt.safetensors"), load(d + "/torch-f32-1.safetensors"), load(d + "/torch-f64-1.safetensors")
grads = {}
for k in sorted(k[:-len(".adam_m")] for k in t32 if k.endswith(".adam_m")):
    g = k + ".adam_m"
    # a tensor whose gradient is mostly exactly 0 (energy.conv7.bias) is scaled by its largest entry instead
    scale = np.median(np.abs(t32[g])) or np.max(np.abs(t32[g]))
    grads[k] = {"ours_vs_torch_f32": float(np.median(np.abs(ours[g] - t32[g])) / scale),
                "torch_f64_vs_torch_f32": float(np.median(np.abs(t64[g] - t32[g])) / scale)} if scale else "all 0"
g_ratio = [v["ours_vs_torch_f32"] / v["torch_f64_vs_torch_f32"] for v in grads.values()
           if isinstance(v, dict) and v["torch_f64_vs_torch_f32"] > 0]
last = max(steps)
lo, l32, l64 = read_log(f"{d}/ours-{last}/log.jsonl"), read_log(f"{d}/torch-f32-{last}.jsonl"), read_log(f"{d}/torch-f64-{last}.jsonl")
keys = [k for k in l32[1] if k != "iter" and k in lo[1]]
losses = [{"steps": n, "ours_vs_torch_f32": relative(lo[n], l32[n], keys), "torch_f64_vs_torch_f32": relative(l64[n], l32[n], keys)}
          for n in steps]
li = read_log(d + "/interp-f64/log.jsonl")
interp = [{"steps": n, **relative(li[n], l64[n], keys)} for n in (1, 2) if n in l64]

def ratio(o, c):
    return "%.2g" % (o / c) if c else "%.2g/0" % o

print(json.dumps({
    "method": method, "model": model, "seed": seed, "commit": commit, "command": cmd,
    "openblas_coretype": core or None, "torch_version": torch.__version__, "threads": 1,
    "measure": "per weight tensor of both nets (not the EMA): median |difference| / median |movement since our "
               "initial checkpoint|; median and max over the tensors; with_means: the same with mean |.| "
               "for median |.| within each tensor",
    "steps": rows,
    "gradients_step1": {"measure": "per tensor: median |difference of Adam's first moment (beta1 = 0: the gradient)| / "
                                   "median |PyTorch f32's|", "tensors": grads,
                        "ours_over_f64_ratio": {"median": float(np.median(g_ratio)), "max": float(np.max(g_ratio))}},
    "losses": {"measure": "|difference| / |PyTorch f32's| of each logged value, at the step (runs of %d steps)" % last,
               "keys": keys, "steps": losses},
    "interpreter_f64_vs_torch_f64": {"measure": "|difference| / |PyTorch f64's| of each logged value (ours printed "
                                                "to 9 significant digits)", "steps": interp},
    "notes": "Both sides start from our `train --iters 0` checkpoint and replay our Philox batches and draws "
             "(bench/torch_fmnist.py --load --replay); PyTorch f64 against f32 is the roundoff control. "
             "Ratio ours/f64 of the median parameter spread, per step: "
             + ", ".join("%d: %s" % (r["steps"], ratio(r["ours_vs_torch_f32"]["median"], r["torch_f64_vs_torch_f32"]["median"]))
                         for r in rows)
             + ". After one step the spreads are mostly exactly 0: Adam's first step is lr g / (|g| + eps), "
               "lr to float rounding wherever |g| >> eps.",
}, indent=1))
EOF
cat "$result"
