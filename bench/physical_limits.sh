#!/usr/bin/env bash
# Is issue 30's target (twice JAX jit's one-thread steps per CPU second) within
# what this core can do? bench/vmath_cost.c measures what one element of each
# costly elementwise op costs a trainer (its flags, its functions; one thread,
# pinned); bench/physical_limits.py bounds each toy step from below by its
# products at the measured FMA peak (sgemm 1024^3 in an older peers.json) and those evaluations, counted in the IR,
# and sets the bound beside 2x JAX and ours from bench/results/peers.json.
# Writes bench/results/physical_limits.json and prints the table of
# docs/performance_peers.md. About a minute; run it on a quiet machine (the
# load average goes into the JSON).
#
#   bash bench/physical_limits.sh [PEERS_JSON (bench/results/peers.json)]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
PEERS=${1:-bench/results/peers.json}
[ -x out/host/ebmforge ] || { echo "physical_limits.sh: build ebmforge first (bash build/setup.sh)" >&2; exit 2; }
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
cc -O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math -std=gnu11 -I runtime \
  bench/vmath_cost.c -o "$BIN/vmath_cost" -lm
load_before=$(cut -d' ' -f1 /proc/loadavg)
taskset -c "$(($(nproc) - 1))" "$BIN/vmath_cost" > "$BIN/costs.json"
load_after=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$BIN/costs.json" "$load_before" "$load_after" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(cpu=next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
         load_average_before=float(sys.argv[2]), load_average_after=float(sys.argv[3]))
json.dump(c, open(sys.argv[1], "w"))
PY
mkdir -p bench/results
python3 bench/physical_limits.py "$PEERS" "$BIN/costs.json" out/host/ebmforge bench/results/physical_limits.json
