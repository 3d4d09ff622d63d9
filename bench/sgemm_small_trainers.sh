#!/usr/bin/env bash
# The toy trainers' speed before and after a change to the runtime (written
# for runtime/sgemm_small.c): each of ebm-0gp, bb-sv-gp and mle-langevin
# (models/toy_ebm0gp.lua, toy_bb.lua, toy_mle.lua) is built by two ebmforge
# binaries (each compiles the runtime/ of its own tree), then run at
# --threads 1 for ITERS and for SHORT iterations, old and new alternating,
# ROUNDS times. Steps per CPU second = (ITERS - SHORT) / (CPU of the long run
# - CPU of the short one), user + system from /usr/bin/time: start-up and the
# end-of-run work cancel, and time the shared machine gives to other jobs
# does not count. Medians over the rounds. Writes
# bench/results/sgemm_small_trainers.json and prints it.
#
#   bash bench/sgemm_small_trainers.sh OLD_EBMFORGE NEW_EBMFORGE
#   ITERS=3000 SHORT=100 ROUNDS=3 bash bench/sgemm_small_trainers.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1") NEW=$(realpath "$2")
ITERS=${ITERS:-3000} SHORT=${SHORT:-100} ROUNDS=${ROUNDS:-3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
declare -A METHOD=([toy_ebm0gp]=ebm-0gp [toy_bb]=bb-sv-gp [toy_mle]=mle-langevin)
MODELS="toy_ebm0gp toy_bb toy_mle"
for m in $MODELS; do
  for side in old new; do
    bin=$OLD; [ $side = new ] && bin=$NEW
    "$bin" build "models/$m.lua" -o "$W/$side-$m" --no-cuda >/dev/null
    ninja -C "$W/$side-$m" -j2 "${METHOD[$m]}/train-cpu" >/dev/null
  done
done
cpu() { # seconds of CPU of one run: trainer, iterations
  /usr/bin/time -f "%U %S" -o "$W/t" "$1" train --iters "$2" --threads 1 --out "$W/run" >/dev/null 2>&1
  rm -rf "$W/run"
  awk '{print $1 + $2}' "$W/t"
}
for r in $(seq "$ROUNDS"); do
  for m in $MODELS; do
    for side in old new; do
      exe=$W/$side-$m/${METHOD[$m]}/train-cpu
      long=$(cpu "$exe" "$ITERS") short=$(cpu "$exe" "$SHORT")
      echo "$m $side $long $short" >>"$W/raw"
    done
  done
done
python3 - "$W/raw" "$ITERS" "$SHORT" <<'PY' | tee bench/results/sgemm_small_trainers.json
import json, statistics, sys
raw, iters, short = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = {}
for line in open(raw):
    m, side, lo, sh = line.split()
    runs.setdefault(m, {}).setdefault(side, []).append((iters - short) / (float(lo) - float(sh)))
out = {"iters": iters, "short": short, "threads": 1, "unit": "steps per CPU second", "models": {}}
for m, sides in runs.items():
    med = {s: statistics.median(v) for s, v in sides.items()}
    out["models"][m] = {"old": round(med["old"], 1), "new": round(med["new"], 1),
                        "ratio": round(med["new"] / med["old"], 3),
                        "old_rounds": [round(x, 1) for x in sides["old"]], "new_rounds": [round(x, 1) for x in sides["new"]]}
print(json.dumps(out, indent=1))
PY
