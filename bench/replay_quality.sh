#!/usr/bin/env bash
# Does a quality difference between ours and PyTorch (bench/toy_quality.sh)
# come from the arithmetic or from the random numbers? Trains the PyTorch
# reference on some of our trainer's random inputs and scores it like
# toy_quality.sh does:
#   MODE all:   our initial values (--load) and our data and noise (--replay)
#   MODE draws: PyTorch's own initial values, our data and noise
#   MODE init:  our initial values, PyTorch's own data and noise
# usage: bash bench/replay_quality.sh MODE METHOD ITERS DATA SEED...
#   METHOD: ebm-0gp | bb-sv-gp;  DATA: 8gaussians | 25gaussians (the sets philox_replay.py draws)
# Writes bench/results/toy_quality_replay-<MODE>_<METHOD>_<DATA>_<ITERS>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1 method=$2 iters=$3 data=$4
shift 4
case $method in
  ebm-0gp) model=models/toy_ebm0gp.lua ;;
  bb-sv-gp) model=models/toy_bb.lua ;;
  *) echo "unknown method $method (ebm-0gp, bb-sv-gp)" >&2; exit 2 ;;
esac
case $mode in all | draws | init) ;; *) echo "unknown mode $mode (all, draws, init)" >&2; exit 2 ;; esac
dir=out/bench/replay/build-$method
out/host/ebmforge build "$model" -o "$dir" >/dev/null && ninja -C "$dir" train-cpu >/dev/null
T=$dir/$method/train-cpu
res=bench/results/toy_quality_replay-${mode}_${method}_${data}_${iters}.json
{
  echo "{\"mode\": \"$mode\", \"method\": \"$method\", \"iters\": $iters, \"data\": \"$data\", \"commit\": \"$(git rev-parse --short HEAD)\", \"runs\": ["
  first=1
  for seed in "$@"; do
    o=out/bench/replay/$mode-$method-$data-$iters-$seed
    mkdir -p "$o"
    flags=()
    if [ "$mode" != draws ]; then
      $T train --iters 0 --seed "$seed" --data "$data" --out "$o/init" >/dev/null 2>&1
      flags+=(--load "$o/init/ckpt.safetensors")
    fi
    [ "$mode" = init ] || flags+=(--replay)
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_toy.py --method "$method" --iters "$iters" --warmup 0 \
      --threads 1 --seed "$seed" --data "$data" "${flags[@]}" --out "$o/torch" >/dev/null
    [ $first = 1 ] || echo ","
    first=0
    echo "{\"seed\": $seed, \"torch\": $($T eval --from "$o/torch" --data "$data")}"
  done
  echo "]}"
} >"$res.tmp"
mv "$res.tmp" "$res"
cat "$res"
