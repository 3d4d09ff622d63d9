#!/usr/bin/env bash
# Stability of one toy method across data sets and seeds (issue 5: "over 5
# seeds, how many runs diverge or collapse"). Each run trains from scratch,
# then is scored by `train-cpu eval` (methods.md 7.1-7.2) and by the spread of
# 2,000 samples against 20,000 test points (bench/stability_verdict.py).
# usage: bash bench/toy_stability.sh METHOD "ITERS..." "SEEDS" DATA...
#   METHOD: bb-sv-gp bb-mi-gp bb-sv-diff bb-mi-diff ebm-0gp ebm-lb ddaebm
#   e.g.  bash bench/toy_stability.sh ebm-0gp 2000 "1 2 3 4 5" 25gaussians moons
# Several ascending ITERS ("20000 40000 100000") train one run in stages:
# each stage resumes from the previous stage's checkpoint, which is bit-exact
# (train-cpu train --help) and, as no toy schedule depends on the total, the
# same as a run trained for that many iterations from scratch; every stage is
# scored and recorded, with its cumulative training time.
# Appends one JSON line per run (or stage) to
# bench/results/toy_stability_<METHOD>.jsonl (the table script keeps the last
# line of each method, data set, seed and iterations) and keeps every run's
# output under out/bench/stability/runs/. A stage already recorded there (its
# directory holds `recorded`) is reused, not trained again, so an interrupted
# queue can be started again as it was; delete the directory to redo it. A
# stage that another queue is training (it holds <run dir>.lock, flock) is
# skipped with its later stages, so queues on two cores may share seeds.
set -uo pipefail
cd "$(dirname "$0")/.."
method=$1 stages=$2 seeds=$3
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
mkdir -p out/bench/stability
# queues on two cores build the same trainer: one at a time, or one runs a half-linked binary
flock "$dir.build.lock" sh -c 'out/host/ebmforge build "models/$1.lua" -o "$2" --no-cuda >/dev/null && ninja -C "$2" train-cpu >/dev/null' sh "$model" "$dir" || exit 1
T=$dir/$method/train-cpu
res=bench/results/toy_stability_$method.jsonl
mkdir -p bench/results
commit=$(git rev-parse --short HEAD)
mkdir -p out/bench/stability/runs
for data in "$@"; do
  for seed in $seeds; do
    prev=""   # the previous stage's directory, empty for the first
    for iters in $stages; do
      o=out/bench/stability/runs/$method-$data-$iters-$seed
      if [ -f "$o/recorded" ]; then
        echo "$method $data seed $seed $iters: recorded before, reused" >&2
        prev=$o; continue
      fi
      resume=() before=0
      if [ -n "$prev" ]; then
        [ -f "$prev/ckpt.safetensors" ] || { echo "$method $data seed $seed: stage $prev has no checkpoint; later stages skipped" >&2; break; }
        resume=(--resume "$prev/ckpt.safetensors") before=$(cat "$prev/train_s")
      fi
      # two queues may share a seed: the one that holds the stage's lock trains it
      exec {lock}>"$o.lock"
      flock -n "$lock" || { echo "$method $data seed $seed $iters: being trained by another queue; skipped" >&2; exec {lock}>&-; break; }
      rm -rf "$o" && mkdir -p "$o"
      start=$(date +%s.%N)
      $T train "${resume[@]}" --iters "$iters" --seed "$seed" --data "$data" --out "$o" --log-every 100 >"$o/train.txt" 2>&1
      rc=$?
      if [ $rc = 0 ] && ! tail -n 1 "$o/log.jsonl" 2>/dev/null | grep -q "\"iter\": $iters,"; then
        echo "$method $data seed $seed $iters: stopped before its last step (a signal?); not recorded" >&2
        exit 1
      fi
      secs=$(echo "$(date +%s.%N) - $start + $before" | bc)
      echo "$secs" >"$o/train_s"
      if [ $rc = 0 ]; then
        $T sample --ckpt "$o/ckpt.safetensors" -n 2000 -o "$o/samples.npy" >/dev/null 2>&1
        $T energy --ckpt "$o/ckpt.safetensors" --grid 256 -o "$o/energy_grid.npy" >/dev/null 2>&1
        $T eval --ckpt "$o/ckpt.safetensors" --data "$data" >"$o/eval.json" 2>/dev/null || rm -f "$o/eval.json"
      fi
      /usr/bin/python3 bench/stability_verdict.py record "$o" "$method" "$data" "$seed" "$iters" "$rc" "$secs" "$commit" >>"$res" && touch "$o/recorded"
      echo "$method $data seed $seed $iters: exit $rc, $(printf %.0f "$secs") s" >&2
      exec {lock}>&-
      [ $rc = 0 ] || break   # a stopped run has no later stages
      prev=$o
    done
  done
done
