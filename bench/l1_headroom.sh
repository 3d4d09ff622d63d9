#!/usr/bin/env bash
# Would running the gradient-penalty steps block by block of rows (a fused
# small-MLP kernel's schedule: every buffer of a block in the L1 cache) reach
# issue 30's twice JAX jit? The same step is built at smaller batches, where
# every buffer fits L1, and profiled (perf, one pinned thread): the
# elementwise phases' cost per row there is what row blocking could at best
# bring them down to at batch 200. bench/l1_headroom.py sets that beside
# ours and JAX from bench/results/peers.json. Writes
# bench/results/l1_headroom.json and prints the table of
# docs/performance_peers.md. About 4 minutes; needs perf (Debian: linux-perf).
#
#   bash bench/l1_headroom.sh [PEERS_JSON (bench/results/peers.json)]
#   BATCHES="16 32 100 200" (200, the models' batch, must be among them)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
PEERS=${1:-bench/results/peers.json}
BATCHES=${BATCHES:-16 32 100 200}
EBM=out/host/ebmforge
[ -x "$EBM" ] || { echo "l1_headroom.sh: build ebmforge first (bash build/setup.sh)" >&2; exit 2; }
command -v perf >/dev/null || { echo "l1_headroom.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
W=out/bench/l1_headroom
rm -rf "$W" && mkdir -p "$W"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
CPU=$(($(nproc) - 1))
load_before=$(cut -d' ' -f1 /proc/loadavg)
for model in toy_ebm0gp toy_bb toy_bb_mi; do
  for B in $BATCHES; do
    d=$W/${model}_b$B
    mkdir -p "$d"
    sed "s/^  batch = 200,/  batch = $B,/" "models/$model.lua" > "$d/model.lua"
    grep -q "^  batch = $B," "$d/model.lua" || { echo "l1_headroom.sh: models/$model.lua has no 'batch = 200' line" >&2; exit 2; }
    "$EBM" build "$d/model.lua" -o "$d/build" --no-cuda >/dev/null 2>&1
    ninja -C "$d/build" >/dev/null
    T=$(ls "$d"/build/*/train-cpu)
    iters=$((500000 / B))   # some 3 s at every batch
    # CPU time without the sampler, then where it goes with it
    taskset -c $CPU perf stat -x, -e task-clock -o "$d/stat.csv" "$T" train --iters $iters --out "$d/run1" >/dev/null 2>&1
    taskset -c $CPU perf record -q -F 999 -o "$d/perf.data" "$T" train --iters $iters --out "$d/run2" >/dev/null 2>&1
    perf report -i "$d/perf.data" --stdio --sort symbol 2>/dev/null | grep -v '^#' | grep . > "$d/symbols.txt"
    echo "$(date -u +%T) $model batch $B: $iters iterations"
  done
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
mkdir -p bench/results
python3 bench/l1_headroom.py "$PEERS" "$W" "$BATCHES" "$load_before" "$load_after" bench/results/l1_headroom.json
