#!/usr/bin/env bash
# Quality of our toy trainers beside the PyTorch reference (bench/torch_toy.py)
# with the same iterations and data set, scored by the same code: each side's
# 256x256 energy grid and 2,000 samples go through `train-cpu eval --from DIR`.
# usage: bash bench/toy_quality.sh METHOD ITERS DATA SEED...
#   METHOD: mle-langevin | mle-gd | ebm-0gp | bb-sv-gp | ddaebm | bb-sv-diff | bb-mi-diff
#   DATA: a toy set of methods.md §6
# Our side is trained here, unless bench/toy_stability.sh (a study in
# out/bench/stability) has a stage of the same method, data, iterations and
# seed with a checkpoint of this model's fingerprint: then that checkpoint is
# scored (the same run, maybe trained by an earlier commit).
# Writes bench/results/toy_quality_<METHOD>_<DATA>_<ITERS>.json (RESULTS=DIR: DIR/...
# instead, e.g. for short checks that are not results), keeping the runs of an
# earlier file whose seeds are not given this time. Long: ebm-0gp at the
# papers' 150,000 iterations takes ~12 min (ours) and ~40 min (PyTorch) per seed.
set -euo pipefail
cd "$(dirname "$0")/.."
# models/toy_mle.lua ships lr 1e-3, start range 1.5 and rho 0.1 (docs/results.md); torch_toy.py
# runs methods.md's 2e-4, U[-4, 4]^2 and no penalty, so ours runs those too
declare -A SPEC_SETS=([mle-langevin]="--set lr=2e-4 --set init_range=4 --set rho=0")
method=$1 iters=$2 data=$3
shift 3
case $method in
  mle-langevin) model=models/toy_mle.lua ;;
  mle-gd) model=models/toy_mle_gd.lua ;;
  ebm-0gp) model=models/toy_ebm0gp.lua ;;
  bb-sv-gp) model=models/toy_bb.lua ;;
  ddaebm) model=models/toy_ddaebm.lua ;;
  bb-sv-diff) model=models/toy_bb_sv_diff.lua ;;
  bb-mi-diff) model=models/toy_bb_mi_diff.lua ;;
  *) echo "unknown method $method" >&2; exit 2 ;;
esac
# a build directory per run, so that runs of other data sets or budgets can go on beside this one
dir=out/bench/quality/build-$method-$data-$iters
out/host/ebmforge build "$model" -o "$dir" >/dev/null && ninja -C "$dir" train-cpu >/dev/null
T=$dir/$method/train-cpu
results=${RESULTS:-bench/results}
res=$results/toy_quality_${method}_${data}_${iters}.json
mkdir -p "$results"
{
  echo "{\"method\": \"$method\", \"iters\": $iters, \"data\": \"$data\", \"commit\": \"$(git rev-parse --short HEAD)\", \"runs\": ["
  first=1
  for seed in "$@"; do
    o=out/bench/quality/$method-$data-$iters-$seed
    st=out/bench/stability/$data/$method/seed$seed
    mkdir -p "$o/ours"
    # the trainer refuses a checkpoint of another model (fingerprint), so a stale run is trained again
    if [ -f "$st/verdict_$iters.json" ] && $T energy --ckpt "$st/stage_$iters.safetensors" --grid 256 -o "$o/ours/energy_grid.npy" 2>/dev/null; then
      echo "ours: $st/stage_$iters.safetensors (trained by toy_stability.sh)" >&2
      cp "$st/stage_$iters.safetensors" "$o/ours/ckpt.safetensors"
    else
      # shellcheck disable=SC2086
      $T train --iters "$iters" --seed "$seed" --data "$data" --out "$o/ours" --log-every 1000 ${SPEC_SETS[$method]:-} 2>/dev/null
      $T energy --ckpt "$o/ours/ckpt.safetensors" --grid 256 -o "$o/ours/energy_grid.npy"
    fi
    $T sample --ckpt "$o/ours/ckpt.safetensors" -n 2000 -o "$o/ours/samples.npy"
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_toy.py --method "$method" --iters "$iters" --warmup 0 \
      --threads 1 --seed "$seed" --data "$data" --out "$o/torch" >/dev/null
    [ $first = 1 ] || echo ","
    first=0
    echo "{\"seed\": $seed, \"ours\": $($T eval --from "$o/ours" --data "$data"), \"torch\": $($T eval --from "$o/torch" --data "$data")}"
  done
  echo "]}"
} >"$res.tmp"
# keep the earlier file's runs of other seeds
[ -f "$res" ] && /usr/bin/python3 -c '
import json, sys
old, new = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
seeds = {r["seed"] for r in new["runs"]}
new["runs"] = sorted([r for r in old["runs"] if r["seed"] not in seeds] + new["runs"], key=lambda r: r["seed"])
json.dump(new, open(sys.argv[2], "w"), indent=1)' "$res" "$res.tmp"
mv "$res.tmp" "$res"
cat "$res"
