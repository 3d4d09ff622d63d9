#!/usr/bin/env bash
# Stability of one toy method across data sets and seeds (issue 5: "over 5
# seeds, how many runs diverge or collapse"). Each run trains from scratch,
# then is scored by `train-cpu eval` (methods.md 7.1-7.2) and by the spread of
# 2,000 samples against 20,000 test points (bench/stability_verdict.py).
# usage: bash bench/toy_stability.sh METHOD ITERS "SEEDS" DATA...
#   METHOD: bb-sv-gp bb-mi-gp bb-sv-diff bb-mi-diff ebm-0gp ebm-lb ddaebm
#   e.g.  bash bench/toy_stability.sh ebm-0gp 2000 "1 2 3 4 5" 25gaussians moons
# Appends one JSON line per run to bench/results/toy_stability_<METHOD>.jsonl
# (a rerun of the same method, data, seed and iterations replaces nothing: the
# table script keeps the last line of each), and keeps every run's output
# under out/bench/stability/.
set -uo pipefail
cd "$(dirname "$0")/.."
method=$1 iters=$2 seeds=$3
shift 3
case $method in
  bb-sv-gp) model=toy_bb ;;
  bb-mi-gp) model=toy_bb_mi ;;
  bb-sv-diff) model=toy_bb_sv_diff ;;
  bb-mi-diff) model=toy_bb_mi_diff ;;
  ebm-0gp) model=toy_ebm0gp ;;
  ebm-lb) model=toy_ebm_lb ;;
  ddaebm) model=toy_ddaebm ;;
  *) echo "unknown method $method" >&2; exit 2 ;;
esac
dir=out/bench/stability/$model
out/host/ebmforge build "models/$model.lua" -o "$dir" --no-cuda >/dev/null && ninja -C "$dir" train-cpu >/dev/null || exit 1
T=$dir/$method/train-cpu
res=bench/results/toy_stability_$method.jsonl
mkdir -p bench/results
commit=$(git rev-parse --short HEAD)
mkdir -p out/bench/stability/runs
for data in "$@"; do
  for seed in $seeds; do
    o=out/bench/stability/runs/$method-$data-$iters-$seed
    rm -rf "$o" && mkdir -p "$o"
    start=$(date +%s.%N)
    $T train --iters "$iters" --seed "$seed" --data "$data" --out "$o" --log-every 100 >"$o/train.txt" 2>&1
    rc=$?
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    if [ $rc = 0 ]; then
      $T sample --ckpt "$o/ckpt.safetensors" -n 2000 -o "$o/samples.npy" >/dev/null 2>&1
      $T energy --ckpt "$o/ckpt.safetensors" --grid 256 -o "$o/energy_grid.npy" >/dev/null 2>&1
      $T eval --ckpt "$o/ckpt.safetensors" --data "$data" >"$o/eval.json" 2>/dev/null || rm -f "$o/eval.json"
    fi
    /usr/bin/python3 bench/stability_verdict.py record "$o" "$method" "$data" "$seed" "$iters" "$rc" "$secs" "$commit" >>"$res"
    echo "$method $data seed $seed: exit $rc, $(printf %.0f "$secs") s" >&2
  done
done
